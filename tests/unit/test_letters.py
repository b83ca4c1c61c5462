"""Letters: every kind renders to a Word file that says what the law and the case require.

Each test opens the rendered .docx with python-docx and reads what a recipient would read: the body,
the aktliste table and the page header and footer.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import shutil
import stat
import zipfile
from pathlib import Path

import docx
import pytest

import letters
from aktflow import grounds

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INJECTION = "Æbleø & Søn <b>fed</b> {{ 7*7 }} {% if x %}åh{% endif %} {# c #}"


def letter_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def aktliste(data: bytes) -> list[list[str]]:
    """The aktliste's rows below the header; [] when the letter has no table."""
    doc = docx.Document(io.BytesIO(data))
    if not doc.tables:
        return []
    return [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]


def doc(
    no,
    outcome="grant",
    grounds_=(),
    *,
    extracted=False,
    mer=None,
    note=None,
    title=None,
    what=None,
    weighing=None,
):
    """One document as the letters see it (aktflow.case_letters.letter_document): the released title and
    sender are the original's, as if the caseworker released them; ``note`` is the reason for the requester."""
    return {
        "no": no,
        "id": 100 + no,
        "title": title or f"Dokument {no}",
        "date": dt.date(2026, 3, 1) + dt.timedelta(days=no - 1),
        "sender": "Afsender A/S",
        "recipient": None,
        "released_title": title or f"Dokument {no}",
        "released_sender": "Afsender A/S",
        "neutral": False,
        "outcome": outcome,
        "grounds": list(grounds_),
        "extracted": extracted,
        "extraction_note": what,
        "meroffentlighed_note": mer,
        "reason": note,
        "weighing_note": weighing,
    }


def decision(outcome, docs, basis="ofl", **case):
    ctx = letters.sample_context("afgoerelse")
    ctx["outcome"], ctx["documents"] = outcome, docs
    ctx["case"].update(basis=basis, **case)
    return ctx


# --- every kind --------------------------------------------------------------------------------------------

REQUIRED = {
    "kvittering": ["senest den 15. januar 2027", "7 arbejdsdage", "offentlighedslovens § 36"],
    "praecisering": ["Oplys venligst, hvilken periode og hvilke ejendomme", "offentlighedslovens § 9"],
    "fristbrev": [
        "Sagen omfatter mange dokumenter, og vi skal høre en virksomhed",
        "senest den 15. januar 2027",
        "offentlighedslovens § 36, stk. 2",
        "offentlighedslovens § 39",
    ],
    "hoering": [
        "Byg & Anlæg ApS",
        "Industrivej 7",
        "senest den 8. januar 2027",
        "prisbilag indeholder",
        "Dokument nr. 3 (Tilbud)",  # the released title, never the original
    ],
    "underretning_ansat": ["Mette Jensen", "offentlighedslovens § 41", "Søren Ågård"],
    "delafgoerelse": [
        "Delafgørelse",
        "Ansøgning om byggetilladelse",
        "øvrige 3 dokumenter",
        "15. januar 2027",
    ],
    "afgoerelse": [
        "Afgørelse om aktindsigt",
        "Aktliste",
        "Begrundelse",
        "Klagevejledning",
        "Du ønsker aktindsigt i alle",
    ],
    "videresendelse": ["Miljøstyrelsen", "forvaltningslovens § 7, stk. 2"],
    "klage_oversendelse": [
        "Byggeklageenheden",
        "Toldboden 2, 8800 Viborg",
        "1. februar 2027",
        "Kommunen fastholder, at prisbilaget",
        "Kopi til: Søren Ågård",
        "offentlighedslovens § 37, stk. 2",
    ],
    "klage_forsinkelse": [
        "Byggeklageenheden",
        "Toldboden 2, 8800 Viborg",
        "Oversendelse af klage over sagsbehandlingstiden",
        "den 5. januar 2027 klaget over den tid",
        "ikke en afgørelse",
        "Vi modtog anmodningen den 14. december 2026.",
        "Sagen omfatter over 300 dokumenter",
        "senest den 15. januar 2027",
        "Kopi til: Søren Ågård",
        "offentlighedslovens § 39",
    ],
}


def test_kinds_are_the_ten_of_the_domain():
    assert letters.KINDS == tuple(REQUIRED)
    for kind in letters.KINDS:
        assert letters.template_bytes(kind)[:2] == b"PK"


