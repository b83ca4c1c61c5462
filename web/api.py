"""The JSON API (blueprint ``api``, mounted at ``/api/v1``): intake, read, advance, letters, OpenAPI.

Thin, like the rest of web/: parse the request, call :mod:`aktflow.service`, answer JSON. Authentication is
a bearer token (:mod:`aktflow.tokens`); the token's user is the actor, and the user's role decides what it
may do, exactly as in the CLI and the UI. Errors are ``{"error": "…"}`` (plus ``"field"`` for bad input)
with the status the service's exception carries; nothing here ever answers with a stack trace.

Optimistic locking: ``GET /cases/<id>`` answers with ``ETag: "<version>"``; advancing a case needs
``If-Match`` with that version (428 without it, 412 when it no longer matches — also when another request
wins the race at commit).

The OpenAPI document is generated from the same tables the views validate with (the workflow's triggers
and their fields, the intake fields), so the two cannot drift apart.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, send_file, url_for
from sqlalchemy.exc import DataError
from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from aktflow import dashboard as read
from aktflow import states
from aktflow.errors import AktflowError, ValidationError
from aktflow.models import Case, Letter, User
from aktflow.screening import CPR_MASK
from aktflow.service import EMNE_RE, case_view, create_case, fire
from aktflow.states import fields
from aktflow.states.fields import DATE_RANGE_TEXT, INT_MAX, MAX_TEXT
from aktflow.tokens import user_for_token
from aktflow.vocabulary import BASES, DOCX_MIME

bp = Blueprint("api", __name__)

API_VERSION = "1"
PREFIX = "/api/v1"
CASE_ID = "<int:case_id>"  # bounded to INT_MAX in _ids_in_range (a converter max= gives an HTML 404)
LIST_MAX = 500
DOCX = DOCX_MIME
REALM = 'Bearer realm="aktflow"'
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.not_found"})

# Anything that looks like a CPR number (ddmmyy-xxxx, ddmmyyxxxx) is masked in every error we send.
_CPR_LIKE = re.compile(r"(?<!\d)\d{6}[-\u2010\u2011\u2012\u2013 ]?\d{4}(?!\d)")
_IF_MATCH = re.compile(r'^(?:W/)?"(\d{1,18})"$|^(\d{1,18})$')


def _db():
    return current_app.extensions["aktflow_db"]


# --- errors -------------------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers or {}


def _mask(text: str) -> str:
    return _CPR_LIKE.sub(CPR_MASK, text)


def _error(
    status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    body: dict[str, Any] = {"error": _mask(message)}
    if field is not None:
        body["field"] = _mask(field)
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


@bp.errorhandler(ApiError)
def _api_error(e: ApiError):
    return _error(e.status, e.message, field=e.field, headers=e.headers)


@bp.errorhandler(AktflowError)
def _service_error(e: AktflowError):
    status = e.http_status if 400 <= e.http_status < 500 else 500
    return _error(status, e.message, field=e.field if isinstance(e, ValidationError) else None)


@bp.errorhandler(StaleDataError)
def _stale(_e: StaleDataError):
    # A lost race that surfaced before the service's own commit (e.g. at a flush): still a conflict.
    return _error(412, "sagen er netop ændret af en anden; hent den igen og prøv på ny")


@bp.errorhandler(DataError)
def _data_error(_e: DataError):
    # The database refused a value (too long for its column, out of range): bad input, not a server error.
    return _error(400, "en værdi passer ikke i databasen (for lang eller uden for det tilladte område)")


_HTTP_MESSAGES = {
    400: "ugyldig forespørgsel",
    404: "findes ikke",
    405: "metoden er ikke tilladt her",
    413: "forespørgslen er for stor",
    415: "forkert indholdstype",
}


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException):
    code = e.code or 500
    return _error(code, _HTTP_MESSAGES.get(code, e.name.lower()))


@bp.errorhandler(Exception)
def _unexpected(e: Exception):
    current_app.logger.exception("uventet fejl i API'et (%s %s)", request.method, request.path)
    return _error(500, "intern fejl; den er logget")


# --- authentication -------------------------------------------------------------------------------------------


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if not header.strip():
        raise ApiError(
            401,
            "API-nøgle mangler: send 'Authorization: Bearer <nøgle>'",
            headers={"WWW-Authenticate": REALM},
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "Authorization skal være 'Bearer <nøgle>'",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_request"'},
        )
    user = user_for_token(_db(), token.strip())
    if user is None:
        raise ApiError(
            401,
            "API-nøglen er ugyldig eller tilbagekaldt",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    g.api_user = user
    return None


@bp.before_request
def _ids_in_range():
    for name, value in (request.view_args or {}).items():
        if name.endswith("_id") and isinstance(value, int) and value > INT_MAX:
            raise ApiError(404, "findes ikke")
    return None


@bp.after_request
def _no_store(resp: Response) -> Response:
    if request.endpoint not in PUBLIC_ENDPOINTS:
        resp.headers.setdefault("Cache-Control", "no-store")  # case data is personal data
    return resp


def _actor() -> User:
    return g.api_user


# --- input --------------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} er ikke gyldig JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("tallet er for stort")
    return value


def _check_strings(value: Any) -> None:
    """Every string (and key) must be storable text: valid UTF-8, no NUL. Iterative: no recursion limit.

    A bad string is reported under the name of the innermost key that holds it (the field's name).
    """
    stack: list[tuple[str, Any]] = [("body", value)]
    while stack:
        field, v = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                _check_text(k, field)
                stack.append((k, item))
        elif isinstance(v, list):
            stack.extend((field, item) for item in v)
        elif isinstance(v, str):
            _check_text(v, field)


def _check_text(s: str, where: str) -> None:
    bad = "\x00" in s
    if not bad:
        try:
            s.encode("utf-8")
        except UnicodeEncodeError:
            bad = True
    if bad:
        field = where if "\x00" not in where and _encodable(where) else "body"
        raise ApiError(400, "teksten indeholder ugyldige tegn (NUL eller en enlig surrogat)", field=field)


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_body(*, required: bool) -> Any:
    """The request's JSON body; ApiError 400 if it is not JSON; None if empty and not required."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "body mangler: forventet et JSON-objekt", field="body")
        return None
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "body er ikke gyldig JSON (UTF-8)", field="body") from None
    _check_strings(value)
    return value


