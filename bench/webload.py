"""web-load: gunicorn with 2 workers on PostgreSQL; concurrent clients read case pages and fire transitions.

Loopback only, bounded in time and count. Each client logs in through the login form and reads case pages
(HTML); every fourth request it fires a transition on one of its own cases through the JSON API with
If-Match. A 412 (someone else moved the case first) is an expected answer; an error is a 5xx or a failed
connection. Reports p99 against p50 latency (the ratio) and the error count.
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

import httpx

from aktflow.db import Database
from aktflow.service import create_case, fire
from aktflow.tokens import issue_token
from aktflow.users import add_user
from aktflow.vocabulary import SYSTEM_ACTOR
from devtools.pgcluster import free_port

from .common import Result


def _seed(db: Database, n_cases: int) -> tuple[list[int], str]:
    add_user(db, "load", role="admin", password="load-pass", name="Load Test", actor=SYSTEM_ACTOR)
    received = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    ids = []
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
        for t in ("register", "start_collecting", "start_screening"):
            fire(db, c.id, t, actor="load")
        ids.append(c.id)
    return ids, issue_token(db, "load", name="webload", actor=SYSTEM_ACTOR)


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


def run(db: Database, *, seconds: float = 30, clients: int = 16, goal: float = 10.0) -> list[Result] | Result:
    case_ids, token = _seed(db, clients * 4)
    port = free_port()
    env = {
        **os.environ,
        "AKTFLOW_DATABASE_URL": db.url,
        "AKTFLOW_SECRET_KEY": "bench-secret",
        "AKTFLOW_ARCHIVE": "local",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
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
    latencies: list[float] = []
    errors: list[str] = []
    counts = {"read": 0, "fire": 0, "conflict": 0}
    lock = threading.Lock()
    try:
        _wait(f"{base}/login", proc)
        stop_at = time.monotonic() + seconds

        def client(k: int) -> None:
            mine = case_ids[k * 4 : (k + 1) * 4]
            rnd = random.Random(k)
            with httpx.Client(base_url=base, timeout=10) as http:
                page = http.get("/login").text
                csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
                r = http.post(
                    "/login",
                    data={
                        "username": "load",
                        "password": "load-pass",
                        "csrf_token": csrf.group(1) if csrf else "",
                    },
                )
                if r.status_code >= 400:
                    with lock:
                        errors.append(f"login {r.status_code}")
                    return
                api = {"Authorization": f"Bearer {token}"}
                i = 0
                while time.monotonic() < stop_at and i < 100_000:
                    i += 1
                    t = time.perf_counter()
                    try:
                        if i % 4:
                            resp = http.get(f"/cases/{rnd.choice(case_ids)}")
                            kind = "read"
                        else:
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
                        dt_ms = (time.perf_counter() - t) * 1000
                        with lock:
                            latencies.append(dt_ms)
                            if resp.status_code >= 500:
                                errors.append(f"{kind} {resp.status_code}")
                            elif resp.status_code == 412:
                                counts["conflict"] += 1
                            elif resp.status_code >= 400:
                                errors.append(f"{kind} {resp.status_code}: {resp.text[:100]}")
                            else:
                                counts[kind] += 1
                    except httpx.HTTPError as e:
                        with lock:
                            errors.append(f"{type(e).__name__}")

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=seconds + 60)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    lat = sorted(latencies)
    p50 = statistics.median(lat) if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else float("nan")
    note = (
        f"{clients} clients, {seconds:g} s: {counts['read']} page reads, {counts['fire']} transitions, "
        f"{counts['conflict']} conflicts (412), {len(errors)} errors"
        + (f" (first: {errors[0]})" if errors else "")
    )
    return [
        Result("web-load", p99, "ms p99", p50, p99 / p50 if p50 else float("inf"), goal, len(lat), note=note),
        Result("web-load-errors", float(len(errors)), "errors", None, None, 0, len(lat)),
    ]
