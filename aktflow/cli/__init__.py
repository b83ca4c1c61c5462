"""The ``aktflow`` command.

Exit codes: 0 done; 1 unexpected failure; 2 bad input (the field is named); 3 refused by the workflow;
4 the user's role may not do this; 5 version conflict. Messages are one line on stderr, never a traceback
(set AKTFLOW_DEBUG=1 to see one).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any

import click

from . import states
from .clock import today as clock_today
from .errors import AktflowError, ValidationError
from .states.fields import field_of

#: The service's field names that the CLI spells differently (as the option a user typed).
OPTIONS = {"actor": "--as", "item_ids": "ITEM_IDS"}


def _fail(message: str, code: int) -> None:
    click.echo(f"fejl: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """Turns the service's errors into one line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as e:
            _fail(f"{OPTIONS.get(e.field or '', e.field)}: {e.detail}", e.exit_code)
        except AktflowError as e:
            _fail(e.message, e.exit_code)
        except click.UsageError as e:
            path = e.ctx.command_path if e.ctx else "aktflow"
            _fail(f"{e.format_message()} (se '{path} --help')", 2)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence for the user
            from sqlalchemy.exc import OperationalError, ProgrammingError

            if _debug():
                traceback.print_exc()
            text = str(getattr(e, "orig", e)).lower()
            if isinstance(e, OperationalError | ProgrammingError) and (
                "no such table" in text or "no such column" in text or "does not exist" in text
            ):
                _fail("databasen er ikke sat op eller har et ældre skema: kør 'aktflow db upgrade'", 1)
            if isinstance(e, OperationalError):
                _fail("databasen svarer ikke (tjek AKTFLOW_DATABASE_URL)", 1)
            _fail(f"uventet fejl ({type(e).__name__}); kør med AKTFLOW_DEBUG=1 for detaljer", 1)


def _debug() -> bool:
    """AKTFLOW_DEBUG: show the traceback of an unexpected error."""
    from .config import SettingsError, load_settings

    try:
        return load_settings().debug
    except SettingsError:
        return False


def _db():
    from .db import Database

    return Database.from_config()


