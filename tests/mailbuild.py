"""E-mails for the mail intake's tests, built with the standard library (and tests/corpus/outlook.py for .msg).

The CPR-like numbers are made up (valid dates, e.g. 120385-1237); names and addresses are invented.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from tests.corpus import outlook

SENDER = "Jens Hansen <jens.hansen@example.dk>"


def eml(
    *,
    subject: str = "Anmodning om aktindsigt i byggesag",
    body: str
    | None = "Jeg beder om aktindsigt i byggesagen om carport på Skovvej 12.\n\nVenlig hilsen\nJens",
    html: str | None = None,
    sender: str = SENDER,
    date: str | None = "Mon, 30 Nov 2026 23:30:00 +0000",
    message_id: str | None = "<req-1@example.dk>",
    in_reply_to: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    inner: bytes | None = None,
) -> bytes:
    """A MIME mail as bytes; ``attachments`` are (name, content, mime type); ``inner`` an attached mail."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "aktindsigt@kommune.example.dk"
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date
    if message_id is not None:
        msg["Message-ID"] = message_id
    if in_reply_to is not None:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if body is not None:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    elif html is not None:
        msg.set_content(html, subtype="html")
    for name, content, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    if inner is not None:
        from email import message_from_bytes
        from email.policy import default

        msg.add_attachment(message_from_bytes(inner, policy=default), filename="videresendt.eml")
    return msg.as_bytes(policy=SMTP)


def msg(
    *,
    subject: str = "Aktindsigt i referat",
    body: str = "Jeg vil gerne se referatet fra mødet om skolestruktur.",
    sender: str = SENDER,
    date: str = "Tue, 01 Dec 2026 08:15:00 +0100",
    message_id: str = "<outlook-1@example.dk>",
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """An Outlook message (.msg) with transport headers, written by tests/corpus/outlook.py."""
    headers = {"From": sender, "Subject": subject, "Date": date, "Message-ID": message_id}
    return outlook.msg(subject=subject, body=body, headers=headers, attachments=list(attachments))
