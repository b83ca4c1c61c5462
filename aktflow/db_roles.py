"""PostgreSQL roles: the schema owner runs the migrations; the runtime role gets only what it needs.

``aktflow db upgrade`` connects as the owner (``AKTFLOW_MIGRATION_DATABASE_URL``, falling back to
``AKTFLOW_DATABASE_URL``) and then calls :func:`grant_runtime` for the role of ``AKTFLOW_DATABASE_URL``:

- reading and writing the working tables (SELECT, INSERT, UPDATE, DELETE), and the sequences;
- only INSERT and SELECT on the log tables (:data:`LOG_TABLES`: the event log, the administrative log,
  the access log), so the runtime role can append to them but neither change nor remove a row;
- only SELECT on ``alembic_version`` and ``audit_legacy`` (the migrations write them); no TRUNCATE, REFERENCES or TRIGGER anywhere, and it owns nothing, so
  it can neither alter nor disable the append-only triggers (that needs the table's owner).

The grants are applied again at every upgrade, so tables added by later migrations get them too. With
one role for both (the URLs name the same user) nothing is separated; the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import make_url

from .db import make_engine
from .errors import ValidationError

LOG_TABLES = ("events", "admin_log", "access_log")
READ_ONLY_TABLES = ("alembic_version", "audit_legacy")


@dataclass
class GrantReport:
    """What :func:`grant_runtime` did: the roles, the tables granted, and warnings (Danish lines)."""

    owner: str
    runtime: str | None
    tables: list[str] = field(default_factory=list)
    log_tables: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def grant_runtime(owner_url: str, runtime_url: str) -> GrantReport:
    """Grant the role of ``runtime_url`` exactly what aktflow needs, connected as ``owner_url``'s role.

    PostgreSQL only (on another backend, returns a report with a warning and does nothing). Raises
    ValidationError (field ``AKTFLOW_DATABASE_URL``) when the runtime role does not exist.
    """
    runtime = make_url(runtime_url).username
    engine = make_engine(owner_url)
    try:
        if engine.dialect.name != "postgresql":
            return GrantReport("", runtime, warnings=["rollerne gælder kun PostgreSQL"])
        quote = engine.dialect.identifier_preparer.quote
        with engine.begin() as conn:
            owner, schema = conn.execute(text("SELECT current_user, current_schema()")).one()
            report = GrantReport(owner, runtime)
            if not runtime or runtime == owner:
                report.warnings.append(
                    f"AKTFLOW_DATABASE_URL bruger ejerrollen {owner!r}: programmet kan ændre og slette i "
                    "loggene og slå deres beskyttelse fra; sæt AKTFLOW_MIGRATION_DATABASE_URL til ejeren og "
                    "AKTFLOW_DATABASE_URL til en rolle uden ejerskab (docs/deployment.md)"
                )
                return report
            role = conn.execute(
                text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": runtime}
            ).first()
            if role is None:
                raise ValidationError(
                    "AKTFLOW_DATABASE_URL",
                    f"rollen {runtime!r} findes ikke i PostgreSQL; opret den (CREATE ROLE … LOGIN PASSWORD …)",
                )
            if role.rolsuper:
                report.warnings.append(f"rollen {runtime!r} er superbruger: den kan alt, også ændre loggene")
            owned = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tableowner = :r ORDER BY 1"),
                {"s": schema, "r": runtime},
            ).all()
            if owned:
                report.warnings.append(
                    f"rollen {runtime!r} ejer stadig {len(owned)} tabeller ({', '.join(owned[:5])}"
                    f"{', …' if len(owned) > 5 else ''}) og kan derfor slå loggenes beskyttelse fra; "
                    f"flyt ejerskabet som superbruger: REASSIGN OWNED BY {runtime} TO {owner}"
                )
            tables = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY 1"), {"s": schema}
            ).all()
            r, s = quote(runtime), quote(schema)
            conn.execute(text(f"GRANT USAGE ON SCHEMA {s} TO {r}"))
            conn.execute(text(f"REVOKE CREATE ON SCHEMA {s} FROM {r}"))
            for t in tables:
                q = f"{s}.{quote(t)}"
                conn.execute(text(f"REVOKE ALL ON {q} FROM {r}"))
                if t in LOG_TABLES:
                    conn.execute(text(f"GRANT SELECT, INSERT ON {q} TO {r}"))
                    report.log_tables.append(t)
                elif t in READ_ONLY_TABLES:
                    conn.execute(text(f"GRANT SELECT ON {q} TO {r}"))
                else:
                    conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {q} TO {r}"))
                report.tables.append(t)
            conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}"))
            return report
    finally:
        engine.dispose()
