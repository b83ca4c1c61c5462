"""CPR numbers in free text: find, test and mask them (docs/domain.md §4, flagging; the CPR law's § 3).

Pure functions over strings; the patterns are compiled once at import (the standard library only).

What counts as a CPR number
    Ten digits ``ddmmyy`` + ``xxxx`` whose date exists in the century the 7th digit gives (0-3: 1900s;
    4 and 9: 2000s when yy <= 36, else 1900s; 5-8: 2000s when yy <= 57, else 1800s), so 29 February is
    checked against the right year. There is no modulus-11 check: numbers issued since 2007 need not pass it.

How it may be written
    The text is read as people and programs write it, without normalising it first, so every span is a
    span of the original text (the redaction and the highlighting use them):

    - between ``yy`` and ``xxxx``: nothing, one space of any kind (a no-break space U+00A0, a narrow
      no-break space U+202F, a thin or figure space, a tab ...), ``/``, ``.``, or a dash of any kind
      (hyphen, U+2010-U+2015 with the en and em dashes, the minus sign U+2212, U+FE63, U+FF0D) with
      spaces around it and a line break after it (``120385 -\\n1237``);
    - a spaced date: ``12 03 85-1237``, ``12 03 85 1237`` (one space between day, month and year). Phone
      numbers are written in pairs of eight digits and never end in a group of four, so the spaced forms
      cost little; a digit group one space before or after drops the candidate (a longer spaced number);
    - letter-spaced, as PDF text extraction gives wide letter spacing: ``1 2 0 3 8 5 - 1 2 3 7`` (one
      space between the digits; the same guards);
    - invisible characters a word processor or a PDF leaves (soft hyphen, zero-width space and joiners)
      count as no character at all.

    After a CPR label ("CPR", "CPR-nr.", "CPR nr", "cpr.nr.", "personnummer", "personnr.") any separator
    counts: up to three spaces, dashes, dots, slashes or line breaks between any two of the ten digits
    (``CPR-nr.: 12.03.85 - 1237``, letter-spaced ``cpr 1 2 0 3 8 5 1 2 3 7``). The label says what the
    number is, so the labels that would otherwise make it something else are not asked.

What is dropped (the false-positive guards)
    A candidate is dropped when it is glued to more of a number: a digit right next to it (a letter or an
    underscore is a boundary, so ``sag0101901235``, ``a010190-1235`` and ``jens010190-1235@example.dk`` are
    CPR numbers; ten plain digits inside a run of at least 16 hexadecimal characters, a hash or a file's
    random ID such as ``8f3a1203851237bc``, are not); a dash, ``.`` or ``/`` followed (or preceded) by a digit; a decimal comma
    after it; a four-digit group and a space before it (bank reg.nr. + kontonr., ``1234 1503901234``); for
    the spaced forms, any digit group one space away. It is also dropped when a label right in front of it
    says what else it is (kontonr., reg.nr., tlf., EAN, CVR, P-nr., j.nr., sagsnr., fakturanr., kr. ...) or
    ``kr.``/``DKK`` follows it. Phone numbers (8 digits, also in pairs), SBSYS numbers
    (``15.17.12-A53-36-26``), dates (``01-01-2020``) and amounts with separators never have the shape.

    Known limit, on the safe side: an *unlabelled* ten-digit number whose first six digits form a valid
    date (a bare account number, a P-number) is reported as a CPR number; that costs a look by legal, a
    missed CPR number costs a breach of confidentiality.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "CPR_LABEL",
    "CPR_MASK",
    "contains_cpr",
    "cpr_digits",
    "find_cprs",
    "is_cpr",
    "redact_cpr",
]

CPR_MASK = "XXXXXX-XXXX"
CPR_LABEL = "CPR-nummer"

# Every dash a keyboard, a word processor or a PDF puts between the date and the serial number.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
_D = DASHES.replace("-", r"\-")  # the dashes, for use inside a character class
# Characters that take no room: soft hyphen, zero-width space, non-joiner, joiner, word joiner, BOM.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_ZW = f"[{_INVISIBLE}]*"
# Horizontal white space of any kind (space, tab, NBSP, narrow NBSP, thin and figure spaces, ...): every
# white-space character but the ones that end a line.
_H = r"[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
_LINE_BREAK = r"(?:\r\n|[\n\r\x0b\x0c\x85\u2028\u2029])"
_SEP_YY_XXXX = (
    rf"(?:{_H}{{0,3}}{_ZW}[{_D}]{_ZW}{_H}{{0,3}}(?:{_LINE_BREAK}{_H}{{0,8}})?"  # a dash, spaces, a line break
    rf"|{_ZW}[/.]{_ZW}"  # a slash or a dot
    rf"|{_ZW}{_H}{_ZW}"  # one space of any kind
    rf"|[{_INVISIBLE}]+)"  # only invisible characters
)
_CPR_CANDIDATE = re.compile(
    rf"(?<!\d)(\d\d)(?:{_ZW}({_H}){_ZW})?(\d\d)(?(2){_ZW}{_H}{_ZW})(\d\d)({_SEP_YY_XXXX})?(\d)(\d\d\d)(?!\d)"
)
# Letter-spaced, as PDF text extraction gives text set with wide letter spacing: "1 2 0 3 8 5 - 1 2 3 7".
_LETTER_SPACED = re.compile(rf"(?<!\d)\d(?:{_H}\d){{5}}(?:{_H}?[{_D}]{_H}?|{_H})\d(?:{_H}\d){{3}}(?!\d)")
# After a label: ten digits with up to three separator characters between any two of them.
_ANY_SEP = rf"[\s{_D}./{_INVISIBLE}]"
_LABELLED = re.compile(
    r"\b(?:cpr|personnummer|personnr|pers\.?\s?nr)(?:[\s.-]{0,2}(?:nr|nummer|no)\b)?\.?[\s:.#=-]{0,4}"
    rf"(\d(?:{_ANY_SEP}{{0,3}}\d){{9}})(?!\d)",
    re.IGNORECASE,
)
_JOINERS = frozenset(DASHES + "./")  # characters that glue digit groups into one number
# Labels that say a number is something else. Some stand alone ("kontonr.", "tlf.", "kr."); short or
# common words only count with "nr"/"nummer" after them ("j.nr.", "p-nr.", "sag nr.", "dok.nr.").
_LEFT_LABEL = re.compile(
    r"\b(?:"
    r"(?:konto\w*|tlf|telefon\w*|mobil\w*|fax|ean|gln|cvr|kr|dkk|beløb\w*|registreringsnummer|"
    r"(?:reg|j|sags|journal|kunde|faktura|ordre|bilags?|løbe|police)(?:nr|nummer))"
    r"(?:[\s.-]*(?:nr|nummer|no)\b)?"
    r"|(?:reg|se|p|j|sag|sags|dok|dokument|ref|journal|kunde|faktura|ordre|bilag|løbe|police)"
    r"[\s.-]*(?:nr|nummer|no)\b"
    r")[\s.:#-]*$",
    re.IGNORECASE,
)
_RIGHT_AMOUNT = re.compile(r"\s*(?:kr\b|kroner\b|dkk\b)", re.IGNORECASE)
_REG_GROUP_BEFORE = re.compile(r"(?:^|[^\w.,/\-])\d{4}\s$")
_DECIMAL_AFTER = re.compile(r",\d{1,2}(?!\d)")
_NOT_DIGIT = re.compile(r"\D")
_HEX = frozenset("0123456789abcdefABCDEF")
_HEX_TOKEN = 16  # a run of hexadecimal characters this long is a hash or an ID, not words around a number


def _in_hex_token(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is plain digits inside a run of >= 16 hex characters with a letter."""
    if not text[start:end].isdigit():
        return False
    i, j = start, end
    while i > 0 and text[i - 1] in _HEX:
        i -= 1
    while j < len(text) and text[j] in _HEX:
        j += 1
    if j < len(text) and text[j] == "@":  # the local part of an e-mail address is never a hash
        return False
    return j - i >= _HEX_TOKEN and not text[i:j].isdigit()


