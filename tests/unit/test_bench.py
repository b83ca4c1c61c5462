"""The benchmarks' own arithmetic and output format."""

from __future__ import annotations

import json

from bench.common import MAX_RUNS, MIN_ROUNDS, Result, alternating, interleaved, ratio, settle


def test_ratio_and_goal_on_ratio():
    r = Result("fire-sqlite", 150.0, "µs", 100.0, ratio(150.0, 100.0), 1.5, 10)
    assert r.ratio == 1.5 and r.met
    r2 = Result("fire-sqlite", 151.0, "µs", 100.0, ratio(151.0, 100.0), 1.5, 10)
    assert not r2.met


def test_goal_on_value_without_baseline():
    assert Result("recompute-100k", 4.9, "s", None, None, 5.0, 1).met
    assert not Result("recompute-100k", 5.1, "s", None, None, 5.0, 1).met
    assert Result("web-load-errors", 0.0, "errors", None, None, 0, 1).met
    assert not Result("web-load-errors", 1.0, "errors", None, None, 0, 1).met


def test_zero_baseline_is_infinite_ratio():
    assert ratio(1.0, 0.0) == float("inf")


def test_line_is_one_json_object_with_the_contract_keys():
    d = json.loads(Result("letter-200", 12.34567, "ms", 10.0, 1.234567, 1.5, 5).line())
    assert set(d) == {"name", "value", "unit", "baseline", "ratio", "goal", "n", "load"}
    assert d["ratio"] == 1.235 and d["value"] == 12.3457


def test_interleaved_measures_both_alternately():
    calls = []
    ta, tb = interleaved(lambda: calls.append("a"), lambda: calls.append("b"), 4)
    assert calls == ["a", "b"] * 4 and ta >= 0 and tb >= 0


def test_alternating_runs_at_least_the_minimum_rounds_in_turn():
    calls = []
    times = alternating([lambda: calls.append("a"), lambda: calls.append("b"), lambda: calls.append("c")], 1)
    assert calls == ["a", "b", "c"] * MIN_ROUNDS and len(times) == 3


def _runner(figures):
    """A measurement whose successive runs give these ratios (goal 2.0)."""
    it = iter(figures)
    calls = []

    def measure():
        r = next(it)
        calls.append(r)
        return [Result("x", r * 10, "ms", 10.0, r, 2.0, 5), Result("x-extra", r, "n", None, None, 99, 1)]

    return measure, calls


def test_settle_measures_once_when_far_from_the_goal_and_records_the_load():
    measure, calls = _runner([1.2, 9.9])
    lines = settle(measure)
    assert calls == [1.2] and lines[0].runs == 1 and lines[0].ratio == 1.2
    assert lines[0].load is not None and len(lines[0].load) == 2 and all(x >= 0 for x in lines[0].load)
    assert [r.name for r in lines] == ["x", "x-extra"]
    assert "load" in json.loads(lines[0].line()) and "runs" not in json.loads(lines[0].line())


def test_settle_repeats_near_the_goal_and_reports_the_median_run():
    measure, calls = _runner([1.9, 2.2, 2.05, 5.0])
    lines = settle(measure)
    assert calls == [1.9, 2.2, 2.05] and len(calls) == MAX_RUNS
    assert lines[0].ratio == 2.05 and lines[0].runs == 3 and lines[0].spread == [1.9, 2.2, 2.05]
    assert lines[1].value == 2.05  # the other lines come from the same (median) run
    assert not lines[0].met


def test_settle_stops_when_a_repeat_lands_far_from_the_goal():
    measure, calls = _runner([2.1, 3.5, 1.0])
    lines = settle(measure)
    assert calls == [2.1, 3.5]
    assert lines[0].ratio == 3.5 and lines[0].runs == 2  # of two runs, the less flattering


def test_near_goal_is_within_fifteen_percent_either_side():
    def r(x):
        return Result("x", x, "s", None, None, 20.0, 1)

    assert r(17.1).near_goal and r(22.9).near_goal
    assert not r(16.9).near_goal and not r(23.1).near_goal
    assert not Result("e", 0.0, "errors", None, None, 0, 1).near_goal
