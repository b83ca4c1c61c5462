"""A fake Digital Post service (Serviceplatformen's SF1601 and PostForespoerg) for tests and the demo.

A small Flask app on loopback, shaped like :mod:`devtools.fake_sbsys`. It answers:

``POST /service/KombiPostAfsend_1/memos``
    The body must be a ``kombi_request`` with ``KombiValgKode`` "Digital Post" and one ``memo:Message``
    that validates against :data:`MEMO_XSD` (a subset of the MeMo 1.x schema, written for the elements
    aktflow sends: python-serviceplatformen does not ship the official XSD). Answers 200 and keeps the
    message in :attr:`FakeState.messages`; the same ``messageUUID`` again is 200 without a second copy;
    a recipient in :attr:`FakeState.exempt` is 400 with the error code ``RECIPIENT_EXEMPT``; a schema
    failure is 400 with the validator's messages. Errors are JSON problem details (``type``, ``title``,
    ``status``, ``detail``, ``errorCode``, ``errors``).
``GET /service/PostForespoerg_1/digitalpost?cprNumber=…`` (or ``cvrNumber``)
    ``{"result": true}`` unless the number is in :attr:`FakeState.exempt`.

Faults: :meth:`FakeState.fail_next` (the next n calls answer 503 or another status) and
:meth:`FakeState.timeout_next` (the next n calls stall before answering, for the client's timeout).
The server writes no access log (the registration check's URL holds a CPR number).

Not a faithful Digital Post: see docs/digital-post.md for what was checked against the service's
documentation and what was not.
"""

from __future__ import annotations

import base64
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from lxml import etree
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

__all__ = [
    "ANSWERS",
    "Answer",
    "MEMO_XSD",
    "FakeMessage",
    "FakeState",
    "create_fake_digital_post",
    "make_fake_server",
    "memo_schema",
    "running_fake",
]

MEMO = "https://DigitalPost.dk/MeMo-1"
_UUID4 = "[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-4[a-fA-F0-9]{3}-[aAbB89][a-fA-F0-9]{3}-[a-fA-F0-9]{12}"