def _emit(obj: Any, as_json: bool, text: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text if text is not None else json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def _case_text(c: dict) -> str:
    lines = [
        f"Sag {c['id']}  {c['sagsnummer'] or '(intet sagsnummer endnu)'}  version {c['version']}",
        f"  Tilstand:   {c['state']} ({c['state_label']})",
        f"  Anmoder:    {c['requester']}",
        f"  Emne:       {c['emne']}  {c['subject']}",
        f"  Grundlag:   {c['basis']}  modtaget {c['received']}",
        f"  Sagsbeh.:   {c['assignee'] or '(ufordelt)'}",
    ]
    if c["flagged"]:
        lines.append("  Markeret:   " + "; ".join(c["flag_reasons"]))
    for d in c["deadlines"]:
        lines.append(f"  Frist:      {d['rule']} {d['due']} {d.get('status', '')}  {d['explanation']}")
    lines.append("  Mulige handlinger: " + (", ".join(c["allowed_triggers"]) or "ingen"))
    lines.append("  Hændelser:")
    for e in c["events"]:
        lines.append(
            f"    {e['seq']:>3} {e['at']} {e['actor']:<14} {e['trigger']:<24} {e['from']} -> {e['to']}"
        )
    return "\n".join(lines)


@click.group(cls=Group)
@click.version_option(package_name="aktflow")
def cli() -> None:
    """aktflow: aktindsigt case handling for Danish municipalities."""
    from . import bootstrap
    from .config import SettingsError, load_settings

    try:  # the settings are checked before any command runs: one line per bad value, exit code 2
        settings = load_settings()
    except SettingsError as e:
        for line in e.problems:
            click.echo(f"fejl: {line}", err=True)
        sys.exit(2)
    bootstrap.install(bootstrap.build(settings))


# --- db -----------------------------------------------------------------------------------------------


@cli.group(cls=Group)
def db() -> None:
    """The database: migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Create or upgrade the database schema (AKTFLOW_DATABASE_URL)."""
    from .config import Config
    from .db import upgrade

    upgrade(Config.from_env().database_url, revision)
    click.echo("databasen er opdateret", err=True)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (e.g. 'base')."""
    from .config import Config
    from .db import downgrade

    downgrade(Config.from_env().database_url, revision)


# --- users --------------------------------------------------------------------------------------------


@cli.group(cls=Group)
def users() -> None:
    """Users and roles."""


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help="caseworker | legal | manager | admin")
@click.option("--password", required=True)
@click.option("--name", default=None, help="Full name shown in letters and the UI")
@click.option("--json", "as_json", is_flag=True)
def users_add(username: str, role: str, password: str, name: str | None, as_json: bool) -> None:
    """Add a user (the server's shell is trusted: no --as; the password needs at least 8 characters)."""
    from .service import add_user
    from .vocabulary import SYSTEM_ACTOR

    u = add_user(_db(), username, actor=SYSTEM_ACTOR, role=role, password=password, name=name)
    _emit(
        {"id": u.id, "username": u.username, "role": u.role, "name": u.name},
        as_json,
        f"bruger {u.username} ({u.role}) oprettet",
    )


@users.command("token")
@click.argument("username")
@click.option("--name", default=None, help="What the token is for, e.g. selvbetjening")
def users_token(username: str, name: str | None) -> None:
    """Print a new API bearer token for USERNAME (shown once; only its hash is stored)."""
    from .tokens import issue_token
    from .vocabulary import SYSTEM_ACTOR

    click.echo(issue_token(_db(), username, name=name, actor=SYSTEM_ACTOR))


@users.command("set-role")
@click.argument("username")
@click.argument("role")
@click.option("--as", "actor", required=True, help="An administrator")
def users_set_role(username: str, role: str, actor: str) -> None:
    """Change a user's role (their open sessions end)."""
    from .admin import change_role

    r = change_role(_db(), actor=actor, username=username, role=role)
    click.echo(f"{username}: {r['old']} → {r['new']}")


@users.command("deactivate")
@click.argument("username")
@click.option("--as", "actor", required=True, help="An administrator")
def users_deactivate(username: str, actor: str) -> None:
    """Deactivate a user (sessions end; their cases stay and can be reassigned)."""
    from .admin import set_active

    r = set_active(_db(), actor=actor, username=username, active=False)
    click.echo(f"{username} er deaktiveret; {r['open_cases']} åbne sager skal fordeles")


@users.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--as", "actor", required=True, help="An administrator")
def users_password(username: str, password: str, actor: str) -> None:
    """Set a user's password (at least 8 characters; their open sessions end)."""
    from .admin import set_password

    set_password(_db(), actor=actor, username=username, password=password)
    click.echo(f"adgangskoden for {username} er ændret")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """List users."""
    from .admin import user_list

    with _db().session() as s:
        rows = user_list(s)
    _emit(rows, as_json, "\n".join(f"{r['username']:<16} {r['role']:<11} {r['name']}" for r in rows))


# --- cases --------------------------------------------------------------------------------------------


@cli.group(cls=Group)
def case() -> None:
    """Cases: register, advance, show."""


@case.command("new")
@click.option("--requester", required=True, help="The requester's name")
@click.option("--email", default=None)
@click.option("--received", required=True, help="Date of receipt, YYYY-MM-DD")
@click.option("--basis", required=True, help="ofl | fvl | mol | gdpr")
@click.option("--subject", required=True, help="What is asked for")
@click.option("--emne", required=True, help="KLE emne of the case asked about, NN.NN.NN")
@click.option("--channel", default=None, help="e-mail, brev, telefon, selvbetjening …")
@click.option("--assign", default=None, help="Username of the caseworker")
@click.option("--as", "actor", required=True, help="Your username")
@click.option("--json", "as_json", is_flag=True)
def case_new(requester, email, received, basis, subject, emne, channel, assign, actor, as_json) -> None:
    """Register a new request (state 'received')."""
    from .service import case_view, create_case

    db_ = _db()
    c = create_case(
        db_,
        actor=actor,
        requester=requester,
        email=email,
        received=received,
        basis=basis,
        subject=subject,
        emne=emne,
        channel=channel,
        assign=assign,
    )
    view = case_view(db_, c.id)
    _emit(view, as_json, f"sag {c.id} oprettet ({view['state_label']})")


@case.command("advance")
@click.argument("case_id", type=int)
@click.argument("trigger")
@click.option("--as", "actor", required=True, help="Your username")
@click.option("--note", default=None)
@click.option("--data", "data_json", default=None, help="JSON object with the trigger's fields")
@click.option(
    "--expect-version", type=int, default=None, help="Refuse if the case is no longer at this version"
)
@click.option("--json", "as_json", is_flag=True)
def case_advance(case_id, trigger, actor, note, data_json, expect_version, as_json) -> None:
    """Fire TRIGGER (a transition or an action) on the case."""
    from .service import case_view, fire

    data = None
    if data_json is not None:
        try:
            data = json.loads(data_json)
        except json.JSONDecodeError as e:
            raise ValidationError("--data", f"ugyldig JSON ({e.msg})") from None
        if not isinstance(data, dict):
            raise ValidationError("--data", "skal være et JSON-objekt")
    db_ = _db()
    c = fire(db_, case_id, trigger, actor=actor, note=note, data=data, expect_version=expect_version)
    view = case_view(db_, c.id)
    _emit(
        view,
        as_json,
        f"sag {c.id}: {trigger} udført; tilstand {view['state']} ({view['state_label']}), "
        f"version {view['version']}",
    )


@case.command("show")
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def case_show(case_id: int, as_json: bool) -> None:
    """Show a case with its deadlines, allowed triggers and events."""
    from .service import case_view

    view = case_view(_db(), case_id)
    _emit(view, as_json, _case_text(view))


@case.command("list")
@click.option("--state", default=None)
@click.option("--json", "as_json", is_flag=True)
def case_list(state: str | None, as_json: bool) -> None:
    """List cases (newest first); CPR numbers in names and subjects are masked."""
    from .dashboard import case_list as list_cases

    if state and state not in states.STATES:
        raise ValidationError("--state", f"ukendt tilstand {state!r}")
    with _db().session() as s:
        rows = list_cases(s, state=state, limit=500)
    _emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>6} {r['state']:<24} {r['sagsnummer'] or '-':<22} {r['received']} {r['requester']}"
            for r in rows
        ),
    )


