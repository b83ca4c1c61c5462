"""Bombs through the whole document pipeline, on SQLite and PostgreSQL, while another user works.

Each bomb of tests/corpus is uploaded through ``fire(..., "add_document", attachment=...)`` with
``AKTFLOW_SCREENING=worker``; the worker (``document_screening.process_pending``) then runs in a thread
while another user registers a case and reads a case page (the service and the web page). Every bomb
ends refused — at upload (nothing stored) or by the worker (status ``refused``, no content kept, flagged
for manual reading with the limit named) — within 2 s of worker time and without the test process
growing by more than 256 MiB (the child that reads the file is bounded by ``RLIMIT_AS``).
"""

from __future__ import annotations

import datetime as dt
import resource
import threading
import time

import pytest
from sqlalchemy import select

from aktflow import clock, document_screening
from aktflow.config import load_settings
from aktflow.documents import Attachment
from aktflow.extraction import Refused, limits_from_settings
from aktflow.models import Document
from aktflow.service import case_view, create_case, fire
from tests import corpus

pytestmark = pytest.mark.slow

MIB = 2**20
RECEIVED = (clock.today() - dt.timedelta(days=3)).isoformat()
# The setting each bomb's refusal names, by bomb.
BOMBS = {
    "zip": ("bombe.docx", lambda: corpus.zip_bomb_docx(300 * MIB), "AKTFLOW_MAX_UNPACKED"),
    "lying_zip": ("loegn.docx", lambda: corpus.lying_zip_bomb_docx(300 * MIB), "AKTFLOW_MAX_UNPACKED"),
    "xml_heavy": ("tung.docx", lambda: corpus.xml_heavy_docx(60_000), "AKTFLOW_MAX_CHARS"),
    "inflating_pdf": ("bombe.pdf", lambda: corpus.inflating_pdf(150 * MIB), "AKTFLOW_MAX_UNPACKED"),
    "many_pages": ("sider.pdf", lambda: corpus.many_pages_pdf(5000), "AKTFLOW_MAX_PAGES"),
}


def _maxrss() -> int:
    """The test process's peak resident size in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.fixture
def bomb_settings(monkeypatch):
    """Stored files wait for the worker; a small character limit so the XML-heavy file is over it."""
    from aktflow import bootstrap

    monkeypatch.setenv("AKTFLOW_SCREENING", "worker")
    monkeypatch.setenv("AKTFLOW_MAX_CHARS", "200000")
    bootstrap.reset()
    return limits_from_settings(load_settings())


def _collecting(db, actor: str = "cw"):
    c = create_case(
        db,
        actor=actor,
        requester="Mette Hansen",
        received=RECEIVED,
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign=actor,
    )
    fire(db, c.id, "register", actor=actor)
    fire(db, c.id, "start_collecting", actor=actor)
    return c


def test_every_bomb_is_refused_while_another_user_works(db, app, bomb_settings):
    from tests.web.test_web_pages import login

    lim = bomb_settings
    c = _collecting(db)
    files = {key: (name, build()) for key, (name, build, _setting) in BOMBS.items()}
    stored: dict[str, int] = {}
    at_upload: dict[str, str] = {}
    for key, (name, data) in files.items():
        assert len(data) < 2 * MIB, key  # each bomb is small on disk
        before = {d["id"] for d in case_view(db, c.id)["documents"]}
        try:
            fire(db, c.id, "add_document", actor="cw", data={"title": key}, attachment=Attachment(name, data))
        except Refused as e:
            at_upload[key] = e.detail
            assert {d["id"] for d in case_view(db, c.id)["documents"]} == before, key  # nothing stored
            continue
        (new,) = {d["id"] for d in case_view(db, c.id)["documents"]} - before
        stored[key] = new
    assert "zip" in at_upload  # the honest directory is refused by the fast checks
    assert "lying_zip" in stored  # the lying one passes them and must be stopped by the worker
    for key, detail in at_upload.items():
        assert BOMBS[key][2] in detail, (key, detail)

    client = app.test_client()
    login(client, "cw2")
    worker_times: list[float] = []
    worker_error: list[BaseException] = []
    rss_before = _maxrss()

    def work() -> None:
        try:
            while True:
                started = time.perf_counter()
                done = document_screening.process_pending(db, lim, limit=1)["done"]
                if not done:
                    return
                worker_times.append(time.perf_counter() - started)
        except BaseException as e:  # noqa: BLE001 - reported to the test thread
            worker_error.append(e)

    worker = threading.Thread(target=work, name="bomb-worker")
    worker.start()
    others = []
    try:
        # Another user, at the same time: a new case, the service's case view and the web case page.
        while worker.is_alive() or not others:
            other = create_case(
                db,
                actor="cw2",
                requester="Jens Jensen",
                received=RECEIVED,
                basis="ofl",
                subject="Vejsag",
                emne="05.01.00",
            )
            others.append(other.id)
            assert case_view(db, other.id)["state"] == "received"
            assert case_view(db, c.id)["id"] == c.id
            r = client.get(f"/cases/{c.id}")
            assert r.status_code == 200, r.status_code
            assert client.get(f"/cases/{other.id}").status_code == 200
    finally:
        worker.join(120)
    assert not worker.is_alive() and not worker_error, worker_error
    grown = _maxrss() - rss_before
    print(
        f"\nworker seconds per bomb {[round(t, 2) for t in worker_times]}, parent grew {grown / MIB:.0f} MiB"
    )
    assert len(worker_times) == len(stored)
    # The goal is 2 s per bomb (docs/reliability.md has the figures: 0.6-1.6 s here); the assertion only
    # proves a size limit stopped each bomb long before the clock (lim.max_seconds): a loaded 2-core
    # machine shared with other work can stall a child's start-up for seconds.
    assert max(worker_times) < lim.max_seconds / 2, worker_times
    assert grown < 256 * MIB, f"{grown / MIB:.0f} MiB"

    view = case_view(db, c.id)
    reasons = view["flag_reasons"]
    with db.session() as s:
        for key, doc_id in stored.items():
            d = s.get_one(Document, doc_id)
            assert d.status == "refused" and d.content is None and d.complete is False, key
            setting = BOMBS[key][2]
            assert setting in (d.error or ""), (key, d.error)
            assert any(
                f"Dokument '{key}'" in r and document_screening.UNREAD in r and setting in r for r in reasons
            ), (key, reasons)
        assert s.scalars(select(Document.id).where(Document.status == "pending")).all() == []
