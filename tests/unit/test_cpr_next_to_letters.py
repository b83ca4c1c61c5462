"""A CPR number written right next to letters (an e-mail address, a file or case name) is found and masked
everywhere (aktflow/screening/cpr.py, the exit filter aktflow/exits.py); only digits glue it into a longer
number, and a long hexadecimal hash or ID is left alone. The numbers are made up, with valid dates."""

from __future__ import annotations

import pytest

from aktflow.exits import mask
from aktflow.screening import CPR_MASK, find_cprs, redact_cpr


@pytest.mark.parametrize(
    "text, masked",
    [
        ("sag0101901235", f"sag{CPR_MASK}"),
        ("a010190-1235", f"a{CPR_MASK}"),
        ("jens010190-1235@example.dk", f"jens{CPR_MASK}@example.dk"),
        (
            '"Jens 010190-1235 Hansen" <jens010190-1235@example.dk>',
            f'"Jens {CPR_MASK} Hansen" <jens{CPR_MASK}@example.dk>',
        ),
        ("notat_120385-1237_kopi", f"notat_{CPR_MASK}_kopi"),
        ("CPR 1203851237abc", f"CPR {CPR_MASK}abc"),
    ],
)
def test_letters_next_to_the_digits_do_not_hide_the_number(text, masked):
    assert find_cprs(text)
    assert redact_cpr(text) == masked
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "sag3201901235",  # no such date
        "sag01019012356",  # eleven digits
        "Dokument-id 8f3a1203851237bc",  # a hash or random ID of hexadecimal characters
        "/ID [<a1b2c3d4e5f60101901235>]",
    ],
)
def test_look_alikes_next_to_letters_stay(text):
    assert find_cprs(text) == []
    assert mask(text) == text


def test_a_cpr_number_in_a_hex_looking_email_address_is_found():
    from aktflow.screening.cpr import find_cprs

    assert find_cprs("abcdef0101901235@example.dk")  # an address, not a hash, though its letters are hex
    assert not find_cprs("sha abcdef0101901235abcdef")  # a hash-like run stays alone
