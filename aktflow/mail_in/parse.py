"""Reading an incoming e-mail (.eml with the standard library, .msg with extract-msg) into a :class:`Mail`.

Only what intake needs: the sender, the subject, the body as text (text/plain preferred, HTML turned into
text without running anything), the Date header as the date received in Danish time, the Message-ID and
the ids it answers (In-Reply-To, References), and a list of the attachments. Reading the mail's parts for
screening is the document pipeline's (:mod:`aktflow.extraction.mail`): the mail is stored as a document
and its attachments become documents of their own there.

A mail is checked against the installation's limits before anything is stored (docs/mail-intake.md):
its size (``AKTFLOW_MAX_UPLOAD``), the number of attachments (``AKTFLOW_MAX_PARTS``), how deep mails are
attached inside mails (3 levels) and the size of all parts together, decoded (``AKTFLOW_MAX_UNPACKED``).
A refused or unreadable mail raises :class:`aktflow.extraction.Refused` (a ValidationError on the field
``file``) with a Danish sentence, never anything else.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

from ..extraction.limits import Limits, Refused, mb
from ..extraction.mail import html_text

__all__ = ["DANISH_TIME", "Mail", "MailFile", "mail_format", "parse_mail"]

#: The time zone a mail's date is read in: the day it arrived in Denmark starts the deadlines.
DANISH_TIME = ZoneInfo("Europe/Copenhagen")
_MSG_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE Compound File (.msg)
_ID_RE = re.compile(r"<[^<>\s]{1,300}>")


@dataclass(frozen=True)
class MailFile:
    """One attachment of a mail as listed: its name, MIME type and decoded size in bytes."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Mail:
    """An e-mail as intake reads it.

    ``sent_at`` is the Date header as an aware datetime (None when missing or unreadable: ``date_problem``
    then says why in Danish); ``received`` is its date in Danish time. ``message_id`` is the Message-ID
    with its angle brackets (None when the mail has none); ``references`` the ids of In-Reply-To and
    References, newest first. ``attachments`` lists the files attached at the top level (an attached mail
    is one entry).
    """

    format: str  # "eml" | "msg"
    sender_name: str | None
    sender_address: str | None
    subject: str
    body: str
    sent_at: dt.datetime | None
    message_id: str | None
    references: tuple[str, ...] = ()
    attachments: tuple[MailFile, ...] = ()
    date_problem: str | None = None

    @property
    def received(self) -> dt.date | None:
        """The day the mail was sent, in Danish time (Europe/Copenhagen); None without a readable date."""
        return self.sent_at.astimezone(DANISH_TIME).date() if self.sent_at else None


def mail_format(filename: str, content: bytes) -> str:
    """``"msg"`` for an Outlook message (by its Compound File signature), ``"eml"`` for a MIME mail; raises
    Refused for a file that is neither (by name and content)."""
    name = (filename or "").lower()
    if content.startswith(_MSG_MAGIC):
        return "msg"
    if name.endswith(".msg"):
        raise Refused("filen hedder .msg, men er ikke en Outlook-besked")
    head = content[:2000].lstrip()
    if re.match(rb"^[!-9;-~]{1,76}:", head):  # a header line: "Name: value"
        return "eml"
    raise Refused("filen er ikke en e-mail: vælg en .eml- eller .msg-fil")


def parse_mail(filename: str, content: bytes, lim: Limits | None = None) -> Mail:
    """Read ``content`` (the bytes of an .eml or .msg file called ``filename``) within ``lim``.

    Raises :class:`~aktflow.extraction.Refused` with a Danish sentence for an empty, oversized, damaged or
    too deeply nested mail, or one with too many or too large attachments.
    """
    lim = lim or Limits()
    if not content:
        raise Refused("e-mailen er tom")
    if len(content) > lim.max_bytes:
        raise Refused(
            f"e-mailen fylder {mb(len(content))}; grænsen er {mb(lim.max_bytes)} (AKTFLOW_MAX_UPLOAD)",
            "max_bytes",
        )
    kind = mail_format(filename, content)
    if kind == "msg":
        return _parse_msg(content, lim)
    return _parse_eml(content, lim)


# --- .eml ---------------------------------------------------------------------------------------------------


