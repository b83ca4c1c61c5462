"""The API's endpoints: parse the request, call the service or a query, answer JSON.

The routes are listed in :mod:`web.api` (``__init__``). Every endpoint but the OpenAPI document and the
catch-all needs a bearer token (:mod:`.auth`); errors are answered by :mod:`.errors`.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Response, current_app, jsonify, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from aktflow import bootstrap, case_access, letter_preview, states
from aktflow.access_log import record_access
from aktflow.errors import ValidationError
from aktflow.queries import search as search_q
from aktflow.queries.cases import case_list
from aktflow.queries.letters import letter_file
from aktflow.service import case_view, fire, submit_case
from aktflow.states import fields
from aktflow.states.fields import INT_MAX
from aktflow.vocabulary import DOCX_MIME

from ..exits import download_name
from .auth import actor, db
from .errors import ApiError
from .inputs import if_match, json_body, parse_body, query_args
from .openapi import LIST_MAX, openapi_document
from .schemas import EventRequest, IntakeRequest


def ids_in_range() -> None:
    """Before every request: an id in the path beyond the database's integers is a 404, not a 500."""
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > INT_MAX:
            raise ApiError(404, "findes ikke")


def _case_response(view: dict[str, Any], status: int = 200, *, created: bool = False) -> Response:
    resp = jsonify(view)
    resp.status_code = status
    resp.headers["ETag"] = f'"{view["version"]}"'
    if created:
        resp.headers["Location"] = url_for("api.get_case", case_id=view["id"])
    return resp


def intake() -> Response:
    """``POST /requests``: a new request (e.g. from a self-service form): the case, 201, Location and ETag.

    The body's shape is :class:`~.schemas.IntakeRequest`; the rest (basis, CPR, e-mail, channel, assignee,
    date not in the future, a name unless the request may be anonymous) is
    :func:`aktflow.service.create_case`'s, answered with the same 400. With an ``Idempotency-Key`` header
    (:func:`aktflow.service.submit_case`) a repeat of the same body within 24 hours answers 200 with the
    case created the first time (Location, ETag and ``Idempotent-Replayed: true``); the same key with
    another body answers 422.
    """
    body = parse_body(IntakeRequest, json_body(required=True))
    key = request.headers.get("Idempotency-Key")
    user = actor()
    try:
        sub = submit_case(
            db(), idempotency_key=key, actor=user.username, **body.model_dump(exclude_none=True)
        )
    except ValidationError as e:
        if e.field == "assignee":  # the service checks `assign` as the assign action's `assignee`
            raise ApiError(400, e.detail, field="assign") from None
        if e.field == "idempotency_key":
            raise ApiError(400, e.detail, field="Idempotency-Key") from None
        raise
    resp = _case_response(
        case_view(db(), sub.case.id, role=user.role), 201 if sub.created else 200, created=True
    )
    if not sub.created:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


SEARCH_ARGS = {"q", "flagged", "overdue", "basis", "sort", "dir"}


def list_cases() -> Response:
    """``GET /cases``: cases, newest first (at most 500), optionally by state and assignee.

    With any of ``q``, ``flagged``, ``overdue``, ``basis``, ``sort``, ``dir`` it is the search
    (:func:`aktflow.queries.search.search_cases`): the cases the token's user may see whose requester,
    subject, sagsnummer or a document's title hold every word of ``q``, filtered and sorted (most urgent
    deadline first unless ``sort`` says otherwise). A ``q`` holding a CPR number answers 400.
    """
    query_args({"state", "assignee", "limit"} | SEARCH_ARGS)
    if SEARCH_ARGS & set(request.args):
        return _search_cases()
    state = request.args.get("state") or None
    if state is not None and state not in states.STATES:
        raise ApiError(400, f"ukendt tilstand {state!r}", field="state")
    assignee = request.args.get("assignee") or None
    raw_limit = request.args.get("limit", str(LIST_MAX))
    if not re.fullmatch(r"[0-9]{1,4}", raw_limit) or not 1 <= int(raw_limit) <= LIST_MAX:
        raise ApiError(400, f"limit skal være et heltal 1–{LIST_MAX}", field="limit")
    with db().session() as s:
        rows = case_list(s, state=state, assignee=assignee, limit=int(raw_limit))
        rows = case_access.mask_rows(s, actor(), rows)  # need-to-know: "Fortrolig sag"
    return jsonify(rows)


def _flag_arg(name: str) -> bool:
    value = request.args.get(name, "")
    if value not in ("", "0", "1", "true", "false"):
        raise ApiError(400, f"{name} skal være true eller false", field=name)
    return value in ("1", "true")


def _search_cases() -> Response:
    """``GET /cases`` with search parameters (see :func:`list_cases`)."""
    raw_limit = request.args.get("limit", str(LIST_MAX))
    if not re.fullmatch(r"[0-9]{1,4}", raw_limit) or not 1 <= int(raw_limit) <= LIST_MAX:
        raise ApiError(400, f"limit skal være et heltal 1–{LIST_MAX}", field="limit")
    direction = request.args.get("dir", "asc")
    if direction not in ("asc", "desc"):
        raise ApiError(400, "dir skal være asc eller desc", field="dir")
    query = search_q.SearchQuery(
        q=(request.args.get("q") or "").strip(),
        state=request.args.get("state") or None,
        assignee=request.args.get("assignee") or None,
        flagged=_flag_arg("flagged"),
        overdue=_flag_arg("overdue"),
        basis=request.args.get("basis") or None,
        sort=request.args.get("sort") or None,
        descending=direction == "desc",
    )
    with db().session() as s:
        result = search_q.search_cases(
            s, bootstrap.current().clock.today(), query, viewer=actor(), limit=int(raw_limit)
        )
    return jsonify(search_q.summaries(result))


