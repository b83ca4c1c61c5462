"""Working days for Danish municipal deadlines.

Working days are Monday–Friday minus the statutory holidays (``holidays`` package, country "DK",
category "public"; Store bededag only up to and including 2023). Grundlovsdag, 24.12, 31.12 and
1 May are working days unless the municipality's :class:`CalendarSettings` mark them as closed, and
the municipality's own closure days are non-working. Statutory deadlines are counted on
:func:`statutory_calendar` (the law only); a municipality's calendar marks its closures, which move
internal targets only and are shown as warnings where a statutory deadline falls on one.

Nothing is computed at import time. A :class:`WorkingCalendar` builds its sorted array of working-day
ordinals (2000–2100) on first use; :func:`get_calendar` keeps one calendar per settings version so a
process does that once. Dates outside the precomputed range fall back to a day-by-day loop.
"""

from __future__ import annotations

import calendar as _stdcal
import hashlib
import json
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from threading import Lock
from typing import Any

__all__ = [
    "CalendarSettings",
    "WorkingCalendar",
    "add_months",
    "get_calendar",
    "statutory_calendar",
]

# Bump when the way settings are turned into working days changes, so stored versions differ.
_CALENDAR_REVISION = 1
_RANGE_FIRST_YEAR = 2000
_RANGE_LAST_YEAR = 2100
_STORE_BEDEDAG = "Store bededag"
_LAST_STORE_BEDEDAG_YEAR = 2023
CLOSURE_NAME = "Lukkedag"

# Optional days: (month, day) -> (settings attribute, Danish name as the holidays package spells it).
_OPTIONAL_DAYS: dict[tuple[int, int], tuple[str, str]] = {
    (5, 1): ("first_may_closed", "Arbejdernes kampdag"),
    (6, 5): ("grundlovsdag_closed", "Grundlovsdag"),
    (12, 24): ("juleaften_closed", "Juleaftensdag"),
    (12, 31): ("nytaarsaften_closed", "Nytårsaften"),
}
_FLAGS = ("grundlovsdag_closed", "juleaften_closed", "nytaarsaften_closed", "first_may_closed")


@dataclass(frozen=True)
class CalendarSettings:
    """A municipality's calendar choices; everything not set here follows the law."""

    grundlovsdag_closed: bool = False
    juleaften_closed: bool = False
    nytaarsaften_closed: bool = False
    first_may_closed: bool = False
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for name in _FLAGS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name}: must be true or false")
        closures = self.closures
        if not all(type(d) is date for d in closures):
            raise ValueError("closures: every closure must be a date")
        if not isinstance(closures, frozenset):
            object.__setattr__(self, "closures", frozenset(closures))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; closures as sorted ISO dates."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _FLAGS}
        data["closures"] = sorted(d.isoformat() for d in self.closures)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CalendarSettings:
        """Inverse of :meth:`to_dict`; missing keys take defaults, unknown keys are refused."""
        unknown = set(data) - {*_FLAGS, "closures"}
        if unknown:
            raise ValueError(f"{sorted(unknown)[0]}: unknown calendar setting")
        closures: set[date] = set()
        for raw in data.get("closures", ()):
            try:
                closures.add(raw if type(raw) is date else date.fromisoformat(raw))
            except (TypeError, ValueError):
                raise ValueError(f"closures: not an ISO date: {raw!r}") from None
        flags = {name: data[name] for name in _FLAGS if name in data}
        return cls(**flags, closures=frozenset(closures))

    @property
    def version(self) -> str:
        """Short stable id of these settings (first 12 hex of sha256 of canonical JSON)."""
        payload = {"revision": _CALENDAR_REVISION, **self.to_dict()}
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def _statutory_holidays(year: int) -> dict[date, str]:
    """Statutory Danish holidays of one year with Danish names ("2. påskedag", not "Anden påskedag")."""
    import holidays  # deferred: no import-time work

    found = holidays.country_holidays("DK", years=year, categories=("public",), language="da")
    result: dict[date, str] = {}
    for d, name in found.items():
        if name == _STORE_BEDEDAG and year > _LAST_STORE_BEDEDAG_YEAR:
            continue  # abolished from 2024 (lov nr. 125 af 28.2.2023)
        result[d] = name.replace("Anden ", "2. ")
    if year <= _LAST_STORE_BEDEDAG_YEAR and _STORE_BEDEDAG not in result.values():
        easter = next(d for d, n in result.items() if n == "Påskedag")
        result[easter + timedelta(days=26)] = _STORE_BEDEDAG
    return result


