"""The OpenAPI document matches what the API serves and the workflow definition.

The drift tests validate real responses of every endpoint, nested objects included, against the schemas
the document gives for that path, method and status: a key added to a response (or to a deadline, a
document, an event …) but not to its model in web/api/schemas.py fails here.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import json
import re

import jsonschema
import pytest

from aktflow import clock, states
from aktflow.models import OutboxItem
from aktflow.service import case_view, create_case, fire

from .conftest import intake_body

API = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def doc(sqlite_app):
    r = sqlite_app.test_client().get(f"{API}/openapi.json")  # no token needed
    assert r.status_code == 200 and r.mimetype == "application/json"
    return json.loads(r.get_data(as_text=True))


def resolve(doc: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = doc
        for part in ref[2:].split("/"):
            assert part in node, f"dangling $ref {ref}"
            node = node[part]
    return node


def all_refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for v in node.values():
            yield from all_refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from all_refs(v)


def served(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every API route except the JSON 404/405 catch-all."""
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.not_found":
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        assert path.startswith(API)
        for m in rule.methods - {"HEAD", "OPTIONS"}:
            out.add((path[len(API) :], m.lower()))
    return out


def test_document_is_openapi_31_and_refs_resolve(doc):
    assert doc["openapi"].startswith("3.1")
    assert doc["servers"] == [{"url": API}]
    assert doc["info"]["title"] and doc["info"]["version"]
    for ref in all_refs(doc):
        resolve(doc, {"$ref": ref})
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert method in METHODS
            assert op["operationId"] and op["responses"]
            for p in op.get("parameters", []):
                p = resolve(doc, p)
                if p["in"] == "path":
                    assert p["required"] and "{" + p["name"] + "}" in path


def test_every_served_path_and_method_is_documented_and_nothing_else(sqlite_app, doc):
    documented = {(path, m) for path, item in doc["paths"].items() for m in item}
    assert served(sqlite_app) == documented


def test_triggers_enum_is_every_non_system_trigger(doc):
    op = doc["paths"]["/cases/{case_id}/events/{trigger}"]["post"]
    (trigger,) = [p for p in op["parameters"] if p["name"] == "trigger"]
    expected = [n for n, t in states.TRIGGERS.items() if not t.system]
    assert trigger["schema"]["enum"] == expected
    assert "recalculate_deadlines" not in expected
    bodies = op["requestBody"]["content"]["application/json"]["schema"]["anyOf"]
    assert [resolve(doc, b)["x-aktflow-trigger"] for b in bodies] == expected
    for name in expected:
        schema = doc["components"]["schemas"][f"Event_{name}"]
        fields = {f.name for f in states.TRIGGERS[name].fields if f.in_data}  # a file is uploaded, not data
        assert set(schema["properties"]["data"]["properties"]) == fields, name


def test_if_match_header_is_documented_and_required(doc):
    op = doc["paths"]["/cases/{case_id}/events/{trigger}"]["post"]
    (h,) = [p for p in op["parameters"] if p["in"] == "header"]
    assert h["name"] == "If-Match" and h["required"] is True
    for value in ('"3"', "3", 'W/"3"'):
        assert re.search(h["schema"]["pattern"], value)


def test_each_status_is_documented(doc):
    p = doc["paths"]
    expected = {
        ("/requests", "post"): {"200", "201", "400", "401", "403", "422"},
        ("/cases", "get"): {"200", "400", "401"},
        ("/cases/{case_id}", "get"): {"200", "401", "404"},
        ("/cases/{case_id}/events/{trigger}", "post"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "412",
            "422",
            "428",
        },
        ("/cases/{case_id}/letters/{letter_id}", "get"): {"200", "401", "404"},
        ("/openapi.json", "get"): {"200"},
    }
    for (path, method), codes in expected.items():
        assert set(p[path][method]["responses"]) == codes, path
    for item in p.values():
        for op in item.values():
            for code, r in op["responses"].items():
                r = resolve(doc, r)
                assert r["description"]
                if code == "401":
                    assert "WWW-Authenticate" in r["headers"]
    assert "ETag" in p["/cases/{case_id}"]["get"]["responses"]["200"]["headers"]
    assert "Location" in p["/requests"]["post"]["responses"]["201"]["headers"]


def test_bearer_security(doc):
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    assert doc["security"] == [{"bearerAuth": []}]
    assert doc["paths"]["/openapi.json"]["get"]["security"] == []


