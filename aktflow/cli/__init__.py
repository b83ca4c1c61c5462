"""The ``aktflow`` command: one module per command group, each calling the application.

Exit codes: 0 done; 1 unexpected failure; 2 bad input (the field is named); 3 refused by the workflow;
4 the user's role may not do this; 5 version conflict. Messages are one line on stderr, never a traceback
(set AKTFLOW_DEBUG=1 to see one). The mapping lives in :mod:`aktflow.cli.base`; the options many commands
share (``--as``, ``--json``, ``--expect-version``, files to read) in :mod:`aktflow.cli.options`.

The commands hold no SQL and commit nothing: they parse the command line, call the application (its use
cases, and the read side in :mod:`aktflow.queries`) and print.

====================  ==============================================================================
module                commands
====================  ==============================================================================
``db``                ``db upgrade``, ``db downgrade``
``users``             ``users add|token|tokens|revoke-token|set-role|deactivate|password|unlock|list``
``cases``             ``case new|advance|show|list|add-document|assess|letters|package`` (``release``)
``redactions``        ``case redact|redactions``
``legal``             ``legal queue``, ``grounds``
``deadlines``         ``deadlines``, ``sweep``
``calendar``          ``calendar show|set|close|open``
``letters``           ``letters get|preview|check|upload|template``
``outbox``            ``outbox run|list|retry``
``dispatch``          ``dispatch list|channel|retry|posted|print`` (letters out)
``kle``               ``kle import|search``
``admin``             ``admin appeal-bodies list|set|remove``
``audit``             ``audit verify``
``dashboard``         ``dashboard check|rebuild``
``intake``            ``intake mail``, ``intake poll [--once|--status]``
``dev``               ``workflow``, ``demo``, ``serve``, ``fake-sbsys``
====================  ==============================================================================
"""

from __future__ import annotations

import sys

import click

from . import admin, audit, calendar, cases, dashboard, db, deadlines, dev, kle, legal, letters, outbox, users
from . import dispatch as _dispatch
from . import intake as _intake
from . import redactions as _redactions  # noqa: F401 - adds `case redact` and `case redactions`
from .base import Group, echo, fail


@click.group(cls=Group)
@click.version_option(package_name="aktflow")
def cli() -> None:
    """aktflow: aktindsigt case handling for Danish municipalities."""
    from aktflow import bootstrap
    from aktflow.config import SettingsError, load_settings
    from aktflow.exits import install_log_filter

    install_log_filter()  # no CPR number in any log line of the command (or of `aktflow serve`)

    try:  # the settings are checked before any command runs: one line per bad value, exit code 2
        settings = load_settings()
    except SettingsError as e:
        for line in e.problems:
            echo(f"fejl: {line}", err=True)
        sys.exit(2)
    bootstrap.install(bootstrap.build(settings))


for _command in (
    db.db,
    users.users,
    cases.case,
    legal.grounds_cmd,
    legal.legal,
    deadlines.deadlines,
    deadlines.sweep,
    calendar.calendar,
    letters.letters,
    outbox.outbox,
    _dispatch.dispatch,
    dev.fake_sbsys,
    kle.kle,
    admin.admin,
    audit.audit,
    dashboard.dashboard,
    _intake.intake,
    dev.workflow,
    dev.demo,
    dev.serve,
):
    cli.add_command(_command)


def main() -> None:
    """The console script ``aktflow``: runs :data:`cli` and turns click's own errors into one line."""
    try:
        rv = cli.main(prog_name="aktflow", standalone_mode=False)
    except click.UsageError as e:
        fail(f"{e.format_message()} (se 'aktflow --help')", 2)
    except click.Abort:
        fail("afbrudt", 1)
    except click.ClickException as e:
        fail(e.format_message(), e.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
