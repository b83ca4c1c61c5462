"""The settings: every ``AKTFLOW_*`` variable the product reads, typed and checked in one place.

:class:`Settings` is the one typed settings object. It is read when asked for (:func:`load_settings`),
never at import time, and checked at start-up by the command line and by ``web.create_app``: a bad value
stops the start with one Danish line per problem (:class:`SettingsError`), never a stack trace. The
README's configuration tables are checked against :data:`Settings.model_fields` by the tests.

Test-only variables (``AKTFLOW_TEST_*`` and the test suite's own knobs) are not settings and are ignored.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import AktflowError

PREFIX = "AKTFLOW_"
DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024
DEFAULT_SBSYS_TIMEOUT = 15.0

# Values that may be repeated in an error message; the others (keys, passwords, URLs with credentials)
# are never echoed.
_SHOWN = {"archive", "max_upload", "secure_cookies", "proxy_hops", "debug", "sbsys_timeout", "instance"}
_SHOWN |= {"imap_done_folder", "imap_interval", "mail_emne"}
_SHOWN |= {"mail_from", "mail_max_bytes"}
_SHOWN |= {"max_unpacked", "max_parts", "max_pages", "max_chars", "max_seconds", "max_memory", "ocr"}


class SettingsError(AktflowError):
    """One or more settings are bad. ``problems`` holds one Danish line per bad value, naming the variable."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def env_name(field: str) -> str:
    """The environment variable of a settings field: ``max_upload`` -> ``AKTFLOW_MAX_UPLOAD``."""
    return PREFIX + field.upper()


