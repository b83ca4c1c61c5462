"""Options and argument types that many ``aktflow`` commands share.

``--as`` (the acting user), ``--json`` (machine-readable output) and ``--expect-version`` (optimistic
locking) are spelled once here; :class:`InputFileType` is the one way a command takes a file to read
(``letters check``/``upload``, ``kle import``, ``case add-document``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from aktflow.errors import ValidationError

F = TypeVar("F", bound=Callable[..., Any])


def as_option(help: str | None = None) -> Callable[[F], F]:
    """``--as USERNAME`` (required), passed as ``actor``: who acts; the service checks their role."""
    return click.option("--as", "actor", required=True, help=help)


def viewer_option(f: F) -> F:
    """``--as USERNAME`` (optional) on a read, passed as ``actor``: answer as that user may see the case
    (aktflow.case_access: exit code 4 for a sensitive case they may not see); without it, the server's shell."""
    return click.option("--as", "actor", default=None, help="Read as this user (need-to-know)")(f)


def json_option(f: F) -> F:
    """``--json``, passed as ``as_json``: print the result as indented JSON instead of text."""
    return click.option("--json", "as_json", is_flag=True)(f)


def expect_version_option(help: str | None = None) -> Callable[[F], F]:
    """``--expect-version N``, passed as ``expect_version``: refuse (exit code 5) if the case moved on."""
    return click.option("--expect-version", type=int, default=None, help=help)


@dataclass(frozen=True)
class InputFile:
    """A file named on the command line; :meth:`read` checks it and reads it when the command needs it.

    ``field`` is the name a bad file is reported under (the option or argument the user typed);
    ``max_bytes`` an optional size limit, asked for when the file is read.
    """

    raw: str
    field: str
    max_bytes: Callable[[], int] | None = None

    def __bool__(self) -> bool:
        return bool(self.raw)  # `--file ""` names no file, as if the option were left out

    @property
    def path(self) -> Path:
        return Path(self.raw)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def stem(self) -> str:
        return self.path.stem

    def read(self) -> bytes:
        """The file's bytes. Raises ValidationError (``field``) if it is missing or over the size limit."""
        p = self.path
        if not p.is_file():
            raise ValidationError(self.field, f"filen {self.raw!r} findes ikke")
        if self.max_bytes is not None:
            limit = self.max_bytes()
            if p.stat().st_size > limit:
                raise ValidationError(self.field, f"filen er for stor (højst {limit / 1048576:.0f} MB)")
        return p.read_bytes()


class InputFileType(click.Path):
    """A file to read (not a folder), given to the command as an :class:`InputFile`.

    A folder is refused while the command line is parsed, as ``click.Path(dir_okay=False)`` does; a
    missing file is reported (exit code 2, under ``field``) when the command reads it, after its other
    options are checked.
    """

    def __init__(self, field: str, max_bytes: Callable[[], int] | None = None):
        super().__init__(dir_okay=False)
        self.field = field
        self.max_bytes = max_bytes

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, InputFile):
            return value
        raw = super().convert(value, param, ctx)
        return InputFile(str(raw), self.field, self.max_bytes)


def letter_kind(kind: str, field: str) -> str:
    """``kind`` if it names a letter (``letters.KINDS``); else ValidationError under ``field``."""
    import letters

    if kind not in letters.KINDS:
        raise ValidationError(field, f"ukendt brevtype {kind!r}: {', '.join(letters.KINDS)}")
    return kind
