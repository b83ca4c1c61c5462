"""The aktliste as released: what the requester reads of each document (docs/domain.md, "The aktliste
as released").

The decision letter's list of documents must not itself disclose what is withheld (FVL § 22 ff., OFL
§ 30, nr. 1, § 21): a title such as "Lægeerklæring om søvnproblemer" or a sender naming a psychiatric
ward tells the requester what the refusal protects. Each document therefore carries a *released* title
and sender/recipient (``Document.released_title``, ``Document.released_sender``), and the letters print
only those, through :func:`released_row`:

* At upload the released texts are prefilled from the original (:func:`prefill`), unless the original
  holds a CPR number or a word of a sensitive category (aktflow.screening): then they stay empty, and an
  empty released title prints neutrally as "Dokument nr. N", an empty sender as nothing.
* When the file's screening finds a CPR number or sensitive words in the document, a released title that
  is still the untouched prefill is emptied (neutral) by the screening worker.
* The caseworker sets both with ``assess_document`` (``released_title``, ``released_sender``); a text that
  holds a CPR number or a sensitive word is refused (:func:`check_released`).
* Printing masks once more (:func:`released_row`): a released text that holds a CPR number or a sensitive
  word prints neutrally, whatever its origin.
* Personnel material (OFL § 21): a document refused in a personnel case (KLE 81 or ``mark_personnel``), or
  refused under § 21, prints as a neutral row — number, date, "Dokument undtaget (personalesag)" and no
  sender — whatever its released title says (:func:`personnel_exempt`).

Pure functions over the loaded objects (duck-typed: ``doc.title``, ``doc.released_title``,
``doc.assessment``); nothing here reads the database.
"""

from __future__ import annotations

from typing import Any

from .errors import ValidationError
from .screening import scan
from .states.case_rules import is_personnel_case

#: The neutral title of a document whose released title is empty or not fit to print.
NEUTRAL_TITLE = "Dokument nr. {no}"
#: The title of a withheld personnel document's neutral row (OFL § 21).
PERSONNEL_TITLE = "Dokument undtaget (personalesag, offentlighedslovens § 21)"
#: Ground codes of the personnel-case exemption (OFL § 21, stk. 1 and 2).
PERSONNEL_GROUNDS = frozenset({"ofl-21-1", "ofl-21-2"})


def findings(text: str | None) -> list[str]:
    """The Danish labels of what screening finds in ``text`` (a CPR number, sensitive categories); empty
    for a text fit for the aktliste (or None)."""
    return [f.label for f in scan(text)] if text else []


def prefill(*parts: str | None) -> str | None:
    """The released text prefilled from the original ``parts`` (joined by " / ", blanks left out): None
    when there is nothing, or when the original holds a CPR number or a sensitive word."""
    joined = " / ".join(p.strip() for p in parts if p and p.strip())
    if not joined or findings(joined):
        return None
    return joined


def check_released(field: str, text: str) -> str:
    """``text`` as a released title or sender (``field`` names it in the error).

    Raises ValidationError(field, …) when it holds a CPR number or a word of a sensitive category: the
    aktliste must not disclose what is withheld.
    """
    found = findings(text)
    if found:
        raise ValidationError(
            field,
            f"teksten til aktlisten nævner {', '.join(found)}; anmoderen må ikke kunne læse det undtagne af "
            "aktlisten — skriv en neutral tekst (fx 'Brev fra borger')",
        )
    return text


def personnel_exempt(case: Any, doc: Any) -> bool:
    """Whether ``doc`` is withheld personnel material (OFL § 21): refused in a personnel case (KLE 81 or
    marked with ``mark_personnel``), or refused under § 21, stk. 1 or 2. Its aktliste row is neutral."""
    a = doc.assessment
    if a is None or a.outcome != "refuse":
        return False
    return bool(PERSONNEL_GROUNDS & set(a.grounds or [])) or is_personnel_case(case)


def released_row(case: Any, doc: Any, no: int) -> dict[str, Any]:
    """What the aktliste prints for ``doc``, number ``no`` in the register: ``released_title`` (never the
    original unless the caseworker's released title is the original), ``released_sender`` ("" for none)
    and ``neutral`` (True when the row was made neutral: personnel material, or a text not fit to print)."""
    if personnel_exempt(case, doc):
        return {"released_title": PERSONNEL_TITLE, "released_sender": "", "neutral": True}
    title = doc.released_title
    sender = doc.released_sender
    neutral = not title or bool(findings(title))
    return {
        "released_title": NEUTRAL_TITLE.format(no=no) if neutral else title,
        "released_sender": "" if not sender or findings(sender) else sender,
        "neutral": neutral,
    }