class Settings(BaseSettings):
    """Everything an installation configures, from the ``AKTFLOW_*`` environment variables.

    Empty values count as unset. Each field's ``description`` is the README's text for the variable.
    Use :func:`load_settings` to read and check them; it raises :class:`SettingsError`.
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
    sbsys_base_url: str | None = Field(None, description="the SBSYS API root")
    sbsys_token_url: str | None = Field(None, description="the OAuth2 token endpoint (Keycloak realm)")
    sbsys_client_id: str | None = Field(None, description="client credentials: the id")
    sbsys_client_secret: SecretStr | None = Field(None, description="client credentials: the secret")
    sbsys_username: str | None = Field(None, description="optional: the password grant instead")
    sbsys_password: SecretStr | None = Field(None, description="optional: the password grant's password")
    sbsys_template_id: str | None = Field(None, description="the default case template")
    sbsys_templates: str | None = Field(None, description="JSON map from emne prefix to template id")
    sbsys_timeout: float = Field(DEFAULT_SBSYS_TIMEOUT, gt=0, description="seconds per SBSYS call")
    # --- Digital Post (docs/digital-post.md) ---
    digital_post_url: str | None = Field(
        None,
        description="Serviceplatformen's root (SF1601 and PostForespoerg are joined to it), e.g. "
        "`https://prod.serviceplatformen.dk/`; unset: no Digital Post",
    )
    digital_post_cert: Path | None = Field(
        None, description="the system certificate and its private key in one PEM file (client TLS)"
    )
    digital_post_sender_cvr: str | None = Field(
        None, description="the municipality's CVR number: the sender of every message (8 digits)"
    )
    digital_post_sender_name: str = Field(
        "Kommunen", description="the sender's name the recipient sees in the Digital Post inbox"
    )
    digital_post_auth: Literal["kombit", "kombit-test", "none"] = Field(
        "kombit",
        description="access tokens: `kombit` (KOMBIT's token service, production), `kombit-test` "
        "(its test environment) or `none` (the client certificate only; the local fake)",
    )
    digital_post_timeout: float = Field(30.0, gt=0, description="seconds per Digital Post call")
    # --- requests in by e-mail (docs/mail-intake.md) ---
    imap_url: SecretStr | None = Field(
        None,
        description="the aktindsigt mailbox for `aktflow intake poll`: `imaps://user:password@host:993/INBOX` "
        "(TLS only; the path is the folder read)",
    )
    imap_done_folder: str = Field(
        "behandlet", min_length=1, description="the folder a mail taken in is moved to"
    )
    imap_interval: float = Field(60.0, gt=0, description="seconds between two looks into the mailbox")
    mail_emne: str | None = Field(
        None,
        pattern=r"^\d{2}\.\d{2}\.\d{2}$",
        description="the KLE emne (NN.NN.NN) for a mail whose text matches no emne of the plan",
    )

    @field_validator("imap_url")
    @classmethod
    def _imap_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            imap_parts(value.get_secret_value())  # raises ValueError naming what is wrong, not the password
        return value

    smtp_url: SecretStr | None = Field(
        None,
        description="the SMTP relay letters are e-mailed through: `smtp+starttls://user:password@host:587`, "
        "`smtps://…:465` or `smtp://127.0.0.1:2525`; unset: no e-mail",
    )
    mail_from: str | None = Field(None, description="the sender address of e-mailed letters")
    mail_max_bytes: int = Field(
        10 * 1024 * 1024,
        gt=0,
        description="most bytes of attachments in one e-mail; larger releases go as several",
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

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from urllib.parse import urlsplit

            try:
                parts = urlsplit(value.get_secret_value().strip())
                port_ok = parts.port is None or parts.port > 0
            except ValueError:
                port_ok = False
            if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname or not port_ok:
                raise ValueError(
                    "skal være en SMTP-URL: smtp+starttls://bruger:kode@vært:587, smtps://…:465 eller "
                    "smtp://127.0.0.1:2525"
                )
        return value

    @field_validator("sbsys_templates")
    @classmethod
    def _sbsys_templates(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in parsed.values()
        ):
            raise ValueError(
                'skal være et JSON-objekt fra emne-præfiks til skabelon-id, fx {"15": 12, "15.17": 31}'
            )
        return value

    @field_validator("digital_post_sender_cvr")
    @classmethod
    def _digital_post_sender_cvr(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{8}", value):
            raise ValueError("skal være et CVR-nummer med 8 cifre")
        return value

    @model_validator(mode="after")
    def _digital_post(self) -> Settings:
        if self.digital_post_url:
            missing = [f for f in ("digital_post_sender_cvr",) if not getattr(self, f)]
            if self.digital_post_auth != "none" and self.digital_post_cert is None:
                missing.append("digital_post_cert")
            if missing:
                raise ValueError(
                    "AKTFLOW_DIGITAL_POST_URL kræver " + " og ".join(env_name(f) for f in missing)
                )
        return self

    @model_validator(mode="after")
    def _together(self) -> Settings:
        if self.trusted_header and not proxy_parts(self.trusted_proxies):
            raise ValueError(
                "AKTFLOW_TRUSTED_HEADER kræver AKTFLOW_TRUSTED_PROXIES (de adresser, proxyen kommer fra)"
            )
        if self.archive == "sbsys":
            self.sbsys_config()  # raises SbsysConfigError, reported as a settings problem
        return self

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

    def sbsys_templates_map(self) -> dict[str, str]:
        """``AKTFLOW_SBSYS_TEMPLATES`` as a dict from emne prefix to template id (empty when unset)."""
        if not self.sbsys_templates:
            return {}
        return {str(k): str(v) for k, v in json.loads(self.sbsys_templates).items()}

    def sbsys_config(self) -> SbsysConfig:
        """The SBSYS connection settings; raises ``SbsysConfigError`` naming what is missing or wrong."""
        return SbsysConfig.from_settings(self)


# --- the SBSYS connection (used by aktflow/archive/sbsys_client.py) -----------------------------------

ENV_BASE_URL = "AKTFLOW_SBSYS_BASE_URL"
ENV_TOKEN_URL = "AKTFLOW_SBSYS_TOKEN_URL"
ENV_CLIENT_ID = "AKTFLOW_SBSYS_CLIENT_ID"
ENV_CLIENT_SECRET = "AKTFLOW_SBSYS_CLIENT_SECRET"
ENV_USERNAME = "AKTFLOW_SBSYS_USERNAME"
ENV_PASSWORD = "AKTFLOW_SBSYS_PASSWORD"
ENV_TEMPLATE_ID = "AKTFLOW_SBSYS_TEMPLATE_ID"
ENV_TEMPLATES = "AKTFLOW_SBSYS_TEMPLATES"
ENV_TIMEOUT = "AKTFLOW_SBSYS_TIMEOUT"

DEFAULT_TIMEOUT = DEFAULT_SBSYS_TIMEOUT
_EMNE_PREFIX = re.compile(r"^\d{2}(?:\.\d{2}){0,2}$")


class SbsysConfigError(AktflowError):
    """The SBSYS settings are missing or malformed; the message names the environment variable."""

    exit_code = 2


@dataclass(frozen=True)
class SbsysConfig:
    """Where SBSYS is and how to log in; from the checked settings with :meth:`from_settings`.

    ``templates`` maps an emne prefix (``"15"``, ``"15.17"``, ``"15.17.12"``) to a case template id; it may
    be given as a dict and is kept as a tuple of pairs so the config stays hashable.
    """

    base_url: str
    token_url: str
    client_id: str
    client_secret: str = dc_field(repr=False)
    template_id: str | None = None
    templates: Any = ()  # Mapping[str, str] or pairs; normalised to tuple[tuple[str, str], ...]
    username: str | None = None
    password: str | None = dc_field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        pairs = self.templates.items() if isinstance(self.templates, Mapping) else self.templates
        norm = tuple(sorted((str(k).strip(), str(v).strip()) for k, v in pairs))
        for prefix, _ in norm:
            if not _EMNE_PREFIX.match(prefix):
                raise SbsysConfigError(
                    f'{ENV_TEMPLATES}: {prefix!r} er ikke et KLE-emne eller et præfiks af et (fx "15" eller "15.17")'
                )
        object.__setattr__(self, "templates", norm)
        if self.template_id is not None:
            object.__setattr__(self, "template_id", str(self.template_id).strip() or None)
        if not self.template_id and not norm:
            raise SbsysConfigError(f"SBSYS er ikke sat op: mangler {ENV_TEMPLATE_ID} (standard-sagsskabelon)")

    @property
    def grant_type(self) -> str:
        return "password" if self.username else "client_credentials"

    @classmethod
    def from_settings(cls, settings: Any) -> SbsysConfig:
        """The SBSYS part of :class:`aktflow.config.Settings` (the ``AKTFLOW_SBSYS_*`` variables).

        Required: base URL, token URL, client id and secret, and a template (``AKTFLOW_SBSYS_TEMPLATE_ID``
        or ``AKTFLOW_SBSYS_TEMPLATES``). Username and password together switch to the password grant.
        Raises :class:`SbsysConfigError` naming the variables that are missing.
        """

        def secret(value: Any) -> str | None:
            return value.get_secret_value() if value is not None else None

        required = {
            ENV_BASE_URL: settings.sbsys_base_url,
            ENV_TOKEN_URL: settings.sbsys_token_url,
            ENV_CLIENT_ID: settings.sbsys_client_id,
            ENV_CLIENT_SECRET: secret(settings.sbsys_client_secret),
        }
        missing = [name for name, value in required.items() if not value]
        templates = settings.sbsys_templates_map()
        if not settings.sbsys_template_id and not templates:
            missing.append(ENV_TEMPLATE_ID)
        if missing:
            raise SbsysConfigError(f"SBSYS er ikke sat op: mangler {', '.join(missing)}")

        username, password = settings.sbsys_username, secret(settings.sbsys_password)
        if username and not password:
            raise SbsysConfigError(f"SBSYS er ikke sat op: {ENV_USERNAME} er sat, men {ENV_PASSWORD} mangler")
        if password and not username:
            raise SbsysConfigError(f"SBSYS er ikke sat op: {ENV_PASSWORD} er sat, men {ENV_USERNAME} mangler")

        return cls(
            base_url=required[ENV_BASE_URL] or "",
            token_url=required[ENV_TOKEN_URL] or "",
            client_id=required[ENV_CLIENT_ID] or "",
            client_secret=required[ENV_CLIENT_SECRET] or "",
            template_id=settings.sbsys_template_id,
            templates=templates,
            username=username,
            password=password,
            timeout=settings.sbsys_timeout,
        )

    def template_for(self, emne: str) -> str:
        """The case template for a KLE emne: the longest matching prefix in ``templates``, else ``template_id``.

        Prefixes match whole groups of two digits: ``"15.17"`` matches ``15.17.12`` and ``15.17.00`` but
        ``"15.1"`` is not a prefix at all and ``"15"`` does not match ``150...``.
        """
        parts = emne.strip().split(".")
        best: tuple[int, str] | None = None
        for prefix, template in self.templates:
            p = prefix.split(".")
            if parts[: len(p)] == p and (best is None or len(p) > best[0]):
                best = (len(p), template)
        if best is not None:
            return best[1]
        if self.template_id:
            return self.template_id
        raise SbsysConfigError(
            f"ingen SBSYS-sagsskabelon for emne {emne!r}: tilføj det i {ENV_TEMPLATES} eller sæt {ENV_TEMPLATE_ID}"
        )


@dataclass(frozen=True)
class ImapParts:
    """The mailbox of ``AKTFLOW_IMAP_URL``: host, port (993 by default), user, password and folder."""

    host: str
    port: int
    user: str
    password: str = dc_field(repr=False)
    folder: str = "INBOX"


def imap_parts(url: str) -> ImapParts:
    """``imaps://user:password@host:993/INBOX`` split up (user and password may be %-encoded). Raises
    ValueError in Danish for another scheme than ``imaps`` (plain IMAP is refused), a missing host, user
    or password; the message never repeats the password."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url)
        port = parts.port or 993
    except ValueError:
        raise ValueError("skal være en adresse som imaps://bruger:adgangskode@vært:993/INBOX") from None
    if parts.scheme != "imaps":
        raise ValueError("skal begynde med imaps:// (IMAP over TLS; ukrypteret IMAP bruges ikke)")
    if not parts.hostname or not parts.username or parts.password is None:
        raise ValueError("skal nævne vært, bruger og adgangskode: imaps://bruger:adgangskode@vært:993/INBOX")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return ImapParts(parts.hostname, port, unquote(parts.username), unquote(parts.password), folder)


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
