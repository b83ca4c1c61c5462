"""The embedded archive: numbers cases like SBSYS, ``<emne>-<facet>-<running number>-<yy>``."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..clock import local_date
from ..errors import ConflictError
from ..exits import mask
from ..models import Case, Letter, LocalArchiveCase, ReleasePackage


def format_number(emne: str, facet: str, number: int, year: int) -> str:
    return f"{emne}-{facet}-{number}-{year % 100:02d}"


class LocalArchive:
    """The embedded archive: cases and letters stay in aktflow's own database, numbered at once."""

    name = "local"
    defer_letters = False

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str:
        year = local_date(now).year  # the year in Denmark: 00:30 on 1 January is the new year
        if session.get_bind().dialect.name == "postgresql":
            # One numbering at a time per emne, facet and year (released at commit): no lockstep retries
            # when several workers register cases under the same emne at once.
            key = (
                int.from_bytes(hashlib.sha256(f"{case.emne}|{facet}|{year}".encode()).digest()[:8], "big")
                >> 1
            )
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        for _ in range(10):
            last = session.scalar(
                select(func.max(LocalArchiveCase.number)).where(
                    LocalArchiveCase.emne == case.emne,
                    LocalArchiveCase.facet == facet,
                    LocalArchiveCase.year == year,
                )
            )
            number = (last or 0) + 1
            sagsnummer = format_number(case.emne, facet, number, year)
            try:
                with session.begin_nested():
                    session.add(
                        LocalArchiveCase(
                            emne=case.emne,
                            facet=facet,
                            year=year,
                            number=number,
                            sagsnummer=sagsnummer,
                            title=mask(case.subject)[:500],  # the exit filter: no CPR number in a title
                            case_id=case.id,
                            created_at=now,
                        )
                    )
            except IntegrityError:
                continue  # another registration took this number at the same moment: take the next
            return sagsnummer
        raise ConflictError("kunne ikke tildele et sagsnummer; prøv igen")

    def journalise(self, session: Session, case: Case, letter: Letter, *, now: dt.datetime) -> None:
        """The embedded archive keeps the letter in aktflow's own database: journalised at once."""
        letter.archive_status = "journalised"
        letter.archive_doc_id = f"local-{letter.id}"

    def journalise_package(self, session: Session, package: ReleasePackage, *, now: dt.datetime) -> None:
        """The embedded archive keeps the release package in aktflow's own database: journalised at once."""
        package.archive_status = "journalised"
        package.archive_doc_id = f"local-pakke-{package.id}"

    def case_closed(self, session: Session, case: Case, *, now: dt.datetime) -> None:
        return None

    def outbox_handlers(self) -> dict:
        """Nothing to do after commit: everything is done inside the unit of work."""
        return {}

    def close(self) -> None:
        return None