def _object(value: Any, allowed: set[str] | frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(400, "body skal være et JSON-objekt", field="body")
    unknown = sorted(k for k in value if k not in allowed)
    if unknown:
        raise ApiError(
            400, f"ukendt felt {unknown[0]!r} (tilladt: {', '.join(sorted(allowed))})", field=unknown[0]
        )
    return value


def _if_match() -> int:
    header = request.headers.get("If-Match")
    if header is None or not header.strip():
        raise ApiError(
            428, 'If-Match mangler: send sagens version fra ETag (fx If-Match: "3")', field="If-Match"
        )
    header = header.strip()
    if header == "*":
        raise ApiError(428, 'If-Match skal være sagens version fra ETag (fx "3"), ikke *', field="If-Match")
    m = _IF_MATCH.match(header)
    if not m:
        raise ApiError(400, 'If-Match skal være sagens version, fx "3"', field="If-Match")
    return int(m.group(1) or m.group(2))


# --- the intake fields (the options of `aktflow case new`) ------------------------------------------------------


@dataclass(frozen=True)
class IntakeField:
    name: str
    required: bool
    max_len: int
    description: str
    schema: dict[str, Any]


def _col_len(column: str) -> int:
    return Case.__table__.c[column].type.length


INTAKE_FIELDS: tuple[IntakeField, ...] = (
    IntakeField("requester", True, _col_len("requester_name"), "Anmoderens navn", {}),
    IntakeField("email", False, _col_len("requester_email"), "Anmoderens e-mailadresse", {"format": "email"}),
    IntakeField(
        "received",
        True,
        10,
        f"Modtaget (ÅÅÅÅ-MM-DD; ikke i fremtiden; {DATE_RANGE_TEXT})",
        {"format": "date"},
    ),
    IntakeField("basis", True, 10, "Retsgrundlag", {"enum": list(BASES)}),
    IntakeField("subject", True, MAX_TEXT, "Hvad der søges aktindsigt i", {}),
    IntakeField(
        "emne", True, 8, "KLE-emne for den sag, der søges om (NN.NN.NN)", {"pattern": EMNE_RE.pattern}
    ),
    IntakeField(
        "cpr",
        False,
        20,
        "Anmoderens CPR-nummer (10 cifre; kun i body, vises aldrig igen)",
        {"pattern": r"^\d{6}[- ]?\d{4}$", "writeOnly": True},
    ),
    IntakeField("cvr", False, 20, "Anmoderens CVR-nummer (8 cifre)", {"pattern": r"^\d{8}$"}),
    IntakeField("channel", False, _col_len("channel"), "Kanal: e-mail, brev, telefon, selvbetjening …", {}),
    IntakeField(
        "assign",
        False,
        User.__table__.c.username.type.length,
        "Brugernavn på den sagsbehandler, sagen fordeles til",
        {},
    ),
)
INTAKE_NAMES = frozenset(f.name for f in INTAKE_FIELDS)


# --- views ----------------------------------------------------------------------------------------------------


def _case_response(view: dict[str, Any], status: int = 200, *, created: bool = False) -> Response:
    resp = jsonify(view)
    resp.status_code = status
    resp.headers["ETag"] = f'"{view["version"]}"'
    if created:
        resp.headers["Location"] = url_for("api.get_case", case_id=view["id"])
    return resp


@bp.post("/requests")
def intake():
    """A new request (e.g. from a self-service form): the case, 201, Location and ETag."""
    body = _object(_json_body(required=True), INTAKE_NAMES)
    kwargs: dict[str, Any] = {}
    for f in INTAKE_FIELDS:
        value = body.get(f.name)
        if value is None:
            if f.required:
                raise ApiError(400, "skal udfyldes", field=f.name)
            continue
        if not isinstance(value, str):
            raise ApiError(400, "skal være tekst", field=f.name)
        if len(value) > f.max_len:
            raise ApiError(400, f"højst {f.max_len} tegn", field=f.name)
        if f.name == "received":
            fields.parse_date(value, f.name)  # a date the calendar can count from (the rest: the service)
        kwargs[f.name] = value
    user = _actor()
    try:
        case = create_case(_db(), actor=user.username, **kwargs)
    except ValidationError as e:
        if e.field == "assignee":  # the service checks `assign` as the assign action's `assignee`
            raise ApiError(400, e.detail, field="assign") from None
        raise
    return _case_response(case_view(_db(), case.id, role=user.role), 201, created=True)


@bp.get("/cases")
def list_cases():
    """Cases, newest first (at most 500), optionally by state and assignee."""
    allowed = {"state", "assignee", "limit"}
    for key, value in request.args.items(multi=True):
        _check_text(key, "query")
        _check_text(value, key)
        if key not in allowed:
            raise ApiError(
                400, f"ukendt parameter {key!r} (tilladt: {', '.join(sorted(allowed))})", field=key
            )
    state = request.args.get("state") or None
    if state is not None and state not in states.STATES:
        raise ApiError(400, f"ukendt tilstand {state!r}", field="state")
    assignee = request.args.get("assignee") or None
    raw_limit = request.args.get("limit", str(LIST_MAX))
    if not re.fullmatch(r"[0-9]{1,4}", raw_limit) or not 1 <= int(raw_limit) <= LIST_MAX:
        raise ApiError(400, f"limit skal være et heltal 1–{LIST_MAX}", field="limit")
    with _db().session() as s:
        rows = read.case_list(s, state=state, assignee=assignee, limit=int(raw_limit))
    return jsonify(rows)


@bp.get(f"/cases/{CASE_ID}")
def get_case(case_id: int):
    """The case as `aktflow case show --json` gives it (allowed_triggers for the token's role), with ETag."""
    return _case_response(case_view(_db(), case_id, role=_actor().role))


@bp.post(f"/cases/{CASE_ID}/events/<trigger>")
def advance(case_id: int, trigger: str):
    """Fire a trigger on a case; needs If-Match with the case's version."""
    spec = states.TRIGGERS.get(trigger)
    if spec is None or spec.system:
        raise ApiError(404, f"ukendt handling {trigger!r}", field="trigger")
    version = _if_match()
    body = _json_body(required=False)
    body = _object({} if body is None else body, {"note", "data"})
    note, data = body.get("note"), body.get("data")
    if isinstance(data, dict) and "note" in data:  # the note goes beside data here, as the schema says
        raise ApiError(400, f"'{trigger}' tager ikke feltet 'note' i data (send det som note)", field="note")
    fields.clean(spec, note, data)  # the shape, before the case is read: 400 whatever its state
    user = _actor()
    fire(_db(), case_id, trigger, actor=user.username, note=note, data=data, expect_version=version)
    return _case_response(case_view(_db(), case_id, role=user.role))


@bp.get(f"/cases/{CASE_ID}/letters/<int:letter_id>")
def letter(case_id: int, letter_id: int):
    """A letter of the case as the stored .docx."""
    with _db().session() as s:
        row = s.get(Letter, letter_id, options=[undefer(Letter.content)])
        if row is None or row.case_id != case_id:
            raise ApiError(404, f"brev {letter_id} findes ikke på sag {case_id}")
        content, filename, sha = row.content, row.filename, row.sha256
    resp = send_file(BytesIO(content), mimetype=DOCX, as_attachment=True, download_name=filename, etag=sha)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API (no token needed)."""
    return jsonify(openapi_document())


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@bp.route("/", defaults={"rest": ""}, methods=_METHODS)
@bp.route("/<path:rest>", methods=_METHODS)
def not_found(rest: str):
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


# --- OpenAPI ----------------------------------------------------------------------------------------------------


def api_triggers() -> list[str]:
    """The triggers the API offers: every trigger of the workflow except aktflow's own system actions."""
    return [name for name, t in states.TRIGGERS.items() if not t.system]


def _ref(name: str, kind: str = "schemas") -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _trigger_schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in api_triggers():
        t = states.TRIGGERS[name]
        data_fields = [f for f in t.fields if f.name != "note"]
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


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, generated from the workflow definition and the intake fields."""
    triggers = api_triggers()
    state_names = list(states.STATES)
    err = {
        "type": "object",
        "properties": {"error": {"type": "string"}, "field": {"type": "string"}},
        "required": ["error"],
    }

    def resp(
        description: str, schema: str = "Error", headers: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        r: dict[str, Any] = {"description": description, "content": _json_content(_ref(schema))}
        if headers:
            r["headers"] = headers
        return r

    etag_header = {
        "ETag": {
            "description": 'Sagens version, fx "3" (send den i If-Match)',
            "schema": {"type": "string", "pattern": r'^"\d+"$'},
        }
    }
    responses = {
        "BadRequest": resp(
            "Ugyldig forespørgsel: ikke JSON, ikke et objekt, forkert type, ugyldig værdi "
            "(field navngiver feltet)",
            "ValidationError",
        ),
        "Unauthorized": resp(
            "Ingen, ugyldig eller tilbagekaldt API-nøgle",
            headers={"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
        ),
        "Forbidden": resp("Brugerens rolle må ikke dette"),
        "NotFound": resp("Sagen, handlingen eller brevet findes ikke"),
        "PreconditionFailed": resp(
            "Sagen er ændret siden den version, If-Match angiver (også når en anden "
            "forespørgsel vinder kapløbet ved commit): hent den igen"
        ),
        "Unprocessable": resp(
            "Arbejdsgangen afviser handlingen nu (forkert tilstand eller en uopfyldt "
            "betingelse; beskeden siger hvorfor)"
        ),
        "PreconditionRequired": resp("If-Match mangler (eller er *)"),
    }
    case_schema = {
        "type": "object",
        "description": "Sagen som `aktflow case show --json` viser den (uden CPR-nummer); allowed_triggers "
        "er dem, API-nøglens rolle må udføre nu.",
        "properties": {
            "id": {"type": "integer"},
            "state": {"enum": state_names},
            "state_label": {"type": "string"},
            "version": {"type": "integer", "description": "Sagens version (= ETag)"},
            "basis": {"enum": list(BASES)},
            "received": {"type": "string", "format": "date"},
            "subject": {"type": "string"},
            "emne": {"type": "string"},
            "requester": {"type": "string"},
            "email": {"type": ["string", "null"]},
            "channel": {"type": ["string", "null"]},
            "sagsnummer": {"type": ["string", "null"]},
            "assignee": {"type": ["string", "null"]},
            "flagged": {"type": "boolean"},
            "flag_reasons": {"type": "array", "items": {"type": "string"}},
            "outcome": {"enum": ["full", "partial", "refusal", "none_found", None]},
            "allowed_triggers": {"type": "array", "items": {"enum": triggers}},
            "deadlines": {"type": "array", "items": {"type": "object"}},
            "documents": {"type": "array", "items": {"type": "object"}},
            "hearings": {"type": "array", "items": {"type": "object"}},
            "letters": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string"},
                        "filename": {"type": "string"},
                    },
                },
            },
            "archive": {"type": "object"},
            "employee_notices": {"type": "array", "items": {"type": "object"}},
            "events": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["id", "state", "version", "allowed_triggers", "events"],
    }
    summary_schema = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "state": {"enum": state_names},
            "state_label": {"type": "string"},
            "version": {"type": "integer"},
            "sagsnummer": {"type": ["string", "null"]},
            "basis": {"enum": list(BASES)},
            "received": {"type": "string", "format": "date"},
            "requester": {"type": "string"},
            "subject": {"type": "string"},
            "emne": {"type": "string"},
            "assignee": {"type": ["string", "null"]},
        },
        "required": ["id", "state", "version"],
    }
    intake_schema = {
        "type": "object",
        "properties": {
            f.name: {
                "type": "string" if f.required else ["string", "null"],
                "maxLength": f.max_len,
                "description": f.description,
                **f.schema,
            }
            for f in INTAKE_FIELDS
        },
        "required": [f.name for f in INTAKE_FIELDS if f.required],
        "additionalProperties": False,
    }
    trigger_schemas = _trigger_schemas()
    case_id = {
        "name": "case_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
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
        "paths": {
            "/requests": {
                "post": {
                    "operationId": "createRequest",
                    "summary": "Modtag en anmodning om aktindsigt (opretter sagen i tilstanden received)",
                    "requestBody": {"required": True, "content": _json_content(_ref("IntakeRequest"))},
                    "responses": {
                        "201": {
                            "description": "Sagen er oprettet",
                            "headers": {
                                **etag_header,
                                "Location": {"description": "Sagens adresse", "schema": {"type": "string"}},
                            },
                            "content": _json_content(_ref("Case")),
                        },
                        "400": _ref("BadRequest", "responses"),
                        "401": _ref("Unauthorized", "responses"),
                        "403": _ref("Forbidden", "responses"),
                    },
                },
            },
            "/cases": {
                "get": {
                    "operationId": "listCases",
                    "summary": f"Sager, nyeste først (højst {LIST_MAX})",
                    "parameters": [
                        {"name": "state", "in": "query", "required": False, "schema": {"enum": state_names}},
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
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": LIST_MAX,
                                "default": LIST_MAX,
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Sagerne",
                            "content": _json_content(
                                {"type": "array", "items": _ref("CaseSummary"), "maxItems": LIST_MAX}
                            ),
                        },
                        "400": _ref("BadRequest", "responses"),
                        "401": _ref("Unauthorized", "responses"),
                    },
                },
            },
            "/cases/{case_id}": {
                "get": {
                    "operationId": "getCase",
                    "summary": "Sagen, med ETag = version",
                    "parameters": [case_id],
                    "responses": {
                        "200": {
                            "description": "Sagen",
                            "headers": etag_header,
                            "content": _json_content(_ref("Case")),
                        },
                        "401": _ref("Unauthorized", "responses"),
                        "404": _ref("NotFound", "responses"),
                    },
                },
            },
            "/cases/{case_id}/events/{trigger}": {
                "post": {
                    "operationId": "fireTrigger",
                    "summary": "Udfør en handling (overgang) på sagen",
                    "description": "Kræver If-Match med sagens version. Felterne i data afhænger af "
                    "handlingen: se skemaet Event_<handling>.",
                    "parameters": [
                        case_id,
                        {"name": "trigger", "in": "path", "required": True, "schema": {"enum": triggers}},
                        {
                            "name": "If-Match",
                            "in": "header",
                            "required": True,
                            "description": 'Sagens version fra ETag: "3", 3 eller W/"3"',
                            "schema": {"type": "string", "pattern": r'^(W/)?"\d+"$|^\d+$'},
                        },
                    ],
                    "requestBody": {
                        "required": False,
                        "content": _json_content({"anyOf": [_ref(n) for n in trigger_schemas]}),
                    },
                    "responses": {
                        "200": {
                            "description": "Handlingen er udført; sagen med ny ETag",
                            "headers": etag_header,
                            "content": _json_content(_ref("Case")),
                        },
                        "400": _ref("BadRequest", "responses"),
                        "401": _ref("Unauthorized", "responses"),
                        "403": _ref("Forbidden", "responses"),
                        "404": _ref("NotFound", "responses"),
                        "412": _ref("PreconditionFailed", "responses"),
                        "422": _ref("Unprocessable", "responses"),
                        "428": _ref("PreconditionRequired", "responses"),
                    },
                },
            },
            "/cases/{case_id}/letters/{letter_id}": {
                "get": {
                    "operationId": "getLetter",
                    "summary": "Et brev på sagen som .docx",
                    "parameters": [
                        case_id,
                        {
                            "name": "letter_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Brevet",
                            "content": {DOCX: {"schema": {"type": "string", "contentMediaType": DOCX}}},
                        },
                        "401": _ref("Unauthorized", "responses"),
                        "404": _ref("NotFound", "responses"),
                    },
                },
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Dette dokument",
                    "security": [],
                    "responses": {
                        "200": {"description": "OpenAPI 3.1", "content": _json_content({"type": "object"})}
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "API-nøgle fra `aktflow users token BRUGERNAVN`",
                },
            },
            "responses": responses,
            "schemas": {
                "Error": err,
                "ValidationError": {
                    **err,
                    "description": "field navngiver feltet, når det er et bestemt felt",
                },
                "Case": case_schema,
                "CaseSummary": summary_schema,
                "IntakeRequest": intake_schema,
                **trigger_schemas,
            },
        },
    }
