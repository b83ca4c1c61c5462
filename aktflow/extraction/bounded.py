"""The bounded runner: :func:`extract` in a child process with a memory limit (RLIMIT_AS), a CPU limit
(RLIMIT_CPU) and a wall-clock limit, so a hostile file costs a bounded amount and never the caller's memory.

The child is ``python -m aktflow.extraction``. It reads a JSON header line (file name, limits) and the file's
bytes on stdin, sets its own limits, extracts, and writes the result as JSON on stdout (JSON, not pickle:
the parent never unpickles what a child that parsed a hostile file wrote). The child runs in a session
of its own, so a timeout kills it and its Tesseract together.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .limits import Embedded, Extraction, Limits, Part, Refused, over

_MEMORY_SIGNS = (b"MemoryError", b"bad_alloc", b"Cannot allocate memory", b"out of memory")


def extract_bounded(filename: str, data: bytes, limits: Limits) -> Extraction:
    """:func:`aktflow.extraction.extract` in a child process, killed after ``max_seconds``.

    The child's address space is limited to ``max_memory`` bytes and its CPU time to ``max_seconds``
    (rounded up). A child stopped for time or memory becomes :class:`Refused` naming that limit
    (``max_seconds`` or ``max_memory``); a refusal in the child (``max_chars`` …) comes back as it was
    raised. The fast checks (:func:`precheck`) run here first, so a file refused by its name, size, type or
    zip directory never starts a child. This is what the document pipeline calls, outside any transaction.
    """
    from . import precheck

    precheck(filename, data, limits)
    header = json.dumps({"filename": filename, "limits": limits.to_dict()}).encode() + b"\n"
    root = (
        Path(__file__).resolve().parent.parent.parent
    )  # `python -m` finds aktflow from here, installed or not
    proc = subprocess.Popen(
        [sys.executable, "-m", "aktflow.extraction"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=root,
    )
    try:
        out, err = proc.communicate(header + data, timeout=limits.max_seconds)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise _too_slow(limits) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
            proc.wait()
    # A child that answered has waited for its own Tesseract (which has a time limit of its own), so nothing is
    # left; the process group is killed only while the child is known to be alive (its id is still ours).
    return _answer(proc.returncode, out, err, limits)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child and everything in its session (a running Tesseract); call only before it is reaped."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def _too_slow(limits: Limits) -> Refused:
    return over("max_seconds", limits, "gennemgangen af filen tog for lang tid og blev stoppet")


def _too_big(limits: Limits) -> Refused:
    return over("max_memory", limits, "gennemgangen af filen krævede for meget hukommelse og blev stoppet")


def _answer(returncode: int, out: bytes, err: bytes, limits: Limits) -> Extraction:
    payload: dict[str, Any] | None = None
    if out:
        try:
            payload = json.loads(out)
        except ValueError:
            payload = None
    if payload is None:
        if returncode == -signal.SIGXCPU:
            raise _too_slow(limits)
        if any(sign in err for sign in _MEMORY_SIGNS) or returncode in (-signal.SIGSEGV, -signal.SIGABRT):
            raise _too_big(limits)
        raise Refused("filen kunne ikke gennemgås: læsningen stoppede uventet")
    if "refused" in payload:
        limit = payload.get("limit")
        if limit == "max_memory":
            raise _too_big(limits)
        raise Refused(payload["refused"], limit)
    if "error" in payload:
        raise Refused("filen kunne ikke gennemgås: læsningen stoppede med en fejl")
    return from_json(payload["ok"])


def to_json(result: Extraction) -> dict[str, Any]:
    """An extraction as JSON-ready data (children's content in base64)."""
    return {
        "filename": result.filename,
        "content_type": result.content_type,
        "sha256": result.sha256,
        "size": result.size,
        "parts": [
            {
                "label": p.label,
                "text": p.text,
                "read": p.read,
                "ocr_confidence": p.ocr_confidence,
                "reason": p.reason,
            }
            for p in result.parts
        ],
        "children": [
            {"filename": c.filename, "content": base64.b64encode(c.content).decode("ascii")}
            for c in result.children
        ],
    }


def from_json(data: dict[str, Any]) -> Extraction:
    """The inverse of :func:`to_json`."""
    return Extraction(
        filename=data["filename"],
        content_type=data["content_type"],
        sha256=data["sha256"],
        size=int(data["size"]),
        parts=tuple(Part(**p) for p in data["parts"]),
        children=tuple(Embedded(c["filename"], base64.b64decode(c["content"])) for c in data["children"]),
    )


def child_main() -> int:
    """The child's side: read the request on stdin, limit this process, extract, answer on stdout."""
    import math
    import resource

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
    from . import extract

    payload: dict[str, Any]
    try:
        payload = {"ok": to_json(extract(header["filename"], data, limits))}
    except Refused as e:
        payload = {"refused": e.detail, "limit": e.limit}
    except MemoryError:
        payload = {"refused": "", "limit": "max_memory"}
    except Exception as e:  # noqa: BLE001 - reported as a refusal; the type only, never the content
        payload = {"error": type(e).__name__}
    del data
    try:
        answer = json.dumps(payload).encode()
    except MemoryError:
        answer = json.dumps({"refused": "", "limit": "max_memory"}).encode()
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0