# A subset of MeMo 1.x (namespace https://DigitalPost.dk/MeMo-1): the structure, order, cardinality and
# limits of the elements aktflow sends, as the MeMo documentation and python-serviceplatformen's
# dataclasses describe them. Elements aktflow never sends (AttentionData, ContactPoint, ForwardData,
# ReplyData, Action, TechnicalDocument, and ContentData other than CaseID) are not allowed here.
MEMO_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:memo="{MEMO}"
           targetNamespace="{MEMO}" elementFormDefault="qualified">
  <xs:simpleType name="text256"><xs:restriction base="xs:string">
    <xs:minLength value="1"/><xs:maxLength value="256"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="uuid4"><xs:restriction base="xs:string">
    <xs:pattern value="{_UUID4}"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="utcDateTime"><xs:restriction base="xs:dateTime">
    <xs:pattern value=".+Z"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="idType"><xs:restriction base="xs:string">
    <xs:enumeration value="MyndighedsID"/><xs:enumeration value="CPR"/><xs:enumeration value="CVR"/>
  </xs:restriction></xs:simpleType>

  <xs:element name="Message">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="memo:MessageHeader"/>
        <xs:element ref="memo:MessageBody" minOccurs="0"/>
      </xs:sequence>
      <xs:attribute name="memoVersion" type="xs:decimal" use="required"/>
      <xs:attribute name="memoSchVersion" type="xs:string"/>
    </xs:complexType>
  </xs:element>

  <xs:element name="MessageHeader">
    <xs:complexType><xs:sequence>
      <xs:element name="messageType"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="DIGITALPOST"/><xs:enumeration value="NEMSMS"/>
      </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="messageUUID" type="memo:uuid4"/>
      <xs:element name="messageID" type="memo:text256" minOccurs="0"/>
      <xs:element name="messageCode" type="memo:text256" minOccurs="0"/>
      <xs:element name="label" type="memo:text256"/>
      <xs:element name="notification" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string">
        <xs:maxLength value="150"/></xs:restriction></xs:simpleType></xs:element>
      <xs:element name="additionalNotification" type="memo:text256" minOccurs="0"/>
      <xs:element name="reply" type="xs:boolean" minOccurs="0"/>
      <xs:element name="replyByDateTime" type="memo:utcDateTime" minOccurs="0"/>
      <xs:element name="doNotDeliverUntilDate" type="xs:date" minOccurs="0"/>
      <xs:element name="mandatory" type="xs:boolean"/>
      <xs:element name="legalNotification" type="xs:boolean"/>
      <xs:element name="postType" type="memo:text256" minOccurs="0"/>
      <xs:element ref="memo:Sender"/>
      <xs:element ref="memo:Recipient"/>
      <xs:element ref="memo:ContentData" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="Sender">
    <xs:complexType><xs:sequence>
      <xs:element name="senderID" type="memo:text256"/>
      <xs:element name="idType" type="memo:idType"/>
      <xs:element name="idTypeLabel" type="memo:text256" minOccurs="0"/>
      <xs:element name="label" type="memo:text256"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="Recipient">
    <xs:complexType><xs:sequence>
      <xs:element name="recipientID" type="memo:text256"/>
      <xs:element name="idType" type="memo:idType"/>
      <xs:element name="idTypeLabel" type="memo:text256" minOccurs="0"/>
      <xs:element name="label" type="memo:text256" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="ContentData">
    <xs:complexType><xs:sequence>
      <xs:element ref="memo:CaseID" minOccurs="0"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="CaseID">
    <xs:complexType><xs:sequence>
      <xs:element name="caseID" type="memo:text256"/>
      <xs:element name="caseSystem" type="memo:text256"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="MessageBody">
    <xs:complexType><xs:sequence>
      <xs:element name="createdDateTime" type="memo:utcDateTime"/>
      <xs:element ref="memo:MainDocument"/>
      <xs:element ref="memo:AdditionalDocument" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:complexType name="document">
    <xs:sequence>
      <xs:element name="label" type="memo:text256" minOccurs="0"/>
      <xs:element ref="memo:File" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>

  <xs:element name="MainDocument">
    <xs:complexType><xs:sequence>
      <xs:element name="mainDocumentID" type="memo:text256" minOccurs="0"/>
      <xs:element name="label" type="memo:text256" minOccurs="0"/>
      <xs:element ref="memo:File" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="AdditionalDocument">
    <xs:complexType><xs:sequence>
      <xs:element name="additionalDocumentID" type="memo:text256" minOccurs="0"/>
      <xs:element name="label" type="memo:text256" minOccurs="0"/>
      <xs:element ref="memo:File" maxOccurs="unbounded"/>
    </xs:sequence></xs:complexType>
  </xs:element>

  <xs:element name="File">
    <xs:complexType><xs:sequence>
      <xs:element name="encodingFormat" type="memo:text256"/>
      <xs:element name="filename" type="memo:text256"/>
      <xs:element name="language"><xs:simpleType><xs:restriction base="xs:string">
        <xs:length value="2"/></xs:restriction></xs:simpleType></xs:element>
      <xs:element name="content"><xs:simpleType><xs:restriction base="xs:base64Binary">
        <xs:minLength value="1"/></xs:restriction></xs:simpleType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""

_schema_lock = threading.Lock()
_schema: etree.XMLSchema | None = None


def memo_schema() -> etree.XMLSchema:
    """:data:`MEMO_XSD` compiled (once per process)."""
    global _schema
    with _schema_lock:
        if _schema is None:
            _schema = etree.XMLSchema(etree.fromstring(MEMO_XSD.encode()))
        return _schema


def _q(name: str) -> str:
    return f"{{{MEMO}}}{name}"


