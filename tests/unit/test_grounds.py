"""The grounds catalogue (aktflow.grounds): codes, Danish texts, bases, validation and legal flags."""

from __future__ import annotations

import re

import pytest

from aktflow import grounds
from aktflow.grounds import BASES, DUTIES, Ground, all_grounds, duty_text, for_basis, get, validate

# The grounds whose use flags a case for legal review: OFL § 30 (both items), § 35 and the FVL § 15 family
# (docs/domain.md §4), plus their MOL (1985 OFL § 12, stk. 1, and § 14) and GDPR (DBL § 22, stk. 1) counterparts.
LEGAL_REVIEW = {
    "ofl-30-1", "ofl-30-2", "ofl-35",
    "fvl-15", "fvl-15a", "fvl-15b-private", "fvl-15b-public",
    "ofl85-12-1-1", "ofl85-12-1-2", "ofl85-14",
    "dbl-22-1",
}  # fmt: skip


def test_codes_are_unique_and_stable_in_form():
    codes = [g.code for g in all_grounds()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"(ofl|fvl|ofl85|dbl|gdpr)-[0-9a-z]+(-[0-9a-z]+)*", code), code


def test_the_grounds_domain_md_names_are_all_there():
    codes = {g.code for g in all_grounds()}
    for code in (
        "ofl-9-2-1",
        "ofl-9-2-2",
        "ofl-19",
        "ofl-20",
        "ofl-21-1",
        "ofl-21-2",
        "ofl-21-3",
        "ofl-22",
        "ofl-23",
        "ofl-24",
        "ofl-25",
        "ofl-27-1",
        "ofl-27-4",
        "ofl-27-5",
        "ofl-30-1",
        "ofl-30-2",
        "ofl-31",
        "ofl-32",
        "ofl-33-1",
        "ofl-33-5",
        "ofl-35",
        "fvl-12",
        "fvl-15",
        "fvl-15a",
        "fvl-15b-private",
        "fvl-15b-public",
    ):
        assert code in codes, code


@pytest.mark.parametrize("ground", all_grounds(), ids=lambda g: g.code)
def test_every_ground_has_danish_label_and_reasoning_sentence(ground: Ground):
    assert "§" in ground.paragraph or "art." in ground.paragraph
    assert " — " in ground.label and ground.label[0].isupper()
    assert ground.reasoning[0].isupper() and ground.reasoning.endswith(".")
    assert not ground.reasoning.endswith("..")
    assert "  " not in ground.reasoning and "  " not in ground.label
    assert ground.bases and set(ground.bases) <= set(BASES)


@pytest.mark.parametrize("ground", all_grounds(), ids=lambda g: g.code)
def test_reasoning_cites_the_paragraph_the_code_names(ground: Ground):
    # "ofl-30-1" -> "§ 30"; the sentence must cite the provision the code stands for.
    number = re.match(r"[a-z0-9]+-(\d+)", ground.code)
    if ground.code.startswith("gdpr-"):
        assert "artikel 12, stk. 5" in ground.reasoning
    else:
        assert re.search(rf"§ {number.group(1)}(?!\d)", ground.reasoning)


def test_reasoning_texts_match_the_law_in_key_places():
    assert get("ofl-30-1").reasoning == (
        "Oplysningerne er undtaget efter offentlighedslovens § 30, nr. 1, fordi de angår enkeltpersoners "
        "private, herunder økonomiske, forhold."
    )
    resources = get("ofl-9-2-1").reasoning
    assert "uforholdsmæssigt ressourceforbrug" in resources
    # What was done to narrow the request is printed from the case's record, never claimed by the ground.
    assert "dialog" not in resources and "præciseret" not in resources
    assert "chikanøst" in get("ofl-9-2-2").reasoning
    assert "miljøoplysningslovens § 2, stk. 1" in get("ofl85-12-1-1").reasoning
    assert "1985" in get("ofl85-12-1-1").reasoning


def test_flags_legal_is_set_exactly_on_the_legal_review_family():
    flagged = {g.code for g in all_grounds() if g.flags_legal}
    assert flagged == LEGAL_REVIEW
    assert all(
        get(code).paragraph.startswith(("OFL § 30", "OFL § 35", "FVL § 15", "MOL", "DBL § 22, stk. 1"))
        for code in flagged
    )


