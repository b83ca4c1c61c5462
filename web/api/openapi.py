"""The OpenAPI 3.1 document of the API, generated: the shapes from the pydantic models, the trigger bodies
from the workflow's fields; only the paths (a short skeleton below) are written by hand.

tests/api/test_openapi.py holds the document to what is served: every route documented, every response
of every endpoint valid against its schema.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from aktflow import states
from aktflow.queries.search import QUERY_MAX, SORT_COLUMNS
from aktflow.states.fields import INT_MAX, MAX_TEXT
from aktflow.vocabulary import BASES, DOCX_MIME

from .case_access import paths as access_paths
from .redactions import paths as redaction_paths
from .schemas import REQUEST_MODELS, RESPONSE_MODELS, api_triggers

API_VERSION = "1"
PREFIX = "/api/v1"
LIST_MAX = 500


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON schema without a title on every property (the name says it)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def model_schemas() -> dict[str, Any]:
    """components/schemas for the request and response models and every model they nest, by class name.

    A fresh copy each call; pydantic builds the schemas once per process (they take tens of milliseconds,
    too long for a public endpoint to repeat).
    """
    return copy.deepcopy(_model_schemas())


@functools.cache
def _model_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(m, "serialization") for m in RESPONSE_MODELS] + [(m, "validation") for m in REQUEST_MODELS],
        ref_template="#/components/schemas/{model}",
        schema_generator=_Schemas,
    )
    return top["$defs"]


def trigger_schemas() -> dict[str, Any]:
    """``Event_<trigger>`` for every trigger the API offers: ``note`` and ``data`` as the fields describe them."""
    out: dict[str, Any] = {}
    for name in api_triggers():
        t = states.TRIGGERS[name]
        data_fields = [f for f in t.fields if f.in_data]  # a file is uploaded, not sent in data
        note = next((f for f in t.fields if f.name == "note"), None)
        data: dict[str, Any] = {
            "type": "object",
            "properties": {f.name: f.json_schema() for f in data_fields},
            "additionalProperties": False,
        }
        required_data = [f.name for f in data_fields if f.required]
        if required_data:
            data["required"] = required_data
        body: dict[str, Any] = {
            "title": name,
            "description": (
                f"{t.label}. Fra {', '.join(t.sources)} → {t.dest or '(samme tilstand)'}; "
                f"roller: {', '.join(sorted(t.roles))}."
                + (
                    f" note: {note.label}{' (påkrævet)' if note.required else ''}."
                    if note
                    else " note: valgfri bemærkning til hændelsesloggen."
                )
            ),
            "type": "object",
            "properties": {
                "note": note.json_schema() if note else {"type": ["string", "null"], "maxLength": MAX_TEXT},
                "data": data,
            },
            "additionalProperties": False,
            "x-aktflow-trigger": name,
        }
        required = (["note"] if note is not None and note.required else []) + (
            ["data"] if required_data else []
        )
        if required:
            body["required"] = required
        out[f"Event_{name}"] = body
    return out


# --- the paths (hand-written) --------------------------------------------------------------------------------


def _ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str, schema: str = "Error", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    r: dict[str, Any] = {"description": description, "content": _json(_ref(schema))}
    if headers:
        r["headers"] = headers
    return r


_ETAG = {
    "ETag": {
        "description": 'Sagens version, fx "3" (send den i If-Match)',
        "schema": {"type": "string", "pattern": r'^"\d+"$'},
    }
}
_ID = {"type": "integer", "minimum": 1, "maximum": INT_MAX}
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": _ID}

RESPONSES = {
    "BadRequest": _error(
        "Ugyldig forespørgsel: ikke JSON, ikke et objekt, forkert type, ugyldig værdi (field navngiver feltet)",
        "ValidationError",
    ),
    "Unauthorized": _error(
        "Ingen, ugyldig eller tilbagekaldt API-nøgle",
        headers={"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
    ),
    "Forbidden": _error("Brugerens rolle må ikke dette"),
    "NotFound": _error("Sagen, handlingen eller brevet findes ikke"),
    "PreconditionFailed": _error(
        "Sagen er ændret siden den version, If-Match angiver (også når en anden forespørgsel vinder "
        "kapløbet ved commit): hent den igen"
    ),
    "Unprocessable": _error(
        "Arbejdsgangen afviser handlingen nu (forkert tilstand eller en uopfyldt betingelse; beskeden siger hvorfor)"
    ),
    "PreconditionRequired": _error("If-Match mangler (eller er *)"),
    "ServiceUnavailable": _error("PDF kræver LibreOffice på serveren (hent brevet med format=docx)"),
}


def _errors(*codes: str) -> dict[str, Any]:
    names = {"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound"}
    names |= {"412": "PreconditionFailed", "422": "Unprocessable", "428": "PreconditionRequired"}
    names |= {"503": "ServiceUnavailable"}
    return {code: _ref(names[code], "responses") for code in codes}


def _case(description: str, headers: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "headers": headers, "content": _json(_ref("Case"))}


def dispatch_paths() -> dict[str, Any]:
    """The letters on their way out (web/api/dispatch.py; docs/dispatch.md)."""
    dispatch_id = {"name": "dispatch_id", "in": "path", "required": True, "schema": _ID}
    item = _ref("DispatchInfo")
    one = {"200": {"description": "Forsendelsen", "content": _json(item)}}

    def action(op: str, summary: str, body: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operationId": op,
            "summary": summary,
            "parameters": [_CASE_ID, dispatch_id],
            "responses": {**one, **_errors("400", "401", "403", "404", "422")},
        }
        if body:
            out["requestBody"] = {"required": True, "content": _json(_ref("DispatchChannelRequest"))}
        return {"post": out}

    base = "/cases/{case_id}/dispatches/{dispatch_id}"
    return {
        "/cases/{case_id}/dispatches": {
            "get": {
                "operationId": "listDispatches",
                "summary": "Sagens forsendelser: hvert brev til hver modtager, kanal, status og tidspunkt sendt",
                "parameters": [_CASE_ID],
                "responses": {
                    "200": {
                        "description": "Forsendelserne",
                        "content": _json({"type": "array", "items": item}),
                    },
                    **_errors("401", "404"),
                },
            },
        },
        f"{base}/channel": action(
            "chooseDispatchChannel", "Send et brev, der ikke er sendt, med en anden kanal", True
        ),
        f"{base}/retry": action("retryDispatch", "Send et brev, der ikke blev sendt, igen"),
        f"{base}/posted": action("dispatchPosted", "Et udskrevet brev er sendt med post nu"),
        f"{base}/print": {
            "get": {
                "operationId": "getDispatchPrint",
                "summary": "Printfilen (A4, adressen i C5-kuvertens rude, brevet og pakken)",
                "parameters": [_CASE_ID, dispatch_id],
                "responses": {
                    "200": {
                        "description": "PDF",
                        "content": {
                            "application/pdf": {
                                "schema": {"type": "string", "contentMediaType": "application/pdf"}
                            }
                        },
                    },
                    **_errors("401", "404"),
                },
            },
        },
    }


def release_paths() -> dict[str, Any]:
    """The release package's paths (web/api/release.py; docs/release.md)."""
    pdf = {"application/pdf": {"schema": {"type": "string", "contentMediaType": "application/pdf"}}}
    package_id = {"name": "package_id", "in": "path", "required": True, "schema": _ID}
    item = _ref("PackageInfo")
    return {
        "/cases/{case_id}/packages": {
            "get": {
                "operationId": "listPackages",
                "summary": "Sagens udleveringspakker (status, begrundelse for en blokeret pakke, SHA-256)",
                "parameters": [_CASE_ID],
                "responses": {
                    "200": {"description": "Pakkerne", "content": _json({"type": "array", "items": item})},
                    **_errors("401", "404"),
                },
            },
        },
        "/cases/{case_id}/packages/{package_id}": {
            "get": {
                "operationId": "getPackage",
                "summary": "En udleveringspakke som PDF (ETag: SHA-256)",
                "parameters": [_CASE_ID, package_id],
                "responses": {
                    "200": {"description": "Pakken", "content": pdf},
                    **_errors("401", "404", "422"),
                },
            },
        },
        "/cases/{case_id}/packages/{package_id}/zip": {
            "get": {
                "operationId": "getPackageZip",
                "summary": "Pakkens enkelte PDF-filer som .zip (for store udleveringer)",
                "parameters": [_CASE_ID, package_id],
                "responses": {
                    "200": {
                        "description": "Zip-filen",
                        "content": {"application/zip": {"schema": {"type": "string"}}},
                    },
                    **_errors("401", "404", "422"),
                },
            },
        },
        "/cases/{case_id}/package": {
            "get": {
                "operationId": "getLatestPackage",
                "summary": "Udleveringspakken for den seneste udlevering, eller et udkast før afsendelse",
                "description": "Med preview=true dannes pakken for det, en afgørelse ville udlevere nu "
                "(højst 50 dokumenter; større udkast med 'aktflow case package'); intet gemmes.",
                "parameters": [
                    _CASE_ID,
                    {"name": "preview", "in": "query", "required": False, "schema": {"type": "boolean"}},
                ],
                "responses": {
                    "200": {"description": "Pakken", "content": pdf},
                    **_errors("400", "401", "404", "422"),
                },
            },
        },
    }