@pytest.mark.parametrize("kind", letters.KINDS)
def test_every_kind_renders_the_letter_frame_and_its_required_parts(kind):
    out = letters.render(kind, letters.sample_context(kind))
    txt = letter_text(out)
    for part in [
        "EKSEMPEL KOMMUNE",
        "Eksempel Kommune",
        "Rådhuspladsen 1, 1234 Eksempelby",
        "18. december 2026",  # today, Danish long format
        "Sagsnr. 15.17.12-A53-1-26",
        "Med venlig hilsen",
        "Carla Sagsbehandler",
        *REQUIRED[kind],
    ]:
        assert part in txt, f"{kind}: {part!r} missing"
    # The requester is named everywhere except in the hearing of a third party.
    assert ("Søren Ågård" in txt) == (kind != "hoering")
    for leftover in ("None", "{{", "{%", "}}", "%}"):
        assert leftover not in txt, f"{kind}: {leftover!r} left in the letter"


def test_letters_go_to_their_recipient():
    def first_paragraph(kind, ctx=None):
        return (
            docx.Document(io.BytesIO(letters.render(kind, ctx or letters.sample_context(kind))))
            .paragraphs[0]
            .text
        )

    assert first_paragraph("kvittering").splitlines() == [
        "Søren Ågård",
        "Havnegade 2",
        "1234 Eksempelby",
        "soren@example.dk",
    ]
    assert first_paragraph("hoering").startswith("Byg & Anlæg ApS")
    assert first_paragraph("underretning_ansat").startswith("Mette Jensen")
    assert first_paragraph("klage_oversendelse").startswith("Byggeklageenheden")
    assert first_paragraph("klage_forsinkelse").startswith("Byggeklageenheden")


def test_employee_is_told_what_was_released_after_the_decision():
    ctx = letters.sample_context("underretning_ansat")
    ctx["data"]["stage"] = "release"
    txt = letter_text(letters.render("underretning_ansat", ctx))
    assert "hvilke oplysninger der er udleveret" in txt
    assert "Dokument nr. 1 (Ansøgning om byggetilladelse)" in txt
    assert "Dokument nr. 2 (Naboindsigelse) – udleveret delvis" in txt
    assert "Tilbud med prisbilag" not in txt  # refused: not released


def test_partial_decision_releases_the_chosen_documents():
    ctx = letters.sample_context("delafgoerelse")
    ctx["data"]["document_ids"] = [14]
    out = letters.render("delafgoerelse", ctx)
    assert [r[2] for r in aktliste(out)] == ["Byggetilladelse"]
    txt = letter_text(out)
    assert "øvrige 4 dokumenter" in txt
    assert "Klagevejledning" not in txt  # everything released now is granted in full


# --- the decision ------------------------------------------------------------------------------------------

REASONING = {code: grounds.get(code).reasoning for code in ("ofl-30-1", "ofl-30-2", "ofl-23", "ofl-35")}
EXTRACTION = grounds.duty_text("extraction", "ofl")
MEROFFENTLIGHED = grounds.duty_text("meroffentlighed", "ofl")
PARTIAL = grounds.duty_text("partial", "ofl")


def test_full_decision_has_the_aktliste_but_no_reasoning_and_no_klagevejledning():
    docs = [doc(1), doc(2), doc(3)]
    out = letters.render("afgoerelse", decision("full", docs))
    txt = letter_text(out)
    assert [r[2] for r in aktliste(out)] == ["Dokument 1", "Dokument 2", "Dokument 3"]
    assert {r[4] for r in aktliste(out)} == {"Udleveres"}
    assert "Du får aktindsigt i alle de 3 dokumenter" in txt
    for absent in ("Begrundelse", "Klagevejledning", "Ankestyrelsen", MEROFFENTLIGHED, EXTRACTION, PARTIAL):
        assert absent not in txt


def test_partial_decision_cites_used_grounds_once_and_duties_where_they_apply():
    docs = [
        doc(1),
        doc(
            2,
            "partial",
            ["ofl-30-1"],
            mer="Helbredsoplysninger kan ikke gives.",
            note="Navne er overstreget.",
        ),
        doc(3, "refuse", ["ofl-30-1", "ofl-23"]),
        doc(4),
    ]
    out = letters.render("afgoerelse", decision("partial", docs))
    txt = letter_text(out)
    rows = aktliste(out)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert [r[2] for r in rows] == ["Dokument 1", "Dokument 2", "Dokument 3", "Dokument 4"]
    assert [r[4] for r in rows] == ["Udleveres", "Udleveres delvis", "Udleveres ikke", "Udleveres"]
    assert rows[2][5].splitlines() == [grounds.get("ofl-30-1").label, grounds.get("ofl-23").label]
    assert rows[1][1] == "2. marts 2026"
    assert txt.count(REASONING["ofl-30-1"]) == 1
    assert REASONING["ofl-23"] in txt
    assert REASONING["ofl-30-2"] not in txt and REASONING["ofl-35"] not in txt
    assert PARTIAL in txt and "Dokument nr. 2 er udleveret delvis" in txt
    # § 14 only where it was recorded: document 2, not document 3; no boilerplate for the rest.
    assert MEROFFENTLIGHED not in txt
    assert (
        "For dokument nr. 2 har vi overvejet, om du kan få aktindsigt i videre omfang efter reglen om "
        "meroffentlighed i offentlighedslovens § 14, men vi har ikke fundet grundlag for det." in txt
    )
    assert "Dokument nr. 2 (Dokument 2): Helbredsoplysninger kan ikke gives." in txt
    assert "Dokument nr. 2 (Dokument 2): Navne er overstreget." in txt
    assert EXTRACTION not in txt and "ekstraheret" not in txt  # no document was extracted
    assert "Du får fuld aktindsigt i 2 dokumenter og delvis aktindsigt i 1 dokument" in txt
    assert "Klagevejledning" in txt


