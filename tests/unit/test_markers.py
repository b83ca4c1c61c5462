"""The markers behind ``make test-fast``: set from where a test lives and what it needs (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

TESTS = Path(__file__).resolve().parent.parent


class Item:
    """Just what ``pytest_collection_modifyitems`` reads and writes of a collected test."""

    def __init__(self, where: str, params: dict | None = None, fixtures: tuple[str, ...] = ()):
        self.path = TESTS / where
        self.fixturenames = list(fixtures)
        if params is not None:
            self.callspec = SimpleNamespace(params=params)
        self.marks: list[str] = []

    def add_marker(self, marker) -> None:
        self.marks.append(marker.name)

    def get_closest_marker(self, name: str):
        return name if name in self.marks else None


@pytest.fixture
def mark(request):
    """Run the suite's own collection hook on fake items; returns their marker names."""
    hook = next(
        p.pytest_collection_modifyitems
        for p in request.config.pluginmanager.get_plugins()
        if Path(getattr(p, "__file__", "") or "").resolve() == TESTS / "conftest.py"
    )

    def run(*items: Item) -> list[list[str]]:
        hook(request.config, list(items))
        return [sorted(i.marks) for i in items]

    return run


def test_the_postgresql_twin_of_a_db_test_is_marked_postgres_and_the_sqlite_one_is_not(mark):
    pg = Item("integration/test_review.py", {"db_url": "postgresql"}, ("db", "db_url"))
    lite = Item("integration/test_review.py", {"db_url": "sqlite"}, ("db", "db_url"))
    assert mark(pg, lite) == [["postgres"], []]


@pytest.mark.parametrize("fixture", ["pg_db", "pg_server", "pg_template"])
def test_postgresql_only_fixtures_mark_postgres(mark, fixture):
    assert mark(Item("integration/test_concurrency_pg.py", fixtures=(fixture,))) == [["postgres"]]


def test_reliability_is_slow_and_browser_is_slow_and_browser(mark):
    reliability = Item("reliability/test_crash.py", {"db_url": "sqlite"}, ("db_url",))
    browser = Item("browser/test_journeys.py")
    unit = Item("unit/test_calendar.py")
    assert mark(reliability, browser, unit) == [["slow"], ["browser", "slow"], []]


def test_a_browser_test_already_marked_is_not_marked_twice(mark):
    item = Item("browser/test_journeys.py")
    item.marks.append("browser")
    assert mark(item) == [["browser", "slow"]]
