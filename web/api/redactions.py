"""The API's redaction endpoints (docs/redaction.md, docs/api.md):

- ``GET /cases/<id>/redactions``: each document's redactions and screening's pending proposals (as
  ``aktflow case redactions --json``), with the case's ETag;
- ``POST /cases/<id>/documents/<doc_id>/redactions``: redact a term, or a page and a box in PDF points,
  with a ground; needs If-Match; answers with the document's redactions and the new ETag.

Accepting, rejecting and removing go through ``POST /cases/<id>/events/<trigger>`` like every action
(``accept_redaction``, ``reject_redaction``, ``remove_redaction``). The shapes are the pydantic models
in :mod:`.redaction_schemas`, which the OpenAPI document is generated from.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from aktflow.queries.redactions import case_redactions, document_redactions
from aktflow.service import case_view, fire

from .auth import actor, db
from .inputs import if_match, json_body, parse_body
from .redaction_schemas import RedactRequest

# --- endpoints ----------------------------------------------------------------------------------------------


def _with_etag(body: dict[str, Any], version: int) -> Response:
    resp = jsonify(body)
    resp.headers["ETag"] = f'"{version}"'
    return resp


def list_redactions(case_id: int) -> Response:
    """``GET /cases/<id>/redactions``: :func:`aktflow.queries.redactions.case_redactions`, with ETag."""
    body = case_redactions(db(), case_id)
    return _with_etag(body, case_view(db(), case_id)["version"])


def redact(case_id: int, document_id: int) -> Response:
    """``POST /cases/<id>/documents/<doc_id>/redactions``: fire ``redact``; needs If-Match."""
    version = if_match()
    body = parse_body(RedactRequest, json_body(required=True))
    data: dict[str, Any] = {"document_id": document_id, "ground": body.ground}
    for key in ("term", "page", "box"):
        value = getattr(body, key)
        if value is not None:
            data[key] = value
    case = fire(db(), case_id, "redact", actor=actor().username, data=data, expect_version=version)
    return _with_etag(document_redactions(db(), case_id, document_id), case.version)


def paths(
    case_id: dict[str, Any],
    doc_id_schema: dict[str, Any],
    etag: dict[str, Any],
    if_match_param: dict[str, Any],
    errors: Any,
    ref: Any,
    json: Any,
) -> dict[str, Any]:
    """The two paths for the OpenAPI document (the skeleton's helpers passed in)."""
    return {
        "/cases/{case_id}/redactions": {
            "get": {
                "operationId": "listRedactions",
                "summary": "Sagens overstregninger og forslag til overstregning, pr. dokument",
                "parameters": [case_id],
                "responses": {
                    "200": {
                        "description": "Overstregningerne",
                        "headers": etag,
                        "content": json(ref("CaseRedactions")),
                    },
                    **errors("401", "404"),
                },
            },
        },
        "/cases/{case_id}/documents/{document_id}/redactions": {
            "post": {
                "operationId": "redact",
                "summary": "Overstreg en tekst eller et felt på en side i dokumentet (under fortrolighedsgennemgangen)",
                "description": "Kræver If-Match med sagens version. Accept, afvisning og fjernelse sker med "
                "handlingerne accept_redaction, reject_redaction og remove_redaction.",
                "parameters": [
                    case_id,
                    {"name": "document_id", "in": "path", "required": True, "schema": doc_id_schema},
                    if_match_param,
                ],
                "requestBody": {"required": True, "content": json(ref("RedactRequest"))},
                "responses": {
                    "200": {
                        "description": "Overstreget; dokumentets overstregninger og sagens nye ETag",
                        "headers": etag,
                        "content": json(ref("DocumentRedactions")),
                    },
                    **errors("400", "401", "403", "404", "412", "422", "428"),
                },
            },
        },
    }
