"""The archive port: where the A53 case is created and letters and release packages are journalised.

Adapters: ``local`` (:mod:`.local`, the embedded default, in aktflow's own database) and ``sbsys``
(:mod:`.sbsys`, the SBSYS Web API). Which one runs is a setting (``AKTFLOW_ARCHIVE``); the adapter is built
once by :mod:`aktflow.bootstrap`, not here. The service calls the port inside the unit of work; an adapter
that talks to another system only writes outbox rows there and does its work after commit, through the
handlers it offers in :meth:`ArchivePort.outbox_handlers`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.orm import Session

from ..models import Case, Letter, ReleasePackage
from ..outbox import Handler as OutboxHandler  # handler(db, item) -> result; raises DeliveryError, NotReady

__all__ = ["ArchivePort", "OutboxHandler"]


class ArchivePort(Protocol):
    name: str
    defer_letters: bool
    """True when the archive numbers cases later (after commit): a letter for a case without its number
    waits in the outbox and is rendered once the number has arrived (a kvittering must carry it)."""

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str | None:
        """Create the archive case for ``case``; return its number if known now, else None (pending)."""
        ...

    def journalise(self, session: Session, case: Case, letter: Letter, *, now: dt.datetime) -> None:
        """Journalise a stored letter on the case's archive case (now, or through the outbox)."""
        ...

    def journalise_package(self, session: Session, package: ReleasePackage, *, now: dt.datetime) -> None:
        """Journalise a made release package (its PDF, and its .zip) on the case's archive case."""
        ...

    def case_closed(self, session: Session, case: Case, *, now: dt.datetime) -> None:
        """The case was closed: set the archive case's status."""
        ...

    def outbox_handlers(self) -> Mapping[str, OutboxHandler]:
        """The work this adapter does after commit, by outbox kind (empty when it does all of it at once)."""
        ...

    def close(self) -> None:
        """Release what the adapter holds (connections); it may be used again afterwards."""
        ...
