"""machine-memory: memory per loaded case attributable to the state machine (tracemalloc).

Cases are loaded (as ORM objects, detached) and then advanced through the one shared machine. The memory
attributable to the machine is what advancing adds on top of the loaded cases: with one module-level
Machine and no models registered, that is the per-call garbage only, not a per-case structure.
"""

from __future__ import annotations

import gc
import tracemalloc
from types import SimpleNamespace

from aktflow import states
from aktflow.models import Case, state_door

from .common import Result


def run(n: int, goal_bytes: float = 2048) -> Result:
    gc.collect()
    tracemalloc.start()
    door = state_door()  # the machine alone, below fire(): the benchmark may move states itself
    door.__enter__()
    cases = [
        Case(
            id=i,
            state="received",
            version=1,
            requester_name="x",
            basis="ofl",
            subject="s",
            emne="15.17.12",
            last_hash="0",
        )
        for i in range(n)
    ]
    ctx = SimpleNamespace()
    gc.collect()
    loaded, _ = tracemalloc.get_traced_memory()
    for c in cases:
        states.MACHINE.events["register"].trigger(c, ctx=ctx)
        states.MACHINE.events["start_collecting"].trigger(c, ctx=ctx)
    gc.collect()
    advanced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    door.__exit__(None, None, None)
    assert all(c.state == "collecting" for c in cases)
    per_case = max(advanced - loaded, 0) / n
    return Result(
        "machine-memory",
        per_case,
        "bytes/case",
        None,
        None,
        goal_bytes,
        n,
        note=f"{loaded / n:.0f} bytes/case for the loaded case objects themselves",
    )
