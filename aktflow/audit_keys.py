"""The audit log's keys: the key ring (HMAC-SHA-256 keys kept outside the database), its rotation, and
the keyed digest every chain entry and checkpoint is made with.

The current key is ``AKTFLOW_AUDIT_KEY`` when set, else the last line of the key file (``audit-keys`` in
the instance folder, or ``AKTFLOW_AUDIT_KEY_FILE``), generated with mode 0600 on first use. Every key in
the file verifies what it signed, so a rotation (:func:`add_key`, ``aktflow audit new-key``) appends a key
and keeps the old ones. An entry stores the id of its key (:func:`key_id`), never the key.

The chains themselves are in :mod:`aktflow.audit`, which re-exports these names
(docs/reliability.md, "The audit trail"; docs/deployment.md for the key file and its rotation).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AktflowError

log = logging.getLogger("aktflow.audit")

GENESIS = "0" * 64
KEY_FILE_NAME = "audit-keys"
KEY_MIN_LEN = 32
_KEY_FILE_HEADER = (
    "# aktflow: the keys of the audit log's hash chains (HMAC-SHA-256), one a line; the last is the current.\n"
    "# Keep every line: old events verify with the key they were written with. Never share this file.\n"
)


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
    """The canonical JSON of ``value`` that is hashed: sorted keys, no spaces, UTF-8 kept, ``str()`` for
    what JSON lacks (dates)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def digest(body: str, key: bytes | None) -> str:
    """64 hex digits: HMAC-SHA-256 of ``body`` with ``key``, or (for legacy entries, no key) its SHA-256."""
    data = body.encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()
