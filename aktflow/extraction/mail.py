"""E-mail (.eml with the standard library, .msg with extract-msg): headers, bodies and attachments.

Read: From, To, Cc, Bcc, Subject and Date ("E-mailhoved"); the plain-text body ("Brødtekst"); the HTML body
as text ("Brødtekst (HTML)"). Attachments, attached e-mails included, are returned as children: the
pipeline screens each as a document of its own (up to ``max_depth`` levels).
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage, Message
from html.parser import HTMLParser
from typing import Any

from .limits import Collector, Refused

HEADERS = (
    ("From", "Fra"),
    ("To", "Til"),
    ("Cc", "Cc"),
    ("Bcc", "Bcc"),
    ("Subject", "Emne"),
    ("Date", "Dato"),
)
_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre"}


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in _BLOCK:
            self.out.append("\n")
        elif tag in ("td", "th"):
            self.out.append("\t")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href and not href.startswith("#"):
                self.out.append(f"[{href}] ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.out.append(data)


def html_text(html: str) -> str:
    """HTML as plain text: blocks on lines of their own, scripts and styles left out, links' addresses kept."""
    parser = _Html()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).split("\n"))
    return "\n".join(line for line in lines if line)


def _header_lines(get: Any) -> str:
    lines = []
    for key, label in HEADERS:
        value = get(key)
        if value:
            lines.append(f"{label}: {' '.join(str(value).split())}")
    return "\n".join(lines)


def read_eml(data: bytes, out: Collector) -> None:
    """A MIME e-mail (.eml) into ``out``: headers, bodies; attachments as children."""
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
    except Exception:  # noqa: BLE001 - the parser is lenient; anything raised means a broken file
        raise Refused("e-mailen kan ikke læses (filen er beskadiget)") from None
    out.add("E-mailhoved", _header_lines(lambda k: _header(msg, k)))
    plain: list[str] = []
    html: list[str] = []
    for number, part in enumerate(_leaves(msg), start=1):
        ctype = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if ctype == "message/rfc822" or disposition == "attachment" or (filename and disposition != "inline"):
            _attach(part, filename, number, out)
            continue
        if ctype == "text/plain":
            plain.append(_content(part))
        elif ctype == "text/html":
            html.append(html_text(_content(part)))
        elif filename:
            _attach(part, filename, number, out)
    out.add("Brødtekst", "\n".join(plain))
    out.add("Brødtekst (HTML)", "\n".join(html))


def _leaves(msg: Message) -> Iterator[Message]:
    """The message's leaf parts in order; an attached e-mail is one leaf (it is read as a child)."""
    if msg.get_content_type() == "message/rfc822":
        yield msg
    elif msg.is_multipart():
        payload = msg.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            if isinstance(sub, Message):
                yield from _leaves(sub)
    else:
        yield msg


def _header(msg: Message, key: str) -> str:
    try:
        return str(msg.get(key) or "")
    except Exception:  # noqa: BLE001 - a malformed header is read raw
        return str(msg.get_all(key, [""])[0])


def _content(part: Message) -> str:
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else part.get_payload(decode=True)
    except (LookupError, ValueError, AssertionError):
        content = part.get_payload(decode=True)
    if isinstance(content, bytes):
        return content.decode("utf-8", errors="replace")
    return str(content or "")


def _attach(part: Message, filename: str | None, number: int, out: Collector) -> None:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        content = inner.as_bytes(policy=email.policy.default) if isinstance(inner, Message) else b""
        name = (
            filename or f"{_header(inner, 'Subject') or 'vedhæftet e-mail'}.eml"
            if isinstance(inner, Message)
            else ""
        )
        out.child(name or f"vedhæftet-{number}.eml", content)
        return
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    out.child(filename or f"vedhæftet-{number}", content)


def _msg_header(msg: Any, key: str) -> str:
    try:
        return str(msg.header.get(key) or "")
    except Exception:  # noqa: BLE001 - no transport headers
        return ""


def read_msg(data: bytes, out: Collector) -> None:
    """An Outlook message (.msg, extract-msg) into ``out``: headers, bodies; attachments as children."""
    import extract_msg

    try:
        msg = extract_msg.openMsg(data, delayAttachments=False)
    except Exception:  # noqa: BLE001 - olefile and extract-msg raise many kinds on a broken file
        raise Refused("Outlook-beskeden kan ikke læses (filen er beskadiget eller ikke en .msg)") from None
    try:
        values = {
            "From": getattr(msg, "sender", None),
            "To": getattr(msg, "to", None),
            "Cc": getattr(msg, "cc", None),
            "Bcc": getattr(msg, "bcc", None),
            "Subject": getattr(msg, "subject", None),
            "Date": getattr(msg, "date", None) or _msg_header(msg, "Date"),
        }
        out.add("E-mailhoved", _header_lines(values.get))
        body = str(getattr(msg, "body", "") or "")
        out.add("Brødtekst", body)
        html = getattr(msg, "htmlBody", None)
        if html:
            text = html_text(html.decode("utf-8", errors="replace") if isinstance(html, bytes) else str(html))
            if text.split() != body.split():  # extract-msg makes HTML from the plain body when there is none
                out.add("Brødtekst (HTML)", text)
        for number, att in enumerate(getattr(msg, "attachments", []) or [], start=1):
            name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or ""
            content = att.data
            if hasattr(content, "exportBytes"):  # an attached Outlook message
                name = name or str(getattr(content, "subject", "") or "") or f"vedhæftet-{number}"
                content = content.exportBytes()
                if not name.lower().endswith(".msg"):
                    name += ".msg"
            if isinstance(content, bytes):
                out.child(name or f"vedhæftet-{number}", content)
    finally:
        msg.close()
