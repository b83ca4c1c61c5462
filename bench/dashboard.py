"""dashboard-scale: the manager dashboard's queries with 1,000,000 vs 10,000 cases, also under updates.

Seeded set-based in PostgreSQL (generate_series), 10 % of the cases open, the rest decided and closed over
the last three years, with the deadlines, events, documents and assessments the figures read. The open
cases are spread over 40 caseworkers, skewed as real teams are (the busiest has about a sixth of them).
Both databases are measured in alternation (at least three rounds, the median). Lines:

- **dashboard-scale**: the queries alone (:func:`aktflow.queries.dashboard.overview`), large over small,
  straight after the load (VACUUM ANALYZE, CHECKPOINT); goal ≤ 2. The rendered page (and its size) is
  in the note.
- **dashboard-scale-busiest**: the same with the filter on the busiest caseworker; goal ≤ 2.
- **dashboard-scale-updated**: the queries after 20 % of the open cases were changed as a transition
  changes them (state, version, chain head, updated_at), without a VACUUM since; goal ≤ 3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import text

from aktflow import figure_counts
from aktflow.db import Database
from aktflow.vocabulary import SYSTEM_ACTOR

from .common import Result, alternating, progress

CASEWORKERS = 40

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
           'Aktindsigt', '15.17.12',
           (SELECT min(id) FROM users) + floor(40 * power((g * 0.6180339887) - floor(g * 0.6180339887), 2))::int,
           now(), now(), md5(g::text) || md5(g::text)
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

    for i in range(CASEWORKERS):
        add_user(db, f"sb{i:02d}", role="caseworker", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
    add_user(db, "benchleder", role="manager", password="vinter-maaling-blaa-kop", actor=SYSTEM_ACTOR)
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


def busiest(db: Database) -> int:
    """The user id of the caseworker with the most open cases."""
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT assignee_id FROM cases WHERE state <> 'closed' GROUP BY assignee_id "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()


def update_open(db: Database, share: float = 0.2) -> int:
    """Change ``share`` of the open cases as a transition does (another open state, version, chain head,
    updated_at), without a VACUUM after; returns how many."""
    open_states = "('received','registered','collecting','screening','legal_review','drafting_decision','complaint_received')"
    step = round(1 / share)
    with db.engine.begin() as conn:
        n = conn.execute(
            text(
                f"UPDATE cases SET state = CASE WHEN state = 'screening' THEN 'legal_review' ELSE 'screening' END, "
                f"version = version + 1, last_hash = md5(last_hash), updated_at = now() "
                f"WHERE state IN {open_states} AND (id / 10) % :step = 0"
            ),
            {"step": step},
        ).rowcount
    return n


class Dashboard:
    """The dashboard of one database: its queries (optionally filtered) and its page, as a manager."""

    def __init__(self, db: Database):
        from aktflow import clock
        from web import create_app

        self.db = db
        self.today = clock.today()
        self.app = create_app(
            {"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": db.url, "WTF_CSRF_ENABLED": False}
        )
        self.client = self.app.test_client()
        r = self.client.post("/login", data={"username": "benchleder", "password": "vinter-maaling-blaa-kop"})
        assert r.status_code in (302, 303), r.status_code
        self.size = 0

    def queries(self, assignee_id: int | None = None):
        from dataclasses import replace

        from aktflow.queries import dashboard as read

        f = read.Filters.default(self.today)
        if assignee_id is not None:
            f = replace(f, assignee_id=assignee_id)

        def once() -> None:
            with self.db.session() as s:
                read.overview(s, self.today, f)

        return once

    def page(self) -> None:
        resp = self.client.get("/dashboard")
        assert resp.status_code == 200
        self.size = len(resp.get_data())

    def close(self) -> None:
        self.app.extensions["aktflow_db"].dispose()


def run(
    cluster_factory: Callable[[str], Database],
    sizes: tuple[int, int] = (10_000, 1_000_000),
    goal: float = 2.0,
    rounds: int = 15,
) -> list[Result]:
    small_n, large_n = sizes
    small_db = cluster_factory("bench_dash_small")
    seed(small_db, small_n)
    large_db = cluster_factory("bench_dash_large")
    seed(large_db, large_n)
    small, large = Dashboard(small_db), Dashboard(large_db)
    for fn in (small.queries(), large.queries(), small.page, large.page):
        fn()  # warm up
    q_small, q_large, p_small, p_large = alternating(
        (small.queries(), large.queries(), small.page, large.page), rounds
    )
    b_small, b_large = busiest(small_db), busiest(large_db)
    with large_db.engine.connect() as conn:
        share = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE assignee_id = :a)::float / count(*) FROM cases WHERE state <> 'closed'"
            ),
            {"a": b_large},
        ).scalar_one()
    bq_small, bq_large = alternating((small.queries(b_small), large.queries(b_large)), rounds)
    n_small, n_large = update_open(small_db), update_open(large_db)
    u_small, u_large = alternating((small.queries(), large.queries()), rounds)
    small.close()
    large.close()
    where = f"{small_n:,} vs {large_n:,} cases (10 % open, {CASEWORKERS} caseworkers)"
    return [
        Result(
            "dashboard-scale",
            q_large * 1000,
            "ms/queries",
            q_small * 1000,
            q_large / q_small,
            goal,
            large_n,
            note=f"{where}, after VACUUM; the page {p_small * 1000:.0f} ms vs {p_large * 1000:.0f} ms "
            f"(ratio {p_large / p_small:.2f}), {large.size / 1024:.0f} KB",
        ),
        Result(
            "dashboard-scale-busiest",
            bq_large * 1000,
            "ms/queries",
            bq_small * 1000,
            bq_large / bq_small,
            goal,
            large_n,
            note=f"{where}; filtered on the busiest caseworker ({share:.0%} of the open cases)",
        ),
        Result(
            "dashboard-scale-updated",
            u_large * 1000,
            "ms/queries",
            u_small * 1000,
            u_large / u_small,
            3.0,
            large_n,
            note=f"{where}; after {n_large:,} (large) and {n_small:,} (small) open cases changed, no VACUUM",
        ),
    ]
