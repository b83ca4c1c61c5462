"""A request cannot have been received before the Access to Public Administration Files Act of 2013 came
into force (1 January 2014): such a date is a typing error that would make every deadline overdue. The
intake form, the API and mail intake keep the same rule (aktflow/deadlines.py ``EARLIEST_RECEIVED``)."""

from __future__ import annotations

import pytest

from aktflow import clock
from aktflow.errors import ValidationError
from aktflow.kle import load_sample
from aktflow.mail_in import take_in
from aktflow.service import create_case
from tests import mailbuild


def _new(db, received: str):
    return create_case(
        db,
        actor="cw",
        requester="Mette Hansen",
        received=received,
        basis="ofl",
        subject="Aktindsigt i byggesag",
        emne="02.34.02",
        assign="cw",
    )


@pytest.mark.parametrize("received", ["1900-01-01", "2013-12-31"])
def test_a_date_before_2014_is_refused_in_danish(db, received):
    with pytest.raises(ValidationError) as e:
        _new(db, received)
    assert e.value.field == "received"
    assert "ligger før 01.01.2014" in e.value.message and "offentlighedsloven" in e.value.message


def test_the_first_day_of_2014_is_taken(db):
    assert _new(db, "2014-01-01").id


def test_a_mail_dated_before_2014_is_not_believed(db):
    load_sample(db, actor="admin")
    raw = mailbuild.eml(date="Mon, 01 Jan 1990 12:00:00 +0100")
    result = take_in(db, "gammel.eml", raw, actor="cw")
    assert result.outcome == "case"
    assert result.received == clock.today().isoformat()  # the mail's date is not believed: today, with a note
    assert any("før 01.01.2014" in n for n in result.notes)
