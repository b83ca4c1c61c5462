"""The e-mail settings: the aktindsigt mailbox read by ``aktflow intake poll`` (``AKTFLOW_IMAP_*``,
``AKTFLOW_MAIL_EMNE``; docs/mail-intake.md) and the SMTP relay letters go out through (``AKTFLOW_SMTP_URL``,
``AKTFLOW_MAIL_FROM``, ``AKTFLOW_MAIL_MAX_BYTES``; docs/dispatch.md). A section of
:class:`aktflow.config.Settings`."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

#: Values of this section that an error message may repeat (never the URLs: they hold passwords).
SHOWN = frozenset({"imap_done_folder", "imap_interval", "mail_emne", "mail_from", "mail_max_bytes"})


class MailSettings(BaseModel):
    """The mailbox requests come in by and the relay e-mailed letters leave through; each unset turns its
    channel off. A URL that is not of the right kind raises ValueError in Danish, never with its password."""

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

    # --- letters out by e-mail (docs/dispatch.md) ---
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

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
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
