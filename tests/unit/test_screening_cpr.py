"""CPR numbers in every writing, held against OS2datascanner's rule (os2ds-rules) on one corpus.

The corpus is written for these tests with made-up numbers: POSITIVES are CPR numbers as people, word
processors and PDF extraction write them; NEGATIVES are look-alikes from municipal documents. aktflow must
find every positive and nothing in the negatives, and must miss nothing that os2ds-rules finds but for
the look-alikes listed in OS2DS_ONLY_DROPPED, each with the reason aktflow drops it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from os2ds_rules import CPRDetector

from aktflow.screening import CPR_MASK, contains_cpr, cpr_digits, find_cprs, is_cpr, redact_cpr

# (text, the CPR number's ten digits)
POSITIVES: list[tuple[str, str]] = [
    ("CPR-nr.: 120385-1237", "1203851237"),
    ("Borgerens cpr 1203851237 fremgår af skemaet.", "1203851237"),
    ("Ansøger: 120385 1237, Vejle.", "1203851237"),
    ("Ansøger: 120385\u00a01237 (no-break space)", "1203851237"),
    ("Ansøger: 120385\u202f1237 (narrow no-break space)", "1203851237"),
    ("Ansøger: 120385\u20091237 (thin space)", "1203851237"),
    ("Ansøger: 120385\u20071237 (figure space)", "1203851237"),
    ("Ansøger: 120385\t1237 (tab)", "1203851237"),
    ("Ansøger: 120385 - 1237", "1203851237"),
    ("Ansøger: 120385\u00a0-\u00a01237", "1203851237"),
    ("Ansøger: 120385/1237", "1203851237"),
    ("Ansøger: 120385.1237", "1203851237"),
    ("Ansøger: 120385\u20101237 (hyphen)", "1203851237"),
    ("Ansøger: 120385\u20111237 (non-breaking hyphen)", "1203851237"),
    ("Ansøger: 120385\u20121237 (figure dash)", "1203851237"),
    ("Ansøger: 120385\u20131237 (en dash)", "1203851237"),
    ("Ansøger: 120385\u20141237 (em dash)", "1203851237"),
    ("Ansøger: 120385\u20151237 (horizontal bar)", "1203851237"),
    ("Ansøger: 120385\u22121237 (minus sign)", "1203851237"),
    ("Ansøger: 120385\ufe631237 (small hyphen-minus)", "1203851237"),
    ("Ansøger: 120385\uff0d1237 (fullwidth hyphen-minus)", "1203851237"),
    ("Ansøger: 120385 \u2013 1237", "1203851237"),
    ("Ansøger: 120385-\n1237, Vejle", "1203851237"),
    ("Ansøger: 120385 -\r\n 1237, Vejle", "1203851237"),
    ("Ansøger: 120385\u200b1237 (zero-width space)", "1203851237"),
    ("Ansøger: 120385\u00ad-1237 (soft hyphen)", "1203851237"),
    ("Født 12 03 85-1237 i Odense.", "1203851237"),
    ("Født 12 03 85 1237 i Odense.", "1203851237"),
    ("Født 12 03 85 - 1237 i Odense.", "1203851237"),
    ("CPR-nr. 12.03.85-1237", "1203851237"),
    ("cpr.nr.: 12/03/85 1237", "1203851237"),
    ("Personnummer: 12-03-85-1237", "1203851237"),
    ("personnr. 1 2 0 3 8 5 - 1 2 3 7", "1203851237"),
    ("Ansøger: 1 2 0 3 8 5 - 1 2 3 7 (letter-spaced, from a PDF)", "1203851237"),
    ("Ansøger: 1 2 0 3 8 5 1 2 3 7 (letter-spaced, from a PDF)", "1203851237"),
    ("CPR nr 120385\n1237", "1203851237"),
    ("CPR-nummer:\n120385-1237", "1203851237"),
    ("CPR: 1203 85 1237", "1203851237"),
    ("Navn;CPR;Adresse\nHans Hansen;120385-1237;Vejlevej 3", "1203851237"),
    ("(120385-1237)", "1203851237"),
    ("Sidst i sætningen står 120385-1237.", "1203851237"),
    ("Barnet: 290200-4321.", "2902004321"),  # 29 February 2000 (7th digit 4)
    ("Oldefar: 010158-5123.", "0101585123"),  # 1858 (7th digit 5, yy > 57)
    ("ID-A1203851237", "1203851237"),  # a letter is a boundary, not more of the number
]

NEGATIVES: list[str] = [
    "Ring på tlf. 72 34 56 78 eller +45 72345678.",
    "Tlf.: 12 03 85 12",
    "Sagsnr. 15.17.12-A53-36-26",
    "Personalesagen 81.00.00-A53-1-26 er oprettet.",
    "Beløbet udgør 1.234.567,00 kr.",
    "Mødet blev holdt 12-03-2085 kl. 10.",
    "Mødet blev holdt 12.03.85.",
    "Datoen 12 03 85 står på skemaet.",
    "Ugyldig dato: 320185-1237",
    "Den 31. april findes ikke: 310485-1237",
    "1985 var ikke skudår: 290285-1237",
    "Betaling til reg.nr. 1234 kontonr. 1203851237.",
    "Overførsel til 1234-1203851237 er gennemført.",
    "Bankoplysninger: 1234 1203851237",
    "EAN-nummer 5798000012345",
    "Journalnummer 2024-120385",
    "j.nr. 120385-1237",
    "Løbenummer 12038512371",
    "Fakturanr. 1203851237 er betalt.",
    "P-nr. 1203851237 hører til virksomheden.",
    "CVR 12038512",
    "Dokument-id 8f3a1203851237bc",
    "Tilskuddet udgør 1203851237 kr. ifølge regnearket.",
    "Tilskuddet udgør 1203851237,50 i alt.",
    "Tlf. 1203851237",
    "Kontonr. 120385 1237",
    "Mødedato 120385, lokale 1237.",
    "Version 12.03.85.1237 af programmet",
    "Intervallet 120385-1237-88 er reserveret.",
    "Serienummer 1 120385 1237",
    "Vejen er 1203 m lang og 851 m bred, 237 m asfalt.",
    "Point i runde 1-10: 1 2 3 4 5 6 7 8 9 10",
    "Point: 3 1 0 2 9 0 1 2 3 4 5",
]

# Look-alikes os2ds-rules reports and aktflow drops on purpose, with the reason.
OS2DS_ONLY_DROPPED: dict[str, str] = {
    "Bankoplysninger: 1234 1203851237": "a four-digit reg.nr. and a space before it: a bank account",
    "Fakturanr. 1203851237 er betalt.": "labelled as an invoice number",
    "P-nr. 1203851237 hører til virksomheden.": "labelled as a production-unit number",
    "Tilskuddet udgør 1203851237 kr. ifølge regnearket.": "an amount: kr. follows",
    "Tlf. 1203851237": "labelled as a phone number",
    "Kontonr. 120385 1237": "labelled as an account number",
    "Betaling til reg.nr. 1234 kontonr. 1203851237.": "labelled as an account number",
    "Tilskuddet udgør 1203851237,50 i alt.": "a decimal comma follows: an amount",
    "Serienummer 1 120385 1237": "spaced form inside a longer spaced number",
    "j.nr. 120385-1237": "labelled as a journal number",
}

_OS2DS = CPRDetector(check_mod11=False, examine_context=False)


def _os2ds_finds(text: str) -> bool:
    return bool(list(_OS2DS.find_matches(text)))


def _figures(finder) -> tuple[float, float, int, int]:
    tp = sum(1 for text, _ in POSITIVES if finder(text))
    fp = sum(1 for text in NEGATIVES if finder(text))
    precision = tp / (tp + fp) if tp + fp else 1.0
    return precision, tp / len(POSITIVES), tp, fp


def test_corpus_is_broad():
    assert len(POSITIVES) >= 40 and len(NEGATIVES) >= 30
    for text, digits in POSITIVES:
        assert is_cpr(digits), text  # every positive is a real date


def test_aktflow_finds_every_writing_and_no_look_alike():
    missed = [text for text, _ in POSITIVES if not contains_cpr(text)]
    flagged = [text for text in NEGATIVES if contains_cpr(text)]
    assert missed == []
    assert flagged == []


def test_aktflow_misses_nothing_os2ds_rules_finds_but_the_documented_look_alikes():
    ours, theirs = _figures(contains_cpr), _figures(_os2ds_finds)
    print(
        f"\nCPR corpus: {len(POSITIVES)} writings, {len(NEGATIVES)} look-alikes\n"
        f"  aktflow:     precision={ours[0]:.3f} recall={ours[1]:.3f} (tp={ours[2]} fp={ours[3]})\n"
        f"  os2ds-rules: precision={theirs[0]:.3f} recall={theirs[1]:.3f} (tp={theirs[2]} fp={theirs[3]})"
    )
    corpus = [text for text, _ in POSITIVES] + NEGATIVES
    only_theirs = [text for text in corpus if _os2ds_finds(text) and not contains_cpr(text)]
    assert sorted(only_theirs) == sorted(OS2DS_ONLY_DROPPED)
    assert ours[1] == 1.0 and ours[1] >= theirs[1]


@pytest.mark.parametrize("text, digits", POSITIVES)
def test_the_span_is_in_the_original_text_and_masking_removes_it(text, digits):
    (start, end), *rest = find_cprs(text)
    assert rest == []
    assert re.sub(r"\D", "", text[start:end]) == digits  # the whole number, separators included
    redacted = redact_cpr(text)
    assert redacted == text[:start] + CPR_MASK + text[end:]
    assert digits[:6] not in re.sub(r"\D", "", redacted) and not contains_cpr(redacted)


def test_after_a_cpr_label_any_separator_counts():
    assert find_cprs("CPR-nr.: 12.03.85 - 1237") == [(9, 24)]
    assert contains_cpr("personnummer 12/03/85/1237")
    assert not contains_cpr("12/03/85/1237")  # without the label: a date and a number
    assert not contains_cpr("CPR-nr.: 32.03.85 - 1237")  # the label does not make a bad date good


def test_cpr_digits_strips_every_separator_screening_reads():
    for text, digits in POSITIVES:
        (start, end), *_ = find_cprs(text)
        assert cpr_digits(text[start:end]) == digits
    assert cpr_digits("12\u00a003\u202f85\u2009\u2013\t1237") == "1203851237"
    assert cpr_digits("12a") == "12a"  # letters stay, so the intake can refuse them


_SEPARATORS = [
    "", " ", "-", "\u00a0", "\u202f", "\u2009", "\u2007", "\t", "/", ".",
    "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d",
    " - ", "\u00a0\u2013\u00a0", "-\n", " -\r\n", "\u200b",
]  # fmt: skip
_SAFE_TEXT = st.text(alphabet="abdfghilmsuvyæøå ,;:()!?\n", max_size=30)


@st.composite
def _written_cprs(draw) -> tuple[str, str]:
    """A CPR number with a valid date as (its ten digits, a way it is written)."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2036, 12, 31)))
    seventh = draw(st.sampled_from([0, 1, 2, 3] if day.year < 2000 else [4, 9]))
    digits = f"{day:%d%m}{day.year % 100:02d}{seventh}{draw(st.integers(0, 999)):03d}"
    if draw(st.booleans()):
        written = f"{digits[:6]}{draw(st.sampled_from(_SEPARATORS))}{digits[6:]}"
    else:  # a spaced date
        written = (
            f"{digits[:2]} {digits[2:4]} {digits[4:6]}{draw(st.sampled_from(['-', ' ', ' - ']))}{digits[6:]}"
        )
    return digits, written


@settings(max_examples=300, deadline=None)
@given(_written_cprs(), _SAFE_TEXT, _SAFE_TEXT)
def test_any_writing_embedded_in_text_is_found_and_masked(cpr, before, after):
    digits, written = cpr
    text = f"{before} {written} {after}"
    start = len(before) + 1
    assert find_cprs(text) == [(start, start + len(written))]
    assert redact_cpr(text) == f"{before} {CPR_MASK} {after}"
    assert cpr_digits(written) == digits
