"""The workflow definition is versioned: old events replay against their own version's table."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from aktflow import audit, states
from aktflow.events import event_row
from aktflow.states import versions


def test_the_current_version_is_the_live_definition():
    """Changing a trigger's sources or destination without a new frozen version fails here."""
    live = {t.name: (tuple(t.sources), t.dest) for t in states.TRIGGERS.values()}
    assert versions.TABLES[versions.CURRENT] == live
    assert versions.INITIAL[versions.CURRENT] == states.INITIAL


def _ev(seq, trigger, frm, to, version=versions.CURRENT):
    return SimpleNamespace(seq=seq, trigger=trigger, from_state=frm, to_state=to, workflow_version=version)


def test_replay_uses_each_event_s_own_version(monkeypatch):
    # A later version that no longer lets 'forward' start from 'registered'.
    newer = {k: v for k, v in versions.TABLES[versions.BASE].items()}
    newer["forward"] = (("received",), "forwarded")
    monkeypatch.setitem(versions.TABLES, "2099.1", newer)
    monkeypatch.setitem(versions.INITIAL, "2099.1", "received")
    old_case = [
        _ev(1, audit.CREATE, None, "received", versions.BASE),
        _ev(2, "register", "received", "registered", versions.BASE),
        _ev(3, "forward", "registered", "forwarded", versions.BASE),
    ]
    assert audit.replay(old_case) == "forwarded"  # lawful then, still lawful in the log
    new_case = [*old_case[:2], _ev(3, "forward", "registered", "forwarded", "2099.1")]
    with pytest.raises(audit.ReplayError, match="ikke tilladt"):
        audit.replay(new_case)


def test_an_unknown_version_fails_the_replay():
    with pytest.raises(audit.ReplayError, match="ukendt version"):
        audit.replay([_ev(1, audit.CREATE, None, "received", "1999.9")])


def test_the_version_is_covered_by_the_hash():
    at = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    kw = dict(
        case_id=1,
        seq=1,
        at=at,
        actor="cw",
        trigger="create",
        from_state=None,
        to_state="received",
        note=None,
        data={},
        prev_hash=audit.GENESIS,
    )
    base = event_row(**kw, workflow_version=versions.BASE)["hash"]
    other = event_row(**kw, workflow_version="2099.1")["hash"]
    assert base != other
    # Events written before versioning keep the hash they were written with.
    assert base == audit.event_hash(**kw, key=audit.keyring().current)


def test_the_definition_and_its_effects_validate():
    from aktflow import effects

    assert states.validate() == []
    assert effects.validate() == []


def test_validate_names_what_is_wrong(monkeypatch):
    from dataclasses import replace

    from aktflow import effects
    from aktflow.states.effects import Effect

    class Unhandled(Effect):
        pass

    bad = replace(states.TRIGGERS["close"], sources=("closed",), dest="nowhere", effects=(Unhandled(),))
    monkeypatch.setitem(states.TRIGGERS, "close", bad)
    problems = states.validate()
    assert any("close: starter i sluttilstanden 'closed'" in p for p in problems)
    assert any("ukendt sluttilstand 'nowhere'" in p for p in problems)
    assert any("versionen" in p for p in problems)  # changed without a new frozen version
    assert any("Unhandled har ingen udførelse" in p for p in effects.validate())


def test_a_trigger_spec_says_what_it_does():
    spec = states.TRIGGERS["register"]
    assert [type(e).__name__ for e in spec.effects] == ["OpenArchiveCase", "MakeLetter"]
    assert spec.letter == "kvittering"
    assert (
        states.TRIGGERS["start_collecting"].effects == ()
        and states.TRIGGERS["start_collecting"].letter is None
    )


def test_a_2026_5_case_goes_on_with_the_actions_of_2026_6():
    """A case begun under 2026.5 replays with a 2026.6 action after its old events; the same action
    stamped 2026.5 (which did not have it) does not."""
    old = [
        _ev(1, audit.CREATE, None, "received", "2026.5"),
        _ev(2, "register", "received", "registered", "2026.5"),
    ]
    assert (
        audit.replay([*old, _ev(3, "grant_case_access", "registered", "registered", "2026.6")])
        == "registered"
    )
    with pytest.raises(audit.ReplayError, match="ikke tilladt"):  # comments only in legal review
        audit.replay([*old, _ev(3, "comment_review", "registered", "registered", "2026.6")])
    with pytest.raises(audit.ReplayError, match="ikke tilladt"):
        audit.replay([*old, _ev(3, "grant_case_access", "registered", "registered", "2026.5")])