@case.command("add-document")
@click.argument("case_id", type=int)
@click.option("--title", required=True)
@click.option("--date", "doc_date", default=None, help="YYYY-MM-DD")
@click.option("--sender", default=None)
@click.option("--recipient", default=None)
@click.option("--archive-id", default=None, help="The document's id in the archive")
@click.option("--file", "path", default=None, type=click.Path(dir_okay=False), help=".txt, .docx or .pdf")
@click.option("--as", "actor", required=True)
@click.option("--expect-version", type=int, default=None)
@click.option("--json", "as_json", is_flag=True)
def case_add_document(
    case_id, title, doc_date, sender, recipient, archive_id, path, actor, expect_version, as_json
) -> None:
    """Add a document to the case's register (while collecting); its text is screened."""
    from pathlib import Path

    from .documents import Attachment, max_bytes
    from .service import case_view, fire

    attachment = None
    if path:
        p = Path(path)
        if not p.is_file():
            raise ValidationError("--file", f"filen {path!r} findes ikke")
        if p.stat().st_size > max_bytes():
            raise ValidationError("--file", f"filen er for stor (højst {max_bytes() / 1048576:.0f} MB)")
        attachment = Attachment(p.name, p.read_bytes())
    data = {
        k: v
        for k, v in {
            "title": title,
            "date": doc_date,
            "sender": sender,
            "recipient": recipient,
            "archive_doc_id": archive_id,
        }.items()
        if v is not None
    }
    db_ = _db()
    c = fire(
        db_,
        case_id,
        "add_document",
        actor=actor,
        data=data,
        expect_version=expect_version,
        attachment=attachment,
    )
    view = case_view(db_, c.id)
    doc_id = c.documents[-1].id if c.documents else None
    doc = next(d for d in view["documents"] if d["id"] == doc_id)
    _emit(
        {
            **doc,
            "case": view["id"],
            "version": view["version"],
            "flagged": view["flagged"],
            "flag_reasons": view["flag_reasons"],
        },
        as_json,
        f"dokument {doc['id']} tilføjet sag {c.id}"
        + (" (sagen er markeret til juridisk vurdering)" if view["flagged"] else ""),
    )


