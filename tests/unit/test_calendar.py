"""Working-day calendar: hand-checked holidays 2023–2027, settings, and properties against a naive loop."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aktflow.calendar import CalendarSettings, WorkingCalendar, add_months, get_calendar

# Statutory holidays falling on a weekday, 2023–2027, worked out by hand from Easter
# (2023-04-09, 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28): Skærtorsdag -3, Langfredag -2,
# 2. påskedag +1, Store bededag +26 (until 2023), Kristi himmelfart +39, 2. pinsedag +50.
HAND_HOLIDAYS = {
    # 2023 (1.1 is a Sunday)
    date(2023, 4, 6): "Skærtorsdag",
    date(2023, 4, 7): "Langfredag",
    date(2023, 4, 10): "2. påskedag",
    date(2023, 5, 5): "Store bededag",
    date(2023, 5, 18): "Kristi himmelfartsdag",
    date(2023, 5, 29): "2. pinsedag",
    date(2023, 12, 25): "Juledag",
    date(2023, 12, 26): "2. juledag",
    # 2024 (no Store bededag: 26.4 is a working day)
    date(2024, 1, 1): "Nytårsdag",
    date(2024, 3, 28): "Skærtorsdag",
    date(2024, 3, 29): "Langfredag",
    date(2024, 4, 1): "2. påskedag",
    date(2024, 5, 9): "Kristi himmelfartsdag",
    date(2024, 5, 20): "2. pinsedag",
    date(2024, 12, 25): "Juledag",
    date(2024, 12, 26): "2. juledag",
    # 2025
    date(2025, 1, 1): "Nytårsdag",
    date(2025, 4, 17): "Skærtorsdag",
    date(2025, 4, 18): "Langfredag",
    date(2025, 4, 21): "2. påskedag",
    date(2025, 5, 29): "Kristi himmelfartsdag",
    date(2025, 6, 9): "2. pinsedag",
    date(2025, 12, 25): "Juledag",
    date(2025, 12, 26): "2. juledag",
    # 2026 (26.12 is a Saturday)
    date(2026, 1, 1): "Nytårsdag",
    date(2026, 4, 2): "Skærtorsdag",
    date(2026, 4, 3): "Langfredag",
    date(2026, 4, 6): "2. påskedag",
    date(2026, 5, 14): "Kristi himmelfartsdag",
    date(2026, 5, 25): "2. pinsedag",
    date(2026, 12, 25): "Juledag",
    # 2027 (25.12 and 26.12 are a weekend)
    date(2027, 1, 1): "Nytårsdag",
    date(2027, 3, 25): "Skærtorsdag",
    date(2027, 3, 26): "Langfredag",
    date(2027, 3, 29): "2. påskedag",
    date(2027, 5, 6): "Kristi himmelfartsdag",
    date(2027, 5, 17): "2. pinsedag",
}

ALL_CLOSED = CalendarSettings(
    grundlovsdag_closed=True,
    juleaften_closed=True,
    nytaarsaften_closed=True,
    first_may_closed=True,
    closures=frozenset({date(2026, 11, 12)}),
)


def naive_add(cal: WorkingCalendar, start: date, n: int) -> date:
    day = start
    while n:
        day += timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def test_default_calendar_matches_hand_list_every_day_2023_to_2027() -> None:
    cal = get_calendar(CalendarSettings())
    day = date(2023, 1, 1)
    while day <= date(2027, 12, 31):
        expected = day.weekday() < 5 and day not in HAND_HOLIDAYS
        assert cal.is_working_day(day) is expected, day
        day += timedelta(days=1)


def test_holiday_names_are_danish() -> None:
    cal = get_calendar(CalendarSettings())
    for d, name in HAND_HOLIDAYS.items():
        assert cal.name_of(d) == name
    assert cal.name_of(date(2023, 4, 9)) == "Påskedag"  # a Sunday holiday still has its name
    assert cal.name_of(date(2026, 11, 10)) is None  # ordinary Tuesday


def test_store_bededag_only_until_2023() -> None:
    cal = get_calendar(CalendarSettings())
    assert not cal.is_working_day(date(2023, 5, 5))
    assert not cal.is_working_day(date(2022, 5, 13))
    assert cal.is_working_day(date(2024, 4, 26))  # would have been Store bededag
    assert cal.is_working_day(date(2025, 5, 16))
    assert cal.name_of(date(2024, 4, 26)) is None


@pytest.mark.parametrize(
    ("flag", "day", "name"),
    [
        ("grundlovsdag_closed", date(2026, 6, 5), "Grundlovsdag"),
        ("juleaften_closed", date(2025, 12, 24), "Juleaftensdag"),
        ("nytaarsaften_closed", date(2024, 12, 31), "Nytårsaften"),
        ("first_may_closed", date(2024, 5, 1), "Arbejdernes kampdag"),
    ],
)
def test_optional_days_work_by_default_and_close_when_set(flag: str, day: date, name: str) -> None:
    default = get_calendar(CalendarSettings())
    closed = get_calendar(CalendarSettings(**{flag: True}))
    assert default.is_working_day(day)
    assert default.name_of(day) is None
    assert not closed.is_working_day(day)
    assert closed.name_of(day) == name


def test_closure_day_is_not_a_working_day() -> None:
    cal = get_calendar(CalendarSettings(closures=frozenset({date(2026, 11, 12)})))
    assert not cal.is_working_day(date(2026, 11, 12))
    assert cal.name_of(date(2026, 11, 12)) == "Lukkedag"
    assert cal.is_working_day(date(2026, 11, 13))
    assert get_calendar(CalendarSettings()).is_working_day(date(2026, 11, 12))


def test_statutory_name_wins_over_closure_and_optional_day() -> None:
    # 2. pinsedag 2025 is 9.6; Grundlovsdag 2028 coincides with 2. pinsedag (Easter 2028-04-16 + 50).
    cal = get_calendar(CalendarSettings(grundlovsdag_closed=True, closures=frozenset({date(2025, 6, 9)})))
    assert cal.name_of(date(2025, 6, 9)) == "2. pinsedag"
    assert cal.name_of(date(2028, 6, 5)) == "2. pinsedag"


def test_add_working_days_start_is_day_zero_whatever_the_weekday() -> None:
    cal = get_calendar(CalendarSettings())
    # Fri 6.11, Sat 7.11, Sun 8.11 2026 all give Mon 9.11 as the 1st working day.
    for start in (date(2026, 11, 6), date(2026, 11, 7), date(2026, 11, 8)):
        assert cal.add_working_days(start, 1) == date(2026, 11, 9)
    assert cal.add_working_days(date(2026, 11, 7), 0) == date(2026, 11, 7)
    # Received on Langfredag 2026: 2. påskedag skipped, Tue 7.4 is day 1.
    assert cal.add_working_days(date(2026, 4, 3), 1) == date(2026, 4, 7)
    assert cal.add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 1)


def test_working_days_between() -> None:
    cal = get_calendar(CalendarSettings())
    assert cal.working_days_between(date(2026, 11, 9), date(2026, 11, 18)) == 7
    assert cal.working_days_between(date(2026, 11, 13), date(2026, 11, 16)) == 1  # Fri → Mon
    assert cal.working_days_between(date(2026, 12, 23), date(2026, 12, 28)) == 2  # 24.12, 28.12
    assert cal.working_days_between(date(2026, 11, 18), date(2026, 11, 18)) == 0
    assert cal.working_days_between(date(2026, 11, 18), date(2026, 11, 9)) == -7


def test_skipped_lists_non_working_weekdays_only() -> None:
    cal = get_calendar(CalendarSettings())
    assert cal.skipped(date(2024, 12, 20), date(2025, 1, 3)) == [
        (date(2024, 12, 25), "Juledag"),
        (date(2024, 12, 26), "2. juledag"),
        (date(2025, 1, 1), "Nytårsdag"),
    ]
    assert cal.skipped(date(2026, 11, 6), date(2026, 11, 17)) == []  # weekends are implicit
    closed = get_calendar(ALL_CLOSED)
    assert closed.skipped(date(2026, 11, 9), date(2026, 11, 19)) == [(date(2026, 11, 12), "Lukkedag")]


def test_outside_precomputed_range_is_still_correct() -> None:
    cal = WorkingCalendar(CalendarSettings())
    # 1999: Easter 4.4 → Skærtorsdag 1.4, Langfredag 2.4, 2. påskedag 5.4.
    assert cal.add_working_days(date(1999, 3, 31), 1) == date(1999, 4, 6)
    # Crossing the end of the range: Fri 31.12.2100 → Mon 3.1.2101 (1.1.2101 is a Saturday).
    assert cal.add_working_days(date(2100, 12, 31), 1) == date(2101, 1, 3)
    assert cal.add_working_days(date(2100, 12, 28), 5) == naive_add(cal, date(2100, 12, 28), 5)
    assert cal.working_days_between(date(1999, 12, 31), date(2000, 1, 5)) == 3  # 3, 4, 5 January


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 5, 17), 0, date(2026, 5, 17)),
    ],
)
def test_add_months(start: date, n: int, expected: date) -> None:
    assert add_months(start, n) == expected


def test_settings_round_trip_and_version() -> None:
    data = ALL_CLOSED.to_dict()
    assert data["closures"] == ["2026-11-12"]
    assert CalendarSettings.from_dict(data) == ALL_CLOSED
    assert CalendarSettings.from_dict({}) == CalendarSettings()
    version = ALL_CLOSED.version
    assert len(version) == 12 and int(version, 16) >= 0
    assert CalendarSettings.from_dict(data).version == version
    assert CalendarSettings().version != version
    assert (
        CalendarSettings(juleaften_closed=True).version != CalendarSettings(nytaarsaften_closed=True).version
    )
    # a list of closures is accepted and normalised, so equal settings hash alike
    assert (
        CalendarSettings(closures=[date(2026, 11, 12)]).version
        == CalendarSettings(closures=frozenset({date(2026, 11, 12)})).version
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"juleaften": True}, "juleaften"),
        ({"closures": ["2026-13-01"]}, "closures"),
        ({"grundlovsdag_closed": "yes"}, "grundlovsdag_closed"),
    ],
)
def test_settings_refuse_bad_input_naming_the_field(data: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        CalendarSettings.from_dict(data)


def test_get_calendar_keeps_one_instance_per_version() -> None:
    a = get_calendar(CalendarSettings(grundlovsdag_closed=True))
    b = get_calendar(CalendarSettings.from_dict({"grundlovsdag_closed": True}))
    assert a is b
    assert a.version == CalendarSettings(grundlovsdag_closed=True).version
    assert get_calendar(CalendarSettings()) is not a


# -- properties ------------------------------------------------------------------------------------
CALENDARS = st.sampled_from([CalendarSettings(), ALL_CLOSED]).map(get_calendar)
DATES = st.dates(min_value=date(1998, 1, 1), max_value=date(2102, 12, 31))


@settings(max_examples=300, deadline=None)
@given(cal=CALENDARS, start=DATES, n=st.integers(min_value=0, max_value=120))
def test_add_working_days_agrees_with_naive_loop(cal: WorkingCalendar, start: date, n: int) -> None:
    due = cal.add_working_days(start, n)
    assert due == naive_add(cal, start, n)
    assert cal.working_days_between(start, due) == n
    if n:
        assert cal.is_working_day(due)
        assert due > start


@settings(max_examples=150, deadline=None)
@given(cal=CALENDARS, start=DATES, n=st.integers(min_value=0, max_value=60))
def test_adding_one_n_times_equals_adding_n(cal: WorkingCalendar, start: date, n: int) -> None:
    day = start
    for _ in range(n):
        day = cal.add_working_days(day, 1)
    assert day == cal.add_working_days(start, n)


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, start=DATES, n=st.integers(min_value=1, max_value=120))
def test_negative_steps_undo_positive_ones(cal: WorkingCalendar, start: date, n: int) -> None:
    due = cal.add_working_days(start, n)
    back = cal.add_working_days(due, -n)
    # back is the last working day on or before start
    assert back <= start
    assert cal.is_working_day(back)
    assert cal.working_days_between(back, start) == 0


@settings(max_examples=200, deadline=None)
@given(cal=CALENDARS, a=DATES, b=DATES)
def test_working_days_between_is_antisymmetric_and_counts(cal: WorkingCalendar, a: date, b: date) -> None:
    if abs((b - a).days) > 400:
        b = a + timedelta(days=(b - a).days % 400)
    count = sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
    if b >= a:
        assert cal.working_days_between(a, b) == count
    assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)


def test_store_bededag_rule_is_enforced_whatever_the_package_says(monkeypatch: pytest.MonkeyPatch) -> None:
    import holidays

    real = holidays.country_holidays

    def skewed(*args, **kwargs):  # a package version that got the 2024 abolition wrong, and 2023 too
        found = dict(real(*args, **kwargs))
        found = {d: n for d, n in found.items() if n != "Store bededag"}
        if kwargs.get("years") == 2024:
            found[date(2024, 4, 26)] = "Store bededag"
        return found

    monkeypatch.setattr(holidays, "country_holidays", skewed)
    cal = WorkingCalendar(CalendarSettings())
    assert cal.is_working_day(date(2024, 4, 26))
    assert cal.name_of(date(2023, 5, 5)) == "Store bededag"
