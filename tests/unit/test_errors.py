"""Errors carry the field and the sentence apart, so no entrypoint has to take a message to pieces."""

from __future__ import annotations

from aktflow.errors import NotFound, ValidationError


def test_validation_error_carries_field_and_detail():
    e = ValidationError("emne", "ugyldigt KLE-emne 'x'")
    assert (e.field, e.detail) == ("emne", "ugyldigt KLE-emne 'x'")
    assert e.message == "emne: ugyldigt KLE-emne 'x'"  # the API's and CLI's one-line message, unchanged


def test_detail_never_carries_a_cpr_number():
    e = ValidationError("requester", "ukendt anmoder 010190-1234")
    assert "010190" not in e.detail and "010190" not in e.message


def test_other_errors_have_no_field_and_detail_equal_to_message():
    e = NotFound("sag 7 findes ikke")
    assert e.field is None and e.detail == e.message == "sag 7 findes ikke"
