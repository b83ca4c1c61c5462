"""The embedded archive: numbers cases like SBSYS, ``<emne>-<facet>-<running number>-<yy>``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import ConflictError
from ..models import Case, Letter, LocalArchiveCase


def format_number(emne: str, facet: str, number: int, year: int) -> str:
    return f"{emne}-{facet}-{number}-{year % 100:02d}"


class LocalArchive:
    name = "local"

    def open_case(self, session: Session, case: Case, *, facet: str, now: dt.datetime) -> str:
        year = now.year
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
                            title=case.subject[:500],
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

    def case_closed(self, session: Session, case: Case, *, now: dt.datetime) -> None:
        return None
