"""The read side the command line asks (aktflow.queries), the read-model rebuild, and files on the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import delete, select

from aktflow import figure_counts
from aktflow.cli import cli
from aktflow.errors import NotFound, ValidationError
from aktflow.models import FigureCount, OutboxItem, User, utcnow
from aktflow.queries import calendar, cases, integrity, letters, outbox, users
from aktflow.service import fire

CPR = "010190-1234"


def test_user_list_is_every_user_by_username_active_or_not(db):
    with db.session() as s:
        s.scalar(select(User).where(User.username == "cw2")).active = False
        s.commit()
    rows = users.user_list(db)
    assert [r["username"] for r in rows] == ["admin", "cw", "cw2", "legal", "manager"]
    assert {r["username"]: r["active"] for r in rows}["cw2"] is False
    assert set(rows[0]) == {"username", "role", "name", "active"}


def _outbox(db, *statuses: str) -> None:
    with db.session() as s:
        for i, status in enumerate(statuses):
            s.add(
                OutboxItem(kind="k", payload={}, idempotency_key=f"key-{i}", status=status, last_error=None)
            )
        s.commit()


def test_outbox_items_are_newest_first_filtered_by_a_known_status(db):
    _outbox(db, "done", "failed", "pending", "failed")
    rows = outbox.outbox_items(db)
    assert [r["status"] for r in rows] == ["failed", "pending", "failed", "done"]
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert [r["status"] for r in outbox.outbox_items(db, "failed")] == ["failed", "failed"]
    assert len(outbox.outbox_items(db, limit=2)) == 2
    with pytest.raises(ValidationError) as e:
        outbox.outbox_items(db, "lost")
    assert e.value.field == "status"


def test_case_list_masks_cpr_numbers_and_filters_by_state(db, new_case):
    first = new_case(requester=f"Mette Hansen {CPR}")
    second = new_case(subject=f"Sagen om {CPR}")
    fire(db, second.id, "register", actor="cw")
    rows = cases.list_cases(db)
    assert [r["id"] for r in rows] == [second.id, first.id]
    assert CPR not in json.dumps(rows) and "XXXXXX-XXXX" in rows[1]["requester"]
    assert [r["id"] for r in cases.list_cases(db, state="registered")] == [second.id]
    assert cases.list_cases(db, state="no-such-state") == []


def test_case_letters_and_letter_content_read_what_was_stored(db, new_case):
    case = new_case()
    assert cases.case_letters(db, case.id) == []
    fire(db, case.id, "register", actor="cw")
    (row,) = cases.case_letters(db, case.id)
    assert row["kind"] == "kvittering"
    assert hashlib.sha256(letters.letter_content(db, row["id"])).hexdigest() == row["sha256"]
    with pytest.raises(NotFound):
        cases.case_letters(db, 999999)
    with pytest.raises(NotFound, match="brev 999999 findes ikke"):
        letters.letter_content(db, 999999)


def test_letter_preview_renders_without_storing(db, new_case):
    case = new_case()
    content = letters.letter_preview(db, case.id, "kvittering", {}, today=dt.date(2026, 11, 30))
    assert content[:2] == b"PK"  # a .docx (zip)
    assert cases.case_letters(db, case.id) == []


def test_calendar_year_lists_the_weekday_holidays_of_the_year(db):
    out = calendar.calendar_year(db, 2026)
    assert out["year"] == 2026 and {"version", "settings"} <= set(out)
    days = [d["date"] for d in out["non_working"]]
    assert "2026-12-25" in days and "2026-04-03" in days  # juledag, langfredag (weekdays in 2026)
    assert all(dt.date.fromisoformat(d).weekday() < 5 for d in days) and days == sorted(days)


def test_rebuild_read_model_commits_the_repair_and_reports_its_steps(db, new_case):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    with db.session() as s:
        s.add(FigureCount(figure="ground", day=utcnow().date(), key="bogus", assignee_id=0, basis="ofl", n=3))
        s.commit()
    assert integrity.read_model_problems(db) != []
    steps: list[str] = []
    rows, fixed = figure_counts.rebuild_read_model(db, on_step=steps.append)
    assert steps == ["figures", "due"] and fixed == 0
    assert integrity.read_model_problems(db) == []  # committed: a new session sees the repair
    with db.session() as s:
        assert s.scalar(select(FigureCount).where(FigureCount.key == "bogus")) is None
        s.execute(delete(FigureCount))
        s.commit()


def test_verify_log_checks_every_case(db, new_case):
    new_case()
    new_case()
    n, problems = integrity.verify_log(db)
    assert (n, problems) == (2, [])


# --- files named on the command line ------------------------------------------------------------------------


def test_a_missing_file_is_named_under_the_argument_the_user_typed(db, runner, tmp_path):
    missing = str(tmp_path / "nope.docx")
    for args, field in (
        (["letters", "check", missing], "TEMPLATE"),
        (["letters", "upload", "kvittering", missing, "--as", "admin"], "TEMPLATE"),
        (["kle", "import", missing, "--as", "admin"], "FILE"),
    ):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2, (args, r.output)
        assert r.stderr.strip() == f"fejl: {field}: filen {missing!r} findes ikke"


def test_a_missing_file_is_reported_after_a_missing_option(db, runner, tmp_path):
    # As before the split: click's own checks of the command line come first, the file is read last.
    r = runner.invoke(cli, ["letters", "upload", "kvittering", str(tmp_path / "nope.docx")])
    assert r.exit_code == 2 and "--as" in r.stderr and "findes ikke" not in r.stderr


def test_a_folder_is_not_a_file(db, runner, tmp_path):
    r = runner.invoke(cli, ["letters", "check", str(tmp_path)])
    assert r.exit_code == 2 and "is a directory" in r.stderr and "Traceback" not in r.output


def test_add_document_refuses_a_file_over_the_upload_limit(db, runner, new_case, tmp_path, monkeypatch):
    case = new_case()
    fire(db, case.id, "register", actor="cw")
    fire(db, case.id, "start_collecting", actor="cw")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setenv("AKTFLOW_MAX_UPLOAD", "1024")
    args = ["case", "add-document", str(case.id), "--title", "Notat", "--as", "cw", "--json"]
    r = runner.invoke(cli, [*args, "--file", str(big)])
    assert r.exit_code == 2 and r.stderr.startswith("fejl: --file: filen er for stor"), r.output
    r = runner.invoke(cli, [*args, "--file", ""])  # an empty --file names no file, as before
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["title"] == "Notat"


def test_calendar_commands_change_the_working_days_and_recompute_deadlines(db, runner, new_case):
    new_case()
    day = dt.date(2026, 12, 28)  # a Monday
    r = runner.invoke(cli, ["calendar", "close", day.isoformat(), "--as", "admin", "--json"])
    assert r.exit_code == 0, r.output
    changed = json.loads(r.stdout)
    # a closure moves no statutory deadline: none is even checked for recounting
    assert changed["changed"] is True and changed["deadlines_moved"] == 0
    shown = json.loads(runner.invoke(cli, ["calendar", "show", "--year", "2026", "--json"]).stdout)
    assert day.isoformat() in [d["date"] for d in shown["non_working"]]
    text = runner.invoke(cli, ["calendar", "show", "--year", "2026"]).stdout
    assert text.startswith(f"Kalenderversion {shown['version']}\n") and "  28.12.2026 " in text
    r = runner.invoke(cli, ["calendar", "close", day.isoformat(), "--as", "admin"])
    assert r.exit_code == 0 and r.stdout.strip() == "kalenderen er uændret"
    r = runner.invoke(cli, ["calendar", "open", day.isoformat(), "--as", "admin", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["changed"] is True
    shown = json.loads(runner.invoke(cli, ["calendar", "show", "--year", "2026", "--json"]).stdout)
    assert day.isoformat() not in [d["date"] for d in shown["non_working"]]
    r = runner.invoke(cli, ["calendar", "set", "--as", "admin"])
    assert r.exit_code == 2 and "angiv mindst én dag" in r.stderr
