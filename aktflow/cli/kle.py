"""``aktflow kle``: the municipality's KLE plan (KL's emnesystematik): import and search."""

from __future__ import annotations

import click

from .base import Group, emit, open_db
from .options import InputFile, InputFileType, as_option, json_option


@click.group("kle", cls=Group)
def kle() -> None:
    """The municipality's KLE plan (KL's emnesystematik)."""


@kle.command("import")
@click.argument("file", metavar="PATH", type=InputFileType("FILE"))
@as_option("An administrator")
@json_option
def kle_import(file: InputFile, actor: str, as_json: bool) -> None:
    """Import KL's KLE XML (KLE-Emneplan); replaces the plan in one transaction."""
    from aktflow import kle as kle_mod

    counts = kle_mod.import_xml(open_db(), file.read(), actor=actor)
    emit(counts, as_json, ", ".join(f"{k}: {v}" for k, v in counts.items()))


@kle.command("search")
@click.argument("query")
@json_option
def kle_search(query: str, as_json: bool) -> None:
    """Search the plan by number or words."""
    from aktflow import kle as kle_mod

    rows = kle_mod.search(open_db(), query)
    emit(
        rows,
        as_json,
        "\n".join(f"{r.get('nummer', '')} {r.get('titel', '')}" for r in rows) or "intet fundet",
    )
