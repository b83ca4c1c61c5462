"""``aktflow legal`` and ``aktflow grounds``: the legal contact's queue and the grounds catalogue."""

from __future__ import annotations

import click

from aktflow.errors import ValidationError

from .base import Group, emit, open_db
from .options import json_option


@click.command("grounds")
@click.option("--basis", default=None, help="Only grounds for this basis: ofl | fvl | mol | gdpr")
@json_option
def grounds_cmd(basis: str | None, as_json: bool) -> None:
    """The grounds catalogue: codes, labels and the standard reasoning for letters."""
    from aktflow import grounds as catalogue
    from aktflow.vocabulary import BASES

    if basis is not None and basis not in BASES:
        raise ValidationError("--basis", f"ukendt retsgrundlag {basis!r}: brug {'|'.join(BASES)}")
    rows = [
        {
            "code": g.code,
            "paragraph": g.paragraph,
            "label": g.label,
            "reasoning": g.reasoning,
            "bases": list(g.bases),
            "flags_legal": g.flags_legal,
        }
        for g in (catalogue.for_basis(basis) if basis else catalogue.all_grounds())
    ]
    emit(rows, as_json, "\n".join(f"{r['code']:<18} {r['label']}" for r in rows))


@click.group("legal", cls=Group)
def legal() -> None:
    """The legal contact's work."""


@legal.command("queue")
@json_option
def legal_queue_cmd(as_json: bool) -> None:
    """Cases waiting for legal review, the oldest deadline first."""
    from aktflow.queries.legal import legal_queue

    rows = legal_queue(open_db())
    emit(
        rows,
        as_json,
        "\n".join(
            f"sag {r['id']:>6} frist {r['next_due'] or '-':<10} {r['requester']}: {'; '.join(r['flag_reasons'])}"
            + (
                f"\n           ændret siden godkendelse: {r['changed_since_approval']}"
                if r["changed_since_approval"]
                else ""
            )
            for r in rows
        )
        or "ingen sager venter",
    )
