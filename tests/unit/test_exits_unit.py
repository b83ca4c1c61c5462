"""The exit filter itself (aktflow.exits): what it masks, what it leaves alone, and the letter's header."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import namedtuple

import docx

import letters
from aktflow.exits import CprLogFilter, mask, mask_filename
from aktflow.screening import CPR_MASK

DASH = "120385-1237"
PLAIN = "1203851237"


def test_mask_masks_strings_and_containers_recursively():
    Row = namedtuple("Row", "title n")
    value = {
        "note": f"Ring til {DASH}",
        PLAIN: [f"a {PLAIN}", (f"b {DASH}", 7), {"deep": [f"c {PLAIN}"]}],
        "row": Row(f"d {DASH}", 3),
        "tags": {f"e {PLAIN}"},
        "n": 1203851237,  # a number is not text: left as it is
        "when": dt.date(1985, 3, 12),
        "none": None,
    }
    out = mask(value)
    assert out == {
        "note": f"Ring til {CPR_MASK}",
        CPR_MASK: [f"a {CPR_MASK}", (f"b {CPR_MASK}", 7), {"deep": [f"c {CPR_MASK}"]}],
        "row": Row(f"d {CPR_MASK}", 3),
        "tags": {f"e {CPR_MASK}"},
        "n": 1203851237,
        "when": dt.date(1985, 3, 12),
        "none": None,
    }
    assert isinstance(out["row"], Row)
    assert mask(f"notat_{DASH}_v2") == f"notat_{CPR_MASK}_v2"  # an underscore does not hide the number
    assert value["note"] == f"Ring til {DASH}"  # the input is not changed


def test_mask_leaves_what_is_not_a_cpr_number():
    for text in (
        "Tlf. 70 12 34 56",
        "15.17.12-A53-36-26",
        "2026-03-12T10:00:00",
        "kontonr. 1203851237",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "",
    ):
        assert mask(text) == text


def test_mask_filename_masks_and_keeps_the_name_usable():
    assert mask_filename(f"{PLAIN} klage.pdf") == f"{CPR_MASK} klage.pdf"
    # in a file name, an underscore or a letter next to the digits does not hide them
    assert mask_filename(f"notat_{DASH}.docx") == f"notat_{CPR_MASK}.docx"
    assert mask_filename(f"cpr{PLAIN}.pdf") == f"cpr{CPR_MASK}.pdf"
    assert mask_filename("rapport_2026.pdf") == "rapport_2026.pdf"
    assert mask_filename('a/b\\"c\n.txt') == "a_b_c_.txt"
    assert mask_filename(None) == "fil" and mask_filename("  ") == "fil"


def _record(msg, args=(), exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("aktflow.test", logging.INFO, __file__, 1, msg, args, exc_info)


def test_log_filter_masks_message_arguments_and_traceback():
    f = CprLogFilter()
    r = _record("sag %s af %s", (DASH, {"cpr": PLAIN}))
    assert f.filter(r) is True
    assert r.getMessage() == f"sag {CPR_MASK} af {{'cpr': '{CPR_MASK}'}}"
    try:
        raise ValueError(f"ugyldig {PLAIN}")
    except ValueError as e:
        r = _record("fejl", exc_info=(type(e), e, e.__traceback__))
    f.filter(r)
    assert PLAIN not in r.exc_text and CPR_MASK in r.exc_text
    formatted = logging.Formatter().format(r)
    assert PLAIN not in formatted and f"ugyldig {CPR_MASK}" in formatted


def test_log_filter_masks_a_message_whose_arguments_do_not_fit():
    r = _record("sag %s %s", (DASH,))  # one argument short: logging itself would fail on it
    CprLogFilter().filter(r)
    assert DASH not in r.getMessage() and CPR_MASK in r.getMessage()


def _docx_text(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    for s in d.sections:
        for part in (s.header, s.footer):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


def test_a_rendered_letter_masks_its_header_body_and_tables():
    for kind in ("afgoerelse", "fristbrev", "hoering"):
        ctx = letters.sample_context(kind)
        ctx["municipality"]["name"] = f"Kommune {PLAIN}"  # the page header
        ctx["case"]["subject"] = f"Sagen om {DASH}"
        for d in ctx.get("documents") or []:
            # the render masks whatever it is given: the aktliste's released title as well
            d["title"] = d["released_title"] = f"Bilag {PLAIN}"
        text = _docx_text(letters.render(kind, ctx))
        assert DASH not in text and PLAIN not in text
        assert f"Kommune {CPR_MASK}" in text
        if kind != "hoering":
            assert f"Sagen om {CPR_MASK}" in text
        if kind == "afgoerelse":
            assert f"Bilag {CPR_MASK}" in text


def test_a_letter_file_name_never_carries_the_number():
    name = letters.filename("afgoerelse", {"case": {"sagsnummer": f"sag {DASH}"}})
    assert DASH not in name and "1203851237" not in name.replace("-", "")