def get_case(case_id: int) -> Response:
    """``GET /cases/<id>``: the case as ``aktflow case show --json`` gives it (allowed_triggers for the
    token's role), with ETag."""
    return _case_response(case_view(db(), case_id, role=actor().role))


def advance(case_id: int, trigger: str) -> Response:
    """``POST /cases/<id>/events/<trigger>``: fire a trigger on a case; needs If-Match with its version.

    The order of the checks is docs/api.md's: trigger (404), If-Match (428/400), the body's shape and each
    field's value (400, before the case is read), then the service (404, 403, 412, 422, 400).
    """
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system:
        raise ApiError(404, f"ukendt handling {trigger!r}", field="trigger")
    version = if_match()
    raw = json_body(required=False)
    body = parse_body(EventRequest, {} if raw is None else raw)
    note, data = body.note, body.data
    if isinstance(data, dict) and "note" in data:  # the note goes beside data here, as the schema says
        raise ApiError(400, f"'{trigger}' tager ikke feltet 'note' i data (send det som note)", field="note")
    fields.clean(spec, note, data)  # the shape, before the case is read: 400 whatever its state
    letter_preview.require_seen(trigger, data)  # a decision's letter: its fingerprint, or "unseen" (400)
    user = actor()
    fire(db(), case_id, trigger, actor=user.username, note=note, data=data, expect_version=version)
    return _case_response(case_view(db(), case_id, role=user.role))


def letter(case_id: int, letter_id: int) -> Response:
    """``GET /cases/<id>/letters/<id>``: a letter of the case as the stored .docx (ETag: its SHA-256)."""
    found = letter_file(db(), case_id, letter_id)  # NotFound: 404
    record_access(
        db(),
        actor=actor().username,
        case_id=case_id,
        what="letter",
        object_id=letter_id,
        name=found.filename,
        via="api",
    )
    resp = send_file(
        BytesIO(found.content),
        mimetype=DOCX_MIME,
        as_attachment=True,
        download_name=download_name(found.filename),
        etag=found.sha256,
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def preview_letter(case_id: int, trigger: str) -> Response:
    """``POST /cases/<id>/letters/preview/<trigger>``: the letter the trigger would send now, with the
    body's note and data (:func:`aktflow.letter_preview.preview`; nothing is stored). ``format`` json
    (default: :class:`~.schemas.LetterPreview`), docx or pdf (503 without LibreOffice); the header
    ``X-Letter-SHA256`` is the fingerprint to send as ``data.letter_sha256``."""
    import base64

    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system or spec.letter is None:
        raise ApiError(404, f"'{trigger}' er ikke en handling, der sender et brev", field="trigger")
    query_args({"format"})
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "docx", "pdf"):
        raise ApiError(400, "format skal være json, docx eller pdf", field="format")
    raw = json_body(required=False)
    body = parse_body(EventRequest, {} if raw is None else raw)
    fields.clean(spec, body.note, body.data)
    seen = letter_preview.preview(
        db(), case_id, trigger, actor=actor().username, note=body.note, data=body.data
    )
    if fmt == "json":
        resp = jsonify(
            {
                "trigger": seen.trigger,
                "kind": seen.kind,
                "filename": download_name(seen.filename),
                "sha256": seen.sha256,
                "date": seen.date.isoformat(),
                "deferred": seen.deferred,
                "docx_base64": base64.b64encode(seen.content).decode("ascii"),
            }
        )
    elif fmt == "docx":
        resp = send_file(
            BytesIO(seen.content),
            mimetype=DOCX_MIME,
            as_attachment=True,
            download_name=download_name(seen.filename),
        )
    else:
        try:
            pdf = seen.pdf()
        except RuntimeError:
            pdf = None
        if pdf is None:
            raise ApiError(503, "PDF kræver LibreOffice på serveren; hent brevet med format=docx")
        resp = send_file(
            BytesIO(pdf),
            mimetype="application/pdf",
            as_attachment=True,
            download_name=download_name(seen.pdf_filename),
        )
    resp.headers["X-Letter-SHA256"] = seen.sha256
    resp.headers["Cache-Control"] = "no-store"
    return resp


def openapi() -> Response:
    """``GET /openapi.json``: the OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(openapi_document())


def not_found(rest: str) -> Response:
    """Anything else under /api/v1: a JSON 404, or 405 (with Allow) where the path exists for other methods."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            rule, _ = adapter.match(request.path, method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint != "api.not_found":
            allowed.append(method)
    if allowed:
        if "GET" in allowed:
            allowed.insert(1, "HEAD")
        raise ApiError(
            405,
            f"metoden {request.method} er ikke tilladt her (tilladt: {', '.join(allowed)})",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ApiError(404, "findes ikke")