@dataclass
class FakeMessage:
    """One accepted message, decoded for assertions. ``main`` and each of ``attachments`` is
    ``(filename, mime, content bytes)``."""

    uuid: str
    label: str
    sender_id: str
    sender_type: str
    sender_label: str
    recipient_id: str
    recipient_type: str
    recipient_label: str | None
    case_id: str | None
    mandatory: bool
    main: tuple[str, str, bytes]
    attachments: list[tuple[str, str, bytes]]
    xml: bytes  # the whole kombi_request as received
    headers: dict[str, str]
    client_cert: str | None = None  # the client's certificate (PEM) when served over HTTPS


@dataclass
class FakeState:
    """What the fake knows and received. Read it under ``with state.lock:`` while the server may answer."""

    exempt: set[str] = field(default_factory=set)  # CPR (10 digits) or CVR numbers exempt from Digital Post
    timeout_seconds: float = 5.0  # how long timeout_next() stalls an answer
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    messages: list[FakeMessage] = field(default_factory=list)  # accepted, once per messageUUID
    posts: int = 0  # POSTs that reached the send endpoint past the injected faults, accepted or not
    duplicates: int = 0  # accepted again without a new copy
    rejections: list[dict[str, Any]] = field(default_factory=list)  # the problem bodies answered
    lookups: list[tuple[str, str]] = field(default_factory=list)  # registration checks: (kind, number)
    requests: list[tuple[str, str, int]] = field(default_factory=list)  # (method, path, status), no query
    _faults: list[int] = field(default_factory=list, repr=False)
    _timeouts: int = field(default=0, repr=False)
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        """The next ``n`` calls (sending or lookup) answer ``status`` with a problem body."""
        with self.lock:
            self._faults.extend([status] * n)

    def timeout_next(self, n: int = 1, seconds: float | None = None) -> None:
        """The next ``n`` calls stall ``seconds`` (default ``timeout_seconds``) and then answer as usual."""
        with self.lock:
            self._timeouts += n
            if seconds is not None:
                self.timeout_seconds = seconds

    def wake(self) -> None:
        """End stalled answers now (used when the server stops)."""
        self._wake.set()

    def message(self, uuid: str) -> FakeMessage | None:
        with self.lock:
            return next((m for m in self.messages if m.uuid == uuid), None)


def _problem(
    status: int, title: str, detail: str = "", code: str = "", errors: list[str] | None = None
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if code:
        body["errorCode"] = code
    if errors:
        body["errors"] = [{"message": e} for e in errors]
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


@dataclass(frozen=True)
class Answer:
    """One of the service's answers: HTTP ``status``; for a refusal the problem's ``title``, ``code``
    (``errorCode``) and default ``detail``. ``kind`` is the answer as the channel reads it: ``accepted``,
    ``exempt``, ``invalid`` or ``temporary``."""

    kind: str
    status: int
    title: str = ""
    code: str = ""
    detail: str = ""


#: Every answer the fake gives, by name: the one table :func:`_answer` turns into a response.
ANSWERS: dict[str, Answer] = {
    "accepted": Answer("accepted", 200),
    "exempt": Answer(
        "exempt",
        400,
        "Recipient exempt from Digital Post",
        "RECIPIENT_EXEMPT",
        "Modtageren er fritaget for Digital Post",
    ),
    "invalid_xml": Answer("invalid", 400, "Invalid XML", "INVALID_XML"),
    "invalid_request": Answer(
        "invalid",
        400,
        "Invalid kombi_request",
        "INVALID_REQUEST",
        "kombi_request skal have KombiValgKode 'Digital Post' og ét memo:Message",
    ),
    "invalid_memo": Answer(
        "invalid", 400, "MeMo validation failed", "INVALID_MEMO", "Beskeden overholder ikke MeMo-skemaet"
    ),
    "no_main_document": Answer(
        "invalid", 400, "MeMo validation failed", "INVALID_MEMO", "Digital Post kræver et hoveddokument"
    ),
    "unavailable": Answer("temporary", 503, "Service Unavailable", "INJECTED"),
    "injected": Answer("temporary", 0, "Injected fault", "INJECTED"),
}


def _answer(
    state: FakeState,
    name: str,
    *,
    uuid: str = "",
    detail: str | None = None,
    errors: list[str] | None = None,
    status: int | None = None,
) -> Response:
    """The response of answer ``name`` (:data:`ANSWERS`): ``{"messageUUID": uuid}`` when accepted, else a
    problem body; an ``invalid`` or ``exempt`` refusal is kept in ``state.rejections``. ``status``
    overrides the table's (an injected fault's own status)."""
    answer = ANSWERS[name]
    if answer.kind == "accepted":
        return jsonify({"messageUUID": uuid})
    detail = answer.detail if detail is None else detail
    if answer.kind in ("exempt", "invalid"):
        with state.lock:
            state.rejections.append(
                {"title": answer.title, "detail": detail, "errorCode": answer.code, "errors": errors or []}
            )
    return _problem(status or answer.status, answer.title, detail, answer.code, errors)


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path, {"memo": MEMO})
    return found.text if found is not None else None