class _Budget:
    def __init__(self, lim: Limits):
        self.lim, self.parts, self.size = lim, 0, 0

    def body(self, size: int) -> None:
        self.size += size
        self._check_size()

    def part(self, size: int) -> None:
        self.parts += 1
        self.size += size
        self._check_size()
        if self.parts > self.lim.max_parts:
            raise Refused(
                f"e-mailen har mere end {self.lim.max_parts} vedhæftede filer (AKTFLOW_MAX_PARTS)",
                "max_parts",
            )

    def _check_size(self) -> None:
        if self.size > self.lim.max_unpacked:
            raise Refused(
                f"e-mailens dele fylder mere end {mb(self.lim.max_unpacked)} udpakket (AKTFLOW_MAX_UNPACKED)",
                "max_unpacked",
            )

    def depth(self, depth: int) -> None:
        if depth > self.lim.max_depth:
            raise Refused(
                f"e-mailen indeholder e-mails i mere end {self.lim.max_depth} niveauer", "max_depth"
            )


def _parse_eml(content: bytes, lim: Limits) -> Mail:
    try:
        msg = email.message_from_bytes(content, policy=email.policy.default)
    except Exception:  # noqa: BLE001 - the parser is lenient; anything raised means a broken file
        raise Refused("e-mailen kan ikke læses (filen er beskadiget)") from None
    if not msg.keys():
        raise Refused("e-mailen kan ikke læses: den har ingen brevhoved (From, Subject, Date)")
    budget = _Budget(lim)
    plain: list[str] = []
    html: list[str] = []
    files: list[MailFile] = []
    try:
        _walk(msg, budget, 0, plain, html, files)
    except RecursionError:
        raise Refused("e-mailen er for dybt indlejret", "max_depth") from None
    name, address = _address(_header(msg, "From"))
    sent_at, problem = _date(_header(msg, "Date"))
    if sent_at is None and not _header(msg, "Date") and "Date" in msg:  # there, but not a date
        problem = "e-mailens dato (Date) kan ikke læses"
    body = "\n".join(t for t in plain if t.strip()) or "\n".join(t for t in html if t.strip())
    return Mail(
        format="eml",
        sender_name=name,
        sender_address=address,
        subject=_one_line(_header(msg, "Subject")),
        body=_clean_body(body),
        sent_at=sent_at,
        message_id=_first_id(_header(msg, "Message-ID")),
        references=_ids(_header(msg, "In-Reply-To"), _header(msg, "References")),
        attachments=tuple(files),
        date_problem=problem,
    )


def _walk(
    part: Message,
    budget: _Budget,
    depth: int,
    plain: list[str],
    html: list[str],
    files: list[MailFile] | None,
) -> None:
    """Count every part against the budget; collect the top level's bodies and attachments."""
    budget.depth(depth)
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        size = len(inner.as_bytes()) if isinstance(inner, Message) else 0
        budget.part(size)
        if files is not None:
            subject = _header(inner, "Subject") if isinstance(inner, Message) else ""
            files.append(MailFile(part.get_filename() or f"{subject or 'vedhæftet e-mail'}.eml", ctype, size))
        if isinstance(inner, Message):
            _walk(inner, budget, depth + 1, [], [], None)
        return
    if part.is_multipart():
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                _walk(sub, budget, depth, plain, html, files)
        return
    raw = part.get_payload(decode=True)
    data = raw if isinstance(raw, bytes) else b""
    disposition = part.get_content_disposition()
    filename = part.get_filename()
    if disposition == "attachment" or (filename and disposition != "inline") or not ctype.startswith("text/"):
        budget.part(len(data))
        if files is not None:
            files.append(MailFile(filename or f"vedhæftet-{len(files) + 1}", ctype, len(data)))
        return
    budget.body(len(data))  # a body is no attachment; its size counts
    text = _decode(part, data)
    if ctype == "text/plain":
        plain.append(text)
    elif ctype == "text/html":
        html.append(html_text(text))