@case.command("assess")
@click.argument("case_id", type=int)
@click.argument("doc_id", type=int)
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(field_of(states.TRIGGERS["assess_document"], "outcome").choices),
)
@click.option(
    "--ground", "grounds", multiple=True, help="Ground code (see 'aktflow grounds'); repeat for more"
)
@click.option("--extracted", is_flag=True, help="Facts/assessments were extracted (OFL § 28/§ 29)")
@click.option("--meroffentlighed-note", default=None, help="Why more was not released (OFL § 14)")
@click.option("--note", default=None, help="Redaction note")
@click.option("--as", "actor", required=True)
@click.option("--expect-version", type=int, default=None)
@click.option("--json", "as_json", is_flag=True)
def case_assess(
    case_id, doc_id, outcome, grounds, extracted, meroffentlighed_note, note, actor, expect_version, as_json
) -> None:
    """Record the confidentiality assessment of one document."""
    from .service import case_view, fire

    data = {"document_id": doc_id, "outcome": outcome, "grounds": list(grounds), "extracted": extracted}
    if meroffentlighed_note:
        data["meroffentlighed_note"] = meroffentlighed_note
    db_ = _db()
    fire(db_, case_id, "assess_document", actor=actor, note=note, data=data, expect_version=expect_version)
    view = case_view(db_, case_id)
    _emit(
        view,
        as_json,
        f"dokument {doc_id} vurderet: {outcome}; afgørelsens udfald nu: {view['outcome'] or '-'}",
    )


@cli.command("grounds")
@click.option("--basis", default=None, help="Only grounds for this basis: ofl | fvl | mol | gdpr")
@click.option("--json", "as_json", is_flag=True)
def grounds_cmd(basis: str | None, as_json: bool) -> None:
    """The grounds catalogue: codes, labels and the standard reasoning for letters."""
    from . import grounds as catalogue
    from .vocabulary import BASES

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
    _emit(rows, as_json, "\n".join(f"{r['code']:<18} {r['label']}" for r in rows))


@cli.group(cls=Group)
def legal() -> None:
    """The legal contact's work."""


@legal.command("queue")
@click.option("--json", "as_json", is_flag=True)
def legal_queue_cmd(as_json: bool) -> None:
    """Cases waiting for legal review, the oldest deadline first."""
    from .service import legal_queue

    rows = legal_queue(_db())
    _emit(
        rows,
        as_json,
        "\n".join(
            f"sag {r['id']:>6} frist {r['next_due'] or '-':<10} {r['requester']}: {'; '.join(r['flag_reasons'])}"
            for r in rows
        )
        or "ingen sager venter",
    )


# --- deadlines and calendar ------------------------------------------------------------------------------


def _optional_db():
    """The configured database if it is set up, else None (the calculator then uses the statutory calendar)."""
    from sqlalchemy import inspect

    try:
        db_ = _db()
        if inspect(db_.engine).has_table("settings"):
            return db_
    except Exception:  # noqa: BLE001 - no database is fine for the calculator
        return None
    return None


@cli.command()
@click.option("--received", required=True, help="Date of receipt, YYYY-MM-DD (any date)")
@click.option("--basis", required=True, help="ofl | fvl | mol | gdpr")
@click.option("--json", "as_json", is_flag=True)
def deadlines(received: str, basis: str, as_json: bool) -> None:
    """Compute the statutory deadlines for a request received on a date."""
    from .service import deadline_calculator

    out = deadline_calculator(_optional_db(), basis, received)
    _emit(
        out, as_json, "\n".join(f"{d['rule']:<20} {d['due']}  {d['explanation']}" for d in out["deadlines"])
    )


@cli.command()
@click.option("--today", default=None, help="Run as if today were this date (YYYY-MM-DD)")
@click.option("--json", "as_json", is_flag=True)
def sweep(today: str | None, as_json: bool) -> None:
    """The daily deadline sweep: due soon, overdue and missing fristbreve per assignee.

    Exit 0 when nothing is overdue or missing, 10 when something is (so cron can mail the output),
    1 on failure.
    """

    from . import tracking
    from .service import parse_date

    day = parse_date(today, "--today") if today else clock_today()
    with _db().session() as s:
        out = tracking.sweep(s, day)
    if as_json:
        _emit(out, True)
    else:
        c = out["counts"]
        click.echo(
            f"Fristoversigt {day:%d.%m.%Y}: {c['overdue']} overskredet, {c['missing_notice']} mangler "
            f"fristbrev, {c['due_soon']} snart"
        )
        labels = {"overdue": "OVERSKREDET", "missing_notice": "FRISTBREV MANGLER", "due_soon": "snart"}
        for assignee, rows in sorted(out["by_assignee"].items()):
            click.echo(f"\n{assignee}:")
            for r in rows:
                click.echo(
                    f"  sag {r['case']:>6} {r['sagsnummer'] or '-':<22} {r['rule']:<20} {r['due']} "
                    f"{labels[r['kind']]}"
                )
    if out["counts"]["overdue"] or out["counts"]["missing_notice"]:
        sys.exit(10)


