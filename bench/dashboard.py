"""dashboard-scale: the manager dashboard (its queries and the rendered page) with 1,000,000 vs 10,000 cases.

Seeded set-based in PostgreSQL (generate_series), 10 % of the cases open, the rest decided and closed over
the last three years, with the deadlines, events, documents and assessments the figures read. The value is
the dashboard's time at the large size, the baseline its time at the small size; goal: ratio ≤ 2.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from sqlalchemy import text

from aktflow import figure_counts
from aktflow.db import Database
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, progress

SEED_SQL = [
    # cases: 10 % open (spread over the open states), 90 % closed; received over ~3 years
    """
    INSERT INTO cases (id, state, version, requester_name, basis, received, subject, emne, assignee_id,
                       created_at, updated_at, last_hash)
    SELECT g,
           CASE WHEN g % 10 = 0 THEN (ARRAY['received','registered','collecting','screening','legal_review',
                                            'drafting_decision','complaint_received'])[1 + (g / 10) % 7]
                ELSE 'closed' END,
           2, 'Borger ' || g, (ARRAY['ofl','ofl','ofl','fvl','mol','gdpr'])[1 + g % 6],
           CASE WHEN g % 10 = 0 THEN CAST(:today AS date) - (g % 14) ELSE CAST(:today AS date) - 30 - (g % 1050) END,
           'Aktindsigt', '15.17.12', (SELECT min(id) FROM users) + g % 3, now(), now(), md5(g::text) || md5(g::text)
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) g
    """,
    """
    INSERT INTO events (case_id, seq, at, actor, trigger, from_state, to_state, note, data, prev_hash, hash)
    SELECT g, 1, now(), 'seed', 'create', NULL, 'received', NULL, '{}', repeat('0', 64), md5(g::text) || md5(g::text)
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) g
    """,
    """
    INSERT INTO events (case_id, seq, at, actor, trigger, from_state, to_state, note, data, prev_hash, hash)
    SELECT g, 2, (CAST(:today AS date) - 30 - (g % 1050) + 6)::timestamp,
           'seed', (ARRAY['receive_complaint','uphold_and_forward','appeal_decided'])[1 + g % 3],
           'decided', 'closed', NULL, '{}', repeat('0', 64), md5(g::text)
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) g WHERE g % 10 <> 0 AND g % 50 = 1
    """,
    # deadlines: decision, notice, outer; closed cases decided (done) mostly in time
    """
    INSERT INTO case_deadlines (case_id, rule, start, due, count, unit, calendar_version, explanation, active,
                                done_on, created_at)
    SELECT c.id, r.rule, c.received, c.received + r.days, r.n, 'working_days', 'seed', 'seed', true,
           CASE WHEN c.state = 'closed' THEN c.received + (c.id % 12) END, now()
    FROM cases c
    CROSS JOIN (VALUES ('ofl-decision', 9, 7), ('ofl-notice', 9, 7), ('ofl-outer', 56, 40)) AS r(rule, days, n)
    WHERE c.id BETWEEN CAST(:lo AS integer) AND CAST(:hi AS integer)
    """,
    """
    INSERT INTO documents (id, case_id, title, created_at)
    SELECT g, g, 'Dokument ' || g, now() FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) g WHERE g % 10 = 3
    """,
    """
    INSERT INTO assessments (document_id, outcome, grounds, extracted, assessed_by, assessed_at)
    SELECT g, (ARRAY['grant','partial','refuse'])[1 + g % 3],
           CASE WHEN g % 3 = 0 THEN '[]'::json ELSE (ARRAY['["ofl-30-1"]','["ofl-23"]','["ofl-30-2","ofl-35"]'])[1 + g % 3]::json END,
           false, 'seed', (CAST(:today AS date) - 30 - (g % 1050) + 5)::timestamp
    FROM generate_series(CAST(:lo AS integer), CAST(:hi AS integer)) g WHERE g % 10 = 3
    """,
]


def seed(db: Database, n: int, chunk: int = 100_000) -> None:
    from aktflow.users import add_user

    for i in range(3):
        add_user(db, f"sb{i}", role="caseworker", password="bench-pass", actor=SYSTEM_ACTOR)
    add_user(db, "benchleder", role="manager", password="bench-pass", actor=SYSTEM_ACTOR)
    today = dt.date.today()
    done = 0
    while done < n:
        lo, hi = done + 1, min(done + chunk, n)
        with db.engine.begin() as conn:
            for sql in SEED_SQL:
                conn.execute(text(sql), {"lo": lo, "hi": hi, "today": today})
        done = hi
        progress(f"seeding {n:,} cases", done, n)
    with db.engine.begin() as conn:
        for t in ("cases", "documents"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT max(id) FROM {t}))"
            )
    # The daily figure totals, as an installation upgrading to them computes them (the cases' earliest due
    # dates were kept by the database's triggers while seeding).
    with db.session() as s:
        rows = figure_counts.rebuild(s)
        s.commit()
    progress(f"figure totals ({rows:,} rows)", 1, 1)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        # Write the bulk load out now, so the measurement is of the dashboard, not of a checkpoint that
        # the load left behind (the bench's cluster runs with fsync on).
        conn.exec_driver_sql("CHECKPOINT")


def measure(db: Database, repeat: int = 15) -> tuple[float, float]:
    """Median seconds for the dashboard's queries and for the whole rendered page (as a manager)."""
    from aktflow import clock
    from aktflow.queries import dashboard as read
    from web import create_app

    today = clock.today()
    f = read.Filters.default(today)

    def queries() -> None:
        with db.session() as s:
            read.overview(s, today, f)

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": db.url, "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    r = client.post("/login", data={"username": "benchleder", "password": "bench"})
    assert r.status_code in (302, 303), r.status_code

    def page() -> None:
        resp = client.get("/dashboard")
        assert resp.status_code == 200

    def median(fn: Callable[[], None]) -> float:
        fn()
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    out = median(queries), median(page)
    app.extensions["aktflow_db"].dispose()
    return out


def run(
    cluster_factory: Callable[[str], Database],
    sizes: tuple[int, int] = (10_000, 1_000_000),
    goal: float = 2.0,
) -> Result:
    small_n, large_n = sizes
    small = cluster_factory("bench_dash_small")
    seed(small, small_n)
    q_small, p_small = measure(small)
    large = cluster_factory("bench_dash_large")
    seed(large, large_n)
    q_large, p_large = measure(large)
    return Result(
        "dashboard-scale",
        p_large * 1000,
        "ms/page",
        p_small * 1000,
        p_large / p_small,
        goal,
        large_n,
        note=f"page at {small_n:,} vs {large_n:,} cases; queries alone {q_small * 1000:.0f} ms vs "
        f"{q_large * 1000:.0f} ms (ratio {q_large / q_small:.2f})",
    )
