"""the dashboard's read model: earliest running deadlines on cases, daily figure counts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

``cases.due_first`` / ``due_next`` / ``notice_due`` hold the earliest due date of the case's running
deadlines (all, other than fristbrev, fristbrev). Triggers on ``case_deadlines`` keep them whoever writes
the deadlines: on PostgreSQL one set-based statement per statement (transition tables), on SQLite per row.
A later migration that rebuilds ``case_deadlines`` on SQLite (batch "move and copy") must recreate them;
the SQLite triggers name the index ``ix_case_deadlines_case_id`` (INDEXED BY), which must keep that name.

``figure_counts`` holds the daily totals behind the figures over time; the application keeps them in the
same transaction as what they count (aktflow.figure_counts). Both are filled here from the existing data.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NOTICE = "('ofl-notice', 'fvl-notice')"
DUE_COLUMNS = ("due_first", "due_next", "notice_due")
RUNNING = "d.case_id = cases.id AND d.active AND d.done_on IS NULL"


def set_due(table: str = "case_deadlines d") -> str:
    """SET clause correlated to the cases row being updated."""
    return (
        f"due_first = (SELECT min(d.due) FROM {table} WHERE {RUNNING}), "
        f"due_next = (SELECT min(d.due) FROM {table} WHERE {RUNNING} AND d.rule NOT IN {NOTICE}), "
        f"notice_due = (SELECT min(d.due) FROM {table} WHERE {RUNNING} AND d.rule IN {NOTICE})"
    )


SET_DUE = set_due()
# SQLite would otherwise answer min(due) by walking the partial index on running deadlines in due order
# until it meets the case (milliseconds per row on a large database): read the case's own deadlines.
SQLITE_SET_DUE = set_due("case_deadlines d INDEXED BY ix_case_deadlines_case_id")

PG_FUNCTION = f"""
CREATE FUNCTION aktflow_case_due() RETURNS trigger AS $$
BEGIN
    UPDATE cases c
       SET due_first = d.first, due_next = d.next, notice_due = d.notice
      FROM (
            SELECT k.case_id,
                   min(cd.due) AS first,
                   min(cd.due) FILTER (WHERE cd.rule NOT IN {NOTICE}) AS next,
                   min(cd.due) FILTER (WHERE cd.rule IN {NOTICE}) AS notice
              FROM (SELECT DISTINCT case_id FROM changed) k
              LEFT JOIN case_deadlines cd ON cd.case_id = k.case_id AND cd.active AND cd.done_on IS NULL
             GROUP BY k.case_id
           ) d
     WHERE c.id = d.case_id
       AND (c.due_first, c.due_next, c.notice_due) IS DISTINCT FROM (d.first, d.next, d.notice);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

FIGURES_SQL = {
    # (figure, day, key, assignee_id, basis, n) from what the figures count.
    "decision": """
        INSERT INTO figure_counts (figure, day, key, assignee_id, basis, n)
        SELECT 'decision', d.done_on, CASE WHEN d.done_on <= d.due THEN 'in_time' ELSE 'late' END,
               coalesce(c.assignee_id, 0), c.basis, count(*)
          FROM case_deadlines d JOIN cases c ON c.id = d.case_id
         WHERE d.rule IN ('ofl-decision', 'fvl-decision') AND d.active AND d.done_on IS NOT NULL
         GROUP BY 2, 3, 4, 5
    """,
    "complaint": """
        INSERT INTO figure_counts (figure, day, key, assignee_id, basis, n)
        SELECT 'complaint', date(e.at), e.trigger, coalesce(c.assignee_id, 0), c.basis, count(*)
          FROM events e JOIN cases c ON c.id = e.case_id
         WHERE e.trigger IN ('receive_complaint', 'revise_decision', 'uphold_and_forward', 'appeal_decided',
                             'appeal_overturned')
         GROUP BY 2, 3, 4, 5
    """,
}
GROUNDS_SQL = {
    "postgresql": "json_array_elements_text(a.grounds)",
    "sqlite": "json_each(a.grounds)",
}
GROUNDS_INSERT = """
    INSERT INTO figure_counts (figure, day, key, assignee_id, basis, n)
    SELECT 'ground', date(a.assessed_at), g.value, coalesce(c.assignee_id, 0), c.basis, count(*)
      FROM assessments a JOIN documents doc ON doc.id = a.document_id JOIN cases c ON c.id = doc.case_id
      CROSS JOIN {elements} AS g
     GROUP BY 2, 3, 4, 5
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "figure_counts",
        sa.Column("figure", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("basis", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "figure", "day", "key", "assignee_id", "basis", name=op.f("pk_figure_counts")
        ),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for col in DUE_COLUMNS:
            batch_op.add_column(sa.Column(col, sa.Date(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        # The dashboard's counts of open cases read this index alone.
        batch_op.drop_index("ix_cases_state_assignee")
        batch_op.create_index(
            "ix_cases_state_assignee", ["state", "assignee_id", "basis", *DUE_COLUMNS], unique=False
        )
        for col in DUE_COLUMNS:
            batch_op.create_index(
                f"ix_cases_{col}",
                [col, "id", "state", "assignee_id", "basis"],
                unique=False,
                postgresql_where=sa.text(f"{col} IS NOT NULL"),
                sqlite_where=sa.text(f"{col} IS NOT NULL"),
            )

    # Fill from the existing data, then keep up to date.
    op.execute(
        f"UPDATE cases SET {SQLITE_SET_DUE if dialect == 'sqlite' else SET_DUE} WHERE id IN "
        "(SELECT case_id FROM case_deadlines WHERE active AND done_on IS NULL)"
    )
    for sql in FIGURES_SQL.values():
        op.execute(sql)
    if dialect in GROUNDS_SQL:
        op.execute(GROUNDS_INSERT.format(elements=GROUNDS_SQL[dialect]))

    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        for event, ref in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            op.execute(
                f"CREATE TRIGGER case_deadlines_due_{event.lower()} AFTER {event} ON case_deadlines "
                f"REFERENCING {ref} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aktflow_case_due()"
            )
    elif dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER case_deadlines_due_insert AFTER INSERT ON case_deadlines "
            f"BEGIN UPDATE cases SET {SQLITE_SET_DUE} WHERE id = NEW.case_id; END"
        )
        op.execute(
            "CREATE TRIGGER case_deadlines_due_update AFTER UPDATE OF case_id, rule, due, active, done_on "
            f"ON case_deadlines BEGIN UPDATE cases SET {SQLITE_SET_DUE} WHERE id IN (OLD.case_id, NEW.case_id); END"
        )
        op.execute(
            "CREATE TRIGGER case_deadlines_due_delete AFTER DELETE ON case_deadlines "
            f"BEGIN UPDATE cases SET {SQLITE_SET_DUE} WHERE id = OLD.case_id; END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for event in ("insert", "update", "delete"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS case_deadlines_due_{event} ON case_deadlines")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS case_deadlines_due_{event}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS aktflow_case_due()")
    op.drop_index("ix_cases_state_assignee", table_name="cases")
    op.create_index("ix_cases_state_assignee", "cases", ["state", "assignee_id"], unique=False)
    for col in DUE_COLUMNS:
        op.drop_index(f"ix_cases_{col}", table_name="cases")
        # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): rebuilding ``cases`` would break the foreign keys
        # that point at it.
        op.execute(f"ALTER TABLE cases DROP COLUMN {col}")
    op.drop_table("figure_counts")
