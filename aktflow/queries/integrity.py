"""Checks that read everything: the event log's hash chains and the dashboard's read model.

Used by ``aktflow audit verify`` and ``aktflow dashboard check``; neither changes anything. The repair of
the read model is :func:`aktflow.figure_counts.rebuild_read_model`.
"""

from __future__ import annotations

from ..audit import AdminProblem, Problem
from ..db import Database


def verify_log(db: Database) -> tuple[int, list[Problem]]:
    """Every case's hash chain and its state against the replay of its events.

    Returns (cases checked, problems: the first per case); see :func:`aktflow.audit.verify`.
    """
    from .. import audit

    with db.session() as s:
        return audit.verify(s)


def verify_admin_log(db: Database) -> tuple[int, list[AdminProblem]]:
    """The administrative log's keyed hash chain; see :func:`aktflow.audit.verify_admin_log`."""
    from .. import audit

    with db.session() as s:
        return audit.verify_admin_log(s)


def verify_checkpoints(db: Database, path) -> tuple[int, list[str]]:
    """The database against the checkpoint file ``path``; see :func:`aktflow.audit.verify_checkpoints`."""
    from .. import audit

    with db.session() as s:
        return audit.verify_checkpoints(s, path)


def read_model_problems(db: Database) -> list[str]:
    """Where the dashboard's read model differs from the cases it is kept from (empty when it agrees).

    Compares the daily figure totals and the cases' stored earliest due dates with their sources; one
    Danish line per difference.
    """
    from .. import figure_counts

    with db.session() as s:
        return figure_counts.check(s) + figure_counts.check_due(s)
