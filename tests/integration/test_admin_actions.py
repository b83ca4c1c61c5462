"""Administrative use cases check the acting user themselves: adding users, API tokens, the KLE plan, the
outbox. The server's shell is trusted for `users add` and `users token` (as for `db upgrade`); everything
else needs an administrator, whichever entrypoint calls it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from aktflow import kle, tokens
from aktflow.administration import retry_outbox
from aktflow.cli import cli
from aktflow.errors import PermissionDenied, ValidationError
from aktflow.models import KleEmne, OutboxItem, User
from aktflow.outbox import enqueue
from aktflow.users import add_user, authenticate
from aktflow.vocabulary import SYSTEM_ACTOR

SMALL = (
    "<KLE-Emneplan><Hovedgruppe><HovedgruppeNr>15</HovedgruppeNr><HovedgruppeTitel>Sociale</HovedgruppeTitel>"
    "<Gruppe><GruppeNr>15.17</GruppeNr><GruppeTitel>Hjemmehjælp</GruppeTitel>"
    "<Emne><EmneNr>15.17.12</EmneNr><EmneTitel>Praktisk hjælp</EmneTitel></Emne>"
    "</Gruppe></Hovedgruppe></KLE-Emneplan>"
).encode()


def _users(db) -> set[str]:
    with db.session() as s:
        return set(s.scalars(select(User.username)))


# --- adding users -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["cw", "legal", "manager"])
def test_only_an_administrator_adds_users(db, actor):
    with pytest.raises(PermissionDenied):
        add_user(db, "nyt", actor=actor, role="admin", password="langt-nok-kodeord")
    assert "nyt" not in _users(db)


def test_an_administrator_and_the_shell_add_users(db):
    add_user(db, "nyt", actor="admin", role="caseworker", password="langt-nok-kodeord")
    add_user(db, "nyt2", actor=SYSTEM_ACTOR, role="caseworker", password="langt-nok-kodeord")
    assert authenticate(db, "nyt", "langt-nok-kodeord") and authenticate(db, "nyt2", "langt-nok-kodeord")


def test_an_unknown_actor_is_named_as_the_actor_field(db):
    with pytest.raises(ValidationError) as e:
        add_user(db, "nyt", actor="nobody", role="caseworker", password="langt-nok-kodeord")
    assert e.value.field == "actor" and "--as" not in e.value.message


def test_one_password_policy_at_creation_and_reset(db):
    with pytest.raises(ValidationError) as e:
        add_user(db, "nyt", actor="admin", role="caseworker", password="12345678901")
    assert e.value.field == "password" and e.value.detail.startswith("mindst 12 tegn")
    with pytest.raises(ValidationError) as common:
        add_user(db, "nyt", actor="admin", role="caseworker", password="Password1234")  # 12, but common
    assert "almindelige" in common.value.detail
    with pytest.raises(ValidationError) as run:
        add_user(db, "nyt", actor="admin", role="caseworker", password="123456789012")
    assert "række" in run.value.detail
    with pytest.raises(ValidationError) as own_name:
        add_user(db, "nyt.bruger.navn", actor="admin", role="caseworker", password="NYT.bruger.navn")
    assert "brugernavnet" in own_name.value.detail
    add_user(db, "nyt", actor="admin", role="caseworker", password="grøn-cykel-på-broen")
    from aktflow.users import set_password

    with pytest.raises(ValidationError) as reset:
        set_password(db, actor="admin", username="nyt", password="12345678901")
    assert reset.value.detail == e.value.detail
    with pytest.raises(ValidationError) as reset_common:
        set_password(db, actor="admin", username="nyt", password="Velkommen2026!")
    assert reset_common.value.detail == common.value.detail


def test_the_demo_password_is_an_explicit_exception(db):
    add_user(db, "demo1", actor=SYSTEM_ACTOR, role="caseworker", password="demo", demo_password=True)
    assert authenticate(db, "demo1", "demo") is not None


# --- API tokens ----------------------------------------------------------------------------------------------


def test_only_an_administrator_or_the_shell_issues_tokens(db, runner):
    with pytest.raises(PermissionDenied):
        tokens.issue_token(db, "cw", actor="cw")
    assert tokens.list_tokens(db) == []
    assert tokens.issue_token(db, "cw", actor="admin").startswith(tokens.PREFIX)
    r = runner.invoke(cli, ["users", "token", "cw", "--name", "script"])  # the trusted shell: no --as
    assert r.exit_code == 0, r.stderr
    assert tokens.user_for_token(db, r.stdout.strip()).username == "cw"


# --- the KLE plan --------------------------------------------------------------------------------------------


def test_only_an_administrator_imports_the_kle_plan(db, runner, tmp_path):
    with pytest.raises(PermissionDenied):
        kle.import_xml(db, SMALL, actor="manager")
    assert not kle.has_plan(db)
    path = tmp_path / "kle.xml"
    path.write_bytes(SMALL)
    r = runner.invoke(cli, ["kle", "import", str(path), "--as", "cw"])
    assert r.exit_code == 4 and not kle.has_plan(db)
    r = runner.invoke(cli, ["kle", "import", str(path)])
    assert r.exit_code == 2 and "--as" in r.stderr
    r = runner.invoke(cli, ["kle", "import", str(path), "--as", "admin", "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["emner"] == 1
    with db.session() as s:
        assert s.scalar(select(KleEmne.titel).where(KleEmne.nummer == "15.17.12")) == "Praktisk hjælp"


# --- the outbox ----------------------------------------------------------------------------------------------


def _failed_item(db, key: str) -> int:
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    with db.session() as s:
        item = enqueue(s, "reminder", {"case_id": 0}, key, case_id=None, now=now)
        item.status, item.attempts, item.last_error = "failed", 5, "SBSYS svarede 500"
        s.commit()
        return item.id


def _status(db, item_id: int) -> str:
    with db.session() as s:
        return s.get(OutboxItem, item_id).status


def test_outbox_retry_is_an_administrators_use_case(db, runner):
    a, b = _failed_item(db, "a"), _failed_item(db, "b")
    with pytest.raises(PermissionDenied):
        retry_outbox(db, actor="cw", all_failed=True)
    with pytest.raises(PermissionDenied):
        retry_outbox(db, actor=SYSTEM_ACTOR, all_failed=True)  # not one of the trusted shell commands
    assert (_status(db, a), _status(db, b)) == ("failed", "failed")
    with pytest.raises(ValidationError) as e:
        retry_outbox(db, actor="admin")
    assert e.value.field == "item_ids"
    assert retry_outbox(db, actor="admin", item_ids=[a]) == 1
    assert (_status(db, a), _status(db, b)) == ("pending", "failed")
    r = runner.invoke(cli, ["outbox", "retry", "--all-failed"])
    assert r.exit_code == 2 and "--as" in r.stderr and _status(db, b) == "failed"
    r = runner.invoke(cli, ["outbox", "retry", "--all-failed", "--as", "manager"])
    assert r.exit_code == 4 and _status(db, b) == "failed"
    r = runner.invoke(cli, ["outbox", "retry", "--all-failed", "--as", "admin"])
    assert r.exit_code == 0, r.stderr
    assert "1 opgaver" in r.stdout and _status(db, b) == "pending"
    listed = json.loads(runner.invoke(cli, ["outbox", "list", "--json"]).stdout)
    assert {i["id"]: i["status"] for i in listed} == {a: "pending", b: "pending"}


def test_the_log_says_who_did_it_and_names_the_system(db, runner, caplog):
    caplog.set_level("INFO", logger="aktflow")
    r = runner.invoke(cli, ["users", "add", "vera", "--role", "legal", "--password", "langt-nok-kodeord"])
    assert r.exit_code == 0, r.stderr
    tokens.issue_token(db, "vera", actor="admin")
    assert "bruger vera (legal) oprettet af systemet" in caplog.text
    assert "API-nøgle udstedt til vera af admin" in caplog.text
    assert tokens.PREFIX not in caplog.text  # never the token itself
