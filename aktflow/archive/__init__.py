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
from ..models import Case


class ArchivePort(Protocol):
    name: str

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str | None:
        """Create the archive case for ``case``; return its number if known now, else None (pending)."""
        ...


def get_archive(name: str = "local") -> ArchivePort:
    if name == "local":
        from .local import LocalArchive

        return LocalArchive()
    raise AktflowError(f"ukendt arkiv {name!r} (AKTFLOW_ARCHIVE): brug 'local'")
