"""Rendering a letter template within bounds: time, memory and size.

An administrator's uploaded template is code for Jinja. The sandbox keeps it away from Python's internals,
but not from spending: ``{{ 'x' * 200000000 }}``, ``{{ 9 ** 9999999 }}`` or two nested loops over the case's
documents could hold a web worker — and the database transaction the letter is made in — for minutes.
So a template is rendered

1. by a sandbox that refuses, at once and with a clear message, arithmetic that makes a huge string, list or
   number (:func:`bounded_binop`: ``*``, ``**`` and ``+`` on text, lists and integers), and
2. in a child process (``os.fork``: the parent's imported modules come along, so a child costs a few
   milliseconds) with an address-space limit (``RLIMIT_AS``: the parent's size plus ``memory`` bytes), a CPU
   limit (``RLIMIT_CPU``) and a wall-clock limit after which the parent kills it, and a limit on the size of
   the finished letter. The child sends the .docx bytes back through a pipe (raw bytes, never a pickle).

A refusal is :class:`RenderRefused` (a ``WorkflowError``: HTTP 422, exit code 3) with a Danish sentence;
the transaction the letter was to be made in rolls back, so nothing is half-done.
"""

from __future__ import annotations

import math
import os
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aktflow.errors import WorkflowError

MAX_TEXT = 1_000_000  # characters (or items) one expression may produce
MAX_INT_BITS = 10_000  # bits of an integer one expression may produce (about 3,000 digits)


@dataclass(frozen=True)
class RenderLimits:
    """The bounds of one rendering: wall-clock ``seconds``, extra address space ``memory`` (bytes) and the
    finished letter's largest ``output`` (bytes)."""

    seconds: float = 15.0
    memory: int = 512 * 1024 * 1024
    output: int = 20 * 1024 * 1024


DEFAULT_LIMITS = RenderLimits()


class RenderRefused(WorkflowError):
    """The template could not be rendered within its bounds; ``limit`` names the bound (``seconds``,
    ``memory``, ``output``, ``expression``) or is None for another failure."""

    def __init__(self, message: str, limit: str | None = None):
        super().__init__(message)
        self.limit = limit


def _size(value: Any) -> int | None:
    if isinstance(value, str | bytes | list | tuple):
        return len(value)
    return None


def bounded_binop(operator: str, left: Any, right: Any) -> Any:
    """``left <operator> right`` as Jinja's sandbox would compute it, refused (:class:`RenderRefused`,
    limit ``expression``) when the result would hold more than ``MAX_TEXT`` characters or items or an
    integer of more than ``MAX_INT_BITS`` bits."""
    too_big = RenderRefused(
        "skabelonen beregner en for stor værdi (en tekst, liste eller et tal ud over grænsen)", "expression"
    )
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            size = _size(seq)
            if size is not None and isinstance(n, int) and size * max(n, 0) > MAX_TEXT:
                raise too_big
        if (
            isinstance(left, int)
            and isinstance(right, int)
            and left.bit_length() + right.bit_length() > MAX_INT_BITS
        ):
            raise too_big
        return left * right
    if operator == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right > 0 and right * left.bit_length() > MAX_INT_BITS:
                raise too_big
        elif isinstance(right, int | float) and isinstance(left, int | float) and abs(right) > 10_000:
            raise too_big
        return left**right
    if operator == "+":
        sl, sr = _size(left), _size(right)
        if sl is not None and sr is not None and sl + sr > MAX_TEXT:
            raise too_big
        return left + right
    raise RenderRefused(f"skabelonen bruger en regneoperation, der ikke er tilladt: {operator}", "expression")


# The child's answer: one status byte, then the letter (K) or a Danish sentence (R, with its limit first).
_OK, _REFUSED = b"K", b"R"


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(write_fd: int, fn: Callable[[], bytes], limits: RenderLimits) -> None:
    """In the child: limit this process, render, answer, and leave without running the parent's clean-up."""
    status = 0
    try:
        import resource

        for which, soft in (
            (resource.RLIMIT_AS, _vm_bytes() + limits.memory),
            (resource.RLIMIT_CPU, math.ceil(limits.seconds) + 1),
        ):
            hard = resource.getrlimit(which)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(which, (soft, hard))
        try:
            out = fn()
            if len(out) > limits.output:
                answer = _REFUSED + b"output\n"
            else:
                answer = _OK + out
        except RenderRefused as e:
            answer = _REFUSED + (e.limit or "").encode() + b"\n" + e.detail.encode()
        except MemoryError:
            answer = _REFUSED + b"memory\n"
        except Exception as e:  # noqa: BLE001 - a Jinja or docx error: the message, for the administrator
            message = getattr(e, "message", None) or str(e) or type(e).__name__
            answer = _REFUSED + b"\n" + f"skabelonen kan ikke flettes: {message}"[:500].encode()
        view = memoryview(answer)
        while view:
            n = os.write(write_fd, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001 - whatever happens, the child never returns into the parent's code
        status = 1
    finally:
        os._exit(status)


def run_bounded(fn: Callable[[], bytes], limits: RenderLimits | None = None) -> bytes:
    """``fn()`` (a rendering that returns .docx bytes) in a child process within ``limits`` (by default
    :data:`DEFAULT_LIMITS`: 15 seconds, 512 MB more than the caller's size, a letter of at most 20 MB).

    Raises :class:`RenderRefused` naming the limit it hit (``seconds``, ``memory``, ``output``,
    ``expression``), or with the template's own error.
    """
    limits = limits or DEFAULT_LIMITS
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its work is seen through the parent's answer)
        os.close(read_fd)
        _child(write_fd, fn, limits)
    os.close(write_fd)
    chunks: list[bytes] = []
    received = 0
    deadline = time.monotonic() + limits.seconds
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            received += len(chunk)
            if received > limits.output + 1024:
                break
    finally:
        os.close(read_fd)
        if timed_out or received > limits.output + 1024:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if timed_out:
        raise _refusal("seconds", limits)
    if received > limits.output + 1024:
        raise _refusal("output", limits)
    answer = b"".join(chunks)
    if answer[:1] == _OK:
        return answer[1:]
    if answer[:1] == _REFUSED:
        limit, _, detail = answer[1:].partition(b"\n")
        name = limit.decode() or None
        if name in ("seconds", "memory", "output"):
            raise _refusal(name, limits)
        reason = detail.decode(errors="replace") or "skabelonen kan ikke flettes"
        raise RenderRefused(f"Brevskabelonen kan ikke bruges: {reason}.", name)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        raise _refusal("seconds", limits)
    raise _refusal("memory", limits)  # a child that died without an answer ran out of memory in C code


def _refusal(limit: str, limits: RenderLimits) -> RenderRefused:
    if limit == "seconds":
        text = f"fletningen tog for lang tid (over {limits.seconds:g} sekunder) og blev stoppet"
    elif limit == "memory":
        text = f"fletningen krævede for meget hukommelse (over {limits.memory // (1024 * 1024)} MB) og blev stoppet"
    else:
        text = f"brevet blev for stort (over {limits.output // (1024 * 1024)} MB)"
    return RenderRefused(f"Brevskabelonen kan ikke bruges: {text}.", limit)
