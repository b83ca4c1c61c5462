"""Bounces: a mail server's answer that a letter sent by e-mail did not arrive (docs/mail-intake.md).

A delivery status notification comes back to the mailbox the requests arrive in. It is never a new
request: :func:`read_bounce` recognises it and finds the dispatch it answers, and
:func:`record_bounce` marks that dispatch ``bounced`` with the server's reason, so it shows under
"Forsendelser, der ikke er sendt" (``/dispatches/not-sent``) for the caseworker to choose another
channel.

Recognised shapes:

- RFC 3464: ``multipart/report; report-type=delivery-status`` with a ``message/delivery-status`` part
  (per recipient ``Action``, ``Status``, ``Diagnostic-Code``) and the original message or its headers
  (``message/rfc822``, ``text/rfc822-headers``);
- the common non-standard shapes (qmail, Exim, older Exchange, hosted mail): a mail from
  ``MAILER-DAEMON``/``postmaster`` or with an empty return path, whose subject says the mail was not
  delivered, with the original's headers quoted in the body or attached.

The dispatch is found by what the e-mail channel put in every mail (:mod:`aktflow.dispatch.email`): the
``X-Aktflow-Dispatch`` header, or the Message-ID ``<aktflow-dispatch-<id>-<n>@…>`` (also as In-Reply-To or
References of the bounce). A report whose every recipient's ``Action`` is ``delayed``, ``delivered``,
``relayed`` or ``expanded`` is not a failure: it is recognised (so it never becomes a case) and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

from sqlalchemy import select, update

from .. import clock
from ..db import Database
from ..dispatch.email import DISPATCH_HEADER
from ..exits import mask
from ..models import Case, Dispatch, utcnow

__all__ = ["Bounce", "BounceOutcome", "read_bounce", "record_bounce"]

_DISPATCH_ID_RE = re.compile(r"<aktflow-dispatch-(\d{1,12})-\d{1,4}@[^<>\s]{1,250}>", re.IGNORECASE)
_HEADER_RE = re.compile(rf"^{DISPATCH_HEADER}:[ \t]*(\d{{1,12}})[ \t]*$", re.IGNORECASE | re.MULTILINE)
_DAEMON_RE = re.compile(r"mailer-daemon|postmaster|mail delivery (sub)?system", re.IGNORECASE)
_SUBJECT_RE = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery (has )?failed|failure notice|"
    r"returned mail|mail delivery failed|could not be delivered|non[- ]?delivery|"
    r"kunne ikke leveres|ikke leveret|returneret|unzustellbar",
    re.IGNORECASE,
)
_STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_SMTP_CODE_RE = re.compile(r"\b(5\d\d)[ -]")
#: How much of a bounce is read at most: the reason and the original's headers are near the top.
_READ_LIMIT = 2_000_000
#: Actions of RFC 3464 § 2.3.3 that are not a failure.
_NOT_FAILED = ("delayed", "delivered", "relayed", "expanded")


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification as read.

    ``dispatch_ids`` are the dispatches it names (usually one), ``failed`` is False for a report that only
    says the mail is delayed or was delivered, ``status`` the enhanced status code (``5.1.1``) when given,
    ``reason`` a short Danish sentence with the server's diagnostic (masked by the exit filter).
    """

    dispatch_ids: tuple[int, ...]
    failed: bool
    status: str | None
    reason: str


@dataclass(frozen=True)
class BounceOutcome:
    """What :func:`record_bounce` did: the dispatches marked ``bounced`` and the case of the first one
    named that exists (None when the bounce names no dispatch aktflow knows)."""

    bounced: tuple[int, ...]
    case_id: int | None
    sagsnummer: str | None


def _parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw[:_READ_LIMIT], policy=email.policy.compat32)


def _header(msg: Message, name: str) -> str:
    return " ".join(str(msg.get(name) or "").split())


def _is_report(msg: Message) -> bool:
    return (
        msg.get_content_type() == "multipart/report"
        and str(msg.get_param("report-type") or "").lower() == "delivery-status"
    )


def _looks_like_bounce(msg: Message) -> bool:
    """A non-standard bounce: from a mail system (or with an empty return path) and a subject that says
    the mail did not arrive."""
    sender = _header(msg, "From")
    empty_return = _header(msg, "Return-Path") in ("<>", "") and "Return-Path" in msg
    return bool(_SUBJECT_RE.search(_header(msg, "Subject"))) and bool(
        _DAEMON_RE.search(sender) or empty_return
    )


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    if isinstance(payload, str):
        return payload
    return ""


def _all_text(msg: Message) -> str:
    """The headers and text of every part, the original message included, as one string (bounded)."""
    chunks: list[str] = []
    for part in msg.walk():
        chunks.extend(f"{k}: {v}" for k, v in part.items())
        if not part.is_multipart():
            chunks.append(_text_of(part))
        if sum(len(c) for c in chunks) > _READ_LIMIT:
            break
    return "\n".join(chunks)


