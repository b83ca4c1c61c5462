"""The e-mail channel: a letter and its package as PDF attachments through the municipality's SMTP relay.

``AKTFLOW_SMTP_URL`` names the relay: ``smtp+starttls://user:password@host:587`` (STARTTLS, then login),
``smtps://user:password@host:465`` (TLS from the start) or ``smtp://127.0.0.1:2525`` (a plain local relay).
``AKTFLOW_MAIL_FROM`` is the sender address. A mail carries at most ``AKTFLOW_MAIL_MAX_BYTES`` of
attachments; a larger release goes as several numbered mails ("del 1 af 3"), each attachment whole.

Idempotent on the dispatch: each mail's Message-ID is derived from ``dispatch_id`` and the mail's number,
so a retry after a timeout sends the same message again, which relays and mail programs recognise. The
subject names the sagsnummer and the letter, never a CPR number; nothing here logs the recipient. Every mail
carries ``X-Aktflow-Dispatch: <dispatch id>``: a bounce quoting it (or the Message-ID) marks the dispatch
``bounced`` (:mod:`aktflow.mail_in.bounce`).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from ..exits import mask
from .channel import Attachment, ChannelName, DeliveryResult, OutgoingLetter

log = logging.getLogger("aktflow.dispatch.email")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
#: The header naming the dispatch on every mail, so that a bounce finds it (:mod:`aktflow.mail_in.bounce`).
DISPATCH_HEADER = "X-Aktflow-Dispatch"


class SmtpUrlError(ValueError):
    """``AKTFLOW_SMTP_URL`` is not an SMTP URL this channel understands (the message never repeats it)."""


@dataclass(frozen=True)
class SmtpTarget:
    """The relay: scheme (``smtp``, ``smtp+starttls``, ``smtps``), host, port and optional login."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp+starttls://user:pass@host:587`` → :class:`SmtpTarget`. Raises SmtpUrlError (Danish, without
    the URL: it may hold a password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise SmtpUrlError(f"skal begynde med {', '.join(s + '://' for s in SCHEMES)}")
    if not parts.hostname:
        raise SmtpUrlError("mangler værtsnavnet (fx smtp://127.0.0.1:2525)")
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError:
        raise SmtpUrlError("har et ugyldigt portnummer") from None
    return SmtpTarget(
        parts.scheme,
        parts.hostname,
        port,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
    )


def message_id(dispatch_id: int, part: int, sender: str) -> str:
    """The Message-ID of mail ``part`` (1-based) of a dispatch: the same on every retry."""
    domain = sender.rpartition("@")[2] or "aktflow.invalid"
    return f"<aktflow-dispatch-{dispatch_id}-{part}@{domain}>"


def _size(a: Attachment) -> int:
    """The attachment's size in the mail: base64 grows by 4/3, plus headers."""
    return (len(a.content) + 2) // 3 * 4 + 512


def split(files: Sequence[Attachment], max_bytes: int) -> list[list[Attachment]]:
    """The files in groups of at most ``max_bytes`` (encoded) each, in order; a file larger than the limit
    alone goes alone (:class:`EmailChannel` refuses it before sending)."""
    groups: list[list[Attachment]] = []
    size = 0
    for f in files:
        n = _size(f)
        if groups and size + n <= max_bytes:
            groups[-1].append(f)
            size += n
        else:
            groups.append([f])
            size = n
    return groups


def subject(letter: OutgoingLetter, part: int = 1, parts: int = 1) -> str:
    """``<label> – sag <sagsnummer>`` (and ``(del 2 af 3)``); masked by the exit filter."""
    text = f"{letter.label} – sag {letter.case_number}"
    if parts > 1:
        text += f" (del {part} af {parts})"
    return mask(" ".join(text.split()))


BODY = (
    "Hermed {what} i sag {case}.\n\n"
    "{files}\n\n"
    "Filerne er vedhæftet som PDF. Du kan ikke svare på denne e-mail med personfølsomme oplysninger; "
    "skriv til kommunen med Digital Post, hvis dit svar indeholder sådanne oplysninger.\n"
)