def test_refusal_with_extraction():
    docs = [
        doc(1, "refuse", ["ofl-23"], extracted=True, what="Byggeriets højde og placering."),
        doc(2, "refuse", ["ofl-35"]),
    ]
    out = letters.render("afgoerelse", decision("refusal", docs))
    txt = letter_text(out)
    assert "Vi giver dig afslag på aktindsigt i de 2 dokumenter" in txt
    # Extraction is printed for the document it was done for, with what was extracted, and the aktliste
    # says so: no extraction sentence beside a plain "Udleveres ikke".
    assert "Fra dokument nr. 1 har vi efter offentlighedslovens §§ 28 og 29 ekstraheret og udleveret" in txt
    assert "Dokument nr. 1 (Dokument 1) – ekstraheret og udleveret: Byggeriets højde og placering." in txt
    assert "dokument nr. 2 har vi" not in txt.lower().replace("fra dokument nr. 1", "")
    assert [r[4] for r in aktliste(out)] == ["Udleveres ikke (ekstrakt udleveres)", "Udleveres ikke"]
    assert EXTRACTION not in txt and MEROFFENTLIGHED not in txt  # no boilerplate
    assert PARTIAL not in txt
    assert REASONING["ofl-23"] in txt and REASONING["ofl-35"] in txt


def test_no_extraction_sentence_when_no_document_was_extracted():
    out = letters.render("afgoerelse", decision("refusal", [doc(1, "refuse", ["ofl-23"])]))
    txt = letter_text(out)
    assert "ekstraher" not in txt and [r[4] for r in aktliste(out)] == ["Udleveres ikke"]


def test_a_weighing_is_claimed_only_where_one_was_recorded():
    bare = letter_text(
        letters.render(
            "afgoerelse", decision("refusal", [doc(1, "refuse", ["fvl-15b-private"])], basis="fvl")
        )
    )
    assert "konkret afvejning" not in bare
    assert "fordi din interesse i at kende dem må vige for afgørende hensyn til private interesser" in bare
    weighed = doc(1, "refuse", ["fvl-15b-private"], weighing="Klagerens helbred vejer tungest.")
    txt = letter_text(letters.render("afgoerelse", decision("refusal", [weighed], basis="fvl")))
    assert grounds.get("fvl-15b-private").reasoning in txt
    assert (
        "Dokument nr. 1 (Dokument 1) – de hovedhensyn, der har været afgørende for vores afvejning: "
        "Klagerens helbred vejer tungest." in txt
    )


def test_personnel_information_is_promised_only_where_it_is_released():
    refused = letter_text(letters.render("afgoerelse", decision("refusal", [doc(1, "refuse", ["ofl-21-2"])])))
    assert "§ 21, stk. 3 og 4" not in refused
    assert (
        "offentlighedslovens § 21, stk. 2, fordi den er en sag om en enkeltpersons ansættelsesforhold"
        in refused
    )
    partial = letter_text(
        letters.render("afgoerelse", decision("partial", [doc(1, "partial", ["ofl-21-2"])]))
    )
    assert REASONING_21 in partial


REASONING_21 = grounds.get("ofl-21-2").reasoning


def test_klagevejledning_sends_the_complaint_to_the_municipality_first_without_a_deadline():
    txt = letter_text(letters.render("afgoerelse", decision("refusal", [doc(1, "refuse", ["ofl-23"])])))
    kv = txt[txt.index("Klagevejledning") :]
    assert "Du kan klage over afgørelsen til Byggeklageenheden, som er klageinstans" in kv
    assert "offentlighedslovens § 37, stk. 1" in kv and "Ankestyrelsen" not in kv
    assert "Klagen skal sendes til os" in kv and "post@eksempel.dk" in kv
    assert "7 arbejdsdage" in kv and "offentlighedslovens § 37, stk. 2" in kv
    # No complaint deadline is invented: OFL has none.
    for invented in ("klagefrist", "frist for at klage", "uger efter", "inden 4", "skal klage senest"):
        assert invented not in kv.lower()


