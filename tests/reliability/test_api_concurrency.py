"""Concurrency through the JSON API, served by gunicorn (4 workers) on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
from sqlalchemy import func, select

from aktflow import audit
from aktflow.models import Event

ROUNDS = 20
RACERS = 32
CYCLE = [
    ("start_screening", "cw", None),
    ("submit_for_legal_review", "cw", None),
    ("return_to_screening", "legal", "Se på § 30 igen"),
    ("submit_for_legal_review", "cw", None),
    ("return_to_screening", "legal", "Og en gang til"),
]


def _race(base: str, token: str, case_id: int, trigger: str, note, version: int) -> Counter:
    barrier = threading.Barrier(RACERS)
    results: list[int] = []
    lock = threading.Lock()

    def racer() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            http.get("/api/v1/openapi.json")  # open the connection before the start
            barrier.wait()
            r = http.post(
                f"/api/v1/cases/{case_id}/events/{trigger}",
                json={"note": note},
                headers={"Authorization": f"Bearer {token}", "If-Match": f'"{version}"'},
            )
            with lock:
                results.append(r.status_code)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(results)


def test_32_racers_same_version_exactly_one_wins_20_times(pg_db, live_api, seed, figures):
    base, tokens = live_api
    (case_id,) = seed(pg_db, 1, "collecting")
    version = 3
    tallies = []
    for i in range(ROUNDS):
        trigger, actor, note = CYCLE[0] if i == 0 else CYCLE[1 + (i - 1) % 4]
        with pg_db.session() as s:
            before = s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
        tally = _race(base, tokens[actor], case_id, trigger, note, version)
        with pg_db.session() as s:
            after = s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
        assert tally == Counter({200: 1, 412: RACERS - 1}), (i, trigger, tally)
        assert after == before + 1
        tallies.append(tally)
        version += 1
    with pg_db.session() as s:
        n, problems = audit.verify(s)
    assert problems == []
    figures(
        "api race (32 requests, same If-Match, 20 rounds)",
        f"{sum(t[200] for t in tallies)} × 200, {sum(t[412] for t in tallies)} × 412, "
        f"{sum(t.get(500, 0) for t in tallies)} × 5xx; one event per round",
    )


def test_8_workers_advance_1000_cases_at_once(pg_db, live_api, seed, figures):
    base, tokens = live_api
    ids = seed(pg_db, 1000, "collecting")
    steps = [("start_screening", "cw", None), ("submit_for_legal_review", "cw", None)]
    errors: list[str] = []
    done = Counter()
    lock = threading.Lock()
    started = time.monotonic()

    def worker(k: int) -> None:
        mine = ids[k::8]
        with httpx.Client(base_url=base, timeout=60) as http:
            for cid in mine:
                version = 3
                for trigger, actor, note in steps:
                    r = http.post(
                        f"/api/v1/cases/{cid}/events/{trigger}",
                        json={"note": note},
                        headers={"Authorization": f"Bearer {tokens[actor]}", "If-Match": f'"{version}"'},
                    )
                    with lock:
                        if r.status_code != 200:
                            errors.append(f"{cid} {trigger} {r.status_code} {r.text[:120]}")
                        else:
                            done[trigger] += 1
                    version += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert errors == []
    with pg_db.session() as s:
        n, problems = audit.verify(s)
        counts = dict(s.execute(select(Event.trigger, func.count()).group_by(Event.trigger)).all())
    assert problems == [] and n == 1000
    for trigger, _, _ in steps:
        assert counts[trigger] == 1000
    figures(
        "8 workers × 1000 cases × 2 transitions via the API",
        f"{sum(done.values())} transitions in {elapsed:.1f} s, 0 errors, audit verify: 1000 cases consistent",
    )
