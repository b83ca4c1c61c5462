"""A fake SBSYS Web API for tests and the demo (``aktflow fake-sbsys``): the shapes of docs/domain.md §3.

A small Flask app on loopback. It issues OAuth2 tokens at ``/token`` and serves ``/api/...`` (optionally
under an ``api_root`` such as ``/sbsysapi``) to callers with a valid ``Authorization: Bearer`` token, else
401. Everything it receives is kept in a :class:`FakeState` for tests to inspect, and faults can be injected:
``fail_next``, ``fail_next_token``, ``delay``, ``timeout_next``, ``expire_tokens``.

Not a production server and not a faithful SBSYS: it checks what aktflow's client must get right (paths,
JSON fields, multipart parts, tokens) and numbers cases like SBSYS, ``<emne>-<facet>-<n>-<yy>``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server

__all__ = [
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "FakeDocument",
    "FakeState",
    "create_fake_sbsys",
    "make_fake_server",
    "run_fake_sbsys",
    "running_fake",
    "serve_forever",
]

DEMO_CLIENT_ID = "aktflow"
DEMO_CLIENT_SECRET = "fake-secret"

STATUSES = (
    {"Id": 1, "Navn": "Opstået"},
    {"Id": 2, "Navn": "Aktiv"},
    {"Id": 3, "Navn": "Afsluttet"},
    {"Id": 4, "Navn": "Henlagt"},
)


@dataclass
class FakeDocument:
    id: int
    case_id: Any
    meta: dict[str, Any]  # the json part as received
    filename: str
    content: bytes
    content_type: str
    json_content_type: str  # the json part's own Content-Type ("" when sent as a plain form field)


@dataclass
class FakeState:
    """What the fake knows and received. Guard every read in a test with ``with state.lock:`` if the server
    may still be answering; the helpers below take the lock themselves."""

    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    username: str | None = None  # when set, the password grant must name this user and password
    password: str | None = None
    expires_in: int = 300
    timeout_seconds: float = 5.0  # how long timeout_next() stalls an answer
    today: Callable[[], dt.date] = dt.date.today

    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)  # CPR (digits) -> party
    firms: dict[str, dict[str, Any]] = field(default_factory=dict)  # CVR -> party
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # LogonId -> user
    templates: dict[int, str] = field(default_factory=dict)  # known template ids; empty: any id is accepted
    cases: dict[int, dict[str, Any]] = field(default_factory=dict)
    case_requests: list[dict[str, Any]] = field(default_factory=list)  # bodies of POST api/sag/template
    documents: list[FakeDocument] = field(default_factory=list)
    reminders: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(
        default_factory=list
    )  # {"case_id", "SagsStatusID", "Kommentar"}
    searches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (path, body)
    token_requests: list[dict[str, str]] = field(default_factory=list)  # forms received at /token
    tokens: dict[str, float] = field(default_factory=dict)  # valid token -> monotonic expiry
    tokens_issued: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status)

    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001), repr=False)
    _running: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)
    _faults: list[tuple[int, str | None]] = field(default_factory=list, repr=False)
    _token_faults: list[int] = field(default_factory=list, repr=False)
    _timeouts: int = field(default=0, repr=False)
    _delay: float = field(default=0.0, repr=False)
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)

    # -- seeding --

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    def add_person(self, cpr: str, name: str) -> int:
        """Make a person known to ``api/person/search``; their party id."""
        digits = "".join(c for c in cpr if c.isdigit())
        pid = self.next_id()
        with self.lock:
            self.persons[digits] = {
                "Id": pid,
                "PartId": pid,
                "Navn": name,
                "PartType": "Person",
                "CprNummer": digits,
            }
        return pid

    def add_firm(self, cvr: str, name: str) -> int:
        pid = self.next_id()
        with self.lock:
            self.firms[cvr.strip()] = {
                "Id": pid,
                "PartId": pid,
                "Navn": name,
                "PartType": "Firma",
                "CvrNummer": cvr,
            }
        return pid

    def add_user(self, logon_id: str, name: str) -> int:
        uid = self.next_id()
        with self.lock:
            self.users[logon_id.lower()] = {"Id": uid, "LogonId": logon_id, "Navn": name}
        return uid

    def add_template(self, template_id: int, name: str) -> None:
        with self.lock:
            self.templates[int(template_id)] = name

    # -- fault injection --

    def fail_next(self, n: int = 1, status: int = 503, message: str | None = None) -> None:
        """The next ``n`` API calls answer ``status`` (with ``{"Message": message}``; a default for 400)."""
        with self.lock:
            self._faults.extend([(status, message)] * n)

    def fail_next_token(self, n: int = 1, status: int = 503) -> None:
        with self.lock:
            self._token_faults.extend([status] * n)

    def delay(self, seconds: float) -> None:
        """Every answer (API and token) waits this long first; 0 turns it off."""
        with self.lock:
            self._delay = max(0.0, seconds)

    def timeout_next(self, n: int = 1, seconds: float | None = None) -> None:
        """The next ``n`` API calls stall ``seconds`` (default ``timeout_seconds``) before answering."""
        with self.lock:
            self._timeouts += n
            if seconds is not None:
                self.timeout_seconds = seconds

    def expire_tokens(self) -> None:
        """Every token issued so far becomes invalid: the next API call with one gets 401."""
        with self.lock:
            self.tokens.clear()

    def wake(self) -> None:
        """End stalled answers now (used when the server stops)."""
        self._wake.set()

    # -- reading --

    def paths(self, method: str | None = None) -> list[str]:
        with self.lock:
            return [p for m, p, _ in self.requests if method is None or m == method]

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.expires_in
            self.tokens_issued.append(token)
        return token

    def token_valid(self, token: str) -> bool:
        with self.lock:
            expiry = self.tokens.get(token)
            return expiry is not None and time.monotonic() < expiry

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._wake.wait(seconds)

    def seed_demo(self) -> None:
        """Demo data: aktflow's demo users, a firm, a person and two case templates.

        The person's CPR number is a fictitious one (born 1 January 1970).
        """
        for logon, name in (
            ("sagsbehandler", "Sara Sagsbehandler"),
            ("jurist", "Jonas Jurist"),
            ("leder", "Lene Leder"),
            ("admin", "Anders Administrator"),
        ):
            self.add_user(logon, name)
        self.add_firm("12345678", "Firma ApS")
        self.add_person("0101700000", "Demo Borger")
        self.add_template(1, "Aktindsigt (standard)")
        self.add_template(2, "Aktindsigt i personalesager")


# --- The app -------------------------------------------------------------------------------------------


def _error(status: int, message: str) -> Response:
    resp = jsonify({"Message": message})
    resp.status_code = status
    return resp


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _Bad(400, "Forespørgslen skal være et JSON-objekt")
    return data


class _Bad(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _int(value: Any, field_name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _Bad(400, f"{field_name} skal være et heltal") from None


def create_fake_sbsys(state: FakeState | None = None, *, api_root: str = "") -> Flask:
    """The fake as a Flask app; ``app.config["FAKE_STATE"]`` is its :class:`FakeState`."""
    state = state if state is not None else FakeState()
    root = "/" + api_root.strip("/") if api_root.strip("/") else ""
    app = Flask(__name__)
    app.config["FAKE_STATE"] = state
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    api = Blueprint("api", __name__, url_prefix=f"{root}/api")

    @app.after_request
    def record(resp: Response) -> Response:
        with state.lock:
            state.requests.append((request.method, request.path, resp.status_code))
        return resp

    @app.errorhandler(_Bad)
    def bad(exc: _Bad) -> Response:
        return _error(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return _error(exc.code or 500, exc.description or exc.name)

    # -- token --

    @app.post("/token")
    def token() -> Response:
        with state.lock:
            state.token_requests.append(dict(request.form))
            fault = state._token_faults.pop(0) if state._token_faults else None
            pause = state._delay
        state._sleep(pause)
        if fault is not None:
            resp = jsonify({"error": "temporarily_unavailable", "error_description": "Injected fault"})
            resp.status_code = fault
            return resp
        form = request.form
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "password"):
            return _oauth_error(400, "unsupported_grant_type", f"grant_type {grant!r} is not supported")
        if form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret:
            return _oauth_error(401, "invalid_client", "Invalid client credentials")
        if grant == "password":
            if not form.get("username") or not form.get("password"):
                return _oauth_error(400, "invalid_request", "Missing username or password")
            if state.username is not None and (
                form.get("username") != state.username or form.get("password") != state.password
            ):
                return _oauth_error(401, "invalid_grant", "Invalid user credentials")
        return jsonify(
            {
                "access_token": state.issue_token(),
                "expires_in": state.expires_in,
                "token_type": "Bearer",
                "scope": "",
            }
        )

    # -- every API call: faults, then the token --

    @api.before_request
    def gate() -> Response | None:
        with state.lock:
            stall = state.timeout_seconds if state._timeouts > 0 else 0.0
            if state._timeouts > 0:
                state._timeouts -= 1
            pause = state._delay
            fault = state._faults.pop(0) if state._faults else None
        state._sleep(pause + stall)
        if fault is not None:
            status, message = fault
            if message is None:
                message = "Forespørgslen er ugyldig" if status == 400 else f"Injiceret fejl {status}"
            resp = _error(status, message)
            if status in (429, 503):
                resp.headers["Retry-After"] = "1"
            return resp
        auth = request.headers.get("Authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not state.token_valid(token.strip()):
            resp = jsonify(
                {"error": "invalid_token", "Message": "Authorization has been denied for this request."}
            )
            resp.status_code = 401
            resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return resp
        return None

    # -- parties and users --

    @api.post("/person/search")
    def person_search() -> Response:
        body = _body()
        cpr = "".join(c for c in str(body.get("CprNummer") or "") if c.isdigit())
        if len(cpr) != 10:
            raise _Bad(400, "CprNummer skal have 10 cifre")
        with state.lock:
            state.searches.append(("person", body))
            hit = state.persons.get(cpr)
            return jsonify([dict(hit)] if hit else [])

    @api.post("/firma/search")
    def firm_search() -> Response:
        body = _body()
        cvr = str(body.get("CvrNummer") or "").strip()
        if not cvr:
            raise _Bad(400, "CvrNummer mangler")
        with state.lock:
            state.searches.append(("firma", body))
            hit = state.firms.get(cvr)
            return jsonify([dict(hit)] if hit else [])

    @api.post("/bruger/search")
    def user_search() -> Response:
        body = _body()
        logon = str(body.get("LogonId") or "").strip().lower()
        if not logon:
            raise _Bad(400, "LogonId mangler")
        with state.lock:
            state.searches.append(("bruger", body))
            hit = state.users.get(logon)
            return jsonify([dict(hit)] if hit else [])

    # -- cases --

    @api.post("/sag/template")
    def create_case() -> Response:
        body = _body()
        title = str(body.get("SagsTitel") or "").strip()
        if not title:
            raise _Bad(400, "SagsTitel mangler")
        template = _int(body.get("SkabelonId"), "SkabelonId")
        emne = str(body.get("EmneplanNummer") or "").strip()
        facet = str(body.get("Facet") or "").strip()
        if not emne or not facet:
            raise _Bad(400, "EmneplanNummer og Facet skal angives")
        with state.lock:
            state.case_requests.append(body)
            if state.templates and template not in state.templates:
                raise _Bad(400, f"Sagsskabelon {template} findes ikke")
            behandler = None
            if body.get("SagsBehandlerID") is not None:
                uid = _int(body["SagsBehandlerID"], "SagsBehandlerID")
                behandler = next((dict(u) for u in state.users.values() if u["Id"] == uid), None)
                if behandler is None:
                    if state.users:
                        raise _Bad(400, f"Sagsbehandler {uid} findes ikke")
                    behandler = {"Id": uid}
            primary = body.get("PrimaryPart")
            if primary is not None:
                if not isinstance(primary, dict) or primary.get("PartType") not in ("Person", "Firma"):
                    raise _Bad(400, "PrimaryPart.PartType skal være Person eller Firma")
                _int(primary.get("PartId"), "PrimaryPart.PartId")
            key = (emne, facet)
            state._running[key] = state._running.get(key, 0) + 1
            case_id = next(state._ids)
            nummer = f"{emne}-{facet}-{state._running[key]}-{state.today().year % 100:02d}"
            case = {
                "Id": case_id,
                "Nummer": nummer,
                "SagsTitel": title,
                "SagsNummer": {"EmneplanNummer": {"Nummer": emne}, "Facet": {"Nummer": facet}},
                "SkabelonId": template,
                "Behandler": behandler,
                "SagsStatus": dict(STATUSES[1]),
                "PrimaryPart": primary,
                "Parts": body.get("Parts") or [],
                "Oprettet": dt.datetime.now().replace(microsecond=0).isoformat(),
            }
            state.cases[case_id] = case
            return jsonify(case)

    @api.get("/sag/<int:case_id>")
    def get_case(case_id: int) -> Response:
        with state.lock:
            case = state.cases.get(case_id)
            if case is None:
                raise _Bad(404, f"Sag {case_id} findes ikke")
            return jsonify(case)

    @api.post("/sag/search")
    def search_cases() -> Response:
        body = _body()
        with state.lock:
            state.searches.append(("sag", body))
            hits = []
            for case in state.cases.values():
                if all(k in case and str(case[k]) == str(v) for k, v in body.items() if v is not None):
                    hits.append(case)
            return jsonify(hits)

    @api.get("/sag/sagStatusList")
    def status_list() -> Response:
        return jsonify([dict(s) for s in STATUSES])

    @api.put("/sag/<int:case_id>/status")
    def set_status(case_id: int) -> Response:
        body = _body()
        status_id = _int(body.get("SagsStatusID"), "SagsStatusID")
        status = next((s for s in STATUSES if s["Id"] == status_id), None)
        if status is None:
            raise _Bad(400, f"Sagsstatus {status_id} findes ikke")
        with state.lock:
            case = state.cases.get(case_id)
            if case is None:
                raise _Bad(404, f"Sag {case_id} findes ikke")
            case["SagsStatus"] = dict(status)
            state.status_changes.append(
                {"case_id": case_id, "SagsStatusID": status_id, "Kommentar": body.get("Kommentar")}
            )
        return Response(status=204)

    # -- documents --

    @api.post("/dokument/journaliser")
    def journalise() -> Response:
        request.get_data(cache=True)  # keep the raw body: werkzeug drops a form field's own headers
        json_ct = ""
        if "json" in request.form:
            raw = request.form["json"]
            json_ct = _part_content_type("json")
        elif "json" in request.files:
            part = request.files["json"]
            raw = part.read().decode("utf-8")
            json_ct = part.content_type or ""
        else:
            raise _Bad(400, "Multipart-delen 'json' mangler")
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise _Bad(400, "Multipart-delen 'file' mangler")
        try:
            meta = json.loads(raw)
        except ValueError:
            raise _Bad(400, "Delen 'json' er ikke gyldig JSON") from None
        if not isinstance(meta, dict) or not str(meta.get("DokumentNavn") or "").strip():
            raise _Bad(400, "DokumentNavn mangler")
        case_id = _int(meta.get("SagID"), "SagID")
        content = upload.read()
        with state.lock:
            if case_id not in state.cases:
                raise _Bad(404, f"Sag {case_id} findes ikke")
            doc = FakeDocument(
                id=next(state._ids),
                case_id=case_id,
                meta=meta,
                filename=upload.filename,
                content=content,
                content_type=upload.content_type or "",
                json_content_type=json_ct,
            )
            state.documents.append(doc)
        return jsonify(
            {
                "Id": doc.id,
                "SagID": case_id,
                "DokumentNavn": meta["DokumentNavn"],
                "Filnavn": doc.filename,
                "Stoerrelse": len(content),
                "OmfattetAfAktindsigt": bool(meta.get("OmfattetAfAktindsigt")),
            }
        )

    @api.post("/dokument/search")
    def search_documents() -> Response:
        body = _body()
        with state.lock:
            state.searches.append(("dokument", body))
            hits = [
                {"Id": d.id, "SagID": d.case_id, **{k: v for k, v in d.meta.items() if k != "SagID"}}
                for d in state.documents
                if all(
                    str(d.meta.get(k, d.case_id if k == "SagID" else None)) == str(v)
                    for k, v in body.items()
                    if v is not None
                )
            ]
            return jsonify(hits)

    # -- reminders --

    @api.post("/erindring/search")
    def search_reminders() -> Response:
        body = _body()
        with state.lock:
            state.searches.append(("erindring", body))
            return jsonify(
                [
                    r
                    for r in state.reminders
                    if all(str(r.get(k)) == str(v) for k, v in body.items() if v is not None)
                ]
            )

    @api.post("/erindring")
    def add_reminder() -> Response:
        body = _body()
        case_id = _int(body.get("SagId"), "SagId")
        if not str(body.get("Navn") or "").strip():
            raise _Bad(400, "Navn mangler")
        if body.get("HarDeadline"):
            try:
                dt.date.fromisoformat(str(body.get("Deadline") or "")[:10])
            except ValueError:
                raise _Bad(400, "Deadline skal være en dato (ÅÅÅÅ-MM-DD)") from None
        with state.lock:
            if case_id not in state.cases:
                raise _Bad(404, f"Sag {case_id} findes ikke")
            reminder = {"Id": next(state._ids), **body}
            state.reminders.append(reminder)
            return jsonify(reminder)

    app.register_blueprint(api)
    return app


def _part_content_type(name: str) -> str:
    """The Content-Type header of a non-file multipart part (werkzeug keeps only the value)."""
    raw = request.get_data(cache=True)
    marker = f'name="{name}"'.encode()
    at = raw.find(marker)
    if at < 0:
        return ""
    head = raw[at : raw.find(b"\r\n\r\n", at)]
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-type":
            return value.strip().decode("latin-1")
    return ""


def _oauth_error(status: int, error: str, description: str) -> Response:
    resp = jsonify({"error": error, "error_description": description})
    resp.status_code = status
    return resp


# --- Serving -------------------------------------------------------------------------------------------


def make_fake_server(
    host: str = "127.0.0.1", port: int = 0, state: FakeState | None = None, *, api_root: str = ""
) -> BaseWSGIServer:
    """A threaded werkzeug server for the fake (port 0: a free port, see ``server.server_port``)."""
    return make_server(host, port, create_fake_sbsys(state, api_root=api_root), threaded=True)


def run_fake_sbsys(host: str = "127.0.0.1", port: int = 8089, state: FakeState | None = None) -> None:
    """Serve the fake until interrupted (blocking)."""
    server = make_fake_server(host, port, state)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_forever(host: str = "127.0.0.1", port: int = 8089, seed_demo: bool = True) -> None:
    """``aktflow fake-sbsys``: print the settings to export, then serve until Ctrl-C."""
    state = FakeState()
    if seed_demo:
        state.seed_demo()
    server = make_fake_server(host, port, state)
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = f"http://{shown}:{server.server_port}"
    print("Fake SBSYS kører. Sæt disse variable for aktflow:")
    print("  export AKTFLOW_ARCHIVE=sbsys")
    print(f"  export AKTFLOW_SBSYS_BASE_URL={base}/")
    print(f"  export AKTFLOW_SBSYS_TOKEN_URL={base}/token")
    print(f"  export AKTFLOW_SBSYS_CLIENT_ID={state.client_id}")
    print(f"  export AKTFLOW_SBSYS_CLIENT_SECRET={state.client_secret}")
    print("  export AKTFLOW_SBSYS_TEMPLATE_ID=1")
    print("  export AKTFLOW_SBSYS_TEMPLATES='{\"81\": 2}'")
    print("Stop med Ctrl-C.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        state.wake()
        server.server_close()


@contextmanager
def running_fake(
    state: FakeState | None = None, *, api_root: str = ""
) -> Iterator[tuple[str, str, FakeState]]:
    """Run the fake on 127.0.0.1 on a free port in a background thread; yield (base_url, token_url, state).

    ``base_url`` ends with "/" and includes ``api_root``.
    """
    state = state if state is not None else FakeState()
    state._wake.clear()
    server = make_fake_server("127.0.0.1", 0, state, api_root=api_root)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    host = f"http://127.0.0.1:{server.server_port}"
    root = "/" + api_root.strip("/") if api_root.strip("/") else ""
    try:
        yield f"{host}{root}/", f"{host}/token", state
    finally:
        state.wake()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
