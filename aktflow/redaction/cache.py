"""The burnt-in version of a document, kept between views (docs/redaction.md, "Kept between views").

Burning in and checking a document takes a second or more; the document page, its page images and the
released PDF ask for it on every view. The result (the released PDF and its leak report) is kept in the
instance's file store, under ``cache/released/``, named by a key over everything that decides it:

* the stored file's SHA-256,
* the document's accepted redactions (kind, term, page, box, ground), in a canonical order,
* :data:`BURN_VERSION`, raised whenever burn-in or the leak check changes what they produce.

Any redaction change gives a new key, so an entry can never be served for a redaction set it was not
made from; an entry is read only when its PDF still has the SHA-256 written beside it (a half-written or
altered file is made again, never served). Entries are written to a temporary file and renamed into
place, so a reader sees a whole entry or none. The store is bounded (:data:`MAX_BYTES`): after a write the
least recently used entries are removed until it fits.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

#: Raised whenever burn-in or the leak check changes its output: older entries are then never read.
BURN_VERSION = "2026.12-2"
#: The most the store may hold (bytes, PDFs and reports together).
MAX_BYTES = 256 * 1024 * 1024


def cache_dir() -> Path:
    """``<instance>/cache/released`` (``AKTFLOW_INSTANCE``, see :meth:`aktflow.config.Settings.instance_dir`)."""
    from ..config import load_settings

    return load_settings().instance_dir() / "cache" / "released"


def cache_key(file_sha256: str, redactions: Iterable[Any]) -> str:
    """The entry's name: SHA-256 hex over the file's SHA-256, the accepted redactions (anything with
    ``kind, state, term, page, box, ground``; rejected ones do not change the output and are left out)
    and :data:`BURN_VERSION`."""
    marks = sorted(
        json.dumps(
            [r.kind, r.term, r.page, list(r.box) if r.box is not None else None, r.ground],
            ensure_ascii=False,
        )
        for r in redactions
        if r.state == "accepted"
    )
    blob = json.dumps({"file": file_sha256, "marks": marks, "version": BURN_VERSION}, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def cached(
    key: str,
    make: Callable[[], tuple[bytes, dict[str, Any]]],
    *,
    folder: Path | None = None,
    max_bytes: int = MAX_BYTES,
) -> tuple[bytes, dict[str, Any]]:
    """The entry ``key`` as ``(pdf, report)``, made with ``make()`` when it is missing or damaged (and
    then stored). ``report`` is the leak report as :meth:`aktflow.redaction.LeakReport.to_json` gives it.
    Only a passed check is kept: a failure may come from the server (OCR switched off, a limit) and is
    made afresh on each view. The store failing (a read-only disk, no space) never fails the caller: the
    result is made and returned without being kept."""
    folder = folder or cache_dir()
    found = _read(folder, key)
    if found is not None:
        return found
    pdf, report = make()
    if not report.get("ok"):
        return pdf, report
    try:
        _write(folder, key, pdf, report)
        _trim(folder, max_bytes)
    except OSError:
        pass
    return pdf, report


def _read(folder: Path, key: str) -> tuple[bytes, dict[str, Any]] | None:
    meta_path, pdf_path = folder / f"{key}.json", folder / f"{key}.pdf"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        pdf = pdf_path.read_bytes()
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(pdf).hexdigest():
        return None  # half-written or altered: made again
    try:
        os.utime(meta_path)  # recently used
    except OSError:
        pass
    return pdf, meta["report"]


def _atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(folder: Path, key: str, pdf: bytes, report: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _atomic(folder / f"{key}.pdf", pdf)
    meta = {"sha256": hashlib.sha256(pdf).hexdigest(), "report": report, "version": BURN_VERSION}
    _atomic(folder / f"{key}.json", json.dumps(meta).encode("utf-8"))  # last: the entry is whole now


def _trim(folder: Path, max_bytes: int) -> None:
    """Remove the least recently used entries until the store holds at most ``max_bytes``."""
    entries: list[tuple[float, int, str]] = []
    total = 0
    for meta in folder.glob("*.json"):
        key = meta.stem
        try:
            size = meta.stat().st_size + (folder / f"{key}.pdf").stat().st_size
            used = meta.stat().st_mtime
        except OSError:
            continue
        entries.append((used, size, key))
        total += size
    for _used, size, key in sorted(entries):
        if total <= max_bytes:
            break
        for suffix in (".json", ".pdf"):
            (folder / f"{key}{suffix}").unlink(missing_ok=True)
        total -= size