def test_none_found_is_a_decision_that_can_be_complained_about():
    out = letters.render("afgoerelse", decision("none_found", []))
    txt = letter_text(out)
    assert "vi har ikke fundet nogen" in txt
    assert "Aktliste" in txt and "Ingen dokumenter." in txt
    assert aktliste(out) == []  # no table, the "Ingen dokumenter" line instead
    assert "Klagevejledning" in txt and "Begrundelse" in txt
    assert MEROFFENTLIGHED not in txt  # nothing was withheld


def test_appeal_body_comes_from_the_settings():
    ctx = decision("refusal", [doc(1, "refuse", ["ofl-23"])])
    ctx["appeal_body"] = {"name": "Klagenævnet for Udbud", "address": None}
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert "Du kan klage over afgørelsen til Klagenævnet for Udbud" in txt
    assert "Ankestyrelsen" not in txt


def test_fvl_decision_without_an_appeal_body_says_there_is_none():
    ctx = decision("refusal", [doc(1, "refuse", ["fvl-12"])], basis="fvl")
    ctx["appeal_body"] = {"kind": "ingen", "name": "", "address": ""}
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert "partsaktindsigt i forvaltningsloven" in txt
    assert "forvaltningslovens § 9" in txt  # FVL § 24: the rule the decision rests on
    assert grounds.get("fvl-12").reasoning in txt
    kv = txt[txt.index("Klagevejledning") :]
    assert "Der er ikke en klageinstans for den sag" in kv and "kan derfor ikke påklages" in kv
    assert "Ankestyrelsen" not in kv and "7 arbejdsdage" not in kv
    assert "offentlighedslovens § 37" not in txt and "offentlighedslovens § 14" not in txt
    # The main case's appeal body, where there is one: forwarded, but no OFL paragraph cited.
    ctx["appeal_body"] = {"kind": "klageinstans", "name": "Planklagenævnet", "address": "Toldboden 2"}
    kv = letter_text(letters.render("afgoerelse", ctx))
    assert "Du kan klage over afgørelsen til Planklagenævnet, som er klageinstans for den sag" in kv
    assert "offentlighedslovens § 37" not in kv


def test_ofl_decision_without_a_sector_body_goes_to_ankestyrelsens_supervision():
    ctx = decision("refusal", [doc(1, "refuse", ["ofl-23"])])
    ctx["appeal_body"] = {"kind": "tilsyn", "name": "Ankestyrelsen", "address": "Teglholmsgade 3"}
    kv = letter_text(letters.render("afgoerelse", ctx))
    kv = kv[kv.index("Klagevejledning") :]
    assert "Der er ikke en særlig klageinstans" in kv
    assert "klage over afgørelsen til Ankestyrelsen, der fører tilsyn med kommunerne" in kv
    assert "offentlighedslovens § 38, stk. 1" in kv and "7 arbejdsdage" in kv
    assert "§ 37, stk. 1" not in kv and "20 arbejdsdage" not in kv
    # The forwarding letter says the same route.
    ctx["data"] = {"complaint_received": dt.date(2027, 2, 1)}
    out = letter_text(letters.render("klage_oversendelse", ctx))
    assert out.startswith("Ankestyrelsen\nTeglholmsgade 3")
    assert "som tilsynsmyndighed (offentlighedslovens § 38, stk. 1)" in out


def test_a_gdpr_complaint_is_never_composed_as_a_forwarding():
    ctx = decision("refusal", [doc(1, "refuse", ["dbl-22-1"])], basis="gdpr")
    with pytest.raises(ValueError, match="not forwarded"):
        letters.compose("klage_oversendelse", ctx)
    ctx = decision("refusal", [doc(1, "refuse", ["fvl-12"])], basis="fvl")
    ctx["appeal_body"] = {"kind": "ingen", "name": "", "address": ""}
    with pytest.raises(ValueError, match="not forwarded"):
        letters.compose("klage_oversendelse", ctx)


def test_gdpr_decision_points_to_datatilsynet():
    ctx = decision("partial", [doc(1), doc(2, "refuse", ["dbl-22-1"])], basis="gdpr")
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert "Afgørelse om indsigt i dine personoplysninger" in txt
    assert "Datatilsynet" in txt and "Ankestyrelsen" not in txt
    kv = txt[txt.index("Klagevejledning") :]
    assert "direkte til Datatilsynet, Carl Jacobsens Vej 35" in kv and "artikel 77" in kv
    assert "Klagen skal sendes til os" not in kv
    # No weighing recorded: the sentence does not claim one.
    assert grounds.get("dbl-22-1").reasoning.replace(" efter en konkret afvejning", "") in txt
    assert "konkret afvejning" not in txt


# --- requester text is data, never template code -----------------------------------------------------------