def _birth_year(yy: int, seventh: int) -> int:
    """The year of birth a CPR number's yy and 7th digit give (CPR-kontorets century rules)."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    return (2000 if yy <= 57 else 1800) + yy


def is_cpr(digits: str) -> bool:
    """True when ``digits`` (ten ASCII digits, ddmmååxxxx) is a CPR number.

    The birth date must exist in the century the seventh digit gives (CPR-kontoret's rules, as the
    scanner applies them). No modulus-11 check: CPR numbers issued since 2007 need not pass it.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    try:
        date(_birth_year(int(digits[4:6]), int(digits[6])), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return False
    return True


_CPR_FIELD_SEPARATORS = re.compile(rf"[\s{_D}./{_INVISIBLE}]")


def cpr_digits(value: str) -> str:
    """``value`` without the separators a CPR number may be written with (every Unicode space and dash,
    tabs, line breaks, ``/``, ``.`` and invisible characters): ``"120385 – 1237"`` → ``"1203851237"``.

    Used by the intake's CPR field, so a number screening finds in a text is accepted there in the same
    writing. The result is not checked: call :func:`is_cpr` on it.
    """
    return _CPR_FIELD_SEPARATORS.sub("", value)


def _glued(text: str, start: int, end: int, spaced: bool) -> bool:
    """True when the digits at text[start:end] are part of a longer number or an identifier."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before.isdigit() or after.isdigit() or _in_hex_token(text, start, end):
        return True  # more of a number (letters and underscores are boundaries: "sag0101901235")
    if before in _JOINERS and start >= 2 and text[start - 2].isdigit():
        return True
    if after in _JOINERS and end + 1 < len(text) and text[end + 1].isdigit():
        return True
    if after == "," and _DECIMAL_AFTER.match(text, end):
        return True
    if spaced:
        if before.isspace() and start >= 2 and text[start - 2].isdigit():
            return True
        if after.isspace() and end + 1 < len(text) and text[end + 1].isdigit():
            return True
    elif _REG_GROUP_BEFORE.search(text, max(0, start - 6), start):
        return True
    return bool(_LEFT_LABEL.search(text, max(0, start - 40), start) or _RIGHT_AMOUNT.match(text, end))


def _unlabelled(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _CPR_CANDIDATE.finditer(text):
        dd, space, mm, yy, sep, seventh, serial = m.groups()
        spaced = space is not None or (sep is not None and sep.strip(_INVISIBLE).isspace())
        if is_cpr(dd + mm + yy + seventh + serial) and not _glued(text, m.start(), m.end(), spaced):
            spans.append(m.span())
    for m in _LETTER_SPACED.finditer(text):
        if is_cpr(_NOT_DIGIT.sub("", m.group())) and not _glued(text, m.start(), m.end(), True):
            spans.append(m.span())
    return spans


def _labelled(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _LABELLED.finditer(text):
        start, end = m.span(1)
        after = text[end] if end < len(text) else ""
        if is_cpr(_NOT_DIGIT.sub("", m.group(1))) and not after.isdigit():
            spans.append((start, end))
    return spans


def find_cprs(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the CPR numbers in ``text``, in order and not overlapping.

    Spans are offsets in ``text`` as given (never in a normalised copy), covering the separators inside
    the number (``"120385 -\\n1237"`` is one span).
    """
    spans = sorted(_unlabelled(text) + _labelled(text))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def contains_cpr(text: str) -> bool:
    """True when the text holds at least one CPR number (in any of the writings :func:`find_cprs` reads)."""
    return bool(find_cprs(text))


def redact_cpr(text: str) -> str:
    """The text with every CPR number (separators and line breaks inside it included) replaced by
    ``XXXXXX-XXXX``.

    Repeated until nothing is left: masking one number can free a neighbour that was held back only by
    the digits next to it (``0101901234 020290 1234``), and that neighbour is masked as well.
    """
    while spans := find_cprs(text):
        parts: list[str] = []
        pos = 0
        for start, end in spans:
            parts.append(text[pos:start])
            parts.append(CPR_MASK)
            pos = end
        parts.append(text[pos:])
        text = "".join(parts)
    return text