@cli.group(cls=Group)
def calendar() -> None:
    """The municipality's working-day calendar."""


@calendar.command("show")
@click.option("--year", type=int, default=None, help="List the non-working weekdays of this year")
@click.option("--json", "as_json", is_flag=True)
def calendar_show(year: int | None, as_json: bool) -> None:
    """Show the calendar settings and the non-working weekdays of a year."""
    import datetime as dt

    from . import tracking
    from .calendar import get_calendar

    with _db().session() as s:
        settings = tracking.calendar_settings(s)
    cal = get_calendar(settings)
    year = year or clock_today().year
    days = cal.skipped(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
    out = {
        "version": settings.version,
        "settings": settings.to_dict(),
        "year": year,
        "non_working": [{"date": d.isoformat(), "name": n} for d, n in days],
    }
    _emit(
        out,
        as_json,
        "\n".join([f"Kalenderversion {settings.version}"] + [f"  {d:%d.%m.%Y} {n}" for d, n in days]),
    )


def _progress_runner(label: str):
    bar = {"obj": None}

    def progress(done: int, total: int) -> None:
        if bar["obj"] is None:
            bar["obj"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
            bar["obj"].__enter__()
            bar["last"] = 0
        bar["obj"].update(done - bar["last"])
        bar["last"] = done
        if done >= total:
            bar["obj"].__exit__(None, None, None)

    return progress


def _calendar_change(actor: str, as_json: bool, **kw) -> None:
    from .service import change_calendar

    out = change_calendar(_db(), actor=actor, progress=_progress_runner("Genberegner frister"), **kw)
    if not out["changed"]:
        _emit(out, as_json, "kalenderen er uændret")
        return
    _emit(
        out,
        as_json,
        f"kalender {out['calendar_version']}: {out['deadlines_checked']} frister gennemgået, "
        f"{out['deadlines_moved']} flyttet på {out['cases_moved']} sager",
    )


CHOICE = click.Choice(["working", "closed"])


@calendar.command("set")
@click.option("--grundlovsdag", type=CHOICE, default=None)
@click.option("--juleaften", type=CHOICE, default=None, help="24 December")
@click.option("--nytaarsaften", type=CHOICE, default=None, help="31 December")
@click.option("--first-may", type=CHOICE, default=None, help="1 May")
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
def calendar_set(grundlovsdag, juleaften, nytaarsaften, first_may, actor, as_json) -> None:
    """Mark the optional days as working or closed; open cases' deadlines are recomputed."""
    flags = {
        k: v == "closed"
        for k, v in {
            "grundlovsdag_closed": grundlovsdag,
            "juleaften_closed": juleaften,
            "nytaarsaften_closed": nytaarsaften,
            "first_may_closed": first_may,
        }.items()
        if v is not None
    }
    if not flags:
        raise ValidationError("--grundlovsdag/--juleaften/--nytaarsaften/--first-may", "angiv mindst én dag")
    _calendar_change(actor, as_json, set_flags=flags)


@calendar.command("close")
@click.argument("dates", nargs=-1, required=True)
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
def calendar_close(dates, actor, as_json) -> None:
    """Mark DATES (YYYY-MM-DD) as the municipality's closure days; deadlines are recomputed."""
    from .service import parse_date

    _calendar_change(actor, as_json, close=[parse_date(d, "DATES") for d in dates])


@calendar.command("open")
@click.argument("dates", nargs=-1, required=True)
@click.option("--as", "actor", required=True)
@click.option("--json", "as_json", is_flag=True)
def calendar_open(dates, actor, as_json) -> None:
    """Remove closure days again; deadlines are recomputed."""
    from .service import parse_date

    _calendar_change(actor, as_json, reopen=[parse_date(d, "DATES") for d in dates])


# --- letters, outbox, fake SBSYS --------------------------------------------------------------------------


@case.command("letters")
@click.argument("case_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def case_letters(case_id: int, as_json: bool) -> None:
    """The letters made on a case (id, kind, created, sha256, archive state)."""
    from .correspondence import letters_of
    from .service import get_case

    with _db().session() as s:
        get_case(s, case_id)
        rows = letters_of(s, case_id)
    _emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>5} {r['kind']:<20} {r['created']} {r['archive_status']:<12} {r['sha256'][:16]}"
            for r in rows
        )
        or "ingen breve",
    )