def test_requester_text_comes_out_literally():
    ctx = decision("partial", [doc(1, title=INJECTION), doc(2, "refuse", ["ofl-23"], note=INJECTION)])
    ctx["case"]["requester"] = {"name": INJECTION, "email": None, "address": "Vej 1 & 2 <st.>"}
    ctx["case"]["subject"] = INJECTION
    ctx["case"]["understanding"] = INJECTION
    ctx["data"] = {
        "note": "Bemærk: " + INJECTION + "\x07\x0c\x00"
    }  # \a and \f would be paragraph and page breaks
    out = letters.render("afgoerelse", ctx)
    txt = letter_text(out)
    assert txt.count(INJECTION) >= 6
    assert "Vej 1 & 2 <st.>" in txt
    assert "49" not in txt and "åh" not in txt.replace(INJECTION, "")
    assert aktliste(out)[0][2] == INJECTION
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        assert "&amp; Søn &lt;b&gt;fed&lt;/b&gt;" in z.read("word/document.xml").decode()


@pytest.mark.parametrize("kind", letters.KINDS)
def test_requester_text_is_literal_in_every_kind(kind):
    ctx = letters.sample_context(kind)
    ctx["case"]["requester"]["name"] = INJECTION
    ctx["case"]["subject"] = INJECTION
    ctx["data"] = {k: (INJECTION if isinstance(v, str) else v) for k, v in ctx["data"].items()}
    txt = letter_text(letters.render(kind, ctx))
    assert INJECTION in txt
    assert "49" not in txt


# --- missing values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", letters.KINDS)
def test_missing_optional_values_render_gracefully(kind):
    ctx = {
        "today": "2026-12-18",
        "municipality": {"name": "Eksempel Kommune"},
        "case": {"id": 7, "sagsnummer": None, "received": "2026-12-14T09:30:00", "basis": "ofl",
                 "subject": "en byggesag", "requester": {"name": "Søren", "email": None, "address": None}},
        "caseworker": {"name": "Carla"},
        "documents": [doc(1, "refuse", ["ofl-23"])],
        "outcome": "refusal",
        "deadlines": {"decision": None, "expected": None},
        "data": {},
    }  # fmt: skip
    txt = letter_text(letters.render(kind, ctx))
    assert "None" not in txt
    for line in txt.splitlines():
        assert " ." not in line and "  " not in line and not line.endswith((" ·", " den")), line
    assert "Sagsnr. 7" in txt
    assert "18. december 2026" in txt


def test_dates_in_danish_long_format():
    assert letters.danish_date(dt.date(2026, 12, 18)) == "18. december 2026"
    assert letters.danish_date("2027-05-01") == "1. maj 2027"
    assert letters.danish_date(dt.datetime(2027, 3, 9, 14, 0)) == "9. marts 2027"
    assert letters.danish_date(None) == ""


def test_filename_is_safe():
    ctx = letters.sample_context("afgoerelse")
    assert letters.filename("afgoerelse", ctx) == "afgoerelse-15.17.12-A53-1-26.docx"
    ctx["case"]["sagsnummer"] = "../../etc/passwd æ?*"
    name = letters.filename("kvittering", ctx)
    assert name.startswith("kvittering-") and name.endswith(".docx")
    assert "/" not in name and ".." not in name and all(c.isalnum() or c in ".-_" for c in name)
    ctx["case"]["sagsnummer"] = None
    assert letters.filename("fristbrev", ctx) == "fristbrev-sag-7.docx"
    with pytest.raises(ValueError):
        letters.filename("brev", ctx)


# --- administrators' templates -----------------------------------------------------------------------------


def make_template(*paragraphs: str) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_an_uploaded_template_replaces_the_shipped_one():
    own = make_template(
        "Vores eget brev til {{ anmoder_navn }} om sag {{ sagsnr }}.{% for i in range(0) %}x{% endfor %}"
    )
    assert letters.check_template("kvittering", own) == []
    txt = letter_text(letters.render("kvittering", letters.sample_context("kvittering"), template=own))
    assert txt.strip() == "Vores eget brev til Søren Ågård om sag 15.17.12-A53-1-26."


@pytest.mark.parametrize("kind", letters.KINDS)
def test_shipped_templates_pass_the_check(kind):
    assert letters.check_template(kind, letters.template_bytes(kind)) == []


def test_unknown_variable_is_refused_by_name():
    problems = letters.check_template("fristbrev", make_template("Hej {{ secret }} {{ grund }}"))
    assert len(problems) == 1 and "secret" in problems[0]
    # A variable of another kind is unknown here too.
    assert any("aktliste" in p for p in letters.check_template("kvittering", make_template("{{ aktliste }}")))


def test_broken_file_is_refused():
    assert letters.check_template("afgoerelse", os.urandom(2048))
    assert letters.check_template("afgoerelse", b"")


