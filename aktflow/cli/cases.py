"""``aktflow case``: register a request, advance it, add and assess documents, show and list cases."""

from __future__ import annotations

import json

import click

from aktflow import states
from aktflow.errors import ValidationError
from aktflow.queries.case_members import masked_for, viewer
from aktflow.states.fields import field_of

from .base import Group, emit, open_db
from .case_access import case_access_cmd
from .options import InputFile, InputFileType, as_option, expect_version_option, json_option, viewer_option
from .release import case_package


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


def _max_upload() -> int:
    from aktflow.documents import max_bytes

    return max_bytes()


@click.group("case", cls=Group)
def case() -> None:
    """Cases: register, advance, show."""


@case.command("new")
@click.option(
    "--requester",
    default=None,
    help="The requester's name (may be left out for an anonymous ofl/mol request)",
)
@click.option("--email", "--requester-email", "email", default=None, help="The requester's e-mail address")
@click.option(
    "--requester-address",
    "address",
    multiple=True,
    help="A line of the requester's postal address (repeat for each line, or separate lines with ';')",
)
@click.option(
    "--requester-cpr", "cpr", default=None, help="The requester's CPR number, for Digital Post (never shown)"
)
@click.option("--requester-cvr", "cvr", default=None, help="The requester's CVR number, for Digital Post")
@click.option("--received", required=True, help="Date of receipt, YYYY-MM-DD")
@click.option("--basis", required=True, help="ofl | fvl | mol | gdpr")
@click.option("--subject", required=True, help="What is asked for")
@click.option("--emne", required=True, help="KLE emne of the case asked about, NN.NN.NN")
@click.option("--channel", default=None, help="e-mail, brev, telefon, selvbetjening …")
@click.option("--assign", default=None, help="Username of the caseworker")
@click.option(
    "--idempotency-key",
    default=None,
    help="Register once: the same key and options within 24 hours give the case made the first time",
)
@as_option("Your username")
@json_option
def case_new(
    requester,
    email,
    address,
    cpr,
    cvr,
    received,
    basis,
    subject,
    emne,
    channel,
    assign,
    idempotency_key,
    actor,
    as_json,
) -> None:
    """Register a new request (state 'received')."""
    from aktflow.service import case_view, submit_case

    db_ = open_db()
    sub = submit_case(
        db_,
        idempotency_key=idempotency_key,
        actor=actor,
        requester=requester,
        email=email,
        address="\n".join(address) or None,
        cpr=cpr,
        cvr=cvr,
        received=received,
        basis=basis,
        subject=subject,
        emne=emne,
        channel=channel,
        assign=assign,
    )
    c = sub.case
    view = case_view(db_, c.id)
    done = "oprettet" if sub.created else "var allerede oprettet med denne nøgle"
    emit(view, as_json, f"sag {c.id} {done} ({view['state_label']})")


@case.command("advance")
@click.argument("case_id", type=int)
@click.argument("trigger")
@as_option("Your username")
@click.option("--note", default=None)
@click.option("--data", "data_json", default=None, help="JSON object with the trigger's fields")
@click.option(
    "--file",
    "file",
    default=None,
    type=InputFileType("--file", _max_upload),
    help="The file of a trigger with a file field (add_document); refused by any other trigger",
)
@click.option(
    "--letter-sha256",
    default=None,
    help="The letter as seen: the fingerprint 'aktflow case preview' printed (send_decision, "
    "send_partial_decision); the letter made must be that one",
)
@click.option(
    "--unseen-letter",
    is_flag=True,
    help="Send the decision's letter without having seen it (recorded in the log as letter_sha256 'unseen')",
)
@expect_version_option("Refuse if the case is no longer at this version")
@json_option
def case_advance(
    case_id, trigger, actor, note, data_json, file, letter_sha256, unseen_letter, expect_version, as_json
) -> None:
    """Fire TRIGGER (a transition or an action) on the case.

    send_decision and send_partial_decision send their letter only as seen: give --letter-sha256 with the
    fingerprint 'aktflow case preview' printed, or --unseen-letter.
    """
    from aktflow.documents import Attachment
    from aktflow.letter_preview import require_seen
    from aktflow.service import case_view, fire
    from aktflow.states.fields import UNSEEN

    data = _data_option(data_json)
    if letter_sha256 is not None and unseen_letter:
        raise ValidationError(
            "--unseen-letter", "giv enten --letter-sha256 eller --unseen-letter, ikke begge"
        )
    if letter_sha256 is not None or unseen_letter:
        data = {**(data or {}), "letter_sha256": UNSEEN if unseen_letter else letter_sha256}
    try:
        require_seen(trigger, data)
    except ValidationError:
        raise ValidationError(
            "--letter-sha256",
            f"'{trigger}' sender sit brev, som det er set: giv --letter-sha256 med fingeraftrykket, som "
            f"'aktflow case preview {case_id} {trigger} --out FIL' skriver, eller --unseen-letter",
        ) from None
    db_ = open_db()
    attachment = Attachment(file.name, file.read()) if file else None
    c = fire(
        db_,
        case_id,
        trigger,
        actor=actor,
        note=note,
        data=data,
        expect_version=expect_version,
        attachment=attachment,
    )
    view = case_view(db_, c.id)
    emit(
        view,
        as_json,
        f"sag {c.id}: {trigger} udført; tilstand {view['state']} ({view['state_label']}), "
        f"version {view['version']}",
    )