@cli.group(cls=Group)
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
    from .correspondence import letter_pdf
    from .errors import NotFound
    from .models import Letter

    db_ = _db()
    if out.lower().endswith(".pdf"):
        pdf = letter_pdf(db_, letter_id)
        if pdf is None:
            raise ValidationError("--out", "PDF/A kræver LibreOffice (soffice); hent .docx i stedet")
        _write_out(out, pdf)
    else:
        with db_.session() as s:
            row = s.get(Letter, letter_id)
            if row is None:
                raise NotFound(f"brev {letter_id} findes ikke")
            _write_out(out, row.content)
    click.echo(f"brev {letter_id} skrevet til {out}", err=True)


@letters.command("preview")
@click.argument("case_id", type=int)
@click.argument("kind")
@click.option("--out", required=True)
@click.option(
    "--data", "data_json", default=None, help="JSON with the letter's fields (e.g. reason, expected)"
)
def letters_preview(case_id: int, kind: str, out: str, data_json: str | None) -> None:
    """Render a letter for a case without storing it."""

    import letters as letters_pkg

    from .correspondence import render
    from .service import get_case

    if kind not in letters_pkg.KINDS:
        raise ValidationError("KIND", f"ukendt brevtype {kind!r}: {', '.join(letters_pkg.KINDS)}")
    data = json.loads(data_json) if data_json else {}
    with _db().session() as s:
        c = get_case(s, case_id)
        _, content = render(s, c, kind, data, actor=c.assignee, today=clock_today())
    _write_out(out, content)
    click.echo(f"forhåndsvisning skrevet til {out}", err=True)


@letters.command("check")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--kind", default=None, help="The letter kind (default: from the file name)")
def letters_check(path: str, kind: str | None) -> None:
    """Check a template before upload: it must open, render a sample case and use only known variables."""
    from pathlib import Path

    import letters as letters_pkg

    p = Path(path)
    if not p.is_file():
        raise ValidationError("TEMPLATE", f"filen {path!r} findes ikke")
    kind = kind or p.stem
    if kind not in letters_pkg.KINDS:
        raise ValidationError("--kind", f"ukendt brevtype {kind!r}: {', '.join(letters_pkg.KINDS)}")
    problems = letters_pkg.check_template(kind, p.read_bytes())
    if problems:
        for msg in problems:
            click.echo(f"fejl: {msg}", err=True)
        sys.exit(2)
    click.echo(f"skabelonen er i orden ({kind})")


@letters.command("upload")
@click.argument("kind")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--as", "actor", required=True)
def letters_upload(kind: str, path: str, actor: str) -> None:
    """Replace a letter template (administrators); refused with the reason if the check fails."""
    from pathlib import Path

    from .service import upload_template

    p = Path(path)
    if not p.is_file():
        raise ValidationError("TEMPLATE", f"filen {path!r} findes ikke")
    upload_template(_db(), actor=actor, kind=kind, content=p.read_bytes())
    click.echo(f"skabelonen for {kind} er opdateret")


@letters.command("template")
@click.argument("kind")
@click.option("--out", required=True)
def letters_template(kind: str, out: str) -> None:
    """Write the template in use for KIND (to edit in Word)."""
    import letters as letters_pkg

    from .correspondence import active_template

    if kind not in letters_pkg.KINDS:
        raise ValidationError("KIND", f"ukendt brevtype {kind!r}: {', '.join(letters_pkg.KINDS)}")
    with _db().session() as s:
        content = active_template(s, kind) or letters_pkg.template_bytes(kind)
    _write_out(out, content)


@cli.group(cls=Group)
def outbox() -> None:
    """Work waiting for the archive (SBSYS)."""


@outbox.command("run")
@click.option("--loop", is_flag=True, help="Keep running (a worker); Ctrl-C stops")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds with --loop")
@click.option("--now", "now_", is_flag=True, help="Ignore the backoff: try everything pending now")
@click.option("--json", "as_json", is_flag=True)
def outbox_run(loop: bool, interval: float, now_: bool, as_json: bool) -> None:
    """Deliver what is pending once (or keep doing it with --loop)."""
    from .delivery import run

    marks = {"done": ".", "pending": "r", "failed": "F"}

    def report(status: str) -> None:
        if not as_json:
            click.echo(marks[status], nl=False, err=True)

    try:
        counts = run(_db(), loop=loop, interval=interval, ignore_backoff=now_, report=report)
    except KeyboardInterrupt:
        click.echo("\nstoppet", err=True)
        return
    if not as_json:
        click.echo("", err=True)
    _emit(counts, as_json, f"leveret {counts['done']}, venter {counts['pending']}, fejlet {counts['failed']}")
    if counts["failed"]:
        sys.exit(1)


