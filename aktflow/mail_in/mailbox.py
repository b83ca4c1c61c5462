"""The mailbox poller: the municipality's aktindsigt mailbox read over IMAP with TLS (``aktflow intake poll``).

One round (:func:`poll_once`) reads every mail in the folder of ``AKTFLOW_IMAP_URL`` and takes each in
(:func:`aktflow.mail_in.intake.take_in`): a new case, or a reply added to its case. A mail taken in (or
taken in before: its Message-ID is known) is moved to ``AKTFLOW_IMAP_DONE_FOLDER`` ("behandlet"); a mail
that fails stays where it is, its reason is logged (without CPR numbers) and kept in ``mail_messages``,
listed by ``aktflow intake poll --status`` and on the page "E-mails, der ikke er modtaget" (its bytes kept
there, so a caseworker can try again or open a case by hand), and it is tried again in the next round. A
mail a person dismissed there is moved to the done folder without being taken in.

A mail is a case once, also when the poller stops between creating the case and moving the mail: the
Message-ID is written in the case's own transaction, and the next round finds it and only moves the mail.
The mailbox is read outside any database transaction; only ``take_in``'s short transactions write.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import ImapParts, imap_parts
from ..db import Database
from ..errors import AktflowError
from ..exits import mask
from .failures import is_dismissed
from .intake import record_failure, take_in
from .parse import DANISH_TIME

__all__ = ["MailboxError", "PollResult", "poll_forever", "poll_once"]

log = logging.getLogger(__name__)
_UID_RE = re.compile(rb"UID (\d+)")
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(AktflowError):
    """The mailbox could not be read (connection, TLS, login, folder): a Danish message without the
    password. Nothing was taken in by the round that raised it."""

    exit_code = 1


@dataclass
class PollResult:
    """One round: the mails taken in (``{"uid", "outcome", "case_id", "sagsnummer"}``) and those that
    failed (``{"uid", "error"}``, the error masked)."""

    taken_in: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"taken_in": self.taken_in, "failed": self.failed}


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def connect(parts: ImapParts, timeout: float = 30.0) -> imaplib.IMAP4_SSL:
    """A logged-in IMAP connection over TLS, the certificate checked against the system's trust store
    (``SSL_CERT_FILE`` names another). Raises MailboxError in Danish."""
    context = ssl.create_default_context()
    try:
        conn = imaplib.IMAP4_SSL(parts.host, parts.port, ssl_context=context, timeout=timeout)
    except ssl.SSLError as e:
        raise MailboxError(
            f"postkassen {parts.host}:{parts.port}: TLS-forbindelsen mislykkedes ({e.reason})"
        ) from None
    except OSError as e:
        raise MailboxError(f"postkassen {parts.host}:{parts.port} svarer ikke ({type(e).__name__})") from None
    try:
        conn.login(parts.user, parts.password)
    except imaplib.IMAP4.error:
        _close(conn)
        raise MailboxError(f"postkassen {parts.host}: brugeren {parts.user!r} kunne ikke logge ind") from None
    return conn


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # noqa: BLE001 - the connection is gone anyway
        pass


def _ok(typ: str, what: str) -> None:
    if typ != "OK":
        raise MailboxError(f"postkassen afviste {what}")


def _ensure_folder(conn: imaplib.IMAP4, folder: str) -> None:
    typ, data = conn.list('""', _quote(folder))
    if typ == "OK" and any(d for d in data if d):
        return
    typ, _ = conn.create(_quote(folder))
    _ok(typ, f"at oprette mappen {folder!r}")


def _move(conn: imaplib.IMAP4, uid: bytes, folder: str) -> None:
    """Move one mail by UID: MOVE (RFC 6851) where the server has it, else COPY, \\Deleted and EXPUNGE."""
    caps = conn.capabilities
    if "MOVE" in caps:
        typ, _ = conn.uid("MOVE", uid.decode(), _quote(folder))
        _ok(typ, "at flytte e-mailen")
        return
    typ, _ = conn.uid("COPY", uid.decode(), _quote(folder))
    _ok(typ, "at kopiere e-mailen")
    conn.uid("STORE", uid.decode(), "+FLAGS.SILENT", r"(\Deleted)")
    if "UIDPLUS" in caps:
        conn.uid("EXPUNGE", uid.decode())
    else:
        conn.expunge()


def _internal_date(meta: bytes) -> dt.date | None:
    found = imaplib.Internaldate2tuple(meta)
    if found is None:
        return None
    return dt.datetime.fromtimestamp(time.mktime(found), tz=dt.UTC).astimezone(DANISH_TIME).date()


def _key_of(raw: bytes) -> tuple[str, str]:
    """The Message-ID (or the content's hash) and the subject of a raw mail, read leniently, for the
    failure record of a mail that could not be taken in."""
    try:
        msg = email.message_from_bytes(raw[:200_000], policy=email.policy.compat32)
        mid = " ".join(str(msg.get("Message-ID") or "").split())
        subject = " ".join(str(msg.get("Subject") or "").split())
    except Exception:  # noqa: BLE001
        mid, subject = "", ""
    found = re.search(r"<[^<>\s]{1,300}>", mid)
    return (found.group(0) if found else "sha256:" + hashlib.sha256(raw).hexdigest()), subject


def poll_once(
    db: Database, *, actor: str, settings: Any = None, now: dt.datetime | None = None
) -> PollResult:
    """One round over the mailbox of ``AKTFLOW_IMAP_URL`` as user ``actor`` (who registers the cases).

    Raises MailboxError when the mailbox cannot be reached or the setting is missing; a mail that fails
    is counted in the result, never raised.
    """
    from .. import bootstrap

    settings = settings or bootstrap.current().settings
    if settings.imap_url is None:
        raise MailboxError("AKTFLOW_IMAP_URL er ikke sat: postkassen kendes ikke")
    parts = imap_parts(settings.imap_url.get_secret_value())
    done = settings.imap_done_folder
    result = PollResult()
    conn = connect(parts)
    try:
        typ, _ = conn.select(_quote(parts.folder))
        _ok(typ, f"at åbne mappen {parts.folder!r}")
        _ensure_folder(conn, done)
        typ, data = conn.uid("SEARCH", "UNDELETED")
        _ok(typ, "at søge i mappen")
        uids = data[0].split() if data and data[0] else []
        for uid in uids:
            _one(conn, uid, db, actor=actor, done=done, settings=settings, now=now, result=result)
    except (imaplib.IMAP4.error, OSError) as e:
        raise MailboxError(
            f"forbindelsen til postkassen {parts.host} blev afbrudt ({type(e).__name__})"
        ) from None
    finally:
        _close(conn)
    return result


def _one(
    conn: imaplib.IMAP4,
    uid: bytes,
    db: Database,
    *,
    actor: str,
    done: str,
    settings: Any,
    now: Any,
    result: PollResult,
) -> None:
    typ, data = conn.uid("FETCH", uid.decode(), "(RFC822.SIZE INTERNALDATE)")
    meta = data[0] if typ == "OK" and data and isinstance(data[0], bytes) else b""
    size = _SIZE_RE.search(meta)
    received = _internal_date(meta)
    if size and int(size.group(1)) > settings.max_upload:
        # Not fetched at all: a message of its own headers is enough to name it.
        typ, data = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[HEADER])")
        head = data[0][1] if typ == "OK" and data and isinstance(data[0], tuple) else b""
        key, subject = _key_of(head)
        error = f"e-mailen fylder {int(size.group(1)) // 1048576} MB; grænsen er AKTFLOW_MAX_UPLOAD"
        _failed(db, uid, key, subject, error, result)
        return
    typ, data = conn.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    raw = data[0][1] if typ == "OK" and data and isinstance(data[0], tuple) else b""
    key, subject = _key_of(raw)
    filename = (subject[:80] or "e-mail") + ".eml"
    if is_dismissed(db, key):  # set aside by a person on the page of mails not taken in
        _move(conn, uid, done)
        result.taken_in.append(
            {"uid": uid.decode(), "outcome": "dismissed", "case_id": None, "sagsnummer": None}
        )
        return
    try:
        taken = take_in(
            db,
            filename,
            raw,
            actor=actor,
            source="imap",
            fallback_received=received,
            now=now,
        )
    except AktflowError as e:
        _failed(db, uid, key, subject, e.message, result, raw, filename)
        return
    except Exception as e:  # noqa: BLE001 - one bad mail never stops the round
        log.exception("mail intake: unexpected failure on mail uid %s", uid.decode())
        _failed(db, uid, key, subject, f"uventet fejl ({type(e).__name__})", result, raw, filename)
        return
    _move(conn, uid, done)
    result.taken_in.append(
        {
            "uid": uid.decode(),
            "outcome": taken.outcome,
            "case_id": taken.case_id,
            "sagsnummer": taken.sagsnummer,
        }
    )
    log.info("mail intake: mail uid %s taken in (%s, case %s)", uid.decode(), taken.outcome, taken.case_id)


def _failed(
    db: Database,
    uid: bytes,
    key: str,
    subject: str,
    error: str,
    result: PollResult,
    raw: bytes | None = None,
    filename: str | None = None,
) -> None:
    error = mask(error)
    record_failure(
        db, key, source="imap", subject=subject, error=error, content=raw or None, filename=filename
    )
    result.failed.append({"uid": uid.decode(), "error": error})
    log.warning("mail intake: mail uid %s left in the mailbox: %s", uid.decode(), error)


def poll_forever(
    db: Database,
    *,
    actor: str,
    interval: float,
    report: Callable[[PollResult | MailboxError], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Poll every ``interval`` seconds until ``stop()`` (or Ctrl-C); a round that cannot reach the mailbox
    is reported and the next round tries again."""
    while not stop():
        try:
            outcome: PollResult | MailboxError = poll_once(db, actor=actor)
        except MailboxError as e:
            log.warning("mail intake: %s", e.message)
            outcome = e
        if report is not None:
            report(outcome)
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline and not stop():
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
