"""The OpenAPI document matches what the API serves and the workflow definition."""

from __future__ import annotations

import inspect
import json
import re

import pytest

from aktflow import states
from aktflow.service import case_view, create_case

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
        fields = {f.name for f in states.TRIGGERS[name].fields if f.name != "note"}
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
        ("/requests", "post"): {"201", "400", "401", "403"},
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
    assert set(schema["required"]) == {"requester", "received", "basis", "subject", "emne"}
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
