"""The SBSYS settings (``AKTFLOW_SBSYS_*``): the section of :class:`aktflow.config.Settings` and the
connection they describe, :class:`SbsysConfig` (used by aktflow/archive/sbsys_client.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from pydantic import BaseModel, Field, SecretStr, field_validator

from ..errors import AktflowError

DEFAULT_SBSYS_TIMEOUT = 15.0

#: Values of this section that an error message may repeat (the others are URLs, ids and secrets).
SHOWN = frozenset({"sbsys_timeout"})

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


class SbsysSettings(BaseModel):
    """The ``AKTFLOW_SBSYS_*`` fields. They are checked as a whole (:meth:`sbsys_config`) only when
    ``AKTFLOW_ARCHIVE=sbsys``: :class:`aktflow.config.Settings` asks for that at start-up."""

    sbsys_base_url: str | None = Field(None, description="the SBSYS API root")
    sbsys_token_url: str | None = Field(None, description="the OAuth2 token endpoint (Keycloak realm)")
    sbsys_client_id: str | None = Field(None, description="client credentials: the id")
    sbsys_client_secret: SecretStr | None = Field(None, description="client credentials: the secret")
    sbsys_username: str | None = Field(None, description="optional: the password grant instead")
    sbsys_password: SecretStr | None = Field(None, description="optional: the password grant's password")
    sbsys_template_id: str | None = Field(None, description="the default case template")
    sbsys_templates: str | None = Field(None, description="JSON map from emne prefix to template id")
    sbsys_timeout: float = Field(DEFAULT_SBSYS_TIMEOUT, gt=0, description="seconds per SBSYS call")

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

    def sbsys_templates_map(self) -> dict[str, str]:
        """``AKTFLOW_SBSYS_TEMPLATES`` as a dict from emne prefix to template id (empty when unset)."""
        if not self.sbsys_templates:
            return {}
        return {str(k): str(v) for k, v in json.loads(self.sbsys_templates).items()}

    def sbsys_config(self) -> SbsysConfig:
        """The SBSYS connection settings; raises ``SbsysConfigError`` naming what is missing or wrong."""
        return SbsysConfig.from_settings(self)


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
