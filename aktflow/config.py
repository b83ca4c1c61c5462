"""The settings: every ``AKTFLOW_*`` variable the product reads, typed and checked in one place.

:class:`Settings` is the one typed settings object. It is read when asked for (:func:`load_settings`),
never at import time, and checked at start-up by the command line and by ``web.create_app``: a bad value
stops the start with one Danish line per problem (:class:`SettingsError`), never a stack trace. The
README's configuration tables are checked against :data:`Settings.model_fields` by the tests.

This module holds the core (storage, the web, documents, screening, the command line, the choice of
archive: :class:`CoreSettings`) and puts :class:`Settings` together from it and the adapters' sections in
:mod:`aktflow.settings` (SBSYS, Digital Post, e-mail). The sections' public names are re-exported here, so
``from aktflow.config import SbsysConfig`` and the like keep working.

Test-only variables (``AKTFLOW_TEST_*`` and the test suite's own knobs) are not settings and are ignored.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import AktflowError
from .settings import PREFIX, env_name
from .settings import digital_post as _digital_post
from .settings import mail as _mail
from .settings import sbsys as _sbsys
from .settings.digital_post import DigitalPostSettings
from .settings.mail import ImapParts, MailSettings, imap_parts
from .settings.sbsys import (
    DEFAULT_SBSYS_TIMEOUT,
    DEFAULT_TIMEOUT,
    ENV_BASE_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_PASSWORD,
    ENV_TEMPLATE_ID,
    ENV_TEMPLATES,
    ENV_TIMEOUT,
    ENV_TOKEN_URL,
    ENV_USERNAME,
    SbsysConfig,
    SbsysConfigError,
    SbsysSettings,
)

__all__ = [
    "DEFAULT_MAX_UPLOAD",
    "DEFAULT_SBSYS_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ENV_BASE_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_PASSWORD",
    "ENV_TEMPLATES",
    "ENV_TEMPLATE_ID",
    "ENV_TIMEOUT",
    "ENV_TOKEN_URL",
    "ENV_USERNAME",
    "PREFIX",
    "Config",
    "CoreSettings",
    "DigitalPostSettings",
    "ImapParts",
    "MailSettings",
    "SbsysConfig",
    "SbsysConfigError",
    "SbsysSettings",
    "Settings",
    "SettingsError",
    "default_database_url",
    "env_name",
    "imap_parts",
    "instance_dir",
    "load_settings",
    "proxy_parts",
    "raw_values",
]

DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024

# Values that may be repeated in an error message; the others (keys, passwords, URLs with credentials)
# are never echoed.
_SHOWN = {"archive", "max_upload", "secure_cookies", "proxy_hops", "debug", "instance"}
_SHOWN |= {"max_unpacked", "max_parts", "max_pages", "max_chars", "max_seconds", "max_memory", "ocr"}
_SHOWN |= _sbsys.SHOWN | _digital_post.SHOWN | _mail.SHOWN


class SettingsError(AktflowError):
    """One or more settings are bad. ``problems`` holds one Danish line per bad value, naming the variable."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class CoreSettings(BaseSettings):
    """The core settings: storage, the audit key, the web, the limits per document, screening, the
    command line and the choice of archive. :class:`Settings` adds the adapters' sections to them.
    """

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
    )

    # --- storage ---
    database_url: str | None = Field(
        None,
        repr=False,  # it may hold a password
        description="SQLAlchemy URL: `sqlite:///…` or `postgresql+psycopg://user:pw@host/db`",
    )
    migration_database_url: str | None = Field(
        None,
        repr=False,
        description="the schema owner's URL for `aktflow db upgrade` (PostgreSQL: it grants the role of "
        "`AKTFLOW_DATABASE_URL` only what it needs); default `AKTFLOW_DATABASE_URL`",
    )
    audit_key: SecretStr | None = Field(
        None,
        description="the key of the audit log's hash chains (HMAC-SHA-256, at least 32 characters); "
        "otherwise the last key in the key file",
    )
    audit_key_file: Path | None = Field(
        None,
        description="the audit log's key file, one key a line, the last current (generated with mode 0600 "
        "when missing and no key is set); default `audit-keys` in the instance folder",
    )
    instance: Path | None = Field(
        None, description="folder for the embedded database and the generated secret key"
    )
    # --- web ---
    secret_key: SecretStr | None = Field(
        None,
        description="Flask session key (set it in production; otherwise one is generated in the instance "
        "folder)",
    )
    secure_cookies: bool = Field(False, description="`1` behind HTTPS")
    session_idle: int = Field(
        30, gt=0, le=24 * 60, description="minutes without a request before a login ends"
    )
    session_lifetime: int = Field(
        12, gt=0, le=24 * 30, description="hours after which a login ends, used or not"
    )
    max_upload: int = Field(DEFAULT_MAX_UPLOAD, gt=0, description="largest document upload in bytes")
    # --- documents: the limits per file (docs/documents.md) ---
    max_unpacked: int = Field(
        100 * 1024 * 1024, gt=0, description="largest uncompressed size of a .docx/.xlsx/.odt/.ods in bytes"
    )
    max_parts: int = Field(
        1000, gt=0, description="most parts, embedded files or attachments in one document"
    )
    max_pages: int = Field(1000, gt=0, description="most pages in one PDF or TIFF")
    max_chars: int = Field(5_000_000, gt=0, description="most characters of text extracted from one document")
    max_seconds: float = Field(60.0, gt=0, description="seconds to read one document, OCR included")
    max_memory: int = Field(
        768 * 1024 * 1024, gt=0, description="memory for reading one document in bytes (the reader's process)"
    )
    ocr: bool = Field(True, description="`0` turns OCR of scans and images off (they are then marked unread)")
    trusted_header: str | None = Field(
        None, description="sign-on through a reverse proxy: the header naming the user"
    )
    trusted_proxies: str = Field("", description="the proxies' addresses allowed to set the sign-on header")
    trusted_domain: str | None = Field(
        None,
        description="sign-on: the one Windows domain whose users are named without it (`KOMMUNE\\jens` is "
        "`jens`); users of other domains are named `DOMÆNE\\bruger`",
    )
    proxy_hops: int = Field(
        0, ge=0, description="number of proxies in front (for client addresses and HTTPS detection)"
    )
    # --- document screening ---
    screening: Literal["background", "worker", "inline"] = Field(
        "background",
        description="who reads stored files: `background` (a thread in the process that stored them), "
        "`worker` (only `aktflow outbox run`), `inline` (at once, in the same call; tests)",
    )
    # --- command line ---
    debug: bool = Field(False, description="`1` shows tracebacks from the CLI")
    # --- archive ---
    archive: Literal["local", "sbsys"] = Field(
        "local", description="`local` (embedded, numbers cases like SBSYS) or `sbsys`"
    )

    @field_validator("audit_key")
    @classmethod
    def _audit_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(
                "skal have mindst 32 tegn (fx python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return value

    @field_validator("database_url", "migration_database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError(
                "er ikke en database-URL (fx sqlite:///sti/aktflow.db eller "
                "postgresql+psycopg://bruger:kode@vært/db)"
            ) from None
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        for part in proxy_parts(value):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(
                    f"{part!r} er ikke en IP-adresse eller et netværk (fx 10.0.4.0/28)"
                ) from None
        return value

    # --- derived values ---

    def instance_dir(self) -> Path:
        """Where the embedded database and local files live.

        ``AKTFLOW_INSTANCE`` wins; in a source checkout it is ``<checkout>/instance`` (as Flask does);
        otherwise ``<prefix>/var/aktflow-instance``.
        """
        if self.instance is not None:
            return self.instance
        checkout = Path(__file__).resolve().parent.parent
        if (checkout / "pyproject.toml").exists():
            return checkout / "instance"
        return Path(sys.prefix) / "var" / "aktflow-instance"

    def resolved_database_url(self) -> str:
        """``AKTFLOW_DATABASE_URL``, or the embedded SQLite database in the instance folder."""
        return self.database_url or f"sqlite:///{self.instance_dir() / 'aktflow.db'}"


class Settings(MailSettings, DigitalPostSettings, SbsysSettings, CoreSettings):
    """Everything an installation configures, from the ``AKTFLOW_*`` environment variables: the core
    (:class:`CoreSettings`) and the sections for SBSYS, Digital Post and e-mail (:mod:`aktflow.settings`),
    in that order.

    Empty values count as unset. Each field's ``description`` is the README's text for the variable.
    Use :func:`load_settings` to read and check them; it raises :class:`SettingsError`. The rules that
    span sections live here: the sign-on header needs its proxies, and ``AKTFLOW_ARCHIVE=sbsys`` needs the
    SBSYS section complete (:class:`SbsysConfigError`, reported as a settings problem).
    """

    @model_validator(mode="after")
    def _together(self) -> Settings:
        if self.trusted_header and not proxy_parts(self.trusted_proxies):
            raise ValueError(
                "AKTFLOW_TRUSTED_HEADER kræver AKTFLOW_TRUSTED_PROXIES (de adresser, proxyen kommer fra)"
            )
        if self.archive == "sbsys":
            self.sbsys_config()  # raises SbsysConfigError, reported as a settings problem
        return self


def proxy_parts(spec: str | None) -> list[str]:
    """The addresses or networks in ``AKTFLOW_TRUSTED_PROXIES`` (separated by commas or semicolons)."""
    return [p.strip() for p in (spec or "").replace(";", ",").split(",") if p.strip()]


_MESSAGES = {
    "int_parsing": "skal være et helt tal",
    "int_from_float": "skal være et helt tal",
    "float_parsing": "skal være et tal",
    "bool_parsing": "skal være 1 eller 0 (eller true/false)",
    "literal_error": "skal være en af {expected}",
    "greater_than": "skal være større end {gt}",
    "greater_than_equal": "skal være mindst {ge}",
    "finite_number": "skal være et endeligt tal",
}


def _problem(error: Mapping[str, Any]) -> str:
    """One Danish line for one of pydantic's errors, naming the environment variable."""
    loc = error.get("loc") or ()
    field = str(loc[0]) if loc else ""
    ctx = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "")))
    elif kind in _MESSAGES:
        text = _MESSAGES[kind].format(**{k: str(v).replace("'", "") for k, v in ctx.items()})
        if kind == "literal_error":
            text = _MESSAGES[kind].format(expected=str(ctx.get("expected", "")).replace(" or ", ", "))
    else:
        text = "har en ugyldig værdi"
    if not field:  # a rule about several settings: the message names them itself
        return text
    shown = field in _SHOWN and isinstance(error.get("input"), str)
    return f"{env_name(field)}: {text}" + (f", ikke {error['input']!r}" if shown else "")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check the settings from ``environ`` (default: the process's environment).

    Raises :class:`SettingsError` with one Danish line per bad value (never the value of a secret).
    """
    env = os.environ if environ is None else environ
    values = {
        key[len(PREFIX) :].lower(): value
        for key, value in env.items()
        if key.upper().startswith(PREFIX) and value.strip() != ""
    }
    values = {k: v for k, v in values.items() if k in Settings.model_fields}
    try:
        # model_validate checks exactly the given mapping (Settings() would read os.environ itself).
        return Settings.model_validate(values)
    except ValidationError as e:
        raise SettingsError([_problem(err) for err in e.errors()]) from None
    except AktflowError as e:  # the SBSYS settings' own check (raised from the model validator)
        raise SettingsError([e.message]) from None


def raw_values(*fields: str) -> tuple[str | None, ...]:
    """The unchecked environment values of these settings (``"audit_key"`` -> ``AKTFLOW_AUDIT_KEY``), as a
    cheap key for a cache of something built from the checked settings."""
    return tuple(os.environ.get(env_name(f)) for f in fields)


def instance_dir() -> Path:
    """Where the embedded database and local files live (see :meth:`Settings.instance_dir`)."""
    return load_settings().instance_dir()


def default_database_url() -> str:
    """The embedded SQLite database in the instance folder."""
    return f"sqlite:///{instance_dir() / 'aktflow.db'}"


@dataclass(frozen=True)
class Config:
    """The database URL and archive name (kept for callers that need only these two)."""

    database_url: str
    archive: str = "local"

    @classmethod
    def from_env(cls) -> Config:
        """From :func:`load_settings`; raises :class:`SettingsError`."""
        settings = load_settings()
        return cls(database_url=settings.resolved_database_url(), archive=settings.archive)
