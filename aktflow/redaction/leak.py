"""The leak check: proof that a released PDF holds no redacted text and no CPR number (docs/redaction.md).

:func:`leak_check` reads the output the way screening reads a document (:mod:`aktflow.extraction`:
the text layer page by page, OCR of pages and images without text, metadata, annotations and comments,
form fields, and every embedded file, read in turn as a document of its own) and looks in every part for

* each redacted term, found as burn-in finds it (:func:`aktflow.redaction.burn.term_pattern`: a whole
  word or phrase, case-insensitive, whitespace and hyphenation at line ends ignored), and
* any CPR number (:func:`aktflow.screening.cpr.find_cprs`: also spaced and letter-spaced forms).

A part that could not be read (a scan OCR could not read, OCR switched off) proves nothing, so it fails
the check too: only a file whose every part was read and found clean passes. An embedded file fails the
check on its own (a released file carries none). The report never repeats a redacted term or a CPR
number: it names the part and the redaction's number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..extraction import Extraction, Limits, Refused, extract
from ..screening.cpr import find_cprs
from .burn import term_pattern

_SPACE = re.compile(r"\s+")
_SOFT = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")
_HYPHEN_BREAK = re.compile(r"(\w)-\s*\n\s*(\w)")


@dataclass(frozen=True)
class Leak:
    """One thing found in the output: ``what`` is ``cpr`` or ``term`` (``term``: the 1-based number of
    the term in the list given), ``where`` the part's Danish label ("Side 2", "Metadata", "Vedhæftet fil
    'a.txt'")."""

    what: str
    where: str
    term: int | None = None

    def describe(self) -> str:
        """A Danish line that never repeats the secret, e.g. "overstregning nr. 2 findes i Side 1"."""
        if self.what == "cpr":
            return f"et CPR-nummer findes i {self.where}"
        if self.what == "attachment":
            return f"filen har en vedhæftet fil: {self.where}"
        if self.what == "unread":
            return f"{self.where} kunne ikke læses, så det kan ikke bevises, at den er ren"
        return f"overstregning nr. {self.term} findes stadig i {self.where}"


@dataclass(frozen=True)
class LeakReport:
    """The check's result: ``ok`` only when every part was read and nothing was found; ``leaks`` what was
    found; ``parts`` how many parts were read. :meth:`reason` is the Danish sentence that blocks release;
    :meth:`to_json` is what is stored with the released file."""

    ok: bool
    leaks: tuple[Leak, ...] = field(default=())
    parts: int = 0
    sha256: str = ""

    def reason(self) -> str | None:
        """None when the check passed, else why the file may not be released (Danish)."""
        if self.ok:
            return None
        return "Lækagekontrollen fandt: " + "; ".join(leak.describe() for leak in self.leaks)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LeakReport:
        """The report :meth:`to_json` wrote (kept with the burnt-in file between views)."""
        leaks = tuple(Leak(x["what"], x["where"], x.get("term")) for x in data.get("leaks") or [])
        return cls(bool(data["ok"]), leaks, int(data.get("parts") or 0), str(data.get("sha256") or ""))

    def to_json(self) -> dict[str, Any]:
        """``{"ok", "sha256", "parts", "leaks": [{"what", "where", "term"}], "reason"}`` (no secret)."""
        return {
            "ok": self.ok,
            "sha256": self.sha256,
            "parts": self.parts,
            "leaks": [{"what": x.what, "where": x.where, "term": x.term} for x in self.leaks],
            "reason": self.reason(),
        }


def normalise(text: str) -> str:
    """Text as the check compares it: invisible characters dropped, a word hyphenated at a line end
    joined, runs of whitespace made one space, lower-cased."""
    text = _SOFT.sub("", text)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return _SPACE.sub(" ", text).lower().strip()


def leak_check(pdf: bytes, terms: Sequence[str], limits: Limits | None = None) -> LeakReport:
    """Check the released PDF ``pdf`` for the redacted ``terms`` and for CPR numbers.

    ``terms``: the text redactions' words or phrases (blank ones are skipped; numbering in the report
    follows this list, 1-based). ``limits``: the reading limits (:class:`aktflow.extraction.Limits`,
    default the standard ones). A file that cannot be read at all fails with that reason; never raises
    for the file's content."""
    wanted = [(i + 1, p) for i, t in enumerate(terms) if (p := term_pattern(t)) is not None]
    limits = limits or Limits()
    try:
        result = extract("udlevering.pdf", pdf, limits)
    except Refused as exc:
        return LeakReport(False, (Leak("unread", f"filen ({exc.detail})"),))
    leaks, parts = _check(result, wanted, limits, depth=0, prefix="")
    return LeakReport(not leaks, tuple(leaks), parts, result.sha256)


def _check(
    result: Extraction, wanted: list[tuple[int, re.Pattern[str]]], limits: Limits, depth: int, prefix: str
) -> tuple[list[Leak], int]:
    leaks: list[Leak] = []
    parts = 0
    for part in result.parts:
        where = prefix + part.label
        parts += 1
        if not part.read:
            leaks.append(Leak("unread", where))
        leaks.extend(_found(part.text, wanted, where))
    for child in result.children:
        where = f"{prefix}vedhæftet fil '{_safe_name(child.filename)}'"
        leaks.append(Leak("attachment", where))
        if depth >= limits.max_depth:
            continue
        try:
            inner = extract(child.filename, child.content, limits)
        except Refused:
            leaks.append(Leak("unread", where))
            continue
        more, n = _check(inner, wanted, limits, depth + 1, where + ", ")
        leaks.extend(more)
        parts += n
    return leaks, parts


def _found(text: str, wanted: Iterable[tuple[int, re.Pattern[str]]], where: str) -> list[Leak]:
    out = []
    if find_cprs(text) or find_cprs(_SOFT.sub("", text)):
        out.append(Leak("cpr", where))
    flat = normalise(text)
    for number, pattern in wanted:
        if pattern.search(flat):
            out.append(Leak("term", where, number))
    return out


def _safe_name(name: str) -> str:
    from ..exits import mask_filename

    return mask_filename(name)
