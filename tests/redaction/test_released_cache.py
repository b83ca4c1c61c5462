"""The burnt-in version of a document kept between views: made once, keyed by the file, the redactions
and the burn-in version, never served stale, never served damaged, bounded in size."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pymupdf
import pytest

from aktflow.queries.redactions import released_pdf
from aktflow.redaction import cache
from aktflow.service import fire
from tests.redaction.test_actions import pdf, redact, screening

SHA = "ab" * 32


def row(kind="text", term="Jens", page=None, box=None, ground="ofl-30-1", state="accepted"):
    return SimpleNamespace(kind=kind, state=state, term=term, page=page, box=box, ground=ground)


@pytest.fixture
def store(tmp_path, monkeypatch):
    folder = tmp_path / "released"
    monkeypatch.setattr(cache, "cache_dir", lambda: folder)
    return folder


def test_the_key_follows_the_file_the_accepted_redactions_and_the_version(monkeypatch):
    a, b = row(term="Jens"), row(kind="region", term=None, page=1, box=[1, 2, 30, 40])
    key = cache.cache_key(SHA, [a, b])
    assert cache.cache_key(SHA, [b, a]) == key  # order does not matter
    assert (
        cache.cache_key(SHA, [a, b, row(term="Ole", state="rejected")]) == key
    )  # a rejection changes nothing
    assert cache.cache_key("cd" * 32, [a, b]) != key
    assert cache.cache_key(SHA, [a]) != key
    assert cache.cache_key(SHA, [a, row(kind="region", term=None, page=1, box=[1, 2, 30, 41])]) != key
    assert cache.cache_key(SHA, [row(term="Jens", ground="ofl-30-2"), b]) != key
    monkeypatch.setattr(cache, "BURN_VERSION", "next")
    assert cache.cache_key(SHA, [a, b]) != key


def test_an_entry_is_made_once_and_then_read(store):
    calls = []

    def make():
        calls.append(1)
        return b"%PDF-1 released", {"ok": True, "parts": 1}

    assert cache.cached("k1", make) == (b"%PDF-1 released", {"ok": True, "parts": 1})
    assert cache.cached("k1", make) == (b"%PDF-1 released", {"ok": True, "parts": 1})
    assert len(calls) == 1


def test_a_failed_check_is_not_kept(store):
    calls = []

    def make():
        calls.append(1)
        return b"%PDF-1", {"ok": False}

    cache.cached("k2", make)
    cache.cached("k2", make)
    assert len(calls) == 2


def test_a_damaged_entry_is_made_again_not_served(store):
    cache.cached("k3", lambda: (b"%PDF-1 original", {"ok": True}))
    (store / "k3.pdf").write_bytes(b"%PDF-1 altered on disk")
    assert cache.cached("k3", lambda: (b"%PDF-1 made again", {"ok": True}))[0] == b"%PDF-1 made again"
    (store / "k3.json").write_text("{half")
    assert cache.cached("k3", lambda: (b"%PDF-1 third", {"ok": True}))[0] == b"%PDF-1 third"


def test_the_store_is_bounded_and_keeps_the_recently_used(store):
    import os
    import time

    blob = b"x" * 1000
    for i in range(5):
        cache.cached(f"e{i}", lambda: (blob, {"ok": True}), max_bytes=10_000)
        past = time.time() - 100 + i  # e0 the oldest
        os.utime(store / f"e{i}.json", (past, past))
    cache.cached("e0", lambda: (b"unused", {"ok": True}), max_bytes=10_000)  # read: e0 is used now
    cache.cached("e5", lambda: (blob, {"ok": True}), max_bytes=3_500)
    kept = sorted(p.stem for p in store.glob("*.json"))
    assert kept == ["e0", "e4", "e5"]  # the least recently used went first
    assert sum(p.stat().st_size for p in store.iterdir()) <= 3_500


def test_a_redaction_change_is_never_answered_with_the_earlier_output(sqlite_db, store):
    db = sqlite_db
    case_id, doc_id = screening(db, content=pdf("Naboen Jens Hansen klager.", "Ole Olsen svarer."))

    def released_text():
        found = released_pdf(db, case_id, doc_id)
        assert found is not None and found[1].ok
        return pymupdf.open(stream=found[0])[0].get_text()

    assert "Jens Hansen" in released_text()
    redact(db, case_id, doc_id, term="Jens Hansen")
    first = released_text()
    assert "Jens Hansen" not in first and "Ole Olsen" in first
    entries = len(list(store.glob("*.json")))
    assert released_text() == first and len(list(store.glob("*.json"))) == entries  # read, not made
    redact(db, case_id, doc_id, term="Ole Olsen")
    second = released_text()
    assert "Ole Olsen" not in second and "Jens Hansen" not in second
    fire(
        db,
        case_id,
        "remove_redaction",
        actor="cw",
        data={"document_id": doc_id, "redaction_id": _first_id(db, doc_id)},
    )
    assert "Jens Hansen" in released_text() and "Ole Olsen" not in released_text()


def _first_id(db, doc_id):
    from aktflow.models import Document
    from aktflow.queries.redactions import document_redactions

    with db.session() as s:
        case_id = s.get(Document, doc_id).case_id
    return document_redactions(db, case_id, doc_id)["redactions"][0]["id"]


def test_the_entry_is_named_by_the_stored_files_sha256(sqlite_db, store):
    content = pdf("Naboen Jens Hansen klager.")
    case_id, doc_id = screening(sqlite_db, content=content)
    redact(sqlite_db, case_id, doc_id, term="Jens Hansen")
    released_pdf(sqlite_db, case_id, doc_id)
    from aktflow.queries.redactions import _file

    _, rows = _file(sqlite_db, case_id, doc_id)
    key = cache.cache_key(hashlib.sha256(content).hexdigest(), rows)
    assert (store / f"{key}.pdf").exists()
