"""Deadline rules per legal basis (docs/domain.md §2) turned into explained :class:`Deadline` values.

Choices where the law leaves room, always the most favourable to the requester:

* Every basis gets the OFL track (``ofl-decision``/``ofl-notice`` 7, ``ofl-delay-complaint`` 14 and
  ``ofl-outer`` 40 working days) except FVL, whose own 7-day pair replaces the first two.
* Month rules (MOL, GDPR) are not moved when they end on a weekend or holiday: the earlier date is the
  compliance-safe one, and docs/domain.md defines a calendar month without such a roll. The explanation
  says so when it happens.
* A request received on a weekend or holiday is counted from that day (day 0): the first working day is
  the first one after it, as for a request received the working day before. The explanation says so.
* Statutory rules are counted on the law's calendar (``calendar.statutory_calendar``): the caller passes
  it; a municipality's closure days never move a statutory deadline.
* "due_soon", "overdue" and "met" are derived at read time by :func:`status`, never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from aktflow.calendar import WorkingCalendar, add_months
from aktflow.vocabulary import BASES, EXPECTED_DECISION, RULES

#: The earliest date a request may have been received: the Access to Public Administration Files Act of
#: 2013 (lov nr. 606 af 12. juni 2013) came into force on 1 January 2014, and every deadline here is its
#: (or the later acts'). An earlier date is a typing error (01.01.1900), which would make every deadline
#: overdue since then.
EARLIEST_RECEIVED = date(2014, 1, 1)

__all__ = [
    "BASES",
    "DUE_SOON_WORKING_DAYS",
    "RULE_IDS",
    "STATUSES",
    "Deadline",
    "appeal_body",
    "complaint_forward",
    "delay_complaint_forward",
    "for_case",
    "gdpr_extended",
    "hearing_reply",
    "mol_extended",
    "notice_reason_problem",
    "status",
]

# The statutory rules computed here; ``expected-decision`` (the date a fristbrev promises) is set by the
# caseworker, not computed from the law.
RULE_IDS = tuple(r for r in RULES if r != EXPECTED_DECISION)
STATUSES = ("ok", "due_soon", "overdue", "met")
DUE_SOON_WORKING_DAYS = 2
WORKING_DAYS = "working_days"
MONTHS = "months"

_DECISION_DAYS = 7
_DELAY_COMPLAINT_DAYS = 14
_OUTER_DAYS = 40
_COMPLAINT_FORWARD_DAYS = 7
_DELAY_COMPLAINT_FORWARD_DAYS = 7
_WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
#: What a case's deadlines are counted from: the receipt, or a sufficient clarification (OFL § 9, stk. 1).
FROM_RECEIPT = "modtagelse"
FROM_CLARIFICATION = "modtagelse af præcisering"
_APPEAL_BODY_DAYS = 20


@dataclass(frozen=True)
class Deadline:
    """One computed deadline: which rule, from when, until when, and why (in Danish)."""

    rule: str
    start: date
    due: date
    count: int
    unit: str
    calendar_version: str
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with ISO dates."""
        return {
            "rule": self.rule,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "count": self.count,
            "unit": self.unit,
            "calendar_version": self.calendar_version,
            "explanation": self.explanation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        """Inverse of :meth:`to_dict`."""
        return cls(
            rule=data["rule"],
            start=date.fromisoformat(data["start"]),
            due=date.fromisoformat(data["due"]),
            count=int(data["count"]),
            unit=data["unit"],
            calendar_version=data["calendar_version"],
            explanation=data["explanation"],
        )


def _dk(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def _day_name(d: date, cal: WorkingCalendar) -> str:
    """ "en lørdag", "en søndag" or the holiday's name ("Juledag") for a non-working day."""
    name = cal.name_of(d)
    return name if name and d.weekday() < 5 else f"en {_WEEKDAYS[d.weekday()]}"


def _working_days(rule: str, start: date, n: int, what: str, cal: WorkingCalendar) -> Deadline:
    """n working days after ``start``; the explanation lists the holidays/closures skipped.

    A start on a non-working day is still day 0 (docs/domain.md §2, "Counting"); the explanation names
    the day and the first working day counted.
    """
    due = cal.add_working_days(start, n)
    text = f"{n} arbejdsdage efter {what} {_dk(start)}"
    if not cal.is_working_day(start):
        first = cal.add_working_days(start, 1)
        text += f" ({_day_name(start, cal)}: modtagelsesdagen er dag 0, første arbejdsdag er {_dk(first)})"
    skipped = cal.skipped(start, due)
    if skipped:
        text += "; sprunget over: " + ", ".join(f"{d:%d.%m} ({name})" for d, name in skipped)
    return Deadline(rule, start, due, n, WORKING_DAYS, cal.version, text)


def _months(
    rule: str, received: date, n: int, note: str, cal: WorkingCalendar, what: str = FROM_RECEIPT
) -> Deadline:
    """n calendar months after ``received``; not moved when the date is a weekend or holiday (the
    stricter reading, docs/domain.md §2), which the explanation then says."""
    due = add_months(received, n)
    text = f"{n} {'måned' if n == 1 else 'måneder'} efter {what} {_dk(received)}"
    notes = [note] if note else []
    if due.day != received.day:
        notes.append("måneden er kortere: sidste dag")
    if not cal.is_working_day(due):
        notes.append(f"fristen er {_day_name(due, cal)} og flyttes ikke til næste arbejdsdag")
    if notes:
        text += f" ({'; '.join(notes)})"
    return Deadline(rule, received, due, n, MONTHS, cal.version, text)


def _ofl_track(received: date, cal: WorkingCalendar, prefix: str, what: str = FROM_RECEIPT) -> list[Deadline]:
    decision = _working_days(f"{prefix}-decision", received, _DECISION_DAYS, what, cal)
    notice = Deadline(
        f"{prefix}-notice",
        received,
        decision.due,
        decision.count,
        WORKING_DAYS,
        cal.version,
        "Fristbrev senest samme dag som afgørelsesfristen: " + decision.explanation,
    )
    return [decision, notice]


def _ofl_long(received: date, cal: WorkingCalendar, what: str = FROM_RECEIPT) -> list[Deadline]:
    return [
        _working_days("ofl-delay-complaint", received, _DELAY_COMPLAINT_DAYS, what, cal),
        _working_days("ofl-outer", received, _OUTER_DAYS, what, cal),
    ]


def for_case(basis: str, received: date, cal: WorkingCalendar, *, what: str = FROM_RECEIPT) -> list[Deadline]:
    """The deadlines a new case gets, in a fixed order per basis.

    ``cal`` is the calendar to count on: for a case, the law's (``calendar.statutory_calendar``).
    ``what`` names the start in the explanation: ``FROM_RECEIPT`` (the request's receipt) or
    ``FROM_CLARIFICATION`` (a sufficient clarification of a request that did not identify what is asked
    for, OFL § 9, stk. 1: the deadlines run anew from its receipt).

    * ``ofl``: ofl-decision, ofl-notice, ofl-delay-complaint, ofl-outer.
    * ``fvl``: fvl-decision, fvl-notice, then ofl-delay-complaint and ofl-outer — FVL has no own
      delay rule, and a party must not wait longer than anyone else before complaining or escalating.
    * ``mol``: mol-decision (1 month) plus the four OFL deadlines — MOL applies *as well*, and the
      7 working days are usually the earlier, more favourable date.
    * ``gdpr``: gdpr-decision (1 month) plus the four OFL deadlines — art. 15 requests usually come with
      OFL § 8 (egenacces), whose 7 working days are the more favourable. Drop them explicitly for a
      pure art. 15 request if legal says so.
    """
    if basis not in BASES:
        raise ValueError(f"basis: unknown legal basis {basis!r}; expected one of {', '.join(BASES)}")
    if basis == "fvl":
        return _ofl_track(received, cal, "fvl", what) + _ofl_long(received, cal, what)
    ofl = _ofl_track(received, cal, "ofl", what) + _ofl_long(received, cal, what)
    if basis == "mol":
        return [_months("mol-decision", received, 1, "", cal, what), *ofl]
    if basis == "gdpr":
        return [_months("gdpr-decision", received, 1, "", cal, what), *ofl]
    return ofl


def mol_extended(received: date, cal: WorkingCalendar) -> Deadline:
    """MOL § 4 stk. 3 extended: 2 calendar months after receipt (tell the requester within month 1)."""
    return _months("mol-decision", received, 2, "forlænget", cal)


def gdpr_extended(received: date, cal: WorkingCalendar) -> Deadline:
    """GDPR art. 12(3) extended by 2 months: 3 calendar months after receipt."""
    return _months("gdpr-decision", received, 3, "forlænget med 2 måneder", cal)


def complaint_forward(complaint_received: date, cal: WorkingCalendar) -> Deadline:
    """OFL § 37 stk. 2 / § 38: reconsider and forward within 7 working days after the complaint."""
    return _working_days(
        "complaint-forward", complaint_received, _COMPLAINT_FORWARD_DAYS, "modtagelse af klagen", cal
    )


def delay_complaint_forward(complaint_received: date, cal: WorkingCalendar) -> Deadline:
    """OFL § 39: a complaint about the time taken (possible from ``ofl-delay-complaint``, 14 working days
    after receipt) must be met within 7 working days after it is received: the case decided, or the
    complaint forwarded to the appeal body with the reason for the delay."""
    return _working_days(
        "delay-complaint-forward",
        complaint_received,
        _DELAY_COMPLAINT_FORWARD_DAYS,
        "modtagelse af klagen over sagsbehandlingstiden",
        cal,
    )


def appeal_body(forwarded: date, cal: WorkingCalendar) -> Deadline:
    """OFL § 37 stk. 3 (informational): the appeal body's 20 working days, counted from forwarding."""
    deadline = _working_days(
        "appeal-body", forwarded, _APPEAL_BODY_DAYS, "oversendelse til klageinstansen", cal
    )
    return replace(deadline, explanation=deadline.explanation + " (klageinstansens frist, vejledende)")


def hearing_reply(sent: date, due: date, cal: WorkingCalendar) -> Deadline:
    """The reply date a caseworker set in a third-party hearing; ``due`` must be after ``sent``."""
    if due <= sent:
        raise ValueError(f"due: the reply date {_dk(due)} must be after the hearing date {_dk(sent)}")
    n = cal.working_days_between(sent, due)
    text = f"Svarfrist fastsat i høring sendt {_dk(sent)}: {_dk(due)} ({n} arbejdsdage)"
    if not cal.is_working_day(due):
        text += "; bemærk: fristen er ikke en arbejdsdag"
    return Deadline("hearing-reply", sent, due, n, WORKING_DAYS, cal.version, text)


# A fristbrev's reason must say why the case cannot be decided in time (OFL § 36, stk. 2): the caseworker's
# own absence alone is no such reason. Words of absence, and the words that may go with them.
_ABSENCE_WORDS = frozenset(
    """ferie ferien ferier sommerferie sommerferien juleferie juleferien påskeferie påskeferien efterårsferie
    efterårsferien vinterferie vinterferien ferieafvikling ferieafviklingen ferieperiode ferieperioden
    feriefravær sygdom sygdommen syg sygemeldt sygemelding sygemeldingen sygefravær fravær fraværet orlov
    orloven barsel barselsorlov barslen afspadsering afspadseringen fri fridag fridage kursus kurser kurset
    tjenesterejse efteruddannelse""".split()
)
_FILLER_WORDS = frozenset(
    """på grund af pga grundet følge som af min mit mine vores sagsbehandler sagsbehandleren sagsbehandlerens
    sagsbehandlers medarbejder medarbejderen medarbejderens medarbejders kollega kollegaen kollegas
    den det de en et er var har har været være bliver blevet og eller samt i hos til fra med for at
    jeg vi der som ansvarlige ansvarlig personale personalets pt p t nu lige længere længerevarende
    kortvarig planlagt planlagte uventet uventede
    holder holde afholder afholde tager tage går gå ude væk ikke tilbage kommer indtil frem efter før
    denne dette næste sidste uge ugen uger dag dage dagen måned måneden periode perioden
    januar februar marts april maj juni juli august september oktober november december
    mandag tirsdag onsdag torsdag fredag""".split()
)


def notice_reason_problem(reason: str) -> str | None:
    """None when a fristbrev's reason may stand; else why not, in Danish.

    OFL § 36, stk. 2: the requester is told the reason the 7 working days cannot be held. The
    caseworker's own absence (ferie, sygdom, fravær) alone is no reason the law accepts — the authority
    must plan for it — so a reason made only of such words (and small words around them, "pga.
    sagsbehandlerens ferie") is refused; one that also names the case's own cause ("sagens omfang og ferie")
    stands.
    """
    words = re.findall(r"[a-zæøåéü]+", reason.lower())
    if not words:
        return "begrundelsen skal udfyldes"
    if any(w in _ABSENCE_WORDS for w in words) and all(w in _ABSENCE_WORDS | _FILLER_WORDS for w in words):
        return (
            "sagsbehandlerens fravær (ferie, sygdom o.l.) alene er ikke en begrundelse for at overskride "
            "fristen (OFL § 36, stk. 2); skriv hvad ved sagen der gør, at den ikke kan afgøres i tide, "
            "fx sagens omfang, høring af tredjemand eller indhentning af dokumenter"
        )
    return None


def status(due: date, today: date, done_on: date | None, cal: WorkingCalendar) -> str:
    """Read-time status: "met", "overdue", "due_soon" or "ok".

    Done on or before ``due`` is "met"; done late is "overdue" too (there is no separate "missed"),
    so late completions stay visible in the figures. Not done: "overdue" after ``due``, "due_soon"
    when at most DUE_SOON_WORKING_DAYS working days are left, otherwise "ok".
    """
    if done_on is not None:
        return "met" if done_on <= due else "overdue"
    if today > due:
        return "overdue"
    if cal.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "ok"


def recount(rule: str, start: date, count: int, cal: WorkingCalendar) -> Deadline:
    """A working-day deadline computed anew on ``cal`` (after a calendar change), with its explanation."""
    if rule == "complaint-forward":
        return complaint_forward(start, cal)
    if rule == "appeal-body":
        return appeal_body(start, cal)
    if rule == "delay-complaint-forward":
        return delay_complaint_forward(start, cal)
    if rule in ("ofl-notice", "fvl-notice"):
        decision = _working_days(rule.replace("notice", "decision"), start, count, "modtagelse", cal)
        return Deadline(
            rule,
            start,
            decision.due,
            count,
            WORKING_DAYS,
            cal.version,
            "Fristbrev senest samme dag som afgørelsesfristen: " + decision.explanation,
        )
    return _working_days(rule, start, count, "modtagelse", cal)
