"""Reliability tests: a real gunicorn server on PostgreSQL, figures collected and printed at the end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from aktflow import clock
from aktflow.vocabulary import SYSTEM_ACTOR

ROOT = Path(__file__).resolve().parent.parent.parent
FIGURES: dict[str, object] = {}


def record(name: str, value: object) -> None:
    """A figure for docs/reliability.md (printed at the end of the run)."""
    FIGURES[name] = value


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for k, v in FIGURES.items():
        terminalreporter.write_line(f"{k}: {v}")
    out = ROOT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "reliability-figures.json").write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))


@pytest.fixture
def live_api(pg_db):
    """gunicorn with 4 workers serving the app on the test's PostgreSQL database; yields (base_url, tokens)."""
    from aktflow.tokens import issue_token
    from devtools.pgcluster import free_port

    tokens = {
        u: issue_token(pg_db, u, actor=SYSTEM_ACTOR) for u in ("cw", "cw2", "legal", "manager", "admin")
    }
    port = free_port()
    env = {
        **os.environ,
        "AKTFLOW_DATABASE_URL": pg_db.url,
        "AKTFLOW_SECRET_KEY": "reliability",
        "AKTFLOW_ARCHIVE": "local",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "web:create_app()",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn stopped: {proc.stderr.read().decode(errors='replace')[-800:]}")
            try:
                if httpx.get(f"{base}/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > end:
                pytest.fail("gunicorn did not answer")
            time.sleep(0.2)
        yield base, tokens
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture
def figures():
    """Record a figure: ``figures("name", value)``."""
    return record


def seed_at(db, n: int, state: str = "collecting", actor: str = "cw") -> list[int]:
    """``n`` cases taken to ``state`` with valid hash chains, written set-based (no letters, no deadlines)."""
    from sqlalchemy import insert, select

    from aktflow import audit, states
    from aktflow.events import NewEvent, append_events
    from aktflow.models import Case, User, utcnow

    path = {
        "received": [],
        "registered": ["register"],
        "collecting": ["register", "start_collecting"],
        "screening": ["register", "start_collecting", "start_screening"],
    }[state]
    now = utcnow()
    with db.session() as s:
        assignee = s.scalar(select(User.id).where(User.username == actor))
        first = (s.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
    cases, new = [], []
    for cid in range(first, first + n):
        chain = [("create", None, "received")]
        for t in path:
            chain.append((t, chain[-1][2], states.target(t, chain[-1][2])))
        new.extend(NewEvent(cid, trig, frm, to, actor, now) for trig, frm, to in chain)
        cases.append(
            {
                "id": cid,
                "state": chain[-1][2],
                "version": 0,
                "requester_name": f"Borger {cid}",
                "basis": "ofl",
                "received": dt_today(),
                "subject": "Belastningstest",
                "emne": "15.17.12",
                "assignee_id": assignee,
                "created_at": now,
                "updated_at": now,
                "last_hash": audit.GENESIS,
            }
        )
    with db.session() as s:
        s.execute(insert(Case.__table__), cases)
        append_events(s, new)
        s.commit()
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('cases', 'id'), (SELECT max(id) FROM cases))"
            )
    return list(range(first, first + n))


def dt_today():
    import datetime as dt

    return clock.today() - dt.timedelta(days=1)


@pytest.fixture
def seed():
    return seed_at