def _decode(part: Message, data: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:  # an unknown charset
        return data.decode("utf-8", errors="replace")


def _header(msg: Any, key: str) -> str:
    try:
        return str(msg.get(key) or "")
    except Exception:  # noqa: BLE001 - a malformed header is read raw
        try:
            return str((msg.get_all(key) or [""])[0])
        except Exception:  # noqa: BLE001
            return ""


# --- .msg ---------------------------------------------------------------------------------------------------


def _parse_msg(content: bytes, lim: Limits) -> Mail:
    import extract_msg

    try:
        msg = extract_msg.openMsg(content, delayAttachments=False)
    except Exception:  # noqa: BLE001 - olefile and extract-msg raise many kinds on a broken file
        raise Refused("Outlook-beskeden kan ikke læses (filen er beskadiget eller ikke en .msg)") from None
    try:
        budget = _Budget(lim)
        files = _msg_files(msg, budget, 0, top=True)
        headers = getattr(msg, "header", None)

        def head(key: str) -> str:
            try:
                return str(headers.get(key) or "") if headers is not None else ""
            except Exception:  # noqa: BLE001
                return ""

        name, address = _address(str(getattr(msg, "sender", "") or "") or head("From"))
        date_value = getattr(msg, "date", None)
        if isinstance(date_value, dt.datetime):
            sent_at: dt.datetime | None = (
                date_value if date_value.tzinfo else date_value.replace(tzinfo=dt.UTC)
            )
            problem = None
        else:
            sent_at, problem = _date(str(date_value or "") or head("Date"))
        body = str(getattr(msg, "body", "") or "")
        if not body.strip():
            raw_html = getattr(msg, "htmlBody", None)
            if raw_html:
                body = html_text(
                    raw_html.decode("utf-8", errors="replace")
                    if isinstance(raw_html, bytes)
                    else str(raw_html)
                )
        budget.body(len(body.encode()))
        return Mail(
            format="msg",
            sender_name=name,
            sender_address=address,
            subject=_one_line(str(getattr(msg, "subject", "") or "")),
            body=_clean_body(body),
            sent_at=sent_at,
            message_id=_first_id(str(getattr(msg, "messageId", "") or "") or head("Message-ID")),
            references=_ids(
                str(getattr(msg, "inReplyTo", "") or "") or head("In-Reply-To"), head("References")
            ),
            attachments=tuple(files),
            date_problem=problem,
        )
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - a damaged stream inside the message
        raise Refused("Outlook-beskeden kan ikke læses (filen er beskadiget)") from None
    finally:
        msg.close()


def _msg_files(msg: Any, budget: _Budget, depth: int, top: bool) -> list[MailFile]:
    budget.depth(depth)
    files = []
    for number, att in enumerate(getattr(msg, "attachments", []) or [], start=1):
        data = att.data
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or ""
        if hasattr(data, "attachments"):  # an attached Outlook message
            budget.part(0)
            _msg_files(data, budget, depth + 1, top=False)
            name = name or str(getattr(data, "subject", "") or "") or f"vedhæftet-{number}"
            files.append(
                MailFile(
                    name if name.lower().endswith(".msg") else name + ".msg", "application/vnd.ms-outlook", 0
                )
            )
            continue
        size = len(data) if isinstance(data, bytes) else 0
        budget.part(size)
        files.append(MailFile(name or f"vedhæftet-{number}", str(getattr(att, "mimetype", "") or ""), size))
    return files if top else []


# --- the shared small readers --------------------------------------------------------------------------------


def _address(value: str) -> tuple[str | None, str | None]:
    """The sender's name and address from a From value (``"Jens Hansen" <jens@example.dk>``)."""
    raw_name, raw_address = email.utils.parseaddr(" ".join((value or "").split()))
    address = raw_address.strip() if raw_address and "@" in raw_address else None
    name = " ".join(raw_name.split()) or None
    if name and address and name.strip("'\"").lower() == address.lower():
        name = None  # "jens@example.dk" <jens@example.dk> names no one
    return (name[:200] if name else None), (address[:200] if address else None)


def _date(value: str) -> tuple[dt.datetime | None, str | None]:
    """The Date header as an aware datetime (no zone, ``-0000``: read as UTC), or None and why."""
    value = " ".join((value or "").split())
    if not value:
        return None, "e-mailen har ingen dato (Date)"
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None, "e-mailens dato (Date) kan ikke læses"
    if when is None:
        return None, "e-mailens dato (Date) kan ikke læses"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if not 1990 <= when.year <= 2200:
        return None, "e-mailens dato (Date) kan ikke læses"
    return when, None


def _first_id(value: str) -> str | None:
    found = _ID_RE.findall(value or "")
    if found:
        return found[0]
    value = (value or "").strip()
    return f"<{value[:300]}>" if value and " " not in value else None


def _ids(*values: str) -> tuple[str, ...]:
    """The message ids in In-Reply-To and References, the direct parent first, each once."""
    seen: list[str] = []
    in_reply_to, references = (values + ("", ""))[:2]
    for mid in [*_ID_RE.findall(in_reply_to or ""), *reversed(_ID_RE.findall(references or ""))]:
        if mid not in seen:
            seen.append(mid)
    return tuple(seen[:50])


def _one_line(value: str) -> str:
    return " ".join((value or "").split())[:500]


def _clean_body(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)
