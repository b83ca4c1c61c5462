"""The dispatch rule: Digital Post for CPR/CVR, e-mail only for OFL/MOL requesters who wrote by e-mail,
never e-mail for partsaktindsigt (FVL) or GDPR art. 15 answers, print otherwise."""

from __future__ import annotations

import pytest

from aktflow.dispatch import rules

ALL = {"digital_post", "email", "print"}


def choose(**kw):
    args = dict(has_cpr_or_cvr=False, email="a@example.dk", wrote_by_email=True, basis="ofl", configured=ALL)
    args.update(kw)
    return rules.choose_channel(**args)


def test_cpr_or_cvr_goes_by_digital_post():
    assert choose(has_cpr_or_cvr=True).channel == "digital_post"


def test_ofl_requester_who_wrote_by_email_gets_email():
    c = choose()
    assert c.channel == "email" and "offentlighedsloven" in c.reason


@pytest.mark.parametrize("basis", ["fvl", "gdpr"])
def test_own_personal_data_never_by_email(basis):
    c = choose(basis=basis)
    assert c.channel == "print"
    assert "egne personoplysninger" in c.reason
    # and a caseworker cannot choose e-mail for it either
    why = rules.check_override(
        "email", has_cpr_or_cvr=False, email="a@example.dk", personal=True, configured=ALL
    )
    assert why and "aldrig" in why


def test_a_requester_who_wrote_by_letter_gets_print():
    assert choose(wrote_by_email=False).channel == "print"


def test_missing_channels_fall_back_to_print_and_say_so():
    c = choose(has_cpr_or_cvr=True, configured={"print"})
    assert c.channel == "print"
    assert "Digital Post er ikke sat op" in c.reason and "e-mail er ikke sat op" in c.reason


def test_override_rules():
    assert (
        rules.check_override("print", has_cpr_or_cvr=False, email=None, personal=True, configured=set())
        is None
    )
    assert "CPR" in rules.check_override(
        "digital_post", has_cpr_or_cvr=False, email=None, personal=False, configured=ALL
    )
    assert "ikke sat op" in rules.check_override(
        "email", has_cpr_or_cvr=False, email="a@example.dk", personal=False, configured={"print"}
    )
    assert "ingen e-mailadresse" in rules.check_override(
        "email", has_cpr_or_cvr=False, email=None, personal=False, configured=ALL
    )
    assert "ukendt kanal" in rules.check_override(
        "fax", has_cpr_or_cvr=False, email=None, personal=False, configured=ALL
    )


def test_every_dispatched_letter_is_a_letter_kind():
    import letters

    assert set(rules.RECIPIENTS) <= set(letters.KINDS)


# --- other recipients: a party heard, the appeal body ---------------------------------------------------


def test_a_party_or_appeal_bodys_address_text_gives_its_email_cvr_and_postal_lines():
    contact = rules.contact_of(
        "Byggefirma A/S\nVestergade 3; 8000 Aarhus C\nCVR-nr.: 12 34 56 78\nE-mail: post@byg.dk"
    )
    assert contact.postal == ("Byggefirma A/S", "Vestergade 3", "8000 Aarhus C")
    assert (contact.email, contact.cvr) == ("post@byg.dk", "12345678")
    assert rules.contact_of("Vestergade 3, 8000 Aarhus C") == rules.Contact(
        ("Vestergade 3, 8000 Aarhus C",), None, None
    )
    assert rules.contact_of(None) == rules.Contact((), None, None)


@pytest.mark.parametrize(
    "role, cvr, email, basis, postal, configured, channel, words",
    [
        (
            "appeal_body",
            True,
            "ast@ast.dk",
            "ofl",
            True,
            {"digital_post", "email", "print"},
            "digital_post",
            "CVR",
        ),
        ("appeal_body", False, "ast@ast.dk", "ofl", True, {"email", "print"}, "email", "e-mailadresse"),
        ("appeal_body", False, "ast@ast.dk", "fvl", True, {"email", "print"}, "print", "personoplysninger"),
        ("appeal_body", True, None, "ofl", True, {"print"}, "print", "Digital Post er ikke sat op"),
        ("party", False, None, "ofl", True, {"email", "print"}, "print", "Sendes med post"),
        ("party", False, None, "ofl", False, {"email", "print"}, "none", "Partens adresse"),
        ("appeal_body", False, None, "mol", False, {"print"}, "none", "Administration → Klageinstanser"),
        ("appeal_body", False, "ast@ast.dk", "gdpr", False, {"email", "print"}, "none", "ingen postadresse"),
    ],
)
def test_the_rule_for_other_recipients(role, cvr, email, basis, postal, configured, channel, words):
    choice = rules.choose_channel(
        has_cpr_or_cvr=cvr,
        email=email,
        wrote_by_email=False,
        basis=basis,
        configured=configured,
        role=role,
        has_postal_address=postal,
    )
    assert choice.channel == channel and words in choice.reason, choice


def test_print_needs_a_postal_address():
    c = choose(wrote_by_email=False, has_postal_address=False)
    assert c.channel == "print" and rules.NO_ADDRESS in c.reason and c.reason.startswith("Kan ikke sendes")
    assert rules.NO_ADDRESS not in choose(wrote_by_email=False).reason
    assert choose(has_postal_address=False).channel == "email"  # another channel needs no address
    why = rules.check_override(
        "print", has_cpr_or_cvr=False, email=None, personal=False, configured=ALL, has_address=False
    )
    assert why == "ingen postadresse: udfyld adressen"
    assert (
        rules.check_override("print", has_cpr_or_cvr=False, email=None, personal=False, configured=ALL)
        is None
    )


def test_an_email_address_holding_a_cpr_number_is_never_used():
    kw = dict(wrote_by_email=True, basis="ofl", configured={"email", "print"})
    choice = rules.choose_channel(has_cpr_or_cvr=False, email="jens010190-1235@example.dk", **kw)
    assert choice.channel == "print" and rules.CPR_IN_EMAIL in choice.reason
    assert rules.choose_channel(has_cpr_or_cvr=False, email="jens@example.dk", **kw).channel == "email"
    why = rules.check_override(
        "email", has_cpr_or_cvr=False, email="jens0101901235@example.dk", personal=False, configured={"email"}
    )
    assert why == rules.CPR_IN_EMAIL
