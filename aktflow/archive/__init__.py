"""The archive port: where the A53 case is created and letters are journalised.

Adapters: ``local`` (the embedded default, in aktflow's own database) and, configured with
``AKTFLOW_ARCHIVE=sbsys``, the SBSYS Web API. The service calls the port inside the unit of work; an adapter
that talks to another system must only write outbox rows there and do its work after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy.orm import Session

from ..errors import AktflowError
from ..models import Case, Letter


class ArchivePort(Protocol):
    name: str

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str | None:
        """Create the archive case for ``case``; return its number if known now, else None (pending)."""
        ...

    def journalise(self, session: Session, case: Case, letter: Letter, *, now: dt.datetime) -> None:
        """Journalise a stored letter on the case's archive case (now, or through the outbox)."""
        ...

    def case_closed(self, session: Session, case: Case, *, now: dt.datetime) -> None:
        """The case was closed: set the archive case's status."""
        ...


def get_archive(name: str = "local") -> ArchivePort:
    if name == "local":
        from .local import LocalArchive

        return LocalArchive()
    if name == "sbsys":
        from .sbsys import SbsysArchive

        return SbsysArchive()
    raise AktflowError(f"ukendt arkiv {name!r} (AKTFLOW_ARCHIVE): brug 'local' eller 'sbsys'")
