"""A letter is never "Klar til post" for a recipient without a postal address (docs/dispatch.md): the rule
says so, the print channel refuses it, and a caseworker cannot choose print for it either."""

from __future__ import annotations

import pytest

from aktflow import dispatch_actions as actions
from aktflow.errors import ValidationError
from tests.integration.test_dispatch import deliver_all, registered, rows, use_channels

pytestmark = pytest.mark.usefixtures("soffice")  # tests/archive_setup.py: the letters are rendered to PDF


def test_no_address_means_no_print(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch)  # print only
    case = registered(db, channel="brev", email=None, address=None)
    [d] = rows(db, case.id)
    assert d["channel"] == "print" and "ingen postadresse: udfyld adressen" in d["reason"]
    deliver_all(db)
    [d] = rows(db, case.id)
    assert d["status"] == "rejected" and d["detail"] == "ingen postadresse: udfyld adressen"
    assert not d["printable"]
    with pytest.raises(ValidationError, match="ingen postadresse"):
        actions.choose(db, case.id, d["id"], "print", actor="cw")


def test_with_an_address_the_letter_is_ready_for_the_post(sqlite_db, monkeypatch):
    db = sqlite_db
    use_channels(monkeypatch)
    case = registered(db, channel="brev", email=None)
    deliver_all(db)
    [d] = rows(db, case.id)
    assert d["status"] == "printed" and d["printable"]
