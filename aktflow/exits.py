"""The exit filter: a CPR number never leaves aktflow and never enters its log (docs/domain.md §4).

Screening flags a CPR number where it is written; this module makes sure that whatever aktflow *sends out*
holds the mask ``XXXXXX-XXXX`` in its place. The rule for what a CPR number is, is one:
:func:`aktflow.screening.redact_cpr`. Masking happens at the exits, never at the input: the stored request
keeps what was written (legal may need it), and every way out masks.

The exits, and where each one calls this module:

==========================  ==========================================================================
exit                        where
==========================  ==========================================================================
letters (.docx)             ``letters.render``: every value composed for the template, headers included
                            (decision letter, fristbrev, hearing letter, kvittering, every kind)
letter file names           ``letters.filename``
archive case titles         ``aktflow.archive.local`` (the embedded archive's title) and
                            ``aktflow.archive.sbsys.case_title`` (the SBSYS case title)
archive document names      ``aktflow.archive.sbsys``: the journalised letter's name, description and
                            file name
the event log               ``aktflow.events.event_row``: the note and, recursively, the data, before
                            the hash is computed (so ``aktflow audit verify`` checks what is stored)
log lines                   :class:`CprLogFilter`, installed by :func:`install_log_filter` in the CLI
                            (``aktflow …``, ``aktflow serve``) and by ``web.exits`` in ``web.create_app``
                            (Flask, werkzeug, gunicorn)
flash messages              ``web.exits`` (from ``web.create_app``): the flashes in the session are
                            masked before the cookie is written, and when a page reads them
file names shown            :func:`mask_filename`: ``Content-Disposition`` of every download (``web/``,
                            ``web/api/``), the file names in the read models, the letters' file names
read models                 ``aktflow.queries``: case lists, the case page (subject, requester, document
                            titles, sender, recipient, flag reasons, history notes and data), the
                            legal queue, the dashboard, letters, deadlines, the CSV export — shared by
                            the HTML pages, the JSON API and the CLI
CLI output                  ``aktflow.cli.base.echo`` and ``emit``: every line the CLI prints
e-mail                      aktflow builds no e-mail today; one that is added must pass :func:`mask`
==========================  ==========================================================================

The one place a CPR number legitimately leaves: the requester's CPR *field*, sent to SBSYS (and later to
Digital Post) as the identifier of a party (``SbsysClient.find_person``), never in a title or free text.
It is not passed through this module, by design; the SBSYS client masks it in what it logs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .screening import CPR_MASK, find_cprs, redact_cpr

__all__ = ["CPR_MASK", "CprLogFilter", "install_log_filter", "mask", "mask_filename"]

T = TypeVar("T")

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\\"]+")


def mask(value: T) -> T:
    """``value`` with every CPR number masked as ``XXXXXX-XXXX``.

    A ``str`` is masked with :func:`aktflow.screening.redact_cpr`, and an underscore next to the digits
    does not hide them (``notat_120385-1237`` is masked: underscores join words in names and titles). A
    dict (keys and values), list, tuple or set is masked recursively into a new container (a mapping
    becomes a plain dict, a named tuple keeps its type); any other value (numbers, dates, None, booleans)
    is returned unchanged. Never raises for an ordinary value.
    """
    return _mask(value)


#: Values that never hold text: returned as they are without the checks below (the common case).
_PLAIN = frozenset({int, float, bool, type(None)})


def _mask(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:  # the usual container first, without the abstract-class check
        return {_mask(k): _mask(v) for k, v in value.items()}
    if isinstance(value, str):
        if sum(map(str.isdigit, value)) < 10:  # a CPR number is ten ASCII digits (screening.is_cpr)
            return value
        text = redact_cpr(value)
        # An underscore joins words in names and titles (notat_120385-1237), not digits into a number.
        return _mask_probed(text, _underscores_as_spaces) if "_" in text else text
    if isinstance(value, Mapping):
        return {_mask(k): _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    if isinstance(value, tuple):
        if hasattr(value, "_fields"):  # a named tuple keeps its type
            return type(value)(*(_mask(v) for v in value))
        return tuple(_mask(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(_mask(v) for v in value)
    return value


def _mask_probed(text: str, probe: Callable[[str], str]) -> str:
    """``text`` with the CPR numbers found in ``probe(text)`` (a copy of the same length, with some
    characters made spaces) masked; repeated, like :func:`aktflow.screening.redact_cpr`, until none is
    left."""
    while spans := find_cprs(probe(text)):
        parts: list[str] = []
        pos = 0
        for start, end in spans:
            parts += [text[pos:start], CPR_MASK]
            pos = end
        text = "".join(parts) + text[pos:]
    return text


def _underscores_as_spaces(text: str) -> str:
    return text.replace("_", " ")


def _name_probe(text: str) -> str:
    """``text`` of the same length with letters and underscores as spaces: in a file name they separate
    words (``notat_120385-1237.pdf``, ``cpr1203851237.pdf``), where in prose they would glue an identifier."""
    return "".join(" " if (c.isalpha() or c == "_") else c for c in text)


def mask_filename(name: str | None) -> str:
    """A file name fit to show or send: CPR numbers masked, and no path, quote or control characters.

    ``"120385-1237 klage.pdf"``, ``"notat_120385-1237.pdf"`` and ``"cpr1203851237.pdf"`` all become names
    with ``XXXXXX-XXXX`` in place of the number: in a file name a letter or an underscore next to the digits
    does not make them part of an identifier, as it does in text (so a name is masked on the safe side).
    The extension is kept. An empty or missing name gives ``"fil"``. The digits are masked before anything
    else is changed, so a character removed afterwards cannot join them into a number that was not seen.
    """
    text = mask(str(name or ""))
    text = _mask_probed(text, _name_probe)
    text = _UNSAFE_NAME.sub("_", text).strip(" .")
    return text or "fil"


class CprLogFilter(logging.Filter):
    """A logging filter that masks CPR numbers in a record before any handler formats it.

    The message is formatted once (``record.getMessage()``), masked and put back as ``record.msg`` with no
    ``args``; a traceback (``exc_info``) is formatted and masked into ``record.exc_text``, and
    ``stack_info`` is masked too. It never drops a record (always returns True).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place; returns True (the record is kept)."""
        if getattr(record, "_aktflow_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: mask its parts as they are
            message = f"{record.msg} {record.args!r}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        record._aktflow_masked = True
        return True


_FILTER = CprLogFilter()
_LOGGERS = ("", "aktflow", "web", "werkzeug", "gunicorn", "gunicorn.error", "gunicorn.access", "flask.app")


def install_log_filter() -> CprLogFilter:
    """Let every log record of the process pass through :class:`CprLogFilter`; returns the filter.

    Three holds, so no record escapes whichever way logging is configured: the record factory masks each
    record as it is made (every logger, also those configured later, e.g. by gunicorn or pytest); the
    filter sits on aktflow's, Flask's, werkzeug's and gunicorn's loggers; and on every handler they have
    now. Installing twice changes nothing.
    """
    old = logging.getLogRecordFactory()
    if not getattr(old, "_aktflow_masks", False):

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = old(*args, **kwargs)
            _FILTER.filter(record)
            return record

        factory._aktflow_masks = True  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
    return _FILTER
