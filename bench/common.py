"""Shared helpers for the benchmarks: result lines, timing, throwaway databases."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None
    goal: float
    n: int
    note: str = ""

    @property
    def met(self) -> bool:
        measured = self.ratio if self.ratio is not None else self.value
        return measured <= self.goal

    def line(self) -> str:
        d = asdict(self)
        d["value"] = round(self.value, 4)
        d["baseline"] = None if self.baseline is None else round(self.baseline, 4)
        d["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        if not self.note:
            d.pop("note")
        return json.dumps(d, ensure_ascii=False)


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else float("inf")


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs (seconds)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Median per-call times of ``a`` and ``b`` measured in alternation (noise hits both alike)."""
    ta, tb = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t)
    return statistics.median(ta), statistics.median(tb)


def progress(label: str, done: int, total: int) -> None:
    if sys.stderr.isatty() or os.environ.get("AKTFLOW_BENCH_PROGRESS"):
        pct = 100 * done // max(total, 1)
        sys.stderr.write(f"\r{label}: {done}/{total} ({pct}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