def test_intake_schema_is_create_cases_options(doc):
    schema = doc["components"]["schemas"]["IntakeRequest"]
    params = set(inspect.signature(create_case).parameters) - {"db", "actor", "now"}
    assert set(schema["properties"]) == params
    assert set(schema["required"]) == {
        "received",
        "basis",
        "subject",
        "emne",
    }  # the name: not for anonymous OFL
    assert schema["additionalProperties"] is False
    assert "cpr" not in doc["components"]["schemas"]["Case"]["properties"]


def test_case_schema_names_every_key_of_the_case_view(db, doc):
    case = create_case(
        db, actor="cw", requester="A", received="2026-01-05", basis="ofl", subject="x", emne="02.34.02"
    )
    view = case_view(db, case.id)
    schema = doc["components"]["schemas"]["Case"]
    assert set(view) == set(schema["properties"])
    assert set(schema["properties"]["state"]["enum"]) == set(states.STATES)


# --- drift: real responses against the document's schemas ---------------------------------------------------


def schema_for(doc: dict, path: str, method: str, status: int) -> dict:
    """The JSON schema the document gives for this answer, as a root that resolves its own $refs."""
    r = resolve(doc, doc["paths"][path][method]["responses"][str(status)])
    return {**r["content"]["application/json"]["schema"], "components": doc["components"]}


def check(doc: dict, path: str, method: str, r) -> None:
    """Fail unless the response is JSON valid against what the document says for its status."""
    assert r.mimetype == "application/json", (r.status_code, r.get_data(as_text=True))
    validator = jsonschema.Draft202012Validator(
        schema_for(doc, path, method, r.status_code), format_checker=jsonschema.FormatChecker()
    )
    validator.validate(r.get_json())


@pytest.fixture
def full_case(db, case_in) -> int:
    """A case with something in every nested list: deadlines, letters, an assessed document, a completed
    hearing, an employee notice, and archive work waiting and failed."""
    case_id = case_in("collecting", emne="81.02.00")  # a personnel case: employees are notified
    later = (clock.today() + dt.timedelta(days=20)).isoformat()
    fire(
        db,
        case_id,
        "add_document",
        actor="cw",
        data={"title": "Notat", "date": "2026-01-05", "sender": "Arkitekt", "archive_doc_id": "D-1"},
    )
    fire(db, case_id, "add_document", actor="cw", data={"title": "Tegning"})
    fire(db, case_id, "start_screening", actor="cw")
    fire(db, case_id, "request_hearing", actor="cw", data={"party": "Naboen", "reply_by": later})
    fire(db, case_id, "hearing_completed", actor="cw", data={"reply": "received"}, note="Ingen indsigelser")
    doc_id = case_view(db, case_id)["documents"][0]["id"]
    fire(
        db,
        case_id,
        "assess_document",
        actor="cw",
        data={
            "document_id": doc_id,
            "outcome": "partial",
            "grounds": ["ofl-23", "ofl-30-1"],
            "extracted": True,
            "extraction_note": "Datoerne",
            "reason": "Navne er overstreget.",
            "weighing_note": "Hensynet til de nævnte.",
            "internal_note": "Intern",
            "released_title": "Brev",
        },
    )
    fire(db, case_id, "notify_employee", actor="cw", data={"employee": "Jens", "stage": "request"})
    fire(db, case_id, "send_deadline_notice", actor="cw", data={"reason": "Mange sider", "expected": later})
    with db.session() as s:
        for n, (status, error) in enumerate((("pending", None), ("failed", "ESDH svarer ikke"))):
            s.add(
                OutboxItem(
                    case_id=case_id,
                    kind="create_case",
                    payload={},
                    idempotency_key=f"drift-{case_id}-{n}",
                    status=status,
                    attempts=n + 1,
                    last_error=error,
                )
            )
        s.commit()
    view = case_view(db, case_id)
    for key in ("deadlines", "letters", "documents", "hearings", "employee_notices", "events"):
        assert view[key], key
    assert view["archive"]["waiting"] and view["archive"]["failed"]
    assert view["hearings"][0]["completed"] and view["documents"][0]["outcome"] == "partial"
    return case_id


def served_doc(client) -> dict:
    return client.get(f"{API}/openapi.json").get_json()