@outbox.command("list")
@click.option("--status", default=None, type=click.Choice(["pending", "delivering", "done", "failed"]))
@click.option("--json", "as_json", is_flag=True)
def outbox_list(status: str | None, as_json: bool) -> None:
    """List outbox items (newest first)."""
    from .admin import outbox_items

    with _db().session() as s:
        rows = outbox_items(s, status)
    _emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>6} sag {r['case'] or '-':>6} {r['kind']:<12} {r['status']:<10} forsøg {r['attempts']}"
            + (f"  {r['error']}" if r["error"] else "")
            for r in rows
        )
        or "ingen opgaver",
    )


@outbox.command("retry")
@click.argument("item_ids", type=int, nargs=-1)
@click.option("--all-failed", is_flag=True)
@click.option("--as", "actor", required=True, help="An administrator")
def outbox_retry(item_ids: tuple[int, ...], all_failed: bool, actor: str) -> None:
    """Put failed items back in the queue (after the cause is fixed)."""
    from .admin import retry_outbox

    if not item_ids and not all_failed:
        raise ValidationError("ITEM_IDS", "angiv opgaver eller --all-failed")
    n = retry_outbox(_db(), actor=actor, item_ids=item_ids, all_failed=all_failed)
    click.echo(f"{n} opgaver sat i kø igen")


@cli.command("fake-sbsys")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8089, show_default=True, type=int)
def fake_sbsys(host: str, port: int) -> None:
    """Run a local fake SBSYS (development only, from the source tree): prints the settings to export."""
    _load_fake_sbsys().serve_forever(host, port, seed_demo=True)


# The fake is a test double in the source tree (devtools/fake_sbsys.py), not part of the installed package.
FAKE_SBSYS_SOURCE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "devtools", "fake_sbsys.py"
)


def _load_fake_sbsys(path: str | None = None) -> Any:
    """The module ``devtools/fake_sbsys.py`` loaded from the source tree beside the ``aktflow`` package.

    Found in a checkout and in an editable install (``make venv``); loaded by file, so an unrelated
    installed package named ``devtools`` cannot shadow it. Raises :class:`click.ClickException` (exit
    code 1, a Danish message) when aktflow was installed without the source tree.
    """
    import importlib.util

    path = path or FAKE_SBSYS_SOURCE
    if not os.path.isfile(path):
        raise click.ClickException(
            "aktflow fake-sbsys er et udviklingsværktøj og findes kun i aktflows kildetræ "
            "(devtools/fake_sbsys.py); det følger ikke med den installerede pakke"
        )
    name = "devtools.fake_sbsys"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@cli.group(cls=Group)
def kle() -> None:
    """The municipality's KLE plan (KL's emnesystematik)."""


@kle.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--as", "actor", required=True, help="An administrator")
@click.option("--json", "as_json", is_flag=True)
def kle_import(path: str, actor: str, as_json: bool) -> None:
    """Import KL's KLE XML (KLE-Emneplan); replaces the plan in one transaction."""
    from pathlib import Path

    from . import kle as kle_mod

    p = Path(path)
    if not p.is_file():
        raise ValidationError("FILE", f"filen {path!r} findes ikke")
    counts = kle_mod.import_xml(_db(), p.read_bytes(), actor=actor)
    _emit(counts, as_json, ", ".join(f"{k}: {v}" for k, v in counts.items()))


@kle.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True)
def kle_search(query: str, as_json: bool) -> None:
    """Search the plan by number or words."""
    from . import kle as kle_mod

    rows = kle_mod.search(_db(), query)
    _emit(
        rows,
        as_json,
        "\n".join(f"{r.get('nummer', '')} {r.get('titel', '')}" for r in rows) or "intet fundet",
    )


# --- audit, workflow, demo, serve -----------------------------------------------------------------------


@cli.group(cls=Group)
def audit() -> None:
    """The event log."""


