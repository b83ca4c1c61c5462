"""The values of extraction (limits, parts, the result) and the budget that enforces the limits.

Every limit has a setting (``AKTFLOW_MAX_*``, see docs/documents.md); a file over a limit is refused with a
Danish message that names the limit and its setting, so the user knows what to change or whom to ask.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import ValidationError

MIB = 2**20

# The setting behind each limit, named in the refusal.
SETTING = {
    "max_bytes": "AKTFLOW_MAX_UPLOAD",
    "max_unpacked": "AKTFLOW_MAX_UNPACKED",
    "max_parts": "AKTFLOW_MAX_PARTS",
    "max_pages": "AKTFLOW_MAX_PAGES",
    "max_chars": "AKTFLOW_MAX_CHARS",
    "max_seconds": "AKTFLOW_MAX_SECONDS",
    "max_memory": "AKTFLOW_MAX_MEMORY",
}

UNREAD = "kunne ikke gennemgås automatisk — skal læses manuelt"


@dataclass(frozen=True)
class Limits:
    """How much work one file may cost. Sizes in bytes, time in seconds; see docs/documents.md."""

    max_bytes: int = 25 * MIB  # the file itself
    max_unpacked: int = 100 * MIB  # total uncompressed size of a zip-based file (docx/xlsx/odt/ods)
    max_parts: int = 1000  # zip members / parts / PDF embedded files / e-mail attachments
    max_pages: int = 1000  # PDF pages (and TIFF frames)
    max_chars: int = 5_000_000  # extracted characters, all parts together
    max_seconds: float = 60.0  # wall clock for the whole file, OCR included (bounded runner)
    max_memory: int = 768 * MIB  # address space of the child process (RLIMIT_AS), bytes
    max_depth: int = 3  # nesting of attachments / embedded files
    ocr: bool = True  # False: pages/images needing OCR are marked unread
    ocr_page_seconds: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        """The limits as a JSON-ready dict (for the child process)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Limits:
        """The inverse of :meth:`to_dict`; unknown keys are ignored."""
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


class Refused(ValidationError):
    """A file refused (field ``file``): a Danish message that names the limit, e.g. 'filen fylder 412 MB
    udpakket; grænsen er 100 MB (AKTFLOW_MAX_UNPACKED)'.

    ``limit`` is the name of the :class:`Limits` field that was exceeded (``"max_unpacked"`` …), or None
    when the file is refused for what it is (wrong type, damaged, protected by a password).
    """

    def __init__(self, detail: str, limit: str | None = None):
        super().__init__("file", detail)
        self.limit = limit

    def __reduce__(self) -> Any:  # picklable with its limit
        return (type(self), (self.detail, self.limit))


def mb(n: float) -> str:
    """A size for a message: ``412 MB``; below 10 MB with one decimal, ``1,5 MB``; below 1 MB in kB,
    ``980 kB``; below 1 kB in bytes, ``120 byte``."""
    value = n / MIB
    if n < 1024:
        return f"{int(n)} byte"
    if n < MIB:
        return f"{n / 1024:.0f} kB"
    if value < 10:
        return f"{value:.1f} MB".replace(".", ",")
    return f"{value:.0f} MB"


def count(n: int) -> str:
    """A whole number the Danish way: ``5.000.000``."""
    return f"{n:,}".replace(",", ".")


def over(limit: str, limits: Limits, what: str) -> Refused:
    """The refusal for ``limit``: ``what`` says what the file has, the rest names the limit and its setting."""
    value = getattr(limits, limit)
    if limit in ("max_bytes", "max_unpacked", "max_memory"):
        bound = mb(value)
    elif limit == "max_seconds":
        bound = (f"{value:g} sekund" + ("" if value == 1 else "er")).replace(".", ",")
    else:
        bound = count(value)
    setting = f" ({SETTING[limit]})" if limit in SETTING else ""
    return Refused(f"{what}; grænsen er {bound}{setting}", limit)


