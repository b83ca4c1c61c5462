"""User administration from the command line."""

from __future__ import annotations

from aktflow.cli import cli
from aktflow.users import authenticate


def test_set_role_deactivate_password(runner, db):
    r = runner.invoke(cli, ["users", "set-role", "cw2", "manager", "--as", "admin"])
    assert r.exit_code == 0, r.stderr
    assert authenticate(db, "cw2", "test-pass").role == "manager"
    r = runner.invoke(cli, ["users", "set-role", "cw2", "boss", "--as", "admin"])
    assert r.exit_code == 2 and "role" in r.stderr
    r = runner.invoke(cli, ["users", "password", "cw2", "--password", "nyt-kodeord-1", "--as", "admin"])
    assert r.exit_code == 0, r.stderr
    assert (
        authenticate(db, "cw2", "nyt-kodeord-1") is not None and authenticate(db, "cw2", "test-pass") is None
    )
    r = runner.invoke(cli, ["users", "deactivate", "cw2", "--as", "cw"])
    assert r.exit_code == 4
    r = runner.invoke(cli, ["users", "deactivate", "cw2", "--as", "admin"])
    assert r.exit_code == 0 and authenticate(db, "cw2", "nyt-kodeord-1") is None
