"""Appeal bodies: the municipality's table (KLE prefix and basis → body), its administration (CLI, page),
and what uses it: the klagevejledning, the forwarding letter, the forwarding deadline and the guard that
keeps a GDPR complaint from being forwarded as an OFL one (OFL § 37 stk. 1, § 38 stk. 1; GDPR art. 77)."""

from __future__ import annotations

import io
import json

import docx
import pytest
from sqlalchemy import select

from aktflow import appeal_bodies
from aktflow.cli import cli
from aktflow.errors import PermissionDenied, ValidationError, WorkflowError
from aktflow.models import CaseDeadline
from aktflow.queries.cases import case_letters
from aktflow.queries.letters import letter_content
from aktflow.service import fire


def text_of(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def decided(new_case, db, **kw):
    """A case decided with no documents found (a decision that can be complained about)."""
    case = new_case(**kw)
    for t in ("register", "start_collecting", "start_screening", "draft_decision", "send_decision"):
        fire(db, case.id, t, actor="cw")
    return case


def last_letter(db, case_id: int) -> tuple[str, str]:
    letter = case_letters(db, case_id)[-1]
    return letter["kind"], text_of(letter_content(db, letter["id"]))


def route(db, emne, basis):
    with db.session() as s:
        return appeal_bodies.resolve(appeal_bodies.rows(s), emne, basis)


def test_the_seeded_table_routes_by_the_most_specific_kle_group_and_basis(db):
    assert route(db, "02.34.02", "ofl").name == "Byggeklageenheden"
    assert route(db, "09.02.00", "ofl").name == "Miljø- og Fødevareklagenævnet"
    assert route(db, "09.02.00", "mol").name == "Miljø- og Fødevareklagenævnet"  # MOL inherits OFL rows
    assert route(db, "27.24.00", "ofl").name == "Ankestyrelsen"
    other = route(db, "17.01.00", "ofl")  # no sector body: Ankestyrelsen's supervision (§ 38 stk. 1)
    assert (other.kind, other.name) == ("tilsyn", "Ankestyrelsen") and other.forwarded
    gdpr = route(db, "02.34.02", "gdpr")  # never the building body
    assert (gdpr.kind, gdpr.name, gdpr.forwarded) == ("datatilsynet", "Datatilsynet", False)
    assert route(db, "02.34.02", "fvl").name == "Byggeklageenheden"  # the main case's appeal body
    none = route(db, "17.01.00", "fvl")  # no main-case appeal body: none (the supervision is no appeal)
    assert (none.kind, none.forwarded) == ("ingen", False)


def test_an_administrator_edits_the_table_from_the_cli_and_the_letters_follow(db, runner, new_case):
    r = runner.invoke(
        cli,
        ["admin", "appeal-bodies", "set", "--kle", "02.34", "--basis", "ofl", "--name", "Særligt Nævn",
         "--address", "Nævnvej 1, 9999 By", "--as", "admin"],
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert route(db, "02.34.02", "ofl").name == "Særligt Nævn"  # more specific than "02"
    assert route(db, "02.01.00", "ofl").name == "Byggeklageenheden"
    r = runner.invoke(cli, ["admin", "appeal-bodies", "list", "--json"])
    assert r.exit_code == 0 and {"kle_prefix": "02.34", "basis": "ofl", "kind": "klageinstans",
                                 "name": "Særligt Nævn", "address": "Nævnvej 1, 9999 By", "email": "", "cvr": ""} in json.loads(r.stdout)  # fmt: skip

    case = decided(new_case, db)  # emne 02.34.02
    kind, body = last_letter(db, case.id)
    assert kind == "afgoerelse"
    assert "Du kan klage over afgørelsen til Særligt Nævn, som er klageinstans" in body
    assert "Ankestyrelsen" not in body

    fire(db, case.id, "receive_complaint", actor="cw")
    fire(db, case.id, "uphold_and_forward", actor="cw", note="Vi fastholder.")
    kind, body = last_letter(db, case.id)
    assert kind == "klage_oversendelse"
    assert body.startswith("Særligt Nævn\nNævnvej 1, 9999 By")
    assert "offentlighedslovens § 37, stk. 2" in body

    r = runner.invoke(
        cli, ["admin", "appeal-bodies", "remove", "--kle", "02.34", "--basis", "ofl", "--as", "admin"]
    )
    assert r.exit_code == 0, r.stderr
    assert route(db, "02.34.02", "ofl").name == "Byggeklageenheden"
    r = runner.invoke(
        cli, ["admin", "appeal-bodies", "remove", "--kle", "02.34", "--basis", "ofl", "--as", "admin"]
    )
    assert r.exit_code == 2 and "ingen klageinstans for KLE 02.34" in r.stderr


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (
            {"kle_prefix": "2", "basis": "ofl", "kind": "klageinstans", "name": "X", "address": "Y"},
            "kle_prefix",
        ),
        ({"kle_prefix": "02", "basis": "ofl", "kind": "ingen", "name": "", "address": ""}, "kind"),
        ({"kle_prefix": "", "basis": "gdpr", "kind": "tilsyn", "name": "X", "address": "Y"}, "kind"),
        ({"kle_prefix": "02", "basis": "fvl", "kind": "tilsyn", "name": "X", "address": "Y"}, "kind"),
        ({"kle_prefix": "02", "basis": "ofl", "kind": "klageinstans", "name": "", "address": "Y"}, "name"),
        ({"kle_prefix": "02", "basis": "xyz", "kind": "klageinstans", "name": "X", "address": "Y"}, "basis"),
    ],
)
def test_bad_rows_are_refused_with_the_field_named(db, values, field):
    with pytest.raises(ValidationError) as e:
        appeal_bodies.set_row(db, actor="admin", **values)
    assert e.value.field == field


def test_only_an_administrator_edits_the_table(db):
    with pytest.raises(PermissionDenied):
        appeal_bodies.set_row(
            db, actor="cw", kle_prefix="02", basis="ofl", kind="klageinstans", name="X", address="Y"
        )


def test_a_gdpr_complaint_is_not_forwarded_and_has_no_forwarding_deadline(db, new_case):
    case = decided(new_case, db, basis="gdpr", requester="Mette Hansen")
    kind, body = last_letter(db, case.id)
    assert "Datatilsynet" in body and "artikel 77" in body and "Byggeklageenheden" not in body
    fire(db, case.id, "receive_complaint", actor="cw")
    with db.session() as s:
        rules = set(s.scalars(select(CaseDeadline.rule).where(CaseDeadline.case_id == case.id)))
    assert "complaint-forward" not in rules
    with pytest.raises(WorkflowError, match="Datatilsynet"):
        fire(db, case.id, "uphold_and_forward", actor="cw")
    assert last_letter(db, case.id)[0] == "afgoerelse"  # no forwarding letter was made


def test_a_party_case_without_an_appeal_body_is_not_forwarded(db, new_case):
    case = decided(new_case, db, basis="fvl", emne="17.01.00")
    kind, body = last_letter(db, case.id)
    assert "Der er ikke en klageinstans for den sag" in body
    fire(db, case.id, "receive_complaint", actor="cw")
    with pytest.raises(WorkflowError, match="ingen klageinstans for hovedsagen"):
        fire(db, case.id, "uphold_and_forward", actor="cw")