@dataclass(frozen=True)
class Part:
    """One place in a file and its text: "Brødtekst", "Sidehoved, afsnit 1", "Side 3 (OCR)", …

    ``read`` is False when the part could not be read (a scan without OCR, OCR that gave nothing):
    ``reason`` then says why, in Danish. ``ocr_confidence`` is Tesseract's mean word confidence (0-100)
    where OCR was used.
    """

    label: str
    text: str
    read: bool = True
    ocr_confidence: float | None = None
    reason: str = ""


@dataclass(frozen=True)
class Embedded:
    """An e-mail attachment or a PDF embedded file: screened as a document of its own."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class Extraction:
    """Everything read from one file: its parts in document order and the files it carries."""

    filename: str
    content_type: str
    sha256: str
    size: int
    parts: tuple[Part, ...]
    children: tuple[Embedded, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every part was read (and there is at least one part): only then may it count as clean."""
        return bool(self.parts) and all(p.read for p in self.parts)

    @property
    def text(self) -> str:
        """All parts' text joined with "\\n" (for the single text column)."""
        return "\n".join(p.text for p in self.parts)


@dataclass
class Budget:
    """What one extraction has used so far; raises :class:`Refused` the moment a limit is passed."""

    limits: Limits
    chars: int = 0
    unpacked: int = 0
    parts: int = 0
    started: float = field(default_factory=time.monotonic)

    def add_chars(self, n: int) -> None:
        """Count ``n`` extracted characters against ``max_chars``."""
        self.chars += n
        if self.chars > self.limits.max_chars:
            raise over(
                "max_chars",
                self.limits,
                f"filen indeholder mere end {count(self.limits.max_chars)} tegn tekst",
            )

    def add_unpacked(self, n: int) -> None:
        """Count ``n`` decompressed bytes against ``max_unpacked``."""
        self.unpacked += n
        if self.unpacked > self.limits.max_unpacked:
            raise over(
                "max_unpacked", self.limits, f"filen fylder mere end {mb(self.limits.max_unpacked)} udpakket"
            )

    def add_part(self, what: str = "dele") -> None:
        """Count one part (a zip member, an attachment, an embedded file) against ``max_parts``."""
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise over("max_parts", self.limits, f"filen har mere end {count(self.limits.max_parts)} {what}")

    def seconds_left(self) -> float:
        """Wall-clock seconds left of ``max_seconds`` (never below 0.1)."""
        return max(0.1, self.limits.max_seconds - (time.monotonic() - self.started))


class Collector:
    """Parts in the order they are found, each one's text counted against the budget as it grows."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.parts: list[Part] = []
        self.children: list[Embedded] = []

    def add(self, label: str, text: str, *, counted: bool = False, **kw: Any) -> None:
        """Add a part unless it is empty (an unread part is kept even when empty).

        ``counted``: the text was already counted against ``max_chars`` while it was read.
        """
        text = text.strip("\n")
        if not text.strip() and kw.get("read", True):
            return
        if not counted:
            self.budget.add_chars(len(text))
        self.parts.append(Part(label, text, **kw))

    def child(self, filename: str, content: bytes, what: str = "vedhæftede filer") -> None:
        """Add a carried file (attachment, embedded file) as a child, counted against ``max_parts``."""
        self.budget.add_part(what)
        self.budget.add_unpacked(len(content))
        self.children.append(Embedded(child_name(filename), content))


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+|\.\.+")


def child_name(name: str) -> str:
    """A carried file's name made safe to store: no folders, '..' or control characters, at most 200
    characters with the extension kept ("unavngivet" when empty)."""
    name = _UNSAFE.sub("_", " ".join((name or "").split())).strip(" _") or "unavngivet"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = stem[: 199 - len(ext)] + dot + ext if dot and len(ext) <= 10 else name[:200]
    return name