class WorkingCalendar:
    """Working-day arithmetic for one set of settings. Build through :func:`get_calendar`."""

    def __init__(self, settings: CalendarSettings | None = None) -> None:
        self.settings = settings or CalendarSettings()
        self.version = self.settings.version
        self._years: dict[int, dict[date, str]] = {}
        self._ords: list[int] | None = None
        self._lock = Lock()

    # -- which days are off -------------------------------------------------------------------
    def _off_days(self, year: int) -> dict[date, str]:
        """Named non-working days of a year (weekends only when named), cached per year."""
        days = self._years.get(year)
        if days is None:
            days = {}
            for d in self.settings.closures:
                if d.year == year:
                    days[d] = CLOSURE_NAME
            for (month, day), (flag, name) in _OPTIONAL_DAYS.items():
                if getattr(self.settings, flag):
                    days[date(year, month, day)] = name
            days.update(_statutory_holidays(year))  # a statutory name wins over the others
            self._years[year] = days
        return days

    def is_working_day(self, d: date) -> bool:
        """True for a Monday–Friday that is neither a holiday, an enabled optional day nor a closure."""
        return d.weekday() < 5 and d not in self._off_days(d.year)

    def name_of(self, d: date) -> str | None:
        """Danish name of the holiday or closure that makes ``d`` non-working, else None.

        Plain weekends and optional days that this calendar counts as working give None.
        """
        return self._off_days(d.year).get(d)

    # -- precomputed range --------------------------------------------------------------------
    @property
    def _ordinals(self) -> list[int]:
        """Sorted ordinals of every working day in the precomputed range (built on first use)."""
        ords = self._ords
        if ords is None:
            with self._lock:
                if self._ords is None:
                    day, last = date(_RANGE_FIRST_YEAR, 1, 1), date(_RANGE_LAST_YEAR, 12, 31)
                    built: list[int] = []
                    while day <= last:
                        if self.is_working_day(day):
                            built.append(day.toordinal())
                        day += timedelta(days=1)
                    self._ords = built
                ords = self._ords
        return ords

    def differing_days(self, other: WorkingCalendar) -> list[date]:
        """The days (in the precomputed range) that are working days in one calendar and not the other."""
        flipped = set(self._ordinals).symmetric_difference(other._ordinals)
        return [date.fromordinal(o) for o in sorted(flipped)]

    @staticmethod
    def _in_range(d: date) -> bool:
        return _RANGE_FIRST_YEAR <= d.year <= _RANGE_LAST_YEAR

    # -- arithmetic ---------------------------------------------------------------------------
    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` is day 0 and never counts).

        n = 0 returns ``start`` itself; a negative n counts backwards. O(log n) inside 2000–2100.
        """
        if n == 0:
            return start
        ords = self._ordinals if self._in_range(start) else []
        if ords:
            if n > 0:
                index = bisect_right(ords, start.toordinal()) + n - 1
            else:
                index = bisect_left(ords, start.toordinal()) + n
            if 0 <= index < len(ords):
                return date.fromordinal(ords[index])
        return self._add_slow(start, n)

    def _add_slow(self, start: date, n: int) -> date:
        step = timedelta(days=1 if n > 0 else -1)
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b; negative (the count for b < d <= a) when b < a."""
        if self._in_range(a) and self._in_range(b):
            ords = self._ordinals
            return bisect_right(ords, b.toordinal()) - bisect_right(ords, a.toordinal())
        lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
        count, day = 0, lo + timedelta(days=1)
        while day <= hi:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return sign * count

    def skipped(self, start: date, end: date) -> list[tuple[date, str]]:
        """Non-working weekdays in (start, end], oldest first, with their Danish names."""
        if self._in_range(start) and self._in_range(end):
            off = self._off_weekdays
            lo, hi = bisect_right(off, start.toordinal()), bisect_right(off, end.toordinal())
            days = [date.fromordinal(o) for o in off[lo:hi]]
            return [(d, self._off_days(d.year)[d]) for d in days]
        result: list[tuple[date, str]] = []
        day = start + timedelta(days=1)
        while day <= end:
            if day.weekday() < 5:
                name = self.name_of(day)
                if name is not None:
                    result.append((day, name))
            day += timedelta(days=1)
        return result

    @property
    def _off_weekdays(self) -> list[int]:
        """Sorted ordinals of the named non-working weekdays in the precomputed range (built on first use)."""
        off = getattr(self, "_off_ords", None)
        if off is None:
            with self._lock:
                off = sorted(
                    d.toordinal()
                    for year in range(_RANGE_FIRST_YEAR, _RANGE_LAST_YEAR + 1)
                    for d in self._off_days(year)
                    if d.weekday() < 5
                )
                self._off_ords = off
        return off

    def closure_of(self, d: date) -> str | None:
        """The name of the municipality's own closure on ``d`` ("Lukkedag", or an optional day such as
        "Juleaftensdag" marked closed), else None.

        None for a weekend, a statutory holiday or a day the municipality works: a closure is a weekday
        that only this municipality's settings make non-working. Statutory deadlines are counted without
        such days (:func:`statutory_calendar`), so one may fall on a closure (docs/domain.md §2).
        """
        if d.weekday() >= 5 or self.is_working_day(d) or d in _statutory_holidays(d.year):
            return None
        return self.name_of(d)

    def closures_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """The closures (:meth:`closure_of`) in [start, end], oldest first, with their names."""
        return [(d, name) for d, name in self.skipped(start - timedelta(days=1), end) if self.closure_of(d)]

    def __repr__(self) -> str:
        return f"WorkingCalendar(version={self.version!r})"


_CALENDARS: dict[str, WorkingCalendar] = {}
_CALENDARS_LOCK = Lock()


def get_calendar(settings: CalendarSettings | None = None) -> WorkingCalendar:
    """The process-wide calendar for these settings (one instance per settings version)."""
    settings = settings or CalendarSettings()
    key = settings.version
    with _CALENDARS_LOCK:
        cal = _CALENDARS.get(key)
        if cal is None:
            cal = _CALENDARS[key] = WorkingCalendar(settings)
        return cal


def statutory_calendar() -> WorkingCalendar:
    """The law's calendar: Monday–Friday minus the statutory holidays, nothing else.

    Every statutory deadline (OFL § 36's 7 working days, the § 39 date, the complaint deadlines, the
    MOL/GDPR months) is counted on it: a municipality's closure days and the optional days it marks closed
    (Grundlovsdag, 24.12, 31.12, 1 May) never move a statutory deadline; they move internal targets only.
    """
    return get_calendar(CalendarSettings())


def add_months(d: date, n: int) -> date:
    """Same day number n calendar months later; the month's last day when that month is shorter."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(d.day, _stdcal.monthrange(year, month)[1]))
