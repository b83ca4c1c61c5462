"""`aktflow demo --reset` (`make reset-demo`): the embedded demo database afresh, never another database."""

from __future__ import annotations

import json

import pytest

from aktflow import bootstrap
from aktflow.demo import embedded_database_file
from aktflow.errors import ValidationError


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.delenv("AKTFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("AKTFLOW_MIGRATION_DATABASE_URL", raising=False)
    monkeypatch.setenv("AKTFLOW_INSTANCE", str(tmp_path))
    bootstrap.reset()
    yield tmp_path
    bootstrap.reset()


def cases(runner, cli) -> list[int]:
    out = runner.invoke(cli, ["case", "list", "--json"])
    assert out.exit_code == 0, out.output
    return [c["id"] for c in json.loads(out.stdout)]


def test_reset_demo_starts_afresh_on_the_embedded_database(runner, embedded):
    from aktflow.cli import cli

    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    first = cases(runner, cli)
    assert first
    bootstrap.reset()
    out = runner.invoke(
        cli,
        [
            "case",
            "new",
            "--requester",
            "Ekstra",
            "--received",
            "2026-11-02",
            "--basis",
            "ofl",
            "--subject",
            "Ekstra sag",
            "--emne",
            "02.34.02",
            "--as",
            "sagsbehandler",
        ],
    )
    assert out.exit_code == 0, out.output
    assert len(cases(runner, cli)) == len(first) + 1
    bootstrap.reset()
    out = runner.invoke(cli, ["demo", "--reset"])
    assert out.exit_code == 0, out.output
    assert "nulstillet" in out.output and (embedded / "aktflow.db").exists()
    bootstrap.reset()
    assert cases(runner, cli) == first  # the demo's cases only, numbered from the start again


def test_reset_refuses_any_other_database(runner, monkeypatch, tmp_path):
    from aktflow.cli import cli

    monkeypatch.setenv("AKTFLOW_DATABASE_URL", "postgresql+psycopg://aktflow@localhost/aktflow")
    bootstrap.reset()
    out = runner.invoke(cli, ["demo", "--reset"])
    assert out.exit_code == 2 and "kun den indbyggede SQLite-database" in out.output
    bootstrap.reset()
    with pytest.raises(ValidationError):
        embedded_database_file("sqlite:///:memory:")
    assert embedded_database_file(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
