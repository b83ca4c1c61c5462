"""Burn-in in a child process (``python -m aktflow.redaction``), bounded like the reading of documents
(:mod:`aktflow.extraction.bounded`): an address-space limit (``max_memory``), a CPU limit and a wall-clock
limit (``max_seconds``); a child stopped for either becomes a Danish ``Refused`` naming the limit.

The request is a JSON header line (limits and marks) followed by the PDF's bytes on stdin; the answer is a
JSON line (``{"ok": {"hits": [...]}}``, ``{"refused": …, "limit": …}`` or ``{"error": type}``) followed,
on success, by the released PDF's bytes. JSON, never pickle: the parent never unpickles what a child that
parsed a hostile file wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..extraction import Limits, Refused
from ..extraction.bounded import _kill, _too_big, _too_slow
from .burn import BurnResult, Mark


def burn_bounded(pdf: bytes, marks: Sequence[Mark], limits: Limits | None = None) -> BurnResult:
    """:func:`aktflow.redaction.burn.burn` in a child process, killed after ``limits.max_seconds``."""
    limits = limits or Limits()
    header = json.dumps({"limits": limits.to_dict(), "marks": [asdict(m) for m in marks]}).encode() + b"\n"
    root = Path(__file__).resolve().parent.parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "aktflow.redaction"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=root,
    )
    try:
        out, err = proc.communicate(header + pdf, timeout=limits.max_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise _too_slow(limits) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
            proc.wait()
    line, _, body = out.partition(b"\n")
    try:
        payload: dict[str, Any] = json.loads(line)
    except ValueError:
        if b"MemoryError" in err or b"out of memory" in err or proc.returncode < 0:
            raise _too_big(limits) from None
        raise Refused("overstregningen kunne ikke udføres: processen stoppede uventet") from None
    if "refused" in payload:
        if payload.get("limit") == "max_memory":
            raise _too_big(limits)
        raise Refused(payload["refused"], payload.get("limit"))
    if "error" in payload:
        raise Refused("overstregningen kunne ikke udføres: den stoppede med en fejl")
    return BurnResult(body, tuple(payload["ok"]["hits"]))


def child_main() -> int:
    """The child's side: read the request on stdin, limit this process, burn in, answer on stdout."""
    import math
    import resource

    from ..errors import ValidationError
    from .burn import burn

    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    data = stdin.read()
    limits = Limits.from_dict(header["limits"])
    for which, soft in (
        (resource.RLIMIT_AS, limits.max_memory),
        (resource.RLIMIT_CPU, math.ceil(limits.max_seconds) + 1),
    ):
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))
    marks = [Mark(**{**m, "box": tuple(m["box"]) if m.get("box") else None}) for m in header["marks"]]
    result: BurnResult | None = None
    payload: dict[str, Any]
    try:
        result = burn(data, marks, limits)
        payload = {"ok": {"hits": list(result.hits)}}
    except Refused as e:
        payload = {"refused": e.detail, "limit": e.limit}
    except ValidationError as e:
        payload = {"refused": e.detail, "limit": None}
    except MemoryError:
        payload = {"refused": "", "limit": "max_memory"}
    except Exception as e:  # noqa: BLE001 - reported as a refusal; the type only, never the content
        payload = {"error": type(e).__name__}
    sys.stdout.buffer.write(json.dumps(payload).encode() + b"\n")
    if result is not None:
        sys.stdout.buffer.write(result.pdf)
    sys.stdout.buffer.flush()
    return 0
