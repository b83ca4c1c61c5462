"""Intake applies the same rules whichever door a request comes through: the CPR number is checked with
screening's birth-date rule, the channel must be a known one, and case lists never print a CPR number."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from aktflow import clock, screening
from aktflow.cli import cli
from aktflow.errors import ValidationError
from aktflow.service import create_case
from aktflow.vocabulary import CHANNELS


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


@pytest.mark.parametrize("cpr", ["0000000000", "3102901234", "0113901234"])
def test_intake_refuses_ten_digits_that_are_no_cpr_number(db, cpr):
    assert not screening.contains_cpr(cpr)  # the rule screening uses
    with pytest.raises(ValidationError) as e:
        _new(db, cpr=cpr)
    assert e.value.field == "cpr" and cpr not in e.value.message


@pytest.mark.parametrize("cpr", ["0101901234", "010190-1234", "290200 4000"])
def test_intake_accepts_what_screening_calls_a_cpr_number(db, cpr):
    assert screening.contains_cpr(cpr)
    assert _new(db, cpr=cpr).requester_cpr == cpr.replace("-", "").replace(" ", "")


def test_is_cpr_follows_the_century_rule():
    assert screening.is_cpr("2902004000")  # 29.02.2000: seventh digit 4, year 00 → 2000, a leap year
    assert not screening.is_cpr("2902001000")  # seventh digit 1 → 1900, not a leap year
    assert not screening.is_cpr("010190123")  # nine digits


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_known_channel_is_accepted(db, channel):
    assert _new(db, channel=channel).channel == channel


@pytest.mark.parametrize("channel", ["fax", "E-mail ", "brevdue"])
def test_an_unknown_channel_is_refused_by_the_service(db, channel):
    with pytest.raises(ValidationError) as e:
        _new(db, channel=channel)
    assert e.value.field == "channel"


def test_the_cli_refuses_an_unknown_channel(db, runner):
    r = runner.invoke(
        cli,
        [
            "case", "new", "--requester", "Mette", "--received", clock.today().isoformat(), "--basis", "ofl",
            "--subject", "Byggesag", "--emne", "02.34.02", "--channel", "fax", "--as", "cw",
        ],
    )  # fmt: skip
    assert r.exit_code == 2 and "channel" in r.stderr and "ukendt kanal" in r.stderr


def test_cli_case_list_masks_cpr_numbers_like_the_api(db, runner):
    _new(db, requester="Mette Hansen 010190-1234", subject="Sag om 0101901234")
    r = runner.invoke(cli, ["case", "list"])
    assert r.exit_code == 0, r.stderr
    assert "010190" not in r.stdout and screening.CPR_MASK in r.stdout
    rows = json.loads(runner.invoke(cli, ["case", "list", "--json"]).stdout)
    assert rows[0]["requester"] == f"Mette Hansen {screening.CPR_MASK}"
    assert "0101901234" not in json.dumps(rows)
