"""The intake's CPR field reads a number in every writing screening reads and stores its ten digits."""

from __future__ import annotations

import datetime as dt

import pytest

from aktflow import clock, screening
from aktflow.errors import ValidationError
from aktflow.service import create_case


def _new(db, **kw):
    args = dict(
        actor="cw",
        requester="Mette Hansen",
        received=(clock.today() - dt.timedelta(days=2)).isoformat(),
        basis="ofl",
        subject="Byggesag Skovvej 3",
        emne="02.34.02",
    )
    args.update(kw)
    return create_case(db, **args)


@pytest.mark.parametrize(
    "written",
    [
        "120385\u00a01237",  # no-break space
        "120385 - 1237",
        "120385\u20141237",  # em dash
        "120385\u22121237",  # minus sign
        "120385/1237",
        "120385.1237",
        "120385\t1237",
        "12 03 85-1237",
        "12.03.85-1237",
    ],
)
def test_intake_stores_ten_digits_whatever_the_separator(sqlite_db, written):
    assert screening.contains_cpr(f"CPR: {written}")  # the rule screening uses
    assert _new(sqlite_db, cpr=written).requester_cpr == "1203851237"


@pytest.mark.parametrize("written", ["120385 - 12370", "12O385-1237", "320385\u20131237"])
def test_intake_refuses_what_is_no_cpr_number_and_never_repeats_it(sqlite_db, written):
    with pytest.raises(ValidationError) as e:
        _new(sqlite_db, cpr=written)
    assert e.value.field == "cpr"
    assert screening.cpr_digits(written) not in e.value.message