@audit.command("verify")
@click.option("--json", "as_json", is_flag=True)
def audit_verify(as_json: bool) -> None:
    """Check every case's hash chain and that its state equals the replay of its events."""
    from . import audit as audit_mod

    with _db().session() as s:
        n, problems = audit_mod.verify(s)
    if as_json:
        _emit(
            {
                "cases": n,
                "ok": not problems,
                "problems": [
                    {"case": p.case_id, "seq": p.seq, "event_id": p.event_id, "message": p.message}
                    for p in problems
                ],
            },
            True,
        )
    if problems:
        for p in problems:
            click.echo(f"fejl: {p}", err=True)
        sys.exit(1)
    if not as_json:
        click.echo(f"hændelsesloggen er i orden ({n} sager)")


@cli.group(cls=Group)
def dashboard() -> None:
    """The dashboard's read model: daily figure totals and the cases' earliest running deadlines."""


@dashboard.command("check")
def dashboard_check() -> None:
    """Compare the read model with the cases, events and assessments it is kept from (reads them all)."""
    from . import figures

    with _db().session() as s:
        problems = figures.check(s) + figures.check_due(s)
    if problems:
        for p in problems:
            click.echo(f"fejl: {p}", err=True)
        click.echo("ret med 'aktflow dashboard rebuild'", err=True)
        sys.exit(1)
    click.echo("dashboardets tal stemmer med sagerne")


@dashboard.command("rebuild")
def dashboard_rebuild() -> None:
    """Recompute the read model from the cases (after a restore or manual changes to the database)."""
    from . import figures

    with _db().session() as s:
        click.echo("genberegner dagstal …", err=True)
        rows = figures.rebuild(s)
        click.echo("genberegner sagernes tidligste frister …", err=True)
        fixed = figures.rebuild_due(s)
        s.commit()
    click.echo(f"dashboardets tal genberegnet: {rows} dagstal, {fixed} sager rettet")


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "json", "dot", "svg"]),
    default="mermaid",
    show_default=True,
    help="dot: Graphviz source; svg: laid out by Graphviz (needs the 'dot' program)",
)
@click.option(
    "--write-static",
    is_flag=True,
    help="Write the diagram the web UI shows (web/static/workflow.dot and workflow.svg; needs Graphviz)",
)
def workflow(fmt: str, write_static: bool) -> None:
    """Print the workflow (states and triggers) from its one definition, or draw its diagram."""
    if write_static:
        from importlib import resources

        from .states import diagram

        static = resources.files("web").joinpath("static")
        source = diagram.dot_source()
        svg = _render_workflow(source)
        for name, text in (("workflow.dot", source), ("workflow.svg", svg)):
            path = static.joinpath(name)
            with open(str(path), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            click.echo(f"skrev {path}", err=True)
    elif fmt == "json":
        _emit(states.as_json(), True)
    elif fmt == "dot":
        from .states import diagram

        click.echo(diagram.dot_source(), nl=False)
    elif fmt == "svg":
        from .states import diagram

        click.echo(_render_workflow(diagram.dot_source()), nl=False)
    else:
        click.echo(states.as_mermaid(), nl=False)


def _render_workflow(source: str) -> str:
    from .states import diagram

    try:
        return diagram.render_svg(source)
    except diagram.GraphvizMissing as e:
        _fail(f"{e}; installér Graphviz (fx apt-get install graphviz) eller brug --format dot", 1)
        raise  # unreachable: _fail exits


@cli.command()
@click.option("--if-empty", is_flag=True, help="Only if the database has no users yet (first start)")
def demo(if_empty: bool) -> None:
    """Load demo users (password 'demo') and demo cases."""
    from .demo import load_demo

    n = load_demo(_db(), if_empty=if_empty)
    if n is None:
        click.echo("demodata findes allerede", err=True)
    else:
        click.echo(
            f"demodata indlæst: {n} sager; brugere sagsbehandler, jurist, leder, admin (adgangskode: demo)",
            err=True,
        )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the web UI (for production, run web:create_app() under gunicorn)."""
    from web import create_app

    app = create_app()
    click.echo(f"aktflow kører på http://{host}:{port}/", err=True)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def main() -> None:
    try:
        rv = cli.main(prog_name="aktflow", standalone_mode=False)
    except click.UsageError as e:
        _fail(f"{e.format_message()} (se 'aktflow --help')", 2)
    except click.Abort:
        _fail("afbrudt", 1)
    except click.ClickException as e:
        _fail(e.format_message(), e.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
