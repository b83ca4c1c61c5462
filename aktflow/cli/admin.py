"""``aktflow admin``: the municipality's administration tables; ``admin appeal-bodies list|set|remove``."""

from __future__ import annotations

import click

from .base import Group, emit, open_db
from .options import as_option, json_option

BASIS = click.Choice(("ofl", "mol", "fvl", "gdpr"))


@click.group("admin", cls=Group)
def admin() -> None:
    """The municipality's administration tables."""


@admin.group("appeal-bodies", cls=Group)
def appeal_bodies_group() -> None:
    """Where a complaint goes, per KLE prefix and legal basis (OFL § 37 stk. 1, § 38 stk. 1)."""


def _line(r: dict) -> str:
    where = r["kle_prefix"] or "alle"
    return (
        f"{where:<9} {r['basis']:<5} {r['kind']:<13} {r['name']}{', ' + r['address'] if r['address'] else ''}"
    )


@appeal_bodies_group.command("list")
@json_option
def appeal_list(as_json: bool) -> None:
    """Every row: KLE prefix ("alle" for every case), basis, kind, name and address."""
    from aktflow import appeal_bodies

    rows = appeal_bodies.rows_of(open_db())
    emit(rows, as_json, "\n".join(_line(r) for r in rows) or "ingen rækker")


@appeal_bodies_group.command("set")
@click.option(
    "--kle", "kle_prefix", default="", help='KLE prefix: "02", "02.34" or "02.34.00"; empty for all'
)
@click.option("--basis", type=BASIS, required=True)
@click.option(
    "--kind",
    type=click.Choice(("klageinstans", "tilsyn", "ingen")),
    default="klageinstans",
    show_default=True,
    help="klageinstans (§ 37 stk. 1), tilsyn (Ankestyrelsen, § 38 stk. 1) or ingen (FVL only)",
)
@click.option("--name", default="", help="The appeal body's name")
@click.option("--address", default="", help="Its postal address, one line")
@click.option("--email", default=None, help="Its e-mail address for letters (kept when not given)")
@click.option("--cvr", default=None, help="Its CVR number for Digital Post (kept when not given)")
@as_option("An administrator")
@json_option
def appeal_set(
    kle_prefix: str,
    basis: str,
    kind: str,
    name: str,
    address: str,
    email: str | None,
    cvr: str | None,
    actor: str,
    as_json: bool,
) -> None:
    """Add or change the row for a KLE prefix and basis."""
    from aktflow import appeal_bodies

    row = appeal_bodies.set_row(
        open_db(),
        actor=actor,
        kle_prefix=kle_prefix,
        basis=basis,
        kind=kind,
        name=name,
        address=address,
        email=email,
        cvr=cvr,
    )
    emit(row, as_json, _line(row))


@appeal_bodies_group.command("remove")
@click.option("--kle", "kle_prefix", default="", help="KLE prefix; empty for the row for all cases")
@click.option("--basis", type=BASIS, required=True)
@as_option("An administrator")
@json_option
def appeal_remove(kle_prefix: str, basis: str, actor: str, as_json: bool) -> None:
    """Remove the row for a KLE prefix and basis (the next less specific one applies)."""
    from aktflow import appeal_bodies

    appeal_bodies.remove_row(open_db(), actor=actor, kle_prefix=kle_prefix, basis=basis)
    emit({"removed": True}, as_json, "fjernet")