def test_jinja_syntax_error_is_reported_not_raised():
    problems = letters.check_template("kvittering", make_template("{% if sagsnr %}ingen slutning"))
    assert problems and "fejl" in problems[0]
    problems = letters.check_template("kvittering", make_template("{{ sagsnr | ukendt_filter }}"))
    assert problems and "ukendt_filter" in " ".join(problems)


def test_template_cannot_reach_python_internals():
    own = make_template("X{{ sagsnr.__class__.__mro__ }}X")
    assert any("unsafe" in p for p in letters.check_template("kvittering", own))
    with pytest.raises(letters.RenderRefused, match="unsafe"):  # a SecurityError in the bounded renderer
        letters.render("kvittering", letters.sample_context("kvittering"), template=own)


# --- a long aktliste ---------------------------------------------------------------------------------------


def test_a_200_document_aktliste_lists_every_document_in_order():
    """Every row of a long aktliste, escaped text intact; its speed is measured by ``make bench``
    (letter-200), not here."""
    kinds = [("grant", []), ("partial", ["ofl-30-1"]), ("refuse", ["ofl-23", "ofl-30-2"])]
    docs = [doc(i, *kinds[i % 3], title=f"Bilag {i} & <mail>") for i in range(1, 201)]
    ctx = decision("partial", docs)
    out = letters.render("afgoerelse", ctx)
    rows = aktliste(out)
    assert [r[2] for r in rows] == [f"Bilag {i} & <mail>" for i in range(1, 201)]


# --- PDF/A -------------------------------------------------------------------------------------------------


def test_to_pdf_is_none_without_libreoffice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert letters.to_pdf(b"PK") is None


def test_to_pdf_calls_libreoffice_with_pdfa_and_its_own_profile(monkeypatch, tmp_path):
    """A stand-in soffice records its arguments and writes a PDF where LibreOffice would."""
    bindir, log = tmp_path / "bin", tmp_path / "args"
    bindir.mkdir()
    fake = bindir / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{log}"\n'
        'while [ $# -gt 0 ]; do case "$1" in --outdir) out="$2"; shift;; esac; src="$1"; shift; done\n'
        'name=${src##*/}; printf "%%PDF-1.7 fake" > "$out/${name%.docx}.pdf"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(bindir))
    work = tmp_path / "work"
    work.mkdir()
    pdf = letters.to_pdf(letters.render("kvittering", letters.sample_context("kvittering")), workdir=work)
    assert pdf == b"%PDF-1.7 fake"
    args = log.read_text().splitlines()
    assert 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}' in args
    assert "--headless" in args
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
    assert str(work) in profile
    assert list(work.iterdir()) == []  # the per-call directory is gone


def test_to_pdf_with_libreoffice(tmp_path):
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        (pytest.fail if IN_CI else pytest.skip)("LibreOffice (soffice) is not installed")
    pdf = letters.to_pdf(letters.render("afgoerelse", letters.sample_context("afgoerelse")), workdir=tmp_path)
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert b"pdfaid" in pdf  # PDF/A identification in the XMP metadata


def test_compose_keys_do_not_depend_on_the_case():
    """An uploaded template is checked against compose's keys, so every case must offer the same ones."""
    for kind in letters.KINDS:
        full = set(letters.compose(kind, letters.sample_context(kind)))
        bare = copy.deepcopy(letters.sample_context(kind))
        bare.update(documents=[], outcome="none_found", data={})
        assert set(letters.compose(kind, bare)) == full, kind


def test_build_script_reproduces_the_shipped_templates(tmp_path, monkeypatch):
    from letters import build_templates

    monkeypatch.setattr(build_templates, "OUT", tmp_path)
    for kind in letters.KINDS:
        built = build_templates.build(kind)
        with zipfile.ZipFile(built) as new, zipfile.ZipFile(io.BytesIO(letters.template_bytes(kind))) as old:
            assert new.read("word/document.xml") == old.read("word/document.xml"), kind
    assert Path(built).parent == tmp_path


