"""The benchmarks' own arithmetic and output format."""

from __future__ import annotations

import json

from bench.common import Result, interleaved, ratio


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
    assert set(d) == {"name", "value", "unit", "baseline", "ratio", "goal", "n"}
    assert d["ratio"] == 1.235 and d["value"] == 12.3457


def test_interleaved_measures_both_alternately():
    calls = []
    ta, tb = interleaved(lambda: calls.append("a"), lambda: calls.append("b"), 4)
    assert calls == ["a", "b"] * 4 and ta >= 0 and tb >= 0