def _data_option(data_json: str | None) -> dict | None:
    """``--data``: a JSON object, or None when not given; ValidationError("--data") otherwise."""
    if data_json is None:
        return None
    try:
        data = json.loads(data_json)
    except json.JSONDecodeError as e:
        raise ValidationError("--data", f"ugyldig JSON ({e.msg})") from None
    if not isinstance(data, dict):
        raise ValidationError("--data", "skal være et JSON-objekt")
    return data


@case.command("preview")
@click.argument("case_id", type=int)
@click.argument("trigger")
@click.option("--out", required=True, help="File to write: .docx, or .pdf (needs LibreOffice)")
@as_option("Your username")
@click.option("--note", default=None)
@click.option("--data", "data_json", default=None, help="JSON object with the trigger's fields")
@json_option
def case_preview(case_id, trigger, out, actor, note, data_json, as_json) -> None:
    """Write the letter TRIGGER would send now (nothing is stored) and print its fingerprint.

    The fingerprint (SHA-256) goes to stdout alone, for 'aktflow case advance … --letter-sha256'; the
    letter is the one sent if nothing changes before (the case, the input, the day).
    """
    from pathlib import Path

    from aktflow.letter_preview import preview

    from .base import echo

    data = _data_option(data_json)
    target = Path(out)
    if not target.parent.exists():
        raise ValidationError("--out", f"mappen {str(target.parent)!r} findes ikke")
    seen = preview(open_db(), case_id, trigger, actor=actor, note=note, data=data)
    content = seen.content
    if out.lower().endswith(".pdf"):
        try:
            pdf = seen.pdf()
        except RuntimeError as e:
            raise ValidationError(
                "--out", f"LibreOffice kunne ikke lave PDF ({e}); skriv .docx i stedet"
            ) from None
        if pdf is None:
            raise ValidationError("--out", "PDF kræver LibreOffice (soffice); skriv .docx i stedet")
        content = pdf
    target.write_bytes(content)
    if seen.deferred:
        echo(
            "bemærk: sagen har endnu ikke sagsnummer fra arkivet; brevet dannes, når det er kommet", err=True
        )
    echo(f"brevet ({seen.kind}, dateret {seen.date.isoformat()}) er skrevet til {out}", err=True)
    emit(
        {"sha256": seen.sha256, "kind": seen.kind, "date": seen.date.isoformat(), "out": out},
        as_json,
        seen.sha256,
    )


@case.command("show")
@click.argument("case_id", type=int)
@json_option
@viewer_option
def case_show(case_id: int, as_json: bool, actor: str | None) -> None:
    """Show a case with its deadlines, allowed triggers and events (with --as: if that user may see it)."""
    from aktflow.service import case_view

    if actor is not None:
        viewer(open_db(), actor, case_id)
    view = case_view(open_db(), case_id)
    emit(view, as_json, _case_text(view))


@case.command("list")
@click.option("--state", default=None)
@json_option
@viewer_option
def case_list(state: str | None, as_json: bool, actor: str | None) -> None:
    """List cases (newest first); CPR numbers in names and subjects are masked, and with --as the subject
    and requester of a sensitive case that user may not see read "Fortrolig sag"."""
    from aktflow.queries.cases import list_cases

    if state and state not in states.STATES:
        raise ValidationError("--state", f"ukendt tilstand {state!r}")
    rows = masked_for(open_db(), actor, list_cases(open_db(), state=state, limit=500))
    emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>6} {r['state']:<24} {r['sagsnummer'] or '-':<22} {r['received']} {r['requester']}"
            for r in rows
        ),
    )


def _limits():
    from aktflow.bootstrap import current
    from aktflow.extraction import limits_from_settings

    return limits_from_settings(current().settings)