def test_get_returns_the_ground_and_names_unknown_codes():
    assert get("ofl-35").paragraph == "OFL § 35"
    with pytest.raises(KeyError, match="ofl-99"):
        get("ofl-99")


def test_for_basis_splits_the_catalogue_by_law():
    ofl = {g.code for g in for_basis("ofl")}
    fvl = {g.code for g in for_basis("fvl")}
    mol = {g.code for g in for_basis("mol")}
    gdpr = {g.code for g in for_basis("gdpr")}
    assert "ofl-30-1" in ofl and "ofl-30-1" not in fvl and "ofl-30-1" not in gdpr
    assert all(code.startswith("fvl-") for code in fvl) and "fvl-15b-private" in fvl
    # MOL: the 1985 OFL grounds, and the 2013 OFL grounds beside them, but no resource or harassment rule.
    assert {"ofl85-7", "ofl85-12-1-1", "ofl-30-1"} <= mol
    assert "ofl-9-2-1" not in mol and "ofl-9-2-2" not in mol
    assert not any(code.startswith("ofl85-") for code in ofl)
    assert gdpr == {"dbl-22-1", "dbl-22-2", "gdpr-12-5"}
    assert [g.code for g in for_basis("ofl")] == [g.code for g in all_grounds() if "ofl" in g.bases]
    with pytest.raises(ValueError, match="xyz"):
        for_basis("xyz")


def test_validate_accepts_valid_codes():
    assert validate([], "ofl") == []
    assert validate(["ofl-30-1", "ofl-23"], "ofl") == []
    assert validate(["fvl-15b-private"], "fvl") == []
    assert validate(("ofl85-12-1-1", "ofl-30-1"), "mol") == []
    assert validate(["dbl-22-1"], "gdpr") == []


def test_validate_rejects_unknown_codes_in_danish():
    assert validate(["ofl-30-1", "ofl-99"], "ofl") == ["Ukendt undtagelsesgrund: 'ofl-99'."]


def test_validate_rejects_codes_for_the_wrong_basis():
    errors = validate(["ofl-30-1", "fvl-12"], "fvl")
    assert errors == [
        "Undtagelsesgrunden 'ofl-30-1' (Offentlighedslovens § 30, nr. 1 — private forhold) kan ikke "
        "anvendes i en sag efter forvaltningsloven."
    ]
    assert len(validate(["fvl-12"], "ofl")) == 1
    assert len(validate(["ofl-9-2-1"], "mol")) == 1
    assert len(validate(["ofl-30-1"], "gdpr")) == 1
    assert validate(["ofl-30-1"], "xyz") == ["Ukendt retsgrundlag: 'xyz'."]


def test_every_basis_has_grounds_and_every_ground_a_basis():
    for basis in BASES:
        assert for_basis(basis), basis
    assert sum(len(for_basis(b)) for b in BASES) == sum(len(g.bases) for g in all_grounds())


def test_grounds_are_immutable():
    ground = get("ofl-23")
    with pytest.raises(AttributeError):
        ground.code = "ofl-99"  # type: ignore[misc]
    all_grounds().clear()
    assert get("ofl-23") is ground and all_grounds()


def test_duties_are_danish_sentences_citing_their_paragraphs():
    for key, text in DUTIES.items():
        assert text[0].isupper() and text.endswith("."), key
    assert DUTIES["extraction"].startswith("Der er foretaget ekstrahering af faktiske oplysninger")
    assert "§§ 28 og 29" in DUTIES["extraction"]
    assert "§ 14" in DUTIES["meroffentlighed"]
    assert "§ 34" in DUTIES["partial"]
    assert "§ 15 c" in DUTIES["partial_fvl"]


def test_duty_text_picks_the_wording_of_the_basis():
    assert duty_text("partial") == DUTIES["partial"]
    assert duty_text("partial", "fvl") == DUTIES["partial_fvl"]
    assert duty_text("extraction", "fvl") == DUTIES["extraction_fvl"]
    assert duty_text("meroffentlighed", "mol") == DUTIES["meroffentlighed"]  # a MOL case is an OFL case too
    with pytest.raises(KeyError):
        duty_text("meroffentlighed", "gdpr")
    with pytest.raises(KeyError):
        duty_text("nonsense")


def test_module_is_pure_data():
    src = open(grounds.__file__, encoding="utf-8").read()
    imported = set(re.findall(r"^(?:from|import) (\w+)", src, re.MULTILINE))
    assert imported <= {"__future__", "collections", "dataclasses"}