def search_parameters() -> list[dict[str, Any]]:
    """``GET /cases``' search parameters (:func:`aktflow.queries.search.search_cases`)."""

    def opt(name: str, schema: dict[str, Any], text: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": text}

    boolean = {"type": "string", "enum": ["true", "false", "1", "0"]}
    return [
        opt(
            "q",
            {"type": "string", "maxLength": QUERY_MAX},
            "Søgning: hvert ord skal stå i anmoderens navn, emnet, sagsnummeret eller et dokuments titel. "
            "Et CPR-nummer afvises (400)",
        ),
        opt("flagged", boolean, "Kun sager markeret til juridisk vurdering"),
        opt("overdue", boolean, "Kun sager med en overskredet frist"),
        opt("basis", {"enum": list(BASES)}, "Retsgrundlag"),
        opt("sort", {"enum": list(SORT_COLUMNS)}, "Sortér efter (ellers mest presserende frist først)"),
        opt("dir", {"enum": ["asc", "desc"], "default": "asc"}, "Sorteringsretning"),
    ]


def paths(triggers: list[str], event_bodies: list[str]) -> dict[str, Any]:
    """The paths: operations, parameters, and which status answers with which schema."""
    location = {"Location": {"description": "Sagens adresse", "schema": {"type": "string"}}}
    query = [
        {"name": "state", "in": "query", "required": False, "schema": {"enum": list(states.STATES)}},
        {
            "name": "assignee",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": "Brugernavn",
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": LIST_MAX, "default": LIST_MAX},
        },
        *search_parameters(),
    ]
    if_match = {
        "name": "If-Match",
        "in": "header",
        "required": True,
        "description": 'Sagens version fra ETag: "3", 3 eller W/"3"',
        "schema": {"type": "string", "pattern": r'^(W/)?"\d+"$|^\d+$'},
    }
    idempotency_key = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Klientens nøgle for denne anmodning (fx et UUID), pr. bruger i 24 timer: samme nøgle "
        "og samme body giver samme sag (200); samme nøgle med en anden body giver 422",
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"^[\x21-\x7e]+$"},
    }
    replayed = {
        "Idempotent-Replayed": {
            "description": "true: svaret gentager en tidligere oprettelse",
            "schema": {"type": "string", "enum": ["true"]},
        }
    }
    return {
        "/requests": {
            "post": {
                "operationId": "createRequest",
                "summary": "Modtag en anmodning om aktindsigt (opretter sagen i tilstanden received)",
                "parameters": [idempotency_key],
                "requestBody": {"required": True, "content": _json(_ref("IntakeRequest"))},
                "responses": {
                    "201": _case("Sagen er oprettet", {**_ETAG, **location}),
                    "200": _case(
                        "Samme Idempotency-Key og samme body inden for 24 timer: sagen, der blev oprettet "
                        "første gang (der oprettes ingen ny)",
                        {**_ETAG, **location, **replayed},
                    ),
                    **_errors("400", "401", "403", "422"),
                },
            },
        },
        "/cases": {
            "get": {
                "operationId": "listCases",
                "summary": f"Sager, nyeste først (højst {LIST_MAX})",
                "parameters": query,
                "responses": {
                    "200": {
                        "description": "Sagerne",
                        "content": _json(
                            {"type": "array", "items": _ref("CaseSummary"), "maxItems": LIST_MAX}
                        ),
                    },
                    **_errors("400", "401"),
                },
            },
        },
        "/cases/{case_id}": {
            "get": {
                "operationId": "getCase",
                "summary": "Sagen, med ETag = version",
                "parameters": [_CASE_ID],
                "responses": {"200": _case("Sagen", _ETAG), **_errors("401", "404")},
            },
        },
        "/cases/{case_id}/events/{trigger}": {
            "post": {
                "operationId": "fireTrigger",
                "summary": "Udfør en handling (overgang) på sagen",
                "description": "Kræver If-Match med sagens version. Felterne i data afhænger af "
                "handlingen: se skemaet Event_<handling>.",
                "parameters": [
                    _CASE_ID,
                    {"name": "trigger", "in": "path", "required": True, "schema": {"enum": triggers}},
                    if_match,
                ],
                "requestBody": {
                    "required": False,
                    "content": _json({"anyOf": [_ref(n) for n in event_bodies]}),
                },
                "responses": {
                    "200": _case("Handlingen er udført; sagen med ny ETag", _ETAG),
                    **_errors("400", "401", "403", "404", "412", "422", "428"),
                },
            },
        },
        "/cases/{case_id}/letters/preview/{trigger}": {
            "post": {
                "operationId": "previewLetter",
                "summary": "Se brevet, som handlingen ville sende det nu (intet gemmes)",
                "description": "Samme note og data som handlingen. Svaret har brevets fingeraftryk (sha256, "
                "også i headeren X-Letter-SHA256), som hver handling, der sender et brev til en person "
                "(afgørelser, fristbrev, præcisering, videresendelse, høring, underretning, oversendelser), "
                "skal have i data.letter_sha256 (eller 'unseen' for at sende uden at have set brevet). "
                "format=docx giver .docx, format=pdf PDF (kræver LibreOffice).",
                "parameters": [
                    _CASE_ID,
                    {
                        "name": "trigger",
                        "in": "path",
                        "required": True,
                        "schema": {"enum": [n for n in triggers if states.TRIGGERS[n].letter]},
                    },
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": ["json", "docx", "pdf"], "default": "json"},
                    },
                ],
                "requestBody": {
                    "required": False,
                    "content": _json({"anyOf": [_ref(n) for n in event_bodies]}),
                },
                "responses": {
                    "200": {
                        "description": "Brevet",
                        "headers": {"X-Letter-SHA256": {"schema": {"type": "string"}}},
                        "content": {
                            **_json(_ref("LetterPreview")),
                            DOCX_MIME: {"schema": {"type": "string", "contentMediaType": DOCX_MIME}},
                            "application/pdf": {
                                "schema": {"type": "string", "contentMediaType": "application/pdf"}
                            },
                        },
                    },
                    **_errors("400", "401", "403", "404", "422", "503"),
                },
            },
        },
        "/cases/{case_id}/letters/{letter_id}": {
            "get": {
                "operationId": "getLetter",
                "summary": "Et brev på sagen som .docx",
                "parameters": [
                    _CASE_ID,
                    {"name": "letter_id", "in": "path", "required": True, "schema": _ID},
                ],
                "responses": {
                    "200": {
                        "description": "Brevet",
                        "content": {DOCX_MIME: {"schema": {"type": "string", "contentMediaType": DOCX_MIME}}},
                    },
                    **_errors("401", "404"),
                },
            },
        },
        **redaction_paths(_CASE_ID, _ID, _ETAG, if_match, _errors, _ref, _json),
        **release_paths(),
        **access_paths(_CASE_ID, _errors, _ref, _json),
        **dispatch_paths(),
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "Dette dokument",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1", "content": _json({"type": "object"})}},
            },
        },
    }


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document (a plain dict, ready for JSON)."""
    schemas = model_schemas()
    events = trigger_schemas()
    schemas["ValidationError"] = {
        **schemas["Error"],
        "title": "ValidationError",
        "description": "field navngiver feltet, når det er et bestemt felt",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "aktflow API",
            "version": API_VERSION,
            "description": "Aktindsigtssager: modtagelse, læsning og sagsgang. Se docs/api.md.",
        },
        "servers": [{"url": PREFIX}],
        "security": [{"bearerAuth": []}],
        "paths": paths(api_triggers(), list(events)),
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "API-nøgle fra `aktflow users token BRUGERNAVN`",
                },
            },
            "responses": copy.deepcopy(RESPONSES),
            "schemas": {**schemas, **events},
        },
    }