@case.command("add-document")
@click.argument("case_id", type=int)
@click.option("--title", required=True)
@click.option("--date", "doc_date", default=None, help="YYYY-MM-DD")
@click.option("--sender", default=None)
@click.option("--recipient", default=None)
@click.option("--archive-id", default=None, help="The document's id in the archive")
@click.option(
    "--file",
    "file",
    default=None,
    type=InputFileType("--file", _max_upload),
    help="The file: .txt, .docx, .pdf, .eml, .msg, .xlsx, .odt, .ods, .png, .jpg, .tif",
)
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Wait until the file is read and screened (so the flags are known when the command returns)",
)
@as_option()
@expect_version_option()
@json_option
def case_add_document(
    case_id,
    title,
    doc_date,
    sender,
    recipient,
    archive_id,
    file: InputFile | None,
    wait,
    actor,
    expect_version,
    as_json,
) -> None:
    """Add a document to the case's register (while collecting); its file is read and screened.

    By default the command waits until screening has read the file (and its attachments); with --no-wait
    it returns at once and the document shows "under gennemgang" until a worker has read it.
    """
    from aktflow.document_screening import wait as wait_for_screening
    from aktflow.documents import Attachment
    from aktflow.service import case_view, fire

    attachment = Attachment(file.name, file.read()) if file else None
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
    db_ = open_db()
    c = fire(
        db_,
        case_id,
        "add_document",
        actor=actor,
        data=data,
        expect_version=expect_version,
        attachment=attachment,
    )
    # The document this command added: named by its own event (another user may add one right after).
    event = next(e for e in case_view(db_, c.id)["events"] if e["seq"] == c.version)
    added = int(event["data"]["document_id"])
    if wait and attachment is not None and not wait_for_screening(db_, [added], _limits()):
        raise click.ClickException(
            f"dokument {added} er tilføjet, men er stadig under gennemgang; se 'aktflow case show {c.id}'"
        )
    view = case_view(db_, c.id)
    doc = next(d for d in view["documents"] if d["id"] == added)
    emit(
        {
            **doc,
            "case": view["id"],
            "version": view["version"],
            "flagged": view["flagged"],
            "flag_reasons": view["flag_reasons"],
        },
        as_json,
        f"dokument {doc['id']} tilføjet sag {c.id}"
        + (f" ({doc['screening_label']})" if attachment is not None else "")
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
@click.option("--reason", default=None, help="Reason for the requester (printed in the decision)")
@click.option("--internal-note", default=None, help="Internal note (never printed in a letter)")
@click.option(
    "--weighing-note",
    default=None,
    help="Main considerations of a weighing (§§ 30, 33, 35; MOL § 2); printed",
)
@click.option("--extracted", is_flag=True, help="Facts/assessments were extracted (OFL § 28/§ 29)")
@click.option("--extraction-note", default=None, help="What was extracted (OFL §§ 28-29); printed")
@click.option("--meroffentlighed-note", default=None, help="Why more was not released (OFL § 14); printed")
@click.option("--released-title", default=None, help="The title the aktliste prints")
@click.option("--released-sender", default=None, help="The sender/recipient the aktliste prints")
@click.option("--note", default=None, hidden=True, help="Old name of --internal-note (never printed)")
@as_option()
@expect_version_option()
@json_option
def case_assess(
    case_id,
    doc_id,
    outcome,
    grounds,
    reason,
    internal_note,
    weighing_note,
    extracted,
    extraction_note,
    meroffentlighed_note,
    released_title,
    released_sender,
    note,
    actor,
    expect_version,
    as_json,
) -> None:
    """Record the confidentiality assessment of one document.

    --reason, --weighing-note, --extraction-note, --meroffentlighed-note and the aktliste's
    --released-title/--released-sender are printed in the decision; --internal-note never is.
    """
    from aktflow.service import case_view, fire

    data = {"document_id": doc_id, "outcome": outcome, "grounds": list(grounds), "extracted": extracted}
    texts = {
        "reason": reason,
        "internal_note": internal_note or note,
        "weighing_note": weighing_note,
        "extraction_note": extraction_note,
        "meroffentlighed_note": meroffentlighed_note,
        "released_title": released_title,
        "released_sender": released_sender,
    }
    data.update({k: v for k, v in texts.items() if v})
    db_ = open_db()
    fire(db_, case_id, "assess_document", actor=actor, data=data, expect_version=expect_version)
    view = case_view(db_, case_id)
    emit(
        view,
        as_json,
        f"dokument {doc_id} vurderet: {outcome}; afgørelsens udfald nu: {view['outcome'] or '-'}",
    )


@case.command("letters")
@click.argument("case_id", type=int)
@json_option
@viewer_option
def case_letters(case_id: int, as_json: bool, actor: str | None) -> None:
    """The letters made on a case (id, kind, created, sha256, archive state); with --as if that user may see it."""
    from aktflow.queries.cases import case_letters as letters_of

    if actor is not None:
        viewer(open_db(), actor, case_id)
    rows = letters_of(open_db(), case_id)
    emit(
        rows,
        as_json,
        "\n".join(
            f"{r['id']:>5} {r['kind']:<20} {r['created']} {r['archive_status']:<12} {r['sha256'][:16]}"
            for r in rows
        )
        or "ingen breve",
    )


case.add_command(case_package)  # aktflow/cli/release.py
case.add_command(case_access_cmd)  # aktflow/cli/case_access.py