def test_every_endpoints_answers_match_their_schemas(client, auth, full_case):
    doc = served_doc(client)
    one = "/cases/{case_id}"
    check(doc, one, "get", client.get(f"{API}/cases/{full_case}", headers=auth()))
    check(doc, "/cases", "get", client.get(f"{API}/cases", headers=auth()))
    r = client.post(f"{API}/requests", json=intake_body(cpr="010190-1234", cvr="12345678"), headers=auth())
    assert r.status_code == 201
    check(doc, "/requests", "post", r)
    event = "/cases/{case_id}/events/{trigger}"
    version = client.get(f"{API}/cases/{full_case}", headers=auth()).get_json()["version"]
    r = client.post(
        f"{API}/cases/{full_case}/events/flag_for_legal",
        json={"note": "Bør ses af jura"},
        headers=auth(**{"If-Match": f'"{version}"'}),
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    check(doc, event, "post", r)
    # The errors, each under the status the document names for it.
    for body, headers, status in (
        ({"data": {"nope": 1}}, {"If-Match": f'"{version + 1}"'}, 400),
        ({}, {"If-Match": '"1"'}, 412),
        ({}, {}, 428),
    ):
        r = client.post(f"{API}/cases/{full_case}/events/close", json=body, headers=auth(**headers))
        assert r.status_code == status, r.get_data(as_text=True)
        check(doc, event, "post", r)
    r = client.post(
        f"{API}/cases/{full_case}/events/close", json={}, headers=auth(**{"If-Match": f'"{version + 1}"'})
    )
    assert r.status_code == 422
    check(doc, event, "post", r)
    r = client.post(
        f"{API}/cases/{full_case}/events/approve_legal", headers=auth(**{"If-Match": f'"{version + 1}"'})
    )
    assert r.status_code == 403
    check(doc, event, "post", r)
    check(doc, one, "get", client.get(f"{API}/cases/424242", headers=auth()))
    check(doc, one, "get", client.get(f"{API}/cases/{full_case}"))  # 401
    check(doc, "/cases", "get", client.get(f"{API}/cases?limit=0", headers=auth()))  # 400
    check(doc, "/requests", "post", client.post(f"{API}/requests", json={}, headers=auth("legal")))  # 403
    check(doc, "/requests", "post", client.post(f"{API}/requests", json={"x": 1}, headers=auth()))  # 400
    letter = "/cases/{case_id}/letters/{letter_id}"
    check(doc, letter, "get", client.get(f"{API}/cases/{full_case}/letters/424242", headers=auth()))


def test_a_key_the_model_does_not_name_fails_the_drift_check(db, client, full_case):
    """The check above can fail: an extra key anywhere in the case, however deep, is refused."""
    doc = served_doc(client)
    validator = jsonschema.Draft202012Validator(schema_for(doc, "/cases/{case_id}", "get", 200))
    view = json.loads(json.dumps(case_view(db, full_case, role="caseworker")))
    validator.validate(view)
    for where in (
        lambda v: v,
        lambda v: v["deadlines"][0],
        lambda v: v["documents"][0],
        lambda v: v["hearings"][0],
        lambda v: v["letters"][0],
        lambda v: v["archive"],
        lambda v: v["archive"]["waiting"][0],
        lambda v: v["archive"]["failed"][0],
        lambda v: v["employee_notices"][0],
        lambda v: v["events"][0],
    ):
        changed = copy.deepcopy(view)
        where(changed)["added_later"] = 1
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(changed)
    wrong_type = copy.deepcopy(view)
    wrong_type["documents"][0]["grounds"] = "ofl-30-1"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(wrong_type)


def test_nested_objects_are_typed_not_bare_objects(doc):
    """Every object in the response schemas names its properties; only an event's stored data is open."""
    schemas = doc["components"]["schemas"]
    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" not in node:
                open_objects.append(where)
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    for name in ("Case", "CaseSummary", "Error", "ValidationError", "IntakeRequest"):
        walk(schemas[name], name)
    for name in ("Deadline", "Document", "Hearing", "LetterInfo", "Archive", "EmployeeNotice", "EventEntry"):
        assert schemas[name]["additionalProperties"] is False, name
        walk(schemas[name], name)
    assert open_objects == ["EventEntry/properties/data"]
    case = schemas["Case"]["properties"]
    assert case["documents"]["items"] == {"$ref": "#/components/schemas/Document"}
    assert case["events"]["items"] == {"$ref": "#/components/schemas/EventEntry"}
    assert case["archive"] == {"$ref": "#/components/schemas/Archive"}


def test_the_intake_schema_accepts_what_the_api_accepts(doc):
    schema = {**doc["components"]["schemas"]["IntakeRequest"], "components": doc["components"]}
    jsonschema.validate(intake_body(cpr="010190-1234", cvr="12345678"), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(intake_body(unexpected="x"), schema)