def build_messages(
    letter: OutgoingLetter, sender: str, max_bytes: int, now: dt.datetime
) -> list[EmailMessage]:
    """The mails of ``letter``: the letter first, then the attachments, split at ``max_bytes``."""
    groups = split([letter.main_document, *letter.attachments], max_bytes)
    out = []
    for n, group in enumerate(groups, start=1):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = letter.recipient.email or ""
        msg["Subject"] = subject(letter, n, len(groups))
        msg["Date"] = format_datetime(now.astimezone(dt.UTC))
        msg["Message-ID"] = message_id(letter.dispatch_id, n, sender)
        msg["Auto-Submitted"] = "auto-generated"
        msg[DISPATCH_HEADER] = str(letter.dispatch_id)
        if n > 1:
            msg["In-Reply-To"] = message_id(letter.dispatch_id, 1, sender)
            msg["References"] = message_id(letter.dispatch_id, 1, sender)
        names = "\n".join(f"- {mask(a.filename)}" for a in group)
        what = "brev fra kommunen" if n == 1 else f"del {n} af {len(groups)} af bilagene"
        msg.set_content(mask(BODY.format(what=what, case=letter.case_number, files=names)))
        for a in group:
            maintype, _, subtype = a.mime.partition("/")
            msg.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=mask(a.filename))
        out.append(msg)
    return out


class EmailChannel:
    """The e-mail channel (``name = "email"``): one SMTP session per letter, one or more mails."""

    name: ChannelName = "email"

    def __init__(
        self,
        url: str,
        sender: str,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        clock=None,
    ):
        self.target = parse_smtp_url(url)
        self.sender = sender
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._now = clock or (lambda: dt.datetime.now(dt.UTC))

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        if t.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                t.host, t.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            if t.scheme == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
        if t.username:
            smtp.login(t.username, t.password or "")
        return smtp

    def send(self, letter: OutgoingLetter) -> DeliveryResult:
        """Send the letter as one or more mails. ``sent`` with the first Message-ID as reference when the
        relay accepted every mail; ``rejected`` for no address, a file larger than the limit or an address
        the relay refuses for good (SMTP 5xx); ``temporary_error`` for a timeout, a refused connection or a
        temporary SMTP answer (4xx). Never raises for the relay's answer."""
        now = self._now()
        if letter.own_personal_data:
            return DeliveryResult(
                "rejected",
                now,
                detail="svar med anmoderens egne personoplysninger sendes aldrig med almindelig e-mail",
            )
        if not letter.recipient.email:
            return DeliveryResult("rejected", now, detail="modtageren har ingen e-mailadresse")
        too_big = [a for a in (letter.main_document, *letter.attachments) if _size(a) > self.max_bytes]
        if too_big:
            return DeliveryResult(
                "rejected",
                now,
                detail=f"filen {mask(too_big[0].filename)} er større end e-mailens grænse på "
                f"{self.max_bytes // (1024 * 1024)} MB; send med Digital Post eller post",
            )
        messages = build_messages(letter, self.sender, self.max_bytes, now)
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as e:
            return self._error(e, now, connect=True)
        try:
            for msg in messages:
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as e:
            return self._error(e, now, connect=False)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        log.info("dispatch %s: %d mail(s) accepted by the relay", letter.dispatch_id, len(messages))
        return DeliveryResult(
            "sent",
            self._now(),
            reference=messages[0]["Message-ID"],
            detail=f"Modtaget af mailserveren ({len(messages)} e-mail{'s' if len(messages) > 1 else ''})",
            extra={"mails": str(len(messages))},
        )

    def _error(self, e: BaseException, now: dt.datetime, *, connect: bool) -> DeliveryResult:
        code = getattr(e, "smtp_code", None)
        if isinstance(e, smtplib.SMTPRecipientsRefused):
            codes = [c for c, _ in e.recipients.values()]
            code = codes[0] if codes else None
        where = "forbindelsen til mailserveren" if connect else "mailserveren"
        if isinstance(e, (socket.timeout, TimeoutError)):
            return DeliveryResult("temporary_error", now, detail=f"{where} svarede ikke i tide")
        if isinstance(code, int) and 500 <= code < 600 and not isinstance(e, smtplib.SMTPAuthenticationError):
            return DeliveryResult("rejected", now, detail=f"mailserveren afviste e-mailen (SMTP {code})")
        what = f"SMTP {code}" if code else type(e).__name__
        return DeliveryResult("temporary_error", now, detail=f"{where} fejlede ({what}); prøves igen")


def channel_from_settings(settings) -> EmailChannel | None:
    """The e-mail channel of ``AKTFLOW_SMTP_URL``/``AKTFLOW_MAIL_FROM``/``AKTFLOW_MAIL_MAX_BYTES``; None when
    the URL or the sender is not set."""
    url = settings.smtp_url.get_secret_value() if settings.smtp_url is not None else None
    if not url or not settings.mail_from:
        return None
    return EmailChannel(url, settings.mail_from, max_bytes=settings.mail_max_bytes)
