"""What every ``aktflow`` command shares: the error → exit code mapping, one-line messages, the database.

Exit codes: 0 done; 1 unexpected failure; 2 bad input (the field is named); 3 refused by the workflow;
4 the user's role may not do this; 5 version conflict. Messages are one line on stderr, never a traceback
(set AKTFLOW_DEBUG=1 to see one).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import traceback
from typing import TYPE_CHECKING, Any, NoReturn

import click

from aktflow.errors import AktflowError, ValidationError
from aktflow.exits import mask

if TYPE_CHECKING:
    from aktflow.db import Database

#: The service's field names that the CLI spells differently (as the option a user typed).
OPTIONS = {"actor": "--as", "item_ids": "ITEM_IDS"}


def echo(message: Any = "", *, nl: bool = True, err: bool = False) -> None:
    """Print one line (``click.echo``) through the exit filter: a CPR number is printed as ``XXXXXX-XXXX``.

    Every line the CLI prints, on stdout and on stderr, goes through here (:func:`aktflow.exits.mask`).
    """
    click.echo(mask(str(message)), nl=nl, err=err)


def fail(message: str, code: int) -> NoReturn:
    """Print ``fejl: message`` on stderr and exit with ``code``."""
    echo(f"fejl: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """Turns the service's errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as e:
            fail(f"{OPTIONS.get(e.field or '', e.field)}: {e.detail}", e.exit_code)
        except AktflowError as e:
            fail(e.message, e.exit_code)
        except click.UsageError as e:
            path = e.ctx.command_path if e.ctx else "aktflow"
            fail(f"{e.format_message()} (se '{path} --help')", 2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence for the user
            from sqlalchemy.exc import OperationalError, ProgrammingError

            if debug():
                traceback.print_exc()
            text = str(getattr(e, "orig", e)).lower()
            if isinstance(e, OperationalError | ProgrammingError) and (
                "no such table" in text or "no such column" in text or "does not exist" in text
            ):
                fail("databasen er ikke sat op eller har et ældre skema: kør 'aktflow db upgrade'", 1)
            if isinstance(e, OperationalError):
                fail("databasen svarer ikke (tjek AKTFLOW_DATABASE_URL)", 1)
            fail(f"uventet fejl ({type(e).__name__}); kør med AKTFLOW_DEBUG=1 for detaljer", 1)


def debug() -> bool:
    """AKTFLOW_DEBUG: show the traceback of an unexpected error."""
    from aktflow.config import SettingsError, load_settings

    try:
        return load_settings().debug
    except SettingsError:
        return False


def open_db() -> Database:
    """The configured database (``AKTFLOW_DATABASE_URL``), as the composition root built it at start-up.

    The root command builds the services once (:func:`aktflow.bootstrap.build`) before any command runs;
    one engine per URL and process.
    """
    from aktflow import bootstrap

    return bootstrap.current().db


def today() -> dt.date:
    """Today in Denmark by the composition root's clock (:attr:`aktflow.bootstrap.Services.clock`): the one
    source of "today" for a command's read functions."""
    from aktflow import bootstrap

    return bootstrap.current().clock.today()


def emit(obj: Any, as_json: bool, text: str | None = None) -> None:
    """Print ``obj`` as indented JSON with ``--json``, else ``text`` (JSON too when there is no text).

    Both pass the exit filter: the object is masked value by value before it is dumped (so the JSON stays
    valid), and the text line by line (:func:`echo`).
    """
    if as_json or text is None:
        echo(json.dumps(mask(obj), ensure_ascii=False, indent=2, default=str))
    else:
        echo(text)
