"""``aktflow letters``: stored letters, previews and the Word templates letters are made from."""

from __future__ import annotations

import json
import sys

import click

from aktflow.errors import ValidationError

from .base import Group, echo, open_db
from .base import today as clock_today
from .options import InputFile, InputFileType, as_option, letter_kind


@click.group("letters", cls=Group)
def letters() -> None:
    """Letters and their Word templates."""


def _write_out(path: str, data: bytes) -> None:
    from pathlib import Path

    p = Path(path)
    if p.parent and not p.parent.exists():
        raise ValidationError("--out", f"mappen {str(p.parent)!r} findes ikke")
    p.write_bytes(data)


@letters.command("get")
@click.argument("letter_id", type=int)
@click.option("--out", required=True, help="File to write (.docx; .pdf for the PDF/A copy)")
def letters_get(letter_id: int, out: str) -> None:
    """Write a stored letter to a file."""
    from aktflow.case_letters import letter_pdf
    from aktflow.queries.letters import letter_content

    db_ = open_db()
    if out.lower().endswith(".pdf"):
        pdf = letter_pdf(db_, letter_id)
        if pdf is None:
            raise ValidationError("--out", "PDF/A kræver LibreOffice (soffice); hent .docx i stedet")
        _write_out(out, pdf)
    else:
        _write_out(out, letter_content(db_, letter_id))
    echo(f"brev {letter_id} skrevet til {out}", err=True)


@letters.command("preview")
@click.argument("case_id", type=int)
@click.argument("kind")
@click.option("--out", required=True)
@click.option(
    "--data", "data_json", default=None, help="JSON with the letter's fields (e.g. reason, expected)"
)
def letters_preview(case_id: int, kind: str, out: str, data_json: str | None) -> None:
    """Render a letter for a case without storing it."""
    from aktflow.queries.letters import letter_preview

    letter_kind(kind, "KIND")
    data = json.loads(data_json) if data_json else {}
    content = letter_preview(open_db(), case_id, kind, data, today=clock_today())
    _write_out(out, content)
    echo(f"forhåndsvisning skrevet til {out}", err=True)


@letters.command("check")
@click.argument("template", metavar="PATH", type=InputFileType("TEMPLATE"))
@click.option("--kind", default=None, help="The letter kind (default: from the file name)")
def letters_check(template: InputFile, kind: str | None) -> None:
    """Check a template before upload: it must open, render a sample case and use only known variables."""
    import letters as letters_pkg

    content = template.read()
    kind = letter_kind(kind or template.stem, "--kind")
    problems = letters_pkg.check_template(kind, content)
    if problems:
        for msg in problems:
            echo(f"fejl: {msg}", err=True)
        sys.exit(2)
    echo(f"skabelonen er i orden ({kind})")


@letters.command("upload")
@click.argument("kind")
@click.argument("template", metavar="PATH", type=InputFileType("TEMPLATE"))
@as_option()
def letters_upload(kind: str, template: InputFile, actor: str) -> None:
    """Replace a letter template (administrators); refused with the reason if the check fails."""
    from aktflow.administration import upload_template

    content = template.read()
    upload_template(open_db(), actor=actor, kind=kind, content=content)
    echo(f"skabelonen for {kind} er opdateret")


@letters.command("template")
@click.argument("kind")
@click.option("--out", required=True)
def letters_template(kind: str, out: str) -> None:
    """Write the template in use for KIND (to edit in Word)."""
    from aktflow.administration import template_in_use

    letter_kind(kind, "KIND")
    _write_out(out, template_in_use(open_db(), kind))