def test_compiled_templates_are_reused_and_never_mix_letters(monkeypatch):
    """The environment compiles each template part once; every render still gets its own values, and a
    different (uploaded) template is compiled on its own."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    compiled = []
    original = ImmutableSandboxedEnvironment.from_string

    def counting(self, source, *args, **kw):
        compiled.append(len(source))
        return original(self, source, *args, **kw)

    monkeypatch.setattr(ImmutableSandboxedEnvironment, "from_string", counting)
    letters._ENV._compiled.clear()
    first = letters.sample_context("kvittering")
    second = copy.deepcopy(first)
    second["case"]["requester"]["name"] = "Anders And & Co <AS>"
    a = letters.render("kvittering", first)
    n = len(compiled)
    assert n >= 1
    b = letters.render("kvittering", second)
    assert len(compiled) == n  # nothing compiled again
    text_a = "\n".join(p.text for p in docx.Document(io.BytesIO(a)).paragraphs)
    text_b = "\n".join(p.text for p in docx.Document(io.BytesIO(b)).paragraphs)
    assert "Anders And & Co <AS>" in text_b and "Anders And" not in text_a
    # an edited template is a different source: compiled on its own
    d = docx.Document(io.BytesIO(letters.template_bytes("kvittering")))
    d.add_paragraph("Tilføjet af kommunen: {{ anmoder_navn }}")
    buf = io.BytesIO()
    d.save(buf)
    c = letters.render("kvittering", second, template=buf.getvalue())  # compiled in the bounded child
    assert "Tilføjet af kommunen: Anders And & Co <AS>" in [
        p.text for p in docx.Document(io.BytesIO(c)).paragraphs
    ]


# --- what the law requires of the kvittering, fristbrev and decision wording -------------------------------


def kvittering(basis, decision_due, today=dt.date(2026, 12, 18), expected=None):
    ctx = letters.sample_context("kvittering")
    ctx["case"]["basis"], ctx["today"] = basis, today
    ctx["deadlines"] = {"decision": decision_due, "expected": expected}
    return letter_text(letters.render("kvittering", ctx))


@pytest.mark.parametrize(
    ("basis", "rule"),
    [
        ("ofl", "offentlighedslovens § 36"),
        ("fvl", "forvaltningslovens § 16, stk. 2"),
        ("mol", "senest 1 måned efter"),
        ("gdpr", "senest 1 måned efter"),
    ],
)
def test_kvittering_states_the_basis_rule_and_the_date_it_is_given(basis, rule):
    txt = kvittering(basis, dt.date(2027, 1, 14))
    assert rule in txt
    assert "Vi forventer at kunne træffe afgørelse senest den 14. januar 2027." in txt
    if basis in ("mol", "gdpr"):
        assert "7 arbejdsdage" not in txt


def test_kvittering_never_promises_a_date_in_the_past():
    txt = kvittering("ofl", dt.date(2026, 11, 25), today=dt.date(2026, 11, 30))
    assert "25. november 2026" not in txt
    assert "Vi træffer afgørelse hurtigst muligt og giver dig besked" in txt
    # A date a fristbrev gave, still ahead, is the one promised.
    txt = kvittering(
        "ofl", dt.date(2026, 11, 25), today=dt.date(2026, 11, 30), expected=dt.date(2026, 12, 10)
    )
    assert "senest den 10. december 2026" in txt and "25. november" not in txt


def test_the_request_text_is_quoted_once_never_pasted_into_a_sentence():
    ctx = letters.sample_context("kvittering")
    ctx["case"]["subject"] = "Aktindsigt i byggesagen om Strandvejen 4"
    txt = letter_text(letters.render("kvittering", ctx))
    assert "aktindsigt i Aktindsigt" not in txt
    assert txt.count("Aktindsigt i byggesagen om Strandvejen 4") == 1
    assert "»Aktindsigt i byggesagen om Strandvejen 4«" in txt


def fristbrev(basis, *, extended=None, expected=dt.date(2027, 1, 15)):
    ctx = letters.sample_context("fristbrev")
    ctx["case"]["basis"] = basis
    ctx["deadlines"] = {"expected": expected, "extended": extended}
    ctx["data"] = {"reason": "Anmodningen omfatter 900 dokumenter fra fem forvaltninger."}
    return letter_text(letters.render("fristbrev", ctx))


@pytest.mark.parametrize(("basis", "rule"), [("mol", "miljøoplysningslovens § 4, stk. 3"),
                                             ("gdpr", "databeskyttelsesforordningens artikel 12, stk. 3")])  # fmt: skip
def test_an_extension_says_it_is_extended_to_which_date_and_why(basis, rule):
    txt = fristbrev(basis, extended=dt.date(2027, 2, 14), expected=None)
    assert "er forlænget" in txt.split("\n")[6]  # the title
    assert "forlænget til den 14. februar 2027" in txt and "senest den 14. februar 2027" in txt
    assert "Anmodningen omfatter 900 dokumenter fra fem forvaltninger." in txt  # why, as recorded
    assert rule in txt
    assert ("offentlighedslovens § 39" in txt) == (basis == "mol")  # OFL applies to a MOL request too


def test_a_mol_notice_cites_the_ofl_rule_that_applies_and_the_delay_complaint():
    txt = fristbrev("mol")
    assert "offentlighedslovens § 36, stk. 2" in txt and "behandles også efter offentlighedsloven" in txt
    assert "miljøoplysningslovens § 4, stk. 3" not in txt  # no extension was made
    assert "offentlighedslovens § 39" in txt
    assert "Anmodningen omfatter 900 dokumenter" in txt and "senest den 15. januar 2027" in txt
    fvl = fristbrev("fvl")
    assert "forvaltningslovens § 16, stk. 2" in fvl and "offentlighedslovens § 39" not in fvl


def test_the_understanding_is_printed_once():
    ctx = decision("partial", [doc(1), doc(2, "refuse", ["ofl-23"])])
    ctx["case"]["understanding"] = "Du ønsker de dokumenter, der angår tagrenoveringen."
    ctx["data"] = {"note": "Du ønsker de dokumenter, der angår tagrenoveringen."}
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert txt.count("Du ønsker de dokumenter, der angår tagrenoveringen.") == 1


def test_a_partial_decision_speaks_of_one_remaining_document_in_the_singular():
    ctx = letters.sample_context("delafgoerelse")
    ctx["data"] = {"released": [10, 11]}
    ctx["documents"] = ctx["documents"][:3]  # two released now, one left
    txt = letter_text(letters.render("delafgoerelse", ctx))
    assert "Vi arbejder videre med det sidste dokument og sender dig en afgørelse om det" in txt
    assert "øvrige 1" not in txt
    assert "afgørelse om det senest den 15. januar 2027" in txt
    ctx["documents"] = letters.sample_context("delafgoerelse")["documents"]
    txt = letter_text(letters.render("delafgoerelse", ctx))
    assert "de øvrige 3 dokumenter og sender dig en afgørelse om dem" in txt


# --- GDPR art. 15 -----------------------------------------------------------------------------------------


ART15_LABELS = ("litra a", "litra b", "litra c", "litra d", "litra e", "litra f", "litra g", "litra h")


@pytest.mark.parametrize("outcome", ["full", "partial"])
def test_a_gdpr_decision_that_gives_access_carries_the_art_15_information(outcome):
    docs = [doc(1), doc(2)] if outcome == "full" else [doc(1), doc(2, "refuse", ["dbl-22-1"])]
    ctx = decision(outcome, docs, basis="gdpr")
    ctx["art15"]["art15_transfers"] = "Ingen oplysninger overføres til lande uden for EU/EØS."
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert "Oplysninger om behandlingen af dine personoplysninger" in txt
    assert "Vi bekræfter, at vi behandler personoplysninger om dig" in txt
    for label in ART15_LABELS:
        assert label in txt, label
    for value in ctx["art15"].values():
        if value:
            assert value in txt
    assert "artikel 15, stk. 2" in txt
    assert "berigtigelse (artikel 16)" in txt and "indsigelse mod behandlingen (artikel 21)" in txt
    kv = txt[txt.index("Klagevejledning") :]  # also on a full grant: art. 15(1)(f), art. 77
    assert "Datatilsynet" in kv and "artikel 12, stk. 4" not in txt


def test_a_gdpr_refusal_carries_the_art_12_4_information_not_art_15():
    ctx = decision("refusal", [doc(1, "refuse", ["dbl-22-1"])], basis="gdpr")
    txt = letter_text(letters.render("afgoerelse", ctx))
    assert "Vi imødekommer ikke din anmodning om indsigt" in txt
    assert "artikel 12, stk. 4" in txt and "domstolene" in txt
    assert "litra a" not in txt and "Oplysninger om behandlingen af dine personoplysninger" not in txt


def test_other_bases_carry_no_art_15_section():
    for basis, code in (("ofl", "ofl-23"), ("mol", "ofl-23"), ("fvl", "fvl-12")):
        ctx = decision("partial", [doc(1), doc(2, "refuse", [code])], basis=basis)
        txt = letter_text(letters.render("afgoerelse", ctx))
        assert "litra a" not in txt and "artikel 12, stk. 4" not in txt, basis
    full = letter_text(letters.render("afgoerelse", decision("full", [doc(1)])))
    assert "Klagevejledning" not in full  # an OFL full grant: no klagevejledning (FVL § 25)


def test_the_hearing_names_the_documents_what_is_considered_the_address_and_the_reply_date():
    ctx = letters.sample_context("hoering")
    ctx["data"]["document_ids"] = [11, 12]
    txt = letter_text(letters.render("hoering", ctx))
    assert txt.startswith("Byg & Anlæg ApS\nIndustrivej 7\n1234 Eksempelby")  # the party's address
    assert "Høringen angår disse dokumenter:" in txt
    assert "Dokument nr. 2 (Naboindsigelse) – vi overvejer at udlevere dokumentet delvis" in txt
    assert "Dokument nr. 3 (Tilbud) – vi overvejer ikke at udlevere dokumentet" in txt
    assert "Tilbud med prisbilag" not in txt  # a letter to a party names documents by the released title
    assert "Vi overvejer at give aktindsigt i dokumenterne" in txt
    assert "senest den 8. januar 2027" in txt
    assert "Søren Ågård" not in txt  # the requester is not named
    assert "aktindsigt i byggesagen" not in txt and "»byggesagen om Strandvejen 4«" in txt
