"""Shared helpers for the benchmarks: result lines, alternating timing, the load, repeats near the goal."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

#: Every timing runs at least this many alternating rounds; the figure is their median.
MIN_ROUNDS = 3
#: A figure within this share of its goal (either side) is measured again ...
NEAR_GOAL = 0.15
#: ... up to this many times in all; the reported figure is the median run (by the measured figure).
MAX_RUNS = 3


def load_average() -> float:
    """The machine's 1-minute load average (0.0 where the system does not report one)."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return 0.0


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
    #: the 1-minute load average when the measurement started and when it ended (the machine is shared)
    load: tuple[float, float] | None = None
    #: how many times the whole measurement ran (more than one when the first run was near its goal)
    runs: int = 1
    #: each run's measured figure (ratio, or value without a baseline), in the order run
    spread: list[float] = field(default_factory=list)

    @property
    def measured(self) -> float:
        """What the goal bounds: the ratio, or the value where there is no baseline."""
        return self.ratio if self.ratio is not None else self.value

    @property
    def met(self) -> bool:
        return self.measured <= self.goal

    @property
    def near_goal(self) -> bool:
        """Within NEAR_GOAL of the goal, either side (a goal of 0 is never "near": 0 errors or not)."""
        return self.goal > 0 and abs(self.measured - self.goal) <= NEAR_GOAL * self.goal

    def line(self) -> str:
        d = asdict(self)
        d["value"] = round(self.value, 4)
        d["baseline"] = None if self.baseline is None else round(self.baseline, 4)
        d["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        d["load"] = None if self.load is None else [round(x, 2) for x in self.load]
        d["spread"] = [round(x, 3) for x in self.spread]
        if not self.note:
            d.pop("note")
        if self.runs == 1:
            d.pop("runs")
            d.pop("spread")
        return json.dumps(d, ensure_ascii=False)


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else float("inf")


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``fn`` over ``max(repeat, MIN_ROUNDS)`` runs (seconds)."""
    times = []
    for _ in range(max(repeat, MIN_ROUNDS)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def alternating(fns: Sequence[Callable[[], Any]], rounds: int) -> list[float]:
    """Median per-call seconds of each of ``fns``, called in turn for ``max(rounds, MIN_ROUNDS)`` rounds
    (a, b, c, a, b, c, …), so the machine's other work falls on each alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(max(rounds, MIN_ROUNDS)):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - t)
    return [statistics.median(ts) for ts in times]


def interleaved(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Median per-call times of ``a`` and ``b`` measured in alternation (noise hits both alike)."""
    ta, tb = alternating((a, b), rounds)
    return ta, tb


def settle(measure: Callable[[], Result | list[Result]]) -> list[Result]:
    """Run ``measure`` with the load recorded; while any of its lines is within NEAR_GOAL of its goal, run
    it again (MAX_RUNS in all). Each line is then reported from the run where that line's figure is the
    median (the middle of three; of two, the higher, the less flattering), with that run's load (start,
    end), the number of runs and every run's figure of that line. A measurement whose lines have their own
    goals (dashboard-scale and its -busiest and -updated lines) is so repeated for any of them."""
    runs: list[list[Result]] = []
    loads: list[tuple[float, float]] = []
    while True:
        before = load_average()
        got = measure()
        lines = got if isinstance(got, list) else [got]
        loads.append((before, load_average()))
        runs.append(lines)
        if len(runs) >= MAX_RUNS or not any(line.near_goal for line in lines):
            break
    out: list[Result] = []
    for k, line in enumerate(runs[0]):
        same = [(i, r[k]) for i, r in enumerate(runs) if k < len(r) and r[k].name == line.name]
        figures = [r.measured for _, r in same]
        order = sorted(range(len(same)), key=lambda j: figures[j])
        i, picked = same[order[len(order) // 2]]
        out.append(replace(picked, load=loads[i], runs=len(same), spread=figures))
    return out


def progress(label: str, done: int, total: int) -> None:
    if sys.stderr.isatty() or os.environ.get("AKTFLOW_BENCH_PROGRESS"):
        pct = 100 * done // max(total, 1)
        sys.stderr.write(f"\r{label}: {done}/{total} ({pct}%)")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
