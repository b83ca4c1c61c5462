"""Checkpoints of the audit log kept outside the database: the head of every chain, appended as one
HMAC'd JSON line to a file (``audit-checkpoints`` in the instance folder by default).

A checkpoint holds the highest event id, the number of cases, a digest of each case's newest event hash
and the administrative log's newest entry. Kept on storage that only allows appending (``chattr +a``, or
another host), it lets ``aktflow audit verify`` detect a chain recomputed or shortened after the
checkpoint, even by someone holding the database's owner role and the key. The names are re-exported by
:mod:`aktflow.audit` (docs/reliability.md, "The audit trail").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .audit_keys import GENESIS, KeyRing, canonical, load_keyring
from .models import AdminLogEntry, Event, utcnow

CHECKPOINT_FILE_NAME = "audit-checkpoints"


def checkpoint_path(settings: Any = None) -> Path:
    """The default checkpoint file: ``audit-checkpoints`` in the instance folder."""
    if settings is None:
        from .config import load_settings

        settings = load_settings()
    return settings.instance_dir() / CHECKPOINT_FILE_NAME


def _heads_digest(heads: Iterable[tuple[int, int, str]]) -> str:
    """SHA-256 over the sorted ``case:seq:hash`` lines of the chain heads."""
    h = hashlib.sha256()
    for case_id, seq, head in sorted(heads):
        h.update(f"{case_id}:{seq}:{head}\n".encode())
    return h.hexdigest()


def _state_upto(session: Session, max_event_id: int) -> tuple[int, str]:
    """(number of cases, digest of each case's head among the events with id <= ``max_event_id``)."""
    heads: dict[int, tuple[int, str]] = {}
    stmt = (
        select(Event.case_id, Event.seq, Event.hash)
        .where(Event.id <= max_event_id)
        .order_by(Event.case_id, Event.seq)
        .execution_options(yield_per=5000)
    )
    for case_id, seq, head in session.execute(stmt):
        heads[case_id] = (seq, head)
    return len(heads), _heads_digest((c, s, h) for c, (s, h) in heads.items())


def _admin_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AdminLogEntry.seq, AdminLogEntry.hash).order_by(AdminLogEntry.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def _admin_hash_at(session: Session, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    return session.scalar(select(AdminLogEntry.hash).where(AdminLogEntry.seq == seq))


def _checkpoint_mac(body: Mapping[str, Any], ring: KeyRing, kid: str) -> str | None:
    key = ring.get(kid)
    return None if key is None else hmac.new(key, canonical(dict(body)).encode(), hashlib.sha256).hexdigest()


def write_checkpoint(
    session: Session, path: Path, now: dt.datetime, ring: KeyRing | None = None
) -> dict[str, Any]:
    """Append the heads of every chain to the checkpoint file ``path`` (one JSON line, HMAC'd with the
    current audit key) and return the line's content.

    The line holds the highest event id, the number of cases and a digest of each case's newest event hash,
    and the administrative log's newest ``seq`` and hash. Kept outside the database (best on storage that
    only allows appending, e.g. ``chattr +a`` or another host), it lets :func:`verify_checkpoints` detect a
    chain recomputed or shortened after the checkpoint, even by someone holding the database's owner role.
    """
    ring = ring or load_keyring()
    max_id = session.scalar(select(func.max(Event.id))) or 0
    cases, heads = _state_upto(session, max_id)
    admin_seq, admin_hash = _admin_head(session)
    body = {
        "at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "max_event_id": max_id,
        "cases": cases,
        "heads": heads,
        "admin_seq": admin_seq,
        "admin_hash": admin_hash,
        "key": ring.current_id,
    }
    line = {**body, "mac": _checkpoint_mac(body, ring, ring.current_id)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(canonical(line) + "\n")
    return line


def make_checkpoint(db: Any, path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """:func:`write_checkpoint` for the database ``db`` (a :class:`aktflow.db.Database`), now (wall-clock
    UTC), to ``path`` (default :func:`checkpoint_path`). Returns (the file, the line written)."""
    path = path or checkpoint_path()
    with db.session() as s:
        return path, write_checkpoint(s, path, utcnow())


def verify_checkpoints(session: Session, path: Path, ring: KeyRing | None = None) -> tuple[int, list[str]]:
    """Check the database against every line of the checkpoint file ``path``.

    Returns (checkpoints checked, problems as Danish lines). A missing file is (0, []). A line whose HMAC
    does not hold, a case head or the administrative log's entry at the checkpoint that differs, or a log
    shorter than at the checkpoint is a problem.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return 0, []
    ring = ring or load_keyring()
    problems: list[str] = []
    n = 0
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        n += 1
        where = f"kontrolpunkt {no} i {path}"
        try:
            line = json.loads(raw)
            body = {
                k: line[k] for k in ("at", "max_event_id", "cases", "heads", "admin_seq", "admin_hash", "key")
            }
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: linjen kan ikke læses")
            continue
        mac = _checkpoint_mac(body, ring, str(body["key"]))
        if mac is None:
            problems.append(f"{where}: ukendt nøgle {body['key']}")
            continue
        if not hmac.compare_digest(mac, str(line.get("mac") or "")):
            problems.append(f"{where}: kontrolpunktet er ændret (HMAC passer ikke)")
            continue
        cases, heads = _state_upto(session, int(body["max_event_id"]))
        if (cases, heads) != (body["cases"], body["heads"]):
            problems.append(
                f"{where} ({body['at']}): hændelsesloggen passer ikke med kontrolpunktet: "
                "hændelser fra før det er ændret, fjernet eller genberegnet"
            )
        if _admin_hash_at(session, int(body["admin_seq"])) != body["admin_hash"]:
            problems.append(
                f"{where} ({body['at']}): administrationsloggen passer ikke med kontrolpunktet "
                f"(nr. {body['admin_seq']} er ændret eller fjernet)"
            )
    return n, problems
