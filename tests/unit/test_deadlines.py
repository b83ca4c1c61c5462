"""Deadline rules: a hand-checked table 2023–2027, explanations, status and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aktflow.calendar import CalendarSettings, WorkingCalendar, get_calendar
from aktflow.deadlines import (
    BASES,
    DUE_SOON_WORKING_DAYS,
    Deadline,
    appeal_body,
    complaint_forward,
    for_case,
    gdpr_extended,
    hearing_reply,
    mol_extended,
    status,
)

SETTINGS = {
    "default": CalendarSettings(),
    "grundlov": CalendarSettings(grundlovsdag_closed=True),
    "jul": CalendarSettings(juleaften_closed=True),
    "jul+nytaar": CalendarSettings(juleaften_closed=True, nytaarsaften_closed=True),
    "nytaar": CalendarSettings(nytaarsaften_closed=True),
    "maj": CalendarSettings(first_may_closed=True),
    "closure": CalendarSettings(closures=frozenset({date(2026, 11, 12)})),
}
BASIS_OF_RULE = {
    "ofl-decision": "ofl",
    "ofl-notice": "ofl",
    "ofl-delay-complaint": "ofl",
    "ofl-outer": "ofl",
    "fvl-decision": "fvl",
    "fvl-notice": "fvl",
    "mol-decision": "mol",
    "gdpr-decision": "gdpr",
}


def compute(rule: str, start: date, cal: WorkingCalendar) -> Deadline:
    if rule in BASIS_OF_RULE:
        (found,) = [d for d in for_case(BASIS_OF_RULE[rule], start, cal) if d.rule == rule]
        return found
    return {
        "mol-extended": mol_extended,
        "gdpr-extended": gdpr_extended,
        "complaint-forward": complaint_forward,
        "appeal-body": appeal_body,
    }[rule](start, cal)


D = date
# (rule, received/start, calendar settings, expected due) — each worked out by hand from a printed
# calendar and the holiday list in test_calendar.py; "wd" = working day.
TABLE = [
    # Easter: Skærtorsdag, Langfredag and 2. påskedag skipped
    ("ofl-decision", D(2023, 4, 3), "default", D(2023, 4, 17)),  # 4,5 | 11,12,13,14,17
    ("ofl-decision", D(2024, 3, 25), "default", D(2024, 4, 8)),  # 26,27 | 2,3,4,5,8
    ("ofl-decision", D(2025, 4, 16), "default", D(2025, 4, 30)),  # 22..25, 28,29,30
    ("ofl-decision", D(2026, 4, 1), "default", D(2026, 4, 15)),  # 7..10, 13,14,15
    ("ofl-decision", D(2027, 3, 24), "default", D(2027, 4, 7)),  # 30,31,1,2,5,6,7
    ("ofl-decision", D(2026, 4, 3), "default", D(2026, 4, 15)),  # received on Langfredag
    # Store bededag 2023 (Fri 5.5) vs 2024 (Fri 26.4 is a working day)
    ("ofl-decision", D(2023, 5, 1), "default", D(2023, 5, 11)),  # 2,3,4 | 8,9,10,11
    ("ofl-decision", D(2023, 5, 4), "default", D(2023, 5, 16)),  # 8..12, 15,16
    ("ofl-decision", D(2024, 4, 25), "default", D(2024, 5, 6)),  # 26,29,30,1,2,3,6
    ("ofl-decision", D(2024, 4, 22), "default", D(2024, 5, 1)),  # 23..26, 29,30, 1.5
    ("ofl-decision", D(2024, 4, 22), "maj", D(2024, 5, 2)),  # 1 May closed
    ("ofl-decision", D(2026, 4, 27), "default", D(2026, 5, 6)),  # 28,29,30,1.5, 4,5,6
    ("ofl-decision", D(2026, 4, 27), "maj", D(2026, 5, 7)),  # 28,29,30, 4,5,6,7
    # Kristi himmelfart (Thursday; the Friday after is a working day) and 2. pinsedag
    ("ofl-decision", D(2023, 5, 15), "default", D(2023, 5, 25)),  # 16,17 | 19,22,23,24,25
    ("ofl-decision", D(2024, 5, 6), "default", D(2024, 5, 16)),  # 7,8 | 10,13,14,15,16
    ("ofl-decision", D(2027, 5, 3), "default", D(2027, 5, 13)),  # 4,5 | 7,10,11,12,13
    ("ofl-decision", D(2026, 5, 13), "default", D(2026, 5, 26)),  # 15,18..22 | 26
    ("ofl-decision", D(2027, 5, 12), "default", D(2027, 5, 24)),  # 13,14 | 18..21, 24
    # Grundlovsdag: working by default, closed on request (2. pinsedag 9.6.2025 always off)
    ("ofl-decision", D(2025, 6, 2), "default", D(2025, 6, 12)),  # 3,4,5,6 | 10,11,12
    ("ofl-decision", D(2025, 6, 2), "grundlov", D(2025, 6, 13)),  # 3,4,6 | 10..13
    ("fvl-decision", D(2025, 5, 26), "default", D(2025, 6, 5)),  # 27,28 | 30, 2,3,4,5
    ("fvl-decision", D(2025, 5, 26), "grundlov", D(2025, 6, 6)),
    ("fvl-notice", D(2025, 5, 26), "default", D(2025, 6, 5)),
    ("ofl-decision", D(2026, 6, 1), "default", D(2026, 6, 10)),  # 2,3,4,5, 8,9,10
    ("ofl-decision", D(2026, 6, 1), "grundlov", D(2026, 6, 11)),
    # Christmas and New Year; 24.12 and 31.12 working unless closed
    ("ofl-decision", D(2023, 12, 22), "default", D(2024, 1, 5)),  # 27,28,29 | 2,3,4,5
    ("ofl-decision", D(2024, 12, 20), "default", D(2025, 1, 3)),  # 23,24 | 27,30,31 | 2,3
    ("ofl-decision", D(2024, 12, 20), "nytaar", D(2025, 1, 6)),  # 23,24,27,30 | 2,3,6
    ("ofl-decision", D(2025, 12, 19), "default", D(2026, 1, 2)),  # 22,23,24 | 29,30,31 | 2
    ("ofl-decision", D(2025, 12, 25), "default", D(2026, 1, 7)),  # received on Juledag
    ("ofl-decision", D(2026, 12, 18), "default", D(2026, 12, 30)),  # 21..24 | 28,29,30
    ("ofl-notice", D(2026, 12, 18), "default", D(2026, 12, 30)),
    ("ofl-decision", D(2026, 12, 18), "jul", D(2026, 12, 31)),  # 21,22,23 | 28..31
    ("ofl-decision", D(2026, 12, 18), "jul+nytaar", D(2027, 1, 4)),  # 21,22,23,28,29,30 | 4.1
    ("ofl-delay-complaint", D(2026, 12, 18), "default", D(2027, 1, 11)),  # 8 in Dec, 4..8, 11
    # receipt on a weekend: the 1st wd is the Monday, as from the Friday before
    ("ofl-decision", D(2026, 11, 6), "default", D(2026, 11, 17)),  # Fri
    ("ofl-decision", D(2026, 11, 7), "default", D(2026, 11, 17)),  # Sat
    ("ofl-decision", D(2026, 11, 8), "default", D(2026, 11, 17)),  # Sun
    ("ofl-decision", D(2026, 11, 9), "default", D(2026, 11, 18)),  # Mon
    # the municipality's own closure day (Thu 12.11.2026)
    ("ofl-decision", D(2026, 11, 9), "closure", D(2026, 11, 19)),
    # long OFL deadlines
    ("ofl-outer", D(2026, 3, 2), "default", D(2026, 4, 30)),  # 22 to 1.4, then 7.4.. → 40
    ("ofl-outer", D(2024, 4, 22), "default", D(2024, 6, 19)),  # 26.4 and 5.6 count; 9.5, 20.5 not
    # complaints and the appeal body
    ("complaint-forward", D(2027, 1, 5), "default", D(2027, 1, 14)),  # 6,7,8, 11..14
    ("complaint-forward", D(2023, 12, 20), "default", D(2024, 1, 3)),  # 21,22,27,28,29,2,3
    ("appeal-body", D(2026, 12, 1), "default", D(2026, 12, 30)),  # 17 to 24.12, 28,29,30
    # calendar months (MOL, GDPR): same day number or the month's last day; no weekend roll
    ("mol-decision", D(2026, 1, 31), "default", D(2026, 2, 28)),
    ("mol-decision", D(2024, 1, 31), "default", D(2024, 2, 29)),  # leap year
    ("mol-decision", D(2025, 1, 15), "default", D(2025, 2, 15)),  # a Saturday, not moved
    ("mol-decision", D(2023, 3, 31), "default", D(2023, 4, 30)),
    ("mol-decision", D(2026, 12, 31), "default", D(2027, 1, 31)),
    ("gdpr-decision", D(2024, 1, 30), "default", D(2024, 2, 29)),
    ("gdpr-decision", D(2025, 1, 29), "default", D(2025, 2, 28)),
    ("gdpr-decision", D(2024, 5, 31), "default", D(2024, 6, 30)),
    ("mol-extended", D(2023, 12, 31), "default", D(2024, 2, 29)),
    ("mol-extended", D(2025, 8, 31), "default", D(2025, 10, 31)),
    ("mol-extended", D(2026, 12, 31), "default", D(2027, 2, 28)),
    ("gdpr-extended", D(2023, 11, 30), "default", D(2024, 2, 29)),
    ("gdpr-extended", D(2024, 11, 30), "default", D(2025, 2, 28)),
    ("gdpr-extended", D(2025, 10, 31), "default", D(2026, 1, 31)),
]


@pytest.mark.parametrize(("rule", "start", "cal_key", "expected"), TABLE)
def test_hand_checked_due_dates(rule: str, start: date, cal_key: str, expected: date) -> None:
    cal = get_calendar(SETTINGS[cal_key])
    deadline = compute(rule, start, cal)
    assert deadline.due == expected
    assert deadline.start == start
    assert deadline.calendar_version == SETTINGS[cal_key].version


def test_table_is_large_and_spans_the_years() -> None:
    assert len(TABLE) >= 40
    assert {row[1].year for row in TABLE} >= {2023, 2024, 2025, 2026, 2027}


@pytest.mark.parametrize(
    ("basis", "rules"),
    [
        ("ofl", ["ofl-decision", "ofl-notice", "ofl-delay-complaint", "ofl-outer"]),
        ("fvl", ["fvl-decision", "fvl-notice", "ofl-delay-complaint", "ofl-outer"]),
        ("mol", ["mol-decision", "ofl-decision", "ofl-notice", "ofl-delay-complaint", "ofl-outer"]),
        ("gdpr", ["gdpr-decision", "ofl-decision", "ofl-notice", "ofl-delay-complaint", "ofl-outer"]),
    ],
)
def test_for_case_rules_per_basis(basis: str, rules: list[str]) -> None:
    cal = get_calendar(CalendarSettings())
    deadlines = for_case(basis, D(2026, 11, 9), cal)
    assert [d.rule for d in deadlines] == rules
    by_rule = {d.rule: d for d in deadlines}
    decision = by_rule.get("ofl-decision") or by_rule["fvl-decision"]
    notice = by_rule.get("ofl-notice") or by_rule["fvl-notice"]
    assert notice.due == decision.due == D(2026, 11, 18)
    assert by_rule["ofl-delay-complaint"].count == 14
    assert by_rule["ofl-outer"].count == 40


def test_unknown_basis_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="basis"):
        for_case("pbl", D(2026, 11, 9), get_calendar(CalendarSettings()))


def test_explanations_name_the_skipped_holidays() -> None:
    cal = get_calendar(CalendarSettings())
    by_rule = {d.rule: d for d in for_case("ofl", D(2024, 12, 20), cal)}
    assert by_rule["ofl-decision"].explanation == (
        "7 arbejdsdage efter modtagelse 20.12.2024; "
        "sprunget over: 25.12 (Juledag), 26.12 (2. juledag), 01.01 (Nytårsdag)"
    )
    assert "25.12 (Juledag)" in by_rule["ofl-notice"].explanation
    assert for_case("ofl", D(2026, 11, 3), cal)[0].explanation == "7 arbejdsdage efter modtagelse 03.11.2026"
    assert complaint_forward(D(2023, 12, 20), cal).explanation == (
        "7 arbejdsdage efter modtagelse af klagen 20.12.2023; "
        "sprunget over: 25.12 (Juledag), 26.12 (2. juledag), 01.01 (Nytårsdag)"
    )
    jul = get_calendar(SETTINGS["jul"])
    assert "24.12 (Juleaftensdag), 25.12 (Juledag)" in for_case("ofl", D(2026, 12, 18), jul)[0].explanation
    closure = get_calendar(SETTINGS["closure"])
    assert for_case("ofl", D(2026, 11, 9), closure)[0].explanation.endswith("sprunget over: 12.11 (Lukkedag)")


def test_month_explanations() -> None:
    cal = get_calendar(CalendarSettings())
    # 28.02.2026 is a Saturday: the month deadline is not moved, and the explanation says so
    assert for_case("mol", D(2026, 1, 31), cal)[0].explanation == (
        "1 måned efter modtagelse 31.01.2026 (måneden er kortere: sidste dag; "
        "fristen er en lørdag og flyttes ikke til næste arbejdsdag)"
    )
    assert for_case("gdpr", D(2026, 1, 15), cal)[0].explanation == (
        "1 måned efter modtagelse 15.01.2026 (fristen er en søndag og flyttes ikke til næste arbejdsdag)"
    )
    assert for_case("gdpr", D(2026, 1, 16), cal)[0].explanation == "1 måned efter modtagelse 16.01.2026"
    extended = gdpr_extended(D(2025, 10, 31), cal)
    assert (extended.count, extended.unit, extended.rule) == (3, "months", "gdpr-decision")
    assert extended.explanation.startswith("3 måneder efter modtagelse 31.10.2025 (forlænget")
    assert (
        mol_extended(D(2025, 8, 31), cal).explanation == "2 måneder efter modtagelse 31.08.2025 (forlænget)"
    )


def test_hearing_reply() -> None:
    cal = get_calendar(CalendarSettings())
    deadline = hearing_reply(D(2026, 11, 9), D(2026, 11, 23), cal)
    assert (deadline.rule, deadline.due, deadline.count) == ("hearing-reply", D(2026, 11, 23), 10)
    assert "23.11.2026" in deadline.explanation
    with pytest.raises(ValueError, match="due"):
        hearing_reply(D(2026, 11, 9), D(2026, 11, 9), cal)


def test_to_dict_round_trip() -> None:
    deadline = for_case("ofl", D(2026, 12, 18), get_calendar(CalendarSettings()))[0]
    data = deadline.to_dict()
    assert set(data) == {"rule", "start", "due", "count", "unit", "calendar_version", "explanation"}
    assert (data["start"], data["due"], data["unit"]) == ("2026-12-18", "2026-12-30", "working_days")
    assert Deadline.from_dict(data) == deadline


# -- status ----------------------------------------------------------------------------------------
def test_status_moves_ok_due_soon_overdue_as_days_pass() -> None:
    cal = get_calendar(CalendarSettings())
    due = D(2026, 11, 18)  # Wed; ofl-decision for receipt Mon 9.11
    assert DUE_SOON_WORKING_DAYS == 2
    expected = {
        D(2026, 11, 9): "ok",
        D(2026, 11, 13): "ok",  # Fri: 16, 17, 18 left
        D(2026, 11, 14): "ok",  # Sat: still 3 working days left
        D(2026, 11, 16): "due_soon",  # Mon: 17, 18 left
        D(2026, 11, 18): "due_soon",  # the last day
        D(2026, 11, 19): "overdue",
    }
    for today, want in expected.items():
        assert status(due, today, None, cal) == want, today


def test_status_counts_working_days_not_calendar_days() -> None:
    cal = get_calendar(CalendarSettings())
    due = D(2026, 11, 16)  # Monday
    assert status(due, D(2026, 11, 11), None, cal) == "ok"  # Wed: 12, 13, 16
    assert status(due, D(2026, 11, 12), None, cal) == "due_soon"  # Thu: 13, 16 (4 calendar days)
    # over Easter 2026: Wed 1.4 to Tue 7.4 is one working day
    assert status(D(2026, 4, 7), D(2026, 4, 1), None, cal) == "due_soon"


def test_status_met_and_late_done() -> None:
    cal = get_calendar(CalendarSettings())
    due = D(2026, 11, 18)
    assert status(due, D(2026, 12, 1), D(2026, 11, 10), cal) == "met"
    assert status(due, D(2026, 11, 18), D(2026, 11, 18), cal) == "met"
    assert status(due, D(2026, 11, 19), D(2026, 11, 19), cal) == "overdue"
    assert status(due, D(2026, 11, 10), D(2026, 11, 10), cal) == "met"  # done early, before due


# -- properties ------------------------------------------------------------------------------------
CALENDARS = st.sampled_from(list(SETTINGS.values())).map(get_calendar)
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, received=DATES, basis=st.sampled_from(BASES))
def test_due_dates_never_precede_receipt(cal: WorkingCalendar, received: date, basis: str) -> None:
    for deadline in for_case(basis, received, cal):
        assert deadline.due > received
        assert deadline.start == received
        if deadline.unit == "working_days":
            assert cal.is_working_day(deadline.due)
            assert cal.working_days_between(received, deadline.due) == deadline.count
            skipped = [d for d, _ in cal.skipped(received, deadline.due)]
            assert all(f"{d:%d.%m}" in deadline.explanation for d in skipped)


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, received=DATES)
def test_working_day_rules_land_on_working_days(cal: WorkingCalendar, received: date) -> None:
    for deadline in (complaint_forward(received, cal), appeal_body(received, cal)):
        assert cal.is_working_day(deadline.due)
        assert deadline.due > received


@settings(max_examples=100, deadline=None)
@given(cal=CALENDARS, received=DATES)
def test_status_never_goes_back_as_today_advances(cal: WorkingCalendar, received: date) -> None:
    due = for_case("ofl", received, cal)[0].due
    rank = {"ok": 0, "due_soon": 1, "overdue": 2}
    seen = [rank[status(due, received + timedelta(days=i), None, cal)] for i in range(30)]
    assert seen == sorted(seen)
    assert seen[0] == 0 and seen[-1] == 2


def test_month_deadline_on_a_holiday_or_weekend_stays_and_says_so() -> None:
    cal = get_calendar(CalendarSettings())
    (due,) = [d for d in for_case("gdpr", D(2026, 11, 25), cal) if d.rule == "gdpr-decision"]
    assert due.due == D(2026, 12, 25)  # Juledag: not moved to 28.12
    assert "fristen er Juledag og flyttes ikke til næste arbejdsdag" in due.explanation
    (weekday,) = [d for d in for_case("mol", D(2026, 11, 24), cal) if d.rule == "mol-decision"]
    assert weekday.due == D(2026, 12, 24) and "flyttes ikke" not in weekday.explanation  # a Thursday


def test_receipt_on_a_weekend_or_holiday_is_day_0_and_says_so() -> None:
    cal = get_calendar(CalendarSettings())
    saturday = for_case("ofl", D(2026, 11, 7), cal)[0]
    assert saturday.due == for_case("ofl", D(2026, 11, 6), cal)[0].due == D(2026, 11, 17)
    assert saturday.explanation == (
        "7 arbejdsdage efter modtagelse 07.11.2026 "
        "(en lørdag: modtagelsesdagen er dag 0, første arbejdsdag er 09.11.2026)"
    )
    juledag = for_case("ofl", D(2025, 12, 25), cal)[0]
    assert "(Juledag: modtagelsesdagen er dag 0, første arbejdsdag er 29.12.2025)" in juledag.explanation
    assert "dag 0" not in for_case("ofl", D(2026, 11, 9), cal)[0].explanation  # a Monday


def test_delay_complaint_forward_is_7_working_days_after_the_complaint() -> None:
    from aktflow.deadlines import delay_complaint_forward

    cal = get_calendar(CalendarSettings())
    d = delay_complaint_forward(D(2026, 12, 18), cal)
    assert (d.rule, d.due, d.count) == ("delay-complaint-forward", D(2026, 12, 30), 7)  # 25, 26.12 skipped
    assert d.explanation.startswith(
        "7 arbejdsdage efter modtagelse af klagen over sagsbehandlingstiden 18.12.2026"
    )


def test_statutory_calendar_knows_only_the_law_and_closures_are_named() -> None:
    from aktflow.calendar import statutory_calendar

    law = statutory_calendar()
    assert law.version == get_calendar(CalendarSettings()).version
    july = get_calendar(
        CalendarSettings(
            juleaften_closed=True,
            closures=frozenset(D(2026, 7, 6) + timedelta(days=i) for i in range(19)),
        )
    )
    # A municipality closed 06.–24.07 still owes the decision 7 working days after 03.07 on the law's count.
    assert for_case("ofl", D(2026, 7, 3), law)[0].due == D(2026, 7, 14)
    assert for_case("ofl", D(2026, 7, 3), july)[0].due == D(2026, 8, 4)  # what the closures would give
    assert july.closure_of(D(2026, 7, 14)) == "Lukkedag"
    assert july.closure_of(D(2026, 12, 24)) == "Juleaftensdag"
    assert july.closure_of(D(2026, 12, 25)) is None  # a statutory holiday is no closure
    assert july.closure_of(D(2026, 7, 11)) is None  # a Saturday
    assert july.closure_of(D(2026, 7, 27)) is None
    assert [d for d, _ in july.closures_between(D(2026, 7, 23), D(2026, 7, 28))] == [
        D(2026, 7, 23),
        D(2026, 7, 24),
    ]
