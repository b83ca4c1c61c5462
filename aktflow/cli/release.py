"""``aktflow case package``: the release package of a case (docs/release.md)."""

from __future__ import annotations

from pathlib import Path

import click

from aktflow.errors import ValidationError

from .base import echo, emit, open_db
from .base import today as clock_today
from .options import as_option


@click.command("package")
@click.argument("case_id", type=int)
@click.option("--out", default=None, help="File to write (.pdf; .zip for the individual PDFs)")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="List the case's packages with each file's check as JSON (without --out)",
)
@click.option(
    "--preview",
    is_flag=True,
    help="Build the package of what a decision would release now, without storing it",
)
@click.option(
    "--id", "package_id", type=int, default=None, help="A given package (default: the last one made)"
)
@as_option("Your username")
def case_package(
    case_id: int, out: str | None, as_json: bool, preview: bool, package_id: int | None, actor: str
) -> None:
    """Write the release package of the case's last release (or of PACKAGE --id) to --out.

    With --preview the package of what a decision would release now is built (the decision letter as a
    draft); nothing is stored. A package that is blocked exits with code 3 and the reason. With --json
    the case's packages are listed instead (status, SHA-256, each file's check: what ran, the result,
    what was read, when, the checked file's SHA-256), or the one given with --id.
    """
    from aktflow.access_log import record_access
    from aktflow.release import service as release

    if as_json:
        if out or preview:
            raise ValidationError("--json", "--json lister pakkerne; brug det uden --out og --preview")
        rows = release.case_packages(open_db(), case_id, actor=actor)
        if package_id is not None:
            rows = [r for r in rows if r["id"] == package_id]
            if not rows:
                raise ValidationError("--id", f"sag {case_id} har ingen udleveringspakke {package_id}")
        emit(rows if package_id is None else rows[0], True)
        return
    if not out:
        raise ValidationError("--out", "angiv filen, pakken skal skrives til (eller --json for en liste)")
    path = Path(out)
    if not path.parent.exists():
        raise ValidationError("--out", f"mappen {str(path.parent)!r} findes ikke")
    db_ = open_db()
    if preview:
        if path.suffix.lower() != ".pdf":
            raise ValidationError("--out", "et udkast skrives som .pdf")
        built = release.preview(db_, case_id, path, actor=actor, today=clock_today())
        echo(
            f"udkast til udleveringspakke for sag {case_id} skrevet til {out}: "
            f"{built.documents} dokumenter, {built.pages} sider, SHA-256 {built.sha256}",
            err=True,
        )
        return
    zipped = path.suffix.lower() == ".zip"
    name, content = release.package_file(db_, case_id, package_id, zipped=zipped, actor=actor)
    record_access(
        db_, actor=actor, case_id=case_id, what="package", object_id=package_id, name=name, via="cli"
    )
    path.write_bytes(content)
    echo(f"{name} skrevet til {out}", err=True)
