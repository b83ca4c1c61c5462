"""The unit of work: one commit, rollback otherwise, after-commit work only after a commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from aktflow.models import Setting
from aktflow.uow import UnitOfWork


def _value(db, key):
    with db.session() as s:
        row = s.get(Setting, key)
        return row.value if row else None


def test_commit_keeps_the_work_and_runs_what_waits_for_it(db):
    ran = []
    with UnitOfWork(db) as uow:
        uow.session.add(Setting(key="uow-test", value={"a": 1}))
        uow.after_commit(lambda: ran.append("after"))
        assert ran == []
        uow.commit()
        assert ran == []  # not before the block is left
    assert ran == ["after"]
    assert _value(db, "uow-test") == {"a": 1}


def test_leaving_without_commit_rolls_back_and_runs_nothing(db):
    ran = []
    with UnitOfWork(db) as uow:
        uow.session.add(Setting(key="uow-test", value={"a": 2}))
        uow.session.flush()
        uow.after_commit(lambda: ran.append("after"))
    assert ran == [] and _value(db, "uow-test") is None


def test_an_error_after_commit_work_was_registered_rolls_back(db):
    ran = []
    with pytest.raises(RuntimeError):
        with UnitOfWork(db) as uow:
            uow.session.add(Setting(key="uow-test", value={"a": 3}))
            uow.after_commit(lambda: ran.append("after"))
            raise RuntimeError("boom")
    assert ran == [] and _value(db, "uow-test") is None
    with db.session() as s:
        assert s.scalar(select(Setting).where(Setting.key == "uow-test")) is None


def test_the_session_is_only_there_inside_the_block(db):
    uow = UnitOfWork(db)
    with pytest.raises(RuntimeError):
        _ = uow.session
