"""web-load: gunicorn as deployed (2 × cores gthread workers) on PostgreSQL; clients read case pages, fire transitions and upload.

Loopback only, bounded in time and count. Each client logs in through the login form, then loops: most
requests read a case page (HTML, gzip accepted as a browser does; one in five of them a case with 300
documents and 600 events), every fourth fires a transition on one of its own cases through the JSON API
with If-Match, every tenth uploads a 40 KB text document through the case page's form. A 412 (someone
else moved the case first) is an expected answer; an error is a 5xx or a failed connection.

First one client runs alone (its p50 and throughput are the baselines: no queueing), then ``clients`` at
once. Lines: p99 at ``clients`` over p50 at 1 (goal ≤ 10); throughput at 1 over throughput at ``clients``
(goal ≤ 0.5, i.e. at least twice the requests per second); errors over both phases (goal 0).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import httpx

from aktflow.db import Database
from aktflow.service import create_case, fire
from aktflow.tokens import issue_token
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR
from devtools.pgcluster import free_port

from .common import Result

#: Threads per gunicorn worker in web-load (gthread): requests waiting on PostgreSQL leave the CPU to others.
THREADS = 4

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION_RE = re.compile(r'name="version"[^>]*value="(\d+)"')
UPLOAD = ("Notat om byggesagen. " * 2000).encode()  # about 40 KB of text


def _seed(db: Database, n_cases: int, n_users: int) -> tuple[list[int], list[int], list[int], str]:
    """Cases in screening (transitions), in collecting (uploads), two with 300 documents; the API token."""
    from .casepage import seed as seed_page

    add_user(
        db, "load", role="admin", password="vinter-maaling-blaa-kop", name="Load Test", actor=SYSTEM_ACTOR
    )
    # One user per client, as in an office (one username signing in 16 times at once meets the login
    # throttle's limit of 5 password checks per username: docs/reliability.md).
    for k in range(n_users):
        add_user(
            db,
            _user(k),
            role="admin",
            password="vinter-maaling-blaa-kop",
            name=f"Bruger {k}",
            actor=SYSTEM_ACTOR,
        )
    received = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    screening, collecting = [], []
    for i in range(n_cases):
        c = create_case(
            db,
            actor="load",
            requester=f"Borger {i}",
            received=received,
            basis="ofl",
            subject=f"Sag {i}",
            emne="15.17.12",
            assign="load",
        )
        for t in ("register", "start_collecting"):
            fire(db, c.id, t, actor="load")
        if i % 2:
            collecting.append(c.id)
        else:
            fire(db, c.id, "start_screening", actor="load")
            screening.append(c.id)
    big, _empty = seed_page(db, 300)
    return screening, collecting, [big], issue_token(db, "load", name="webload", actor=SYSTEM_ACTOR)


def _user(k: int) -> str:
    return f"load{k:02d}"


def _wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {proc.returncode})")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    #: the latencies of each kind of request (read, big, fire, upload), for the note
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"read": 0, "big": 0, "fire": 0, "upload": 0, "conflict": 0}
    )
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def _phase(base: str, token: str, clients: int, seconds: float, cases) -> Phase:
    screening, collecting, big = cases
    out = Phase()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(k: int) -> None:
        mine = screening[k::clients] or screening
        uploads = collecting[k::clients] or collecting
        rnd = random.Random(k)
        with httpx.Client(base_url=base, timeout=30, headers={"Accept-Encoding": "gzip"}) as http:
            page = http.get("/login").text
            csrf = CSRF_RE.search(page)
            r = http.post(
                "/login",
                data={
                    "username": _user(k),
                    "password": "vinter-maaling-blaa-kop",
                    "csrf_token": csrf.group(1) if csrf else "",
                },
            )
            if r.status_code >= 400:
                with lock:
                    out.errors.append(f"login {r.status_code}")
                return
            api = {"Authorization": f"Bearer {token}"}
            i = 0
            while time.monotonic() < stop_at and i < 100_000:
                i += 1
                t = time.perf_counter()
                try:
                    if i % 10 == 0:
                        cid = rnd.choice(uploads)
                        form = http.get(f"/cases/{cid}").text
                        resp = http.post(
                            f"/cases/{cid}/actions/add_document",
                            data={
                                "csrf_token": CSRF_RE.search(form).group(1),  # type: ignore[union-attr]
                                "version": VERSION_RE.search(form).group(1),  # type: ignore[union-attr]
                                "title": f"Notat {k}-{i}",
                            },
                            files={"file": (f"notat-{k}-{i}.txt", UPLOAD, "text/plain")},
                        )
                        kind = "upload"
                    elif i % 4 == 0:
                        cid = rnd.choice(mine)
                        cur = http.get(f"/api/v1/cases/{cid}", headers=api)
                        state = cur.json().get("state")
                        trig, note = (
                            ("submit_for_legal_review", None)
                            if state == "screening"
                            else ("return_to_screening", "Se igen")
                        )
                        resp = http.post(
                            f"/api/v1/cases/{cid}/events/{trig}",
                            json={"note": note},
                            headers={**api, "If-Match": cur.headers.get("ETag", "")},
                        )
                        kind = "fire"
                    elif i % 5 == 0:
                        resp = http.get(f"/cases/{rnd.choice(big)}")
                        kind = "big"
                    else:
                        resp = http.get(f"/cases/{rnd.choice(screening + collecting)}")
                        kind = "read"
                    ms = (time.perf_counter() - t) * 1000
                    with lock:
                        out.latencies.append(ms)
                        out.by_kind.setdefault(kind, []).append(ms)
                        if resp.status_code >= 500:
                            out.errors.append(f"{kind} {resp.status_code}")
                        elif resp.status_code == 412:
                            out.counts["conflict"] += 1
                        elif resp.status_code >= 400:
                            out.errors.append(f"{kind} {resp.status_code}: {resp.text[:100]}")
                        else:
                            out.counts[kind] += 1
                except httpx.HTTPError as e:
                    with lock:
                        out.errors.append(type(e).__name__)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=seconds + 120)
    out.seconds = time.monotonic() - started
    return out


def deployed_workers() -> int:
    """The number of gunicorn workers docs/deployment.md prescribes: about 2 × CPU cores."""
    return 2 * (os.cpu_count() or 1)


def start_gunicorn(
    db: Database, workers: int = 2, extra_env: dict[str, str] | None = None, threads: int = 1
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the app on a free loopback port (its own process group); (process, base URL).

    ``threads`` > 1 runs gthread workers: each serves that many requests at once, so a request waiting on
    the database does not leave its worker idle."""
    port = free_port()
    env = {
        **os.environ,
        "AKTFLOW_DATABASE_URL": db.url,
        "AKTFLOW_SECRET_KEY": "bench-secret",
        "AKTFLOW_ARCHIVE": "local",
        "AKTFLOW_SCREENING": os.environ.get("AKTFLOW_SCREENING", "inline"),
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else []),
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "web:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/login", proc)
    except Exception:
        stop_gunicorn(proc)
        raise
    return proc, base


