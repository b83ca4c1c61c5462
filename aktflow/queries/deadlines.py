"""The deadline calculator: the deadlines a request received on a given day gets (docs/domain.md §2)."""

from __future__ import annotations

from typing import Any

from .. import deadlines as rules
from .. import tracking
from ..calendar import get_calendar
from ..db import Database
from ..errors import ValidationError
from ..states.fields import parse_date
from ..vocabulary import BASES


def deadline_calculator(db: Database | None, basis: str, received: Any) -> dict[str, Any]:
    """The deadlines a request received on ``received`` gets (any date, past or future)."""
    received_d = parse_date(received, "received")
    if basis not in BASES:
        raise ValidationError("basis", f"ukendt retsgrundlag {basis!r}: brug {'|'.join(BASES)}")
    if db is None:
        cal = get_calendar()
    else:
        with db.session() as session:
            cal = tracking.load_calendar(session)
    return {
        "basis": basis,
        "received": received_d.isoformat(),
        "calendar_version": cal.version,
        "deadlines": [
            {
                "rule": d.rule,
                "due": d.due.isoformat(),
                "count": d.count,
                "unit": d.unit,
                "explanation": d.explanation,
            }
            for d in rules.for_case(basis, received_d, cal)
        ],
    }