def _dispatch_ids(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for value in (*_HEADER_RE.findall(text), *_DISPATCH_ID_RE.findall(text)):
        n = int(value)
        if n not in found:
            found.append(n)
    return tuple(found)


def _report_fields(msg: Message) -> list[Message]:
    """The per-recipient field blocks of the ``message/delivery-status`` part (RFC 3464 § 2.3)."""
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                return [b for b in blocks[1:] if isinstance(b, Message)] or [
                    b for b in blocks if isinstance(b, Message)
                ]
    return []


def _reason(status: str | None, diagnostic: str) -> str:
    diagnostic = " ".join(diagnostic.split())[:300]
    head = "Mailserveren returnerede e-mailen"
    if status:
        head += f" (status {status})"
    return mask(f"{head}: {diagnostic}" if diagnostic else head)


def read_bounce(raw: bytes) -> Bounce | None:
    """Read ``raw`` (an .eml's bytes) as a bounce; None when it is not one (an ordinary mail).

    A bounce that names no dispatch still gives a :class:`Bounce` (``dispatch_ids`` empty): it must not
    become a case either.
    """
    try:
        msg = _parse(raw)
    except Exception:  # noqa: BLE001 - unreadable: not a bounce; intake says why it cannot read it
        return None
    report = _is_report(msg)
    if not report and not _looks_like_bounce(msg):
        return None
    text = _all_text(msg)
    ids = _dispatch_ids(text)
    if report:
        blocks = _report_fields(msg)
        actions = [str(b.get("Action") or "").strip().lower() for b in blocks]
        failed = not actions or any(a not in _NOT_FAILED for a in actions)
        chosen = next(
            (b for b, a in zip(blocks, actions, strict=True) if a not in _NOT_FAILED),
            blocks[0] if blocks else None,
        )
        status = None
        diagnostic = ""
        if chosen is not None:
            found = _STATUS_RE.search(str(chosen.get("Status") or ""))
            status = ".".join(found.groups()) if found else None
            diagnostic = str(chosen.get("Diagnostic-Code") or "").partition(";")[2] or str(
                chosen.get("Diagnostic-Code") or ""
            )
        if not diagnostic:
            first = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
            diagnostic = _text_of(first).strip().split("\n\n")[0] if first is not None else ""
        return Bounce(ids, failed, status, _reason(status, diagnostic))
    body = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), msg)
    body_text = _text_of(body)
    found = _STATUS_RE.search(body_text)
    status = ".".join(found.groups()) if found and found.group(1) in ("4", "5") else None
    code = _SMTP_CODE_RE.search(body_text)
    line = next(
        (ln.strip() for ln in body_text.splitlines() if code and code.group(1) in ln),
        next((ln.strip() for ln in body_text.splitlines() if ln.strip()), ""),
    )
    return Bounce(ids, True, status, _reason(status, line))


def record_bounce(db: Database, bounce: Bounce, *, now: dt.datetime | None = None) -> BounceOutcome:
    """Mark the e-mail dispatches ``bounce`` names ``bounced`` with its reason, in one short transaction.

    Only a dispatch sent by e-mail that is ``sent`` or ``delivered`` changes (a dispatch sent again since,
    on another channel or by e-mail again and still queued, is left alone); a report that is not a failure
    changes nothing. Returns what was marked and the case of the first dispatch named.
    """
    now = now or utcnow()
    if not bounce.dispatch_ids:
        return BounceOutcome((), None, None)
    with db.session() as s:
        rows = s.execute(
            select(Dispatch.id, Dispatch.case_id, Case.sagsnummer)
            .join(Case, Case.id == Dispatch.case_id)
            .where(Dispatch.id.in_(bounce.dispatch_ids))
            .order_by(Dispatch.id)
        ).all()
        if not rows:
            return BounceOutcome((), None, None)
        marked: tuple[int, ...] = ()
        if bounce.failed:
            marked = tuple(
                s.scalars(
                    select(Dispatch.id).where(
                        Dispatch.id.in_([r.id for r in rows]),
                        Dispatch.channel == "email",
                        Dispatch.status.in_(("sent", "delivered")),
                    )
                ).all()
            )
        if marked:
            when = now.astimezone(clock.TZ).strftime("%d.%m.%Y kl. %H:%M")  # Danish time
            s.execute(
                update(Dispatch)
                .where(Dispatch.id.in_(marked), Dispatch.status.in_(("sent", "delivered")))
                .values(
                    status="bounced",
                    detail=mask(f"{bounce.reason} (modtaget {when}); vælg en anden kanal")[:2000],
                    next_attempt_at=None,
                    updated_at=now,
                )
            )
            s.commit()
        return BounceOutcome(marked, rows[0].case_id, rows[0].sagsnummer)
