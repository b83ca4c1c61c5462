"""The shape of the `aktflow` command: one module per command group, no SQL, every command still there."""

from __future__ import annotations

import re
import tomllib
from importlib import import_module
from pathlib import Path

import click

from aktflow.cli import cli

ROOT = Path(__file__).resolve().parent.parent.parent
CLI_DIR = ROOT / "aktflow" / "cli"

# The command tree, written out by hand (README's command list): a command lost in the split fails here.
COMMANDS = {
    "db": {"upgrade", "downgrade"},
    "users": {
        "add",
        "token",
        "tokens",
        "revoke-token",
        "set-role",
        "deactivate",
        "password",
        "unlock",
        "list",
    },
    "case": {
        "new",
        "advance",
        "show",
        "list",
        "add-document",
        "assess",
        "letters",
        "preview",
        "redact",
        "redactions",
        "package",
        "access",
    },
    "legal": {"queue"},
    "calendar": {"show", "set", "close", "open"},
    "letters": {"get", "preview", "check", "upload", "template"},
    "outbox": {"run", "list", "retry"},
    "dispatch": {"list", "channel", "retry", "posted", "print"},
    "kle": {"import", "search"},
    "admin": {"appeal-bodies"},
    "audit": {"verify", "admin-log", "new-key", "checkpoint"},
    "dashboard": {"check", "rebuild"},
    "intake": {"mail", "poll"},
    "grounds": None,
    "deadlines": None,
    "sweep": None,
    "workflow": None,
    "demo": None,
    "serve": None,
    "fake-sbsys": None,
}

# What would mean SQL, a unit of work or a commit written in the entrypoint itself.
SQL = re.compile(r"\.session\(|\.commit\(|\.execute\(|\.scalars?\(|(?<![.\w])(select|update|delete|insert)\(")


def test_every_command_and_subcommand_is_registered():
    tree = {
        name: (set(cmd.commands) if isinstance(cmd, click.Group) else None)
        for name, cmd in cli.commands.items()
    }
    assert tree == COMMANDS


def test_the_console_script_is_the_packages_main():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["aktflow"].partition(":")
    assert (module, name) == ("aktflow.cli", "main")
    assert callable(getattr(import_module(module), name))


def test_the_cli_holds_no_sql_and_commits_nothing():
    modules = sorted(CLI_DIR.glob("*.py"))
    assert {m.stem for m in modules} >= {"__init__", "base", "options", "cases", "users", "letters", "dev"}
    found = [
        f"{m.name}:{i}: {line.strip()}"
        for m in modules
        for i, line in enumerate(m.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL.search(line)
    ]
    assert found == []


def test_the_sql_pattern_would_catch_what_the_cli_used_to_do():
    # The pattern is not vacuous: the lines the command line held before the read side existed match it.
    assert not SQL.search('bar["obj"].update(done - bar["last"])')  # a progress bar is not SQL
    for line in (
        "    with _db().session() as s:",
        "        s.commit()",
        "        rows = s.scalars(select(User))",
        "        q = update(OutboxItem).where(OutboxItem.status == 'failed')",
    ):
        assert SQL.search(line), line


def test_outbox_list_offers_exactly_the_statuses_the_read_side_knows():
    # The option is spelled out in the command (no database import at start-up); it must not drift.
    from aktflow.queries.outbox import OUTBOX_STATUSES

    status = next(p for p in cli.commands["outbox"].commands["list"].params if p.name == "status")
    assert tuple(status.type.choices) == OUTBOX_STATUSES
