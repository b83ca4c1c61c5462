"""upload-memory: a gunicorn worker's peak memory above idle while a 25 MB file is uploaded and processed.

One gunicorn worker on PostgreSQL, screening inline (the file is read and screened in the request, after
the commit, as the tests run it: the worst case for the worker). The worker's resident memory, with that of
any child process it starts (the bounded extraction), is sampled from /proc every 20 ms, from before the
upload until the answer; the value is the peak above the idle size measured just before (MiB).
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx

from aktflow.db import Database

from .common import Result
from .webload import CSRF_RE, VERSION_RE, start_gunicorn, stop_gunicorn


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 for a process that is gone)."""
    total = 0
    try:
        m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        total += int(m.group(1)) * 1024 if m else 0
    except OSError:
        return 0
    for child in _children(pid):
        total += _rss(child)
    return total


def _text(megabytes: int) -> bytes:
    line = "Referat af møde om lokalplan 123 for Havnevej; drøftelse af høringssvar og budget. "
    n = megabytes * 1024 * 1024 // len(line.encode()) + 1
    return (line * n).encode()[: megabytes * 1024 * 1024]


def run(db: Database, *, megabytes: int = 25, goal_mib: float = 256) -> Result:
    from aktflow.service import create_case, fire
    from aktflow.users import add_user
    from aktflow.vocabulary import SYSTEM_ACTOR

    add_user(db, "upload", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    c = create_case(
        db,
        actor="upload",
        requester="Borger",
        received=time.strftime("%Y-%m-%d"),
        basis="ofl",
        subject="Stor fil",
        emne="02.34.02",
        assign="upload",
    )
    for t in ("register", "start_collecting"):
        fire(db, c.id, t, actor="upload")
    limit = str((megabytes + 5) * 1024 * 1024)  # the file and the form around it
    proc, base = start_gunicorn(db, workers=1, extra_env={"AKTFLOW_MAX_UPLOAD": limit})
    body = _text(megabytes)
    try:
        workers = []
        for _ in range(100):
            workers = _children(proc.pid)
            if workers:
                break
            time.sleep(0.1)
        worker = workers[0]
        with httpx.Client(base_url=base, timeout=300) as http:
            page = http.get("/login").text
            http.post(
                "/login",
                data={
                    "username": "upload",
                    "password": "vinter-maaling-blaa-kop",
                    "csrf_token": CSRF_RE.search(page).group(1),
                },  # type: ignore[union-attr]
            )
            form = http.get(f"/cases/{c.id}").text
            for _ in range(3):  # the worker's imports and caches settle before idle is measured
                http.get(f"/cases/{c.id}")
            time.sleep(0.5)
            idle = _rss(worker)
            peak = idle
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.is_set():
                    peak = max(peak, _rss(worker))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            t = time.perf_counter()
            try:
                resp = http.post(
                    f"/cases/{c.id}/actions/add_document",
                    data={
                        "csrf_token": CSRF_RE.search(form).group(1),  # type: ignore[union-attr]
                        "version": VERSION_RE.search(form).group(1),  # type: ignore[union-attr]
                        "title": "Stor fil",
                    },
                    files={"file": ("stor.txt", body, "text/plain")},
                )
            finally:
                spent = time.perf_counter() - t
                done.set()
                sampler.join()
    finally:
        stop_gunicorn(proc)
    if resp.status_code >= 400:
        raise RuntimeError(f"upload answered {resp.status_code}")
    from sqlalchemy import text

    with db.engine.connect() as conn:
        docs, kept = conn.execute(
            text("SELECT count(*), coalesce(max(length(content)), 0) FROM documents WHERE case_id = :c"),
            {"c": c.id},
        ).one()
    if not docs:
        raise RuntimeError("the upload was answered but no document was stored")
    above = (peak - idle) / 1048576
    return Result(
        "upload-memory",
        above,
        "MiB",
        None,
        None,
        goal_mib,
        1,
        note=f"{megabytes} MB text file ({kept:,} bytes of it stored), answered {resp.status_code} in {spent:.1f} s; worker idle "
        f"{idle / 1048576:.0f} MiB, peak {peak / 1048576:.0f} MiB; screening inline",
    )
