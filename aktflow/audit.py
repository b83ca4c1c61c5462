"""The event log: keyed hash chain, replay and verification.

Each case has its own chain: an event's ``prev_hash`` is the hash of the case's previous event (the first
event's is ``GENESIS``), and the case row keeps the newest hash in ``last_hash``. A chain per case keeps
writers of different cases independent, while any edited, removed or inserted event is still detected.

The chain is keyed: an event's hash is an HMAC-SHA-256 over its canonical JSON with a key kept outside
the database (:class:`KeyRing`: ``AKTFLOW_AUDIT_KEY``, or the key file ``audit-keys`` in the instance
folder, generated with mode 0600 on first use). The event stores the key's id (``key_id``), so after a
rotation old events verify with their own key while new events use the new one. Someone who can write the
database but does not hold the key cannot recompute a valid chain after editing an event.

Events written before the chain was keyed (``key_id`` NULL) keep their plain SHA-256 and keep verifying,
but only up to the boundary migration 0018 recorded (``audit_legacy``): an unkeyed event written later is
reported as forged. A legacy event that a later keyed event follows is protected by that event's HMAC (it
covers ``prev_hash``); a case whose every event is legacy is protected by its plain chain only, which
someone with write access to the database could recompute (docs/reliability.md, "The audit trail").
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .errors import AktflowError
from .models import AdminLogEntry, AuditLegacy, Case, Event, utcnow
from .states import versions

log = logging.getLogger(__name__)

GENESIS = "0" * 64
CREATE = "create"
KEY_FILE_NAME = "audit-keys"
KEY_MIN_LEN = 32
_KEY_FILE_HEADER = (
    "# aktflow: the keys of the audit log's hash chains (HMAC-SHA-256), one a line; the last is the current.\n"
    "# Keep every line: old events verify with the key they were written with. Never share this file.\n"
)


# --- the key ring ---------------------------------------------------------------------------------------


class AuditKeyError(AktflowError):
    """The audit key cannot be read or is too short; the message names the setting or file."""

    exit_code = 2


@functools.lru_cache(maxsize=32)
def key_id(key: bytes) -> str:
    """The id stored with each event for ``key``: "k" and 12 hex digits of a SHA-256 of the key.

    The id names a key without revealing it (a one-way digest of a 256-bit secret)."""
    return "k" + hashlib.sha256(b"aktflow-audit-key-id\0" + key).hexdigest()[:12]


@dataclass(frozen=True)
class KeyRing:
    """The audit keys: ``current`` signs new entries; ``keys`` (id -> key) verify old and new ones.

    ``source`` says where the current key came from ("AKTFLOW_AUDIT_KEY" or the key file's path) and
    ``created`` is True when the key file was generated just now.
    """

    current: bytes = field(repr=False)
    keys: Mapping[str, bytes] = field(repr=False)
    source: str = ""
    created: bool = False

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def get(self, kid: str) -> bytes | None:
        return self.keys.get(kid)


def key_file_path(settings: Any) -> Path:
    """The key file: ``AKTFLOW_AUDIT_KEY_FILE``, else ``audit-keys`` in the instance folder."""
    return settings.audit_key_file or settings.instance_dir() / KEY_FILE_NAME


def _read_key_file(path: Path) -> list[bytes]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise AuditKeyError(
            f"nøglefilen til hændelsesloggen {path} kan ikke læses: {e.__class__.__name__}"
        ) from None
    keys = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) < KEY_MIN_LEN:
            raise AuditKeyError(f"nøglefilen {path}, linje {n}: en nøgle skal have mindst {KEY_MIN_LEN} tegn")
        keys.append(line.encode("utf-8"))
    return keys


def _write_new_key_file(path: Path) -> bool:
    """Create the key file with one generated key (mode 0600); False when another process was first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(_KEY_FILE_HEADER + secrets.token_hex(32) + "\n")
    return True


def load_keyring(settings: Any = None, *, create: bool = True) -> KeyRing:
    """The audit keys, read afresh from the settings (:func:`aktflow.config.load_settings` by default).

    The current key is ``AKTFLOW_AUDIT_KEY`` when set, else the last key in the key file
    (:func:`key_file_path`); every key in the key file verifies. Without either, ``create`` generates the
    key file (one random 256-bit key, mode 0600) and logs where; else AuditKeyError.
    """
    if settings is None:
        from .config import load_settings

        settings = load_settings()
    path = key_file_path(settings)
    keys = _read_key_file(path)
    created = False
    env = settings.audit_key.get_secret_value() if settings.audit_key is not None else None
    if env is not None:
        current, source = env.encode("utf-8"), "AKTFLOW_AUDIT_KEY"
    else:
        if not keys:
            if not create:
                raise AuditKeyError(
                    f"ingen nøgle til hændelsesloggen: sæt AKTFLOW_AUDIT_KEY eller opret {path}"
                )
            created = _write_new_key_file(path)
            keys = _read_key_file(path)
            if created:
                log.warning(
                    "hændelsesloggens nøgle er oprettet i %s (kun ejeren kan læse den); gem en kopi "
                    "uden for serveren, ellers kan loggen ikke efterprøves",
                    path,
                )
        current, source = keys[-1], str(path)
    ring = {key_id(k): k for k in keys}
    ring[key_id(current)] = current
    return KeyRing(current=current, keys=ring, source=source, created=created)


def key_notice(settings: Any = None) -> str:
    """One Danish line for the start of ``aktflow serve``: where the audit key comes from (creating the
    key file when there is no key yet)."""
    ring = load_keyring(settings)
    if ring.source == "AKTFLOW_AUDIT_KEY":
        return f"hændelsesloggens nøgle {ring.current_id} kommer fra AKTFLOW_AUDIT_KEY"
    made = "er oprettet nu i" if ring.created else "ligger i"
    return (
        f"hændelsesloggens nøgle {ring.current_id} {made} {ring.source} (kun ejeren kan læse den); "
        "gem en kopi uden for serveren, eller sæt AKTFLOW_AUDIT_KEY"
    )


_RINGS: dict[tuple[str | None, ...], KeyRing] = {}


def keyring() -> KeyRing:
    """The process's key ring for writing, read once per value of the key settings
    (``AKTFLOW_AUDIT_KEY``, ``AKTFLOW_AUDIT_KEY_FILE``, ``AKTFLOW_INSTANCE``); :func:`forget_keyring` drops it.

    A rotation done by another process (``aktflow audit new-key``) takes effect here at the next start.
    """
    from .config import raw_values

    marker = raw_values("audit_key", "audit_key_file", "instance")
    ring = _RINGS.get(marker)
    if ring is None:
        ring = _RINGS[marker] = load_keyring()
    return ring


def forget_keyring() -> None:
    """Forget the cached key rings (after a rotation in this process, and in tests)."""
    _RINGS.clear()


def add_key(settings: Any = None) -> tuple[str, Path]:
    """Rotate: append a new generated key to the key file, which becomes the current key.

    Returns (the new key's id, the file). Old keys stay in the file and keep verifying what they signed.
    Raises AuditKeyError when ``AKTFLOW_AUDIT_KEY`` is set (then rotate by changing that setting and adding
    the old key to the key file).
    """
    if settings is None:
        from .config import load_settings

        settings = load_settings()
    if settings.audit_key is not None:
        raise AuditKeyError(
            "AKTFLOW_AUDIT_KEY er sat: skift nøglen der, og skriv den gamle nøgle i nøglefilen "
            f"{key_file_path(settings)}, så de gamle hændelser stadig kan efterprøves"
        )
    path = key_file_path(settings)
    if not path.exists():
        _write_new_key_file(path)
    new = secrets.token_hex(32)
    with open(path, "a", encoding="utf-8") as f:
        f.write(new + "\n")
    forget_keyring()
    return key_id(new.encode("utf-8")), path


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(body: str, key: bytes | None) -> str:
    """64 hex digits: HMAC-SHA-256 of ``body`` with ``key``, or (for legacy entries, no key) its SHA-256."""
    data = body.encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def event_hash(
    *,
    case_id: int,
    seq: int,
    at: dt.datetime,
    actor: str,
    trigger: str,
    from_state: str | None,
    to_state: str,
    note: str | None,
    data: dict[str, Any] | None,
    prev_hash: str,
    workflow_version: str = versions.BASE,
    key: bytes | None = None,
) -> str:
    """The event's hash (64 hex digits) over the canonical JSON of its fields and the previous hash.

    With ``key``: HMAC-SHA-256, and the key's id (:func:`key_id`) is part of the hashed body, so an
    event cannot be moved to another key or made unkeyed without breaking it. Without: the plain SHA-256
    of events written before the chain was keyed. The workflow version is part of the body when it is
    not :data:`versions.BASE`: events written before versioning keep their hashes.
    """
    fields: dict[str, Any] = {
        "case": case_id,
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "trigger": trigger,
        "from": from_state,
        "to": to_state,
        "note": note,
        "data": data or {},
        "prev": prev_hash,
    }
    if workflow_version != versions.BASE:
        fields["workflow"] = workflow_version
    kid = key_id(key) if key is not None else None
    if kid is not None:
        fields["key"] = kid
    return digest(canonical(fields), key)


def hash_of(ev: Event, key: bytes | None = None) -> str:
    """The hash ``ev`` should have with ``key`` (None: the legacy unkeyed hash)."""
    return event_hash(
        case_id=ev.case_id,
        seq=ev.seq,
        at=ev.at,
        actor=ev.actor,
        trigger=ev.trigger,
        from_state=ev.from_state,
        to_state=ev.to_state,
        note=ev.note,
        data=ev.data,
        prev_hash=ev.prev_hash,
        workflow_version=ev.workflow_version,
        key=key,
    )


class ReplayError(Exception):
    def __init__(self, seq: int, message: str):
        super().__init__(message)
        self.seq = seq


def replay(events: Iterable[Any]) -> str | None:
    """The state that the events give, each checked against the workflow version it was written under.

    Raises ReplayError (with the event's seq) at the first event its own version did not allow.
    """
    state: str | None = None
    for ev in events:
        version = getattr(ev, "workflow_version", None) or versions.BASE
        if version not in versions.TABLES:
            raise ReplayError(ev.seq, f"ukendt version af arbejdsgangen {version!r}")
        if ev.trigger == CREATE:
            if state is not None or ev.to_state != versions.INITIAL[version]:
                raise ReplayError(ev.seq, "oprettelse midt i forløbet")
            state = ev.to_state
            continue
        if ev.from_state != state:
            raise ReplayError(ev.seq, f"fra-tilstand {ev.from_state!r}, men forløbet står i {state!r}")
        expected = versions.target(version, ev.trigger, state) if state else None
        if expected is None:
            raise ReplayError(ev.seq, f"'{ev.trigger}' er ikke tilladt fra {state!r}")
        if ev.to_state != expected:
            raise ReplayError(ev.seq, f"'{ev.trigger}' fører til {expected!r}, ikke {ev.to_state!r}")
        state = expected
    return state


@dataclass
class Problem:
    case_id: int
    seq: int | None
    event_id: int | None
    message: str

    def __str__(self) -> str:
        where = f"sag {self.case_id}"
        if self.seq is not None:
            where += f", hændelse nr. {self.seq}"
        if self.event_id is not None:
            where += f" (id {self.event_id})"
        return f"{where}: {self.message}"


def _events_by_case(session: Session, batch: int = 5000) -> Iterator[tuple[int, list[Event]]]:
    current: int | None = None
    bucket: list[Event] = []
    stmt = select(Event).order_by(Event.case_id, Event.seq).execution_options(yield_per=batch)
    for ev in session.scalars(stmt):
        if ev.case_id != current:
            if current is not None:
                yield current, bucket
            current, bucket = ev.case_id, []
        bucket.append(ev)
    if current is not None:
        yield current, bucket


def check_key(kid: str | None, ring: KeyRing, legacy_ok: bool) -> tuple[bytes | None, str | None]:
    """The key an entry with key id ``kid`` is checked with, and a problem (Danish) or None.

    An unkeyed entry (``kid`` None) is allowed only where ``legacy_ok`` (written before the chain was keyed).
    """
    if kid is None:
        if not legacy_ok:
            return None, "hændelsen har ingen nøgle, men er skrevet efter at loggen blev nøglebeskyttet"
        return None, None
    key = ring.get(kid)
    if key is None:
        return None, f"ukendt nøgle {kid}: læg den gamle nøgle i nøglefilen for at efterprøve"
    return key, None


def verify_case(
    case: Any, events: list[Event], case_id: int, ring: KeyRing | None = None, legacy_upto: int = 0
) -> Problem | None:
    """The first problem of one case's chain, or None.

    Each event is checked with the key its ``key_id`` names in ``ring`` (default: :func:`load_keyring`);
    unkeyed events only when their id is at most ``legacy_upto``, and never after a keyed one.
    """
    ring = ring or load_keyring()
    prev = GENESIS
    keyed = False
    for i, ev in enumerate(events, start=1):
        if ev.seq != i:
            return Problem(case_id, ev.seq, ev.id, f"hul i rækkefølgen: forventede nr. {i}")
        if ev.prev_hash != prev:
            return Problem(case_id, ev.seq, ev.id, "forrige-hash passer ikke (hændelse fjernet eller indsat)")
        kid = getattr(ev, "key_id", None)
        key, problem = check_key(
            kid, ring, legacy_ok=not keyed and ev.id is not None and ev.id <= legacy_upto
        )
        if problem:
            return Problem(case_id, ev.seq, ev.id, problem)
        keyed = keyed or key is not None
        if not hmac.compare_digest(hash_of(ev, key), ev.hash or ""):
            return Problem(case_id, ev.seq, ev.id, "hash passer ikke: hændelsen er ændret")
        prev = ev.hash
    if case is None:
        return Problem(case_id, None, None, "hændelser uden sag")
    try:
        state = replay(events)
    except ReplayError as e:
        failed = events[e.seq - 1] if 0 < e.seq <= len(events) else None
        return Problem(case_id, e.seq, failed.id if failed else None, f"genafspilning fejler: {e}")
    if case.last_hash != prev:
        return Problem(case_id, None, None, "sagens seneste hash passer ikke med den sidste hændelse")
    if case.version != len(events):
        return Problem(case_id, None, None, f"version {case.version}, men {len(events)} hændelser")
    if state != case.state:
        return Problem(case_id, None, None, f"tilstand {case.state!r}, men genafspilning giver {state!r}")
    return None


def legacy_boundary(session: Session) -> int:
    """The highest event id that may be unkeyed: what migration 0018 recorded (0 when nothing is recorded).

    The smallest recorded value counts, so a row added later cannot widen it."""
    return session.scalar(select(func.min(AuditLegacy.max_event_id))) or 0


def verify(session: Session, ring: KeyRing | None = None) -> tuple[int, list[Problem]]:
    """Check every case's chain (with the keys in ``ring``, default :func:`load_keyring`) and replay.

    Returns (cases checked, problems: the first per case). Raises AuditKeyError when no key can be read.
    """
    ring = ring or load_keyring()
    upto = legacy_boundary(session)
    cases = {
        row.id: row for row in session.execute(select(Case.id, Case.state, Case.version, Case.last_hash))
    }
    problems: list[Problem] = []
    seen: set[int] = set()
    for case_id, events in _events_by_case(session):
        seen.add(case_id)
        p = verify_case(cases.get(case_id), events, case_id, ring, upto)
        if p:
            problems.append(p)
    for case_id in sorted(set(cases) - seen):
        problems.append(Problem(case_id, None, None, "sagen har ingen hændelser"))
    return len(cases), problems


# --- the administrative log ----------------------------------------------------------------------------


def admin_entry_hash(row: Mapping[str, Any], key: bytes) -> str:
    """The hash of an administrative log entry: HMAC-SHA-256 with ``key`` over the canonical JSON of its
    ``seq``, time, actor, kind, target, old and new values, the previous hash and the key's id."""
    at = row["at"]
    fields = {
        "seq": row["seq"],
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": row["actor"],
        "kind": row["kind"],
        "target": row["target"],
        "old": row["old"],
        "new": row["new"],
        "prev": row["prev_hash"],
        "key": key_id(key),
    }
    return digest(canonical(fields), key)


@dataclass
class AdminProblem:
    """A problem in the administrative log: the entry's ``seq`` and id (None when one is missing)."""

    seq: int | None
    entry_id: int | None
    message: str

    def __str__(self) -> str:
        where = "administrationsloggen"
        if self.seq is not None:
            where += f", nr. {self.seq}"
        if self.entry_id is not None:
            where += f" (id {self.entry_id})"
        return f"{where}: {self.message}"


def verify_admin_log(session: Session, ring: KeyRing | None = None) -> tuple[int, list[AdminProblem]]:
    """Check the administrative log's chain: numbering, previous hashes and each entry's HMAC.

    Returns (entries checked, problems: the first one, as later entries hang on it). Raises AuditKeyError
    when no key can be read.
    """
    ring = ring or load_keyring()
    prev, n = GENESIS, 0
    stmt = select(AdminLogEntry).order_by(AdminLogEntry.seq).execution_options(yield_per=2000)
    for n, entry in enumerate(session.scalars(stmt), start=1):
        if entry.seq != n:
            return n, [AdminProblem(entry.seq, entry.id, f"hul i rækkefølgen: forventede nr. {n}")]
        if entry.prev_hash != prev:
            return n, [
                AdminProblem(entry.seq, entry.id, "forrige-hash passer ikke (indførsel fjernet eller indsat)")
            ]
        key, problem = check_key(entry.key_id, ring, legacy_ok=False)
        if problem or key is None:
            return n, [AdminProblem(entry.seq, entry.id, problem or "indførslen har ingen nøgle")]
        row = {
            c: getattr(entry, c) for c in ("seq", "at", "actor", "kind", "target", "old", "new", "prev_hash")
        }
        if not hmac.compare_digest(admin_entry_hash(row, key), entry.hash or ""):
            return n, [AdminProblem(entry.seq, entry.id, "hash passer ikke: indførslen er ændret")]
        prev = entry.hash
    return n, []


# --- checkpoints outside the database ---------------------------------------------------------------------

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