def stop_gunicorn(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _p(lat: list[float], q: float) -> float:
    s = sorted(lat)
    return s[min(len(s) - 1, int(len(s) * q))] if s else float("nan")


def run(db: Database, *, seconds: float = 30, clients: int = 16, goal: float = 10.0) -> list[Result]:
    screening, collecting, big, token = _seed(db, clients * 4, clients)
    # As deployed (docs/deployment.md): 2 × cores workers, screening in the background (the default;
    # `inline` is for tests and would hold the worker for the whole reading of an upload).
    workers = deployed_workers()
    proc, base = start_gunicorn(
        db, workers=workers, threads=THREADS, extra_env={"AKTFLOW_SCREENING": "background"}
    )
    try:
        cases = (screening, collecting, big)
        alone = _phase(base, token, 1, max(seconds / 3, 5), cases)
        many = _phase(base, token, clients, seconds, cases)
    finally:
        stop_gunicorn(proc)
    p50_1 = statistics.median(alone.latencies) if alone.latencies else float("nan")
    p99_n = _p(many.latencies, 0.99)
    errors = alone.errors + many.errors
    c = many.counts
    note = (
        f"{clients} clients, {seconds:g} s: {c['read']} page reads, {c['big']} reads of the 300-document case, "
        f"{c['fire']} transitions, {c['upload']} uploads, {c['conflict']} conflicts (412); p50 at {clients} "
        f"{_p(many.latencies, 0.5):.0f} ms, p99 at 1 {_p(alone.latencies, 0.99):.0f} ms; {len(errors)} errors; "
        f"gunicorn {workers} workers × {THREADS} threads, PostgreSQL, screening in the background; p50/p99 "
        f"by kind at {clients}: "
        + ", ".join(f"{k} {_p(v, 0.5):.0f}/{_p(v, 0.99):.0f} ms" for k, v in sorted(many.by_kind.items()))
        + (f" (first: {errors[0]})" if errors else "")
    )
    return [
        Result(
            "web-load",
            p99_n,
            "ms p99",
            p50_1,
            p99_n / p50_1 if p50_1 else float("inf"),
            goal,
            len(many.latencies),
            note=note,
        ),
        Result(
            "web-load-throughput",
            many.throughput,
            "requests/s",
            alone.throughput,
            alone.throughput / many.throughput if many.throughput else float("inf"),
            0.5,
            len(many.latencies),
            note=f"ratio is 1-client over {clients}-client throughput: ≤ 0.5 means at least twice as many",
        ),
        Result("web-load-errors", float(len(errors)), "errors", None, None, 0, len(many.latencies)),
    ]