def _files(doc: etree._Element) -> list[tuple[str, str, bytes]]:
    out = []
    for f in doc.findall("memo:File", {"memo": MEMO}):
        out.append(
            (
                _text(f, "memo:filename") or "",
                _text(f, "memo:encodingFormat") or "",
                base64.b64decode(_text(f, "memo:content") or ""),
            )
        )
    return out


@dataclass
class _Verdict:
    """What the fake makes of one POST: the answer's name, its detail/errors, and the message read."""

    name: str
    detail: str | None = None
    errors: list[str] | None = None
    uuid: str = ""
    message: FakeMessage | None = None


def _judge(state: FakeState, raw: bytes, headers: dict[str, str], client_cert: str | None) -> _Verdict:
    """Read one ``kombi_request`` and decide the answer (no response built here)."""
    try:
        root = etree.fromstring(raw, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        return _Verdict("invalid_xml", detail=str(e))
    messages = root.findall(_q("Message"))
    if root.tag != "kombi_request" or root.findtext("KombiValgKode") != "Digital Post" or len(messages) != 1:
        return _Verdict("invalid_request")
    message = messages[0]
    schema = memo_schema()
    if not schema.validate(etree.ElementTree(message)):
        errors = [f"linje {e.line}: {e.message}" for e in schema.error_log]  # type: ignore[attr-defined]
        return _Verdict("invalid_memo", errors=errors)
    header = message.find(_q("MessageHeader"))
    assert header is not None  # the schema requires it
    recipient_id = _text(header, "memo:Recipient/memo:recipientID") or ""
    uuid = _text(header, "memo:messageUUID") or ""
    with state.lock:
        if recipient_id in state.exempt:
            return _Verdict("exempt")
        if any(m.uuid == uuid for m in state.messages):
            return _Verdict("accepted", uuid=uuid)  # a retry: accepted again, no second copy
    body = message.find(_q("MessageBody"))
    main = body.find(_q("MainDocument")) if body is not None else None
    if body is None or main is None:
        return _Verdict("no_main_document")
    main_files = _files(main)
    attachments = [f for doc in body.findall(_q("AdditionalDocument")) for f in _files(doc)]
    fake = FakeMessage(
        uuid=uuid,
        label=_text(header, "memo:label") or "",
        sender_id=_text(header, "memo:Sender/memo:senderID") or "",
        sender_type=_text(header, "memo:Sender/memo:idType") or "",
        sender_label=_text(header, "memo:Sender/memo:label") or "",
        recipient_id=recipient_id,
        recipient_type=_text(header, "memo:Recipient/memo:idType") or "",
        recipient_label=_text(header, "memo:Recipient/memo:label"),
        case_id=_text(header, "memo:ContentData/memo:CaseID/memo:caseID"),
        mandatory=_text(header, "memo:mandatory") == "true",
        main=main_files[0],
        attachments=main_files[1:] + attachments,
        xml=raw,
        headers=headers,
        client_cert=client_cert,
    )
    return _Verdict("accepted", uuid=uuid, message=fake)


def create_fake_digital_post(state: FakeState | None = None) -> Flask:
    """The fake as a Flask app; ``app.config["FAKE_STATE"]`` is its :class:`FakeState`."""
    state = state if state is not None else FakeState()
    app = Flask(__name__)
    app.config["FAKE_STATE"] = state
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    @app.after_request
    def record(resp: Response) -> Response:
        with state.lock:
            state.requests.append((request.method, request.path, resp.status_code))
        return resp

    @app.before_request
    def faults() -> Response | None:
        with state.lock:
            stall = state.timeout_seconds if state._timeouts > 0 else 0.0
            state._timeouts = max(0, state._timeouts - 1)
            fault = state._faults.pop(0) if state._faults else None
        if stall:
            state._wake.wait(stall)
        if fault is not None:
            return _answer(state, "unavailable" if fault == 503 else "injected", status=fault)
        return None

    @app.get("/service/PostForespoerg_1/digitalpost")
    def registered() -> Response:
        cpr, cvr = request.args.get("cprNumber"), request.args.get("cvrNumber")
        number = (cpr or cvr or "").strip()
        if not number.isdigit() or len(number) != (10 if cpr else 8):
            return _problem(400, "Bad Request", "cprNumber (10 cifre) eller cvrNumber (8 cifre) mangler")
        with state.lock:
            state.lookups.append(("cpr" if cpr else "cvr", number))
            return jsonify({"result": number not in state.exempt})

    @app.post("/service/KombiPostAfsend_1/memos")
    def send() -> Response:
        with state.lock:
            state.posts += 1
        verdict = _judge(
            state,
            request.get_data(),
            {k: v for k, v in request.headers.items()},
            request.environ.get("SSL_CLIENT_CERT"),
        )
        with state.lock:
            if verdict.name == "accepted":
                known = any(m.uuid == verdict.uuid for m in state.messages)
                if verdict.message is None or known:  # a retry, or a concurrent retry got there first
                    state.duplicates += 1
                else:
                    state.messages.append(verdict.message)
        return _answer(state, verdict.name, uuid=verdict.uuid, detail=verdict.detail, errors=verdict.errors)

    return app


class _QuietHandler(WSGIRequestHandler):
    """No access log: the registration check's query string holds a CPR number."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def make_fake_server(
    host: str, port: int, state: FakeState | None = None, *, ssl_context: ssl.SSLContext | None = None
) -> BaseWSGIServer:
    """A threaded werkzeug server for the fake (port 0: a free port); HTTPS with ``ssl_context`` (which may
    require a client certificate, as Serviceplatformen does)."""
    return make_server(
        host,
        port,
        create_fake_digital_post(state),
        threaded=True,
        request_handler=_QuietHandler,
        ssl_context=ssl_context,
    )


@contextmanager
def running_fake(
    state: FakeState | None = None, *, ssl_context: ssl.SSLContext | None = None
) -> Iterator[tuple[str, FakeState]]:
    """Run the fake on 127.0.0.1 on a free port in a background thread; yield ``(root_url, state)``.

    ``root_url`` ends with "/" and is what ``AKTFLOW_DIGITAL_POST_URL`` takes (``https://`` with
    ``ssl_context``).
    """
    state = state if state is not None else FakeState()
    state._wake.clear()
    server = make_fake_server("127.0.0.1", 0, state, ssl_context=ssl_context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        scheme = "https" if ssl_context is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_port}/", state
    finally:
        state.wake()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
