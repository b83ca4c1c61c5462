"""The Digital Post channel: a letter as a MeMo message through Serviceplatformen's SF1601 (docs/digital-post.md).

Digital Post is the public sector's mandatory channel to citizens (by CPR number) and companies (by CVR
number), Lov om Digital Post fra offentlige afsendere. A letter becomes one MeMo message: the label, the
municipality as sender (CVR), the recipient, the letter as the main document (PDF) and the release package
and other files as additional documents, and the case number as ``ContentData/CaseID``.

The message is built with the field's own library, ``python-serviceplatformen`` (its MeMo dataclasses and
their XML serialiser, ``python_serviceplatformen.models``). Its sending functions are not used: they post to
the hard-wired Serviceplatformen hosts with a fixed 10-second timeout, a fresh random transaction per call
and ``raise_for_status()`` (which loses the service's answer), so this module sends the same ``kombi_request``
itself with httpx to the configurable ``AKTFLOW_DIGITAL_POST_URL``, with the client certificate, and reads
the answer. Access tokens for the real service come from the library's ``KombitAccess`` (KOMBIT's token
service; ``AKTFLOW_DIGITAL_POST_AUTH``).

Idempotency: the message's ``messageUUID`` is derived from the sender, the case number and the dispatch id
(:func:`message_uuid`), so a retry after a timeout sends the same UUID and the service treats it as the
message it already has.

No CPR number leaves this module other than inside the request to the service: not in a log line, an
exception, ``DeliveryResult.detail`` or ``extra``, nor in the label (a label holding one is masked).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import ssl
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin
from xml.etree import ElementTree

import httpx

from aktflow.dispatch.channel import DeliveryResult, OutgoingLetter, Recipient, Status
from aktflow.exits import CprLogFilter, mask

__all__ = [
    "DEFAULT_TIMEOUT",
    "MEMO_NAMESPACE",
    "DigitalPostChannel",
    "DigitalPostConfig",
    "build_kombi_request",
    "build_message",
    "channel_from_settings",
    "message_uuid",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
MEMO_NAMESPACE = "https://DigitalPost.dk/MeMo-1"
SEND_PATH = "service/KombiPostAfsend_1/memos"
REGISTRATION_PATH = "service/PostForespoerg_1/digitalpost"
SEND_ENTITY_ID = "http://entityid.kombit.dk/service/kombipostafsend/1"
REGISTRATION_ENTITY_ID = "http://entityid.kombit.dk/service/postforespoerg/1"
CASE_SYSTEM = "aktflow"

# The namespace of aktflow's message UUIDs (uuid5 of this URL's namespace and a fixed name).
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://aktflow/dispatch/digital-post")
# Error codes and words in the service's answer that mean "this recipient cannot get Digital Post".
_EXEMPT_CODES = {"RECIPIENT_EXEMPT", "RECIPIENT_NOT_REGISTERED", "MODTAGER_FRITAGET"}
_EXEMPT_WORDS = re.compile(r"fritage|exempt|not registered|ikke tilmeldt", re.IGNORECASE)
_MAX_DETAIL = 300

Auth = Literal["kombit", "kombit-test", "none"]


def message_uuid(dispatch_id: int, *, sender_cvr: str, case_number: str) -> str:
    """The MeMo ``messageUUID`` of one dispatch: the same for every attempt, so a retry is not a second letter.

    Derived with uuid5 from the sender's CVR, the case number and ``dispatch_id``, then written as a
    version-4 UUID (the version and variant bits set), because MeMo's schema accepts only that pattern
    (``xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx``). Returns the lowercase string form.
    """
    digest = uuid.uuid5(_UUID_NAMESPACE, f"{sender_cvr}:{case_number}:{int(dispatch_id)}")
    return str(uuid.UUID(bytes=digest.bytes, version=4))


@dataclass(frozen=True)
class DigitalPostConfig:
    """The Digital Post connection, from the ``AKTFLOW_DIGITAL_POST_*`` settings.

    ``url`` is Serviceplatformen's root (the SF1601 and PostForespoerg paths are joined to it);
    ``cert`` a PEM file with the system certificate and its private key (TLS client authentication, and
    for ``auth`` ``kombit``/``kombit-test`` the key that KOMBIT's token service binds the token to);
    ``sender_cvr`` the municipality's 8-digit CVR number; ``timeout`` seconds per call.
    """

    url: str
    sender_cvr: str
    sender_name: str = "Kommunen"
    cert: Path | None = None
    auth: Auth = "kombit"
    timeout: float = DEFAULT_TIMEOUT
    verify: bool | str = (
        True  # True: the system's CAs; a path: a CA bundle (tests); never False in production
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digits(value: str | None) -> str:
    return "".join(c for c in (value or "") if c.isdigit())


def _recipient_id(recipient: Recipient) -> tuple[str, Literal["CPR", "CVR"]] | None:
    cpr, cvr = _digits(recipient.cpr), _digits(recipient.cvr)
    if len(cpr) == 10:
        return cpr, "CPR"
    if len(cvr) == 8:
        return cvr, "CVR"
    return None


def build_message(
    letter: OutgoingLetter, *, sender_cvr: str, sender_name: str, created: dt.datetime | None = None
) -> Any:
    """The MeMo message of ``letter`` as ``python_serviceplatformen.models.message.Message``.

    The header carries the label (CPR numbers masked), ``mandatory`` true (obligatory Digital Post from a
    public authority), the sender by CVR and the recipient by CPR (or CVR when there is no CPR), and the
    case number as ``ContentData/CaseID``; the body the letter as main document and each attachment as an
    additional document, in the letter's order, base64-encoded with their MIME types. ``created`` (UTC,
    default now) is the body's ``createdDateTime``. Raises ``ValueError`` when the recipient has neither a
    10-digit CPR nor an 8-digit CVR number (the message says so without the number).
    """
    from python_serviceplatformen.models import message as memo

    ident = _recipient_id(letter.recipient)
    if ident is None:
        raise ValueError("Modtageren har hverken et CPR- eller et CVR-nummer til Digital Post")
    recipient_id, id_type = ident
    created = (created or _now()).astimezone(dt.UTC)

    def file(att: Any) -> Any:
        import base64

        return memo.File(
            encodingFormat=att.mime,
            filename=mask(att.filename)[:256],
            language="da",
            content=base64.b64encode(att.content).decode("ascii"),
        )

    label = mask(letter.label).strip()[:256] or "Brev"
    return memo.Message(
        messageHeader=memo.MessageHeader(
            messageType="DIGITALPOST",
            messageUUID=message_uuid(
                letter.dispatch_id, sender_cvr=sender_cvr, case_number=letter.case_number
            ),
            messageID=str(letter.dispatch_id),
            label=label,
            mandatory=True,
            legalNotification=False,
            sender=memo.Sender(senderID=sender_cvr, idType="CVR", label=sender_name[:256]),
            recipient=memo.Recipient(
                recipientID=recipient_id, idType=id_type, label=mask(letter.recipient.name)[:256] or None
            ),
            contentData=memo.ContentData(
                caseID=memo.CaseID(caseID=mask(letter.case_number)[:256], caseSystem=CASE_SYSTEM)
            ),
        ),
        messageBody=memo.MessageBody(
            createdDateTime=created.replace(tzinfo=None),
            mainDocument=memo.MainDocument(
                mainDocumentID=str(letter.dispatch_id),
                label=label,
                files=(file(letter.main_document),),
            ),
            additionalDocuments=tuple(
                memo.AdditionalDocument(
                    additionalDocumentID=f"{letter.dispatch_id}-{n}",
                    label=mask(att.filename)[:256],
                    files=(file(att),),
                )
                for n, att in enumerate(letter.attachments, start=1)
            )
            or None,
        ),
    )


def build_kombi_request(message: Any) -> bytes:
    """SF1601's request body for a MeMo message: ``<kombi_request>`` with ``KombiValgKode`` "Digital Post"
    and the ``memo:Message``, as UTF-8 XML bytes (the same body the library's ``send_message`` posts)."""
    from python_serviceplatformen.models import xml_util

    element = ElementTree.Element("kombi_request")
    ElementTree.SubElement(element, "KombiValgKode").text = "Digital Post"
    element.append(xml_util.dataclass_to_xml(message))
    return ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)


def _masked_detail(text: str) -> str:
    text = " ".join(mask(text).split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def _problem(response: httpx.Response) -> tuple[str, str]:
    """(error code, Danish-or-service text) from an error answer: JSON problem details or plain text."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return "", _masked_detail(response.text or "")
    if not isinstance(body, dict):
        return "", _masked_detail(str(body))
    code = str(body.get("errorCode") or body.get("code") or "")
    parts = [str(body[k]) for k in ("title", "detail") if body.get(k)]
    errors = body.get("errors")
    if isinstance(errors, list):
        parts += [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:3]]
    return code, _masked_detail("; ".join(parts))


class DigitalPostChannel:
    """Sends letters by Digital Post (SF1601) and checks registration (PostForespoerg); see the module doc.

    Thread-safe; one instance per process is enough. ``transport`` replaces httpx's network transport (tests).
    """

    name: Literal["digital_post"] = "digital_post"

    def __init__(self, config: DigitalPostConfig, *, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._transport = transport
        self._client: httpx.Client | None = None
        self._kombit: Any = None
        self._lock = threading.Lock()
        _guard_http_logs()

    # -- plumbing --

    def _http(self) -> httpx.Client:
        """The shared HTTP client; raises ``OSError``/``ssl.SSLError`` when the certificate cannot be read."""
        with self._lock:
            if self._client is None:
                verify: Any = self.config.verify
                if isinstance(verify, str) or self.config.cert is not None:
                    context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
                    if self.config.cert is not None:
                        context.load_cert_chain(str(self.config.cert))
                    verify = context
                self._client = httpx.Client(
                    verify=verify,
                    timeout=httpx.Timeout(self.config.timeout),
                    transport=self._transport,
                    follow_redirects=False,
                )
            return self._client

    def _authorization(self, entity_id: str) -> dict[str, str]:
        """The ``authorization`` header for the service ``entity_id`` (none with ``auth`` ``none``)."""
        if self.config.auth == "none":
            return {}
        with self._lock:
            if self._kombit is None:
                from python_serviceplatformen.authentication import KombitAccess

                self._kombit = KombitAccess(
                    cvr=self.config.sender_cvr,
                    cert_path=str(self.config.cert),
                    test=self.config.auth == "kombit-test",
                )
            kombit = self._kombit
        return {"authorization": kombit.get_access_token(entity_id)}

    def _headers(self, entity_id: str) -> dict[str, str]:
        headers = {
            "X-TransaktionsId": str(uuid.uuid4()),
            "X-TransaktionsTid": _now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        headers.update(self._authorization(entity_id))
        return headers

    def close(self) -> None:
        """Close the HTTP connections (a later call opens new ones)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # -- the channel --

    def send(self, letter: OutgoingLetter) -> DeliveryResult:
        """Send ``letter`` as one MeMo message; never raises for the service's answer.

        ``delivered`` when the service accepts the message (HTTP 200/201; also for a repeated
        ``messageUUID``, which the service keeps once), ``sent`` for 202 (accepted for later processing),
        ``exempt`` when the recipient is exempt from or not registered for Digital Post (send by print),
        ``rejected`` for an invalid message, a missing CPR/CVR number or refused access (403),
        ``temporary_error`` for timeouts, connection errors, 401 (the token is fetched anew), 408, 429 and
        5xx. ``reference`` is the messageUUID; ``extra`` holds ``transaction_id`` and ``http_status``.
        """
        cfg = self.config
        try:
            message = build_message(letter, sender_cvr=cfg.sender_cvr, sender_name=cfg.sender_name)
        except ValueError as e:
            return DeliveryResult("rejected", _now(), detail=_masked_detail(str(e)))
        reference = message.messageHeader.messageUUID
        body = build_kombi_request(message)
        try:
            headers = self._headers(SEND_ENTITY_ID)
        except Exception as e:  # noqa: BLE001 - the token service's failure is the channel's answer
            log.warning(
                "Digital Post: ingen adgangsbillet (forsendelse %s): %s", letter.dispatch_id, type(e).__name__
            )
            return DeliveryResult(
                "temporary_error",
                _now(),
                reference=reference,
                detail="Adgangsbillet til Serviceplatformen kunne ikke hentes (certifikat eller serviceaftale?)",
            )
        headers["Content-Type"] = "application/xml; charset=utf-8"
        extra = {"transaction_id": headers["X-TransaktionsId"]}
        try:
            client = self._http()
        except (OSError, ssl.SSLError) as e:
            log.warning("Digital Post: certifikatet kunne ikke læses: %s", type(e).__name__)
            return DeliveryResult(
                "temporary_error",
                _now(),
                reference=reference,
                detail="Certifikatet til Digital Post kunne ikke læses (AKTFLOW_DIGITAL_POST_CERT)",
                extra=extra,
            )
        try:
            response = client.post(urljoin(cfg.url, SEND_PATH), content=body, headers=headers)
        except httpx.TimeoutException:
            log.info("Digital Post: tidsudløb for forsendelse %s", letter.dispatch_id)
            return DeliveryResult(
                "temporary_error",
                _now(),
                reference=reference,
                detail=f"Digital Post svarede ikke inden for {cfg.timeout:g} sekunder",
                extra=extra,
            )
        except (httpx.HTTPError, ssl.SSLError, OSError) as e:
            log.info(
                "Digital Post: forbindelsesfejl for forsendelse %s: %s", letter.dispatch_id, type(e).__name__
            )
            return DeliveryResult(
                "temporary_error",
                _now(),
                reference=reference,
                detail="Ingen forbindelse til Digital Post",
                extra=extra,
            )
        result = self._result(response, reference, extra)
        log.info(
            "Digital Post: forsendelse %s -> %s (HTTP %s)",
            letter.dispatch_id,
            result.status,
            response.status_code,
        )
        return result

    def _result(self, response: httpx.Response, reference: str, extra: dict[str, str]) -> DeliveryResult:
        status = response.status_code
        extra = {**extra, "http_status": str(status)}
        at = _now()
        if status in (200, 201):
            return DeliveryResult(
                "delivered", at, reference=reference, detail="Modtaget af Digital Post", extra=extra
            )
        if status == 202:
            return DeliveryResult(
                "sent", at, reference=reference, detail="Afleveret til Digital Post", extra=extra
            )
        code, text = _problem(response)
        if status == 401:
            with self._lock:
                self._kombit = None  # fetch a new token next time
            outcome: Status = "temporary_error"
            detail = "Digital Post afviste adgangsbilletten; prøver igen med en ny"
        elif status in (408, 429) or status >= 500:
            outcome = "temporary_error"
            detail = f"Digital Post er midlertidigt utilgængelig (HTTP {status})"
        elif code.upper() in _EXEMPT_CODES or _EXEMPT_WORDS.search(text):
            outcome = "exempt"
            detail = "Modtageren er fritaget for eller ikke tilmeldt Digital Post: send brevet med post"
        elif status == 403:
            outcome = "rejected"
            detail = "Digital Post nægtede adgang: tjek certifikatet og serviceaftalen"
        else:
            outcome = "rejected"
            detail = f"Digital Post afviste brevet (HTTP {status})"
        if text:
            detail = _masked_detail(f"{detail}: {text}")
        if code:
            extra["error_code"] = _masked_detail(code)
        return DeliveryResult(outcome, at, reference=reference, detail=detail, extra=extra)

    def is_registered(self, recipient: Recipient) -> bool | None:
        """Whether ``recipient`` can receive Digital Post (PostForespoerg ``digitalpost``).

        True: registered (not exempt); False: exempt or not registered (send by print); None: unknown
        (no CPR/CVR number, or the service did not answer clearly). Never raises for the service's answer.
        """
        ident = _recipient_id(recipient)
        if ident is None:
            return None
        number, id_type = ident
        param = "cprNumber" if id_type == "CPR" else "cvrNumber"
        try:
            headers = self._headers(REGISTRATION_ENTITY_ID)
            response = self._http().get(
                urljoin(self.config.url, REGISTRATION_PATH), params={param: number}, headers=headers
            )
        except Exception as e:  # noqa: BLE001 - any failure means "unknown"
            log.info("Digital Post: tilmeldingsopslag mislykkedes: %s", type(e).__name__)
            return None
        if response.status_code != 200:
            log.info("Digital Post: tilmeldingsopslag gav HTTP %s", response.status_code)
            return None
        try:
            result = response.json().get("result")
        except (ValueError, AttributeError):
            return None
        return result if isinstance(result, bool) else None


_HTTP_LOGGERS = ("httpx", "httpcore", "urllib3", "urllib3.connectionpool", "requests")
_guard_lock = threading.Lock()


def _guard_http_logs() -> None:
    """Mask CPR numbers in the HTTP libraries' own log lines (httpx logs each request's URL, which for the
    registration check holds the CPR number as the service requires)."""
    with _guard_lock:
        for name in _HTTP_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, CprLogFilter) for f in logger.filters):
                logger.addFilter(CprLogFilter())


def channel_from_settings(settings: Any = None) -> DigitalPostChannel | None:
    """The Digital Post channel from the ``AKTFLOW_DIGITAL_POST_*`` settings, or None when
    ``AKTFLOW_DIGITAL_POST_URL`` is unset. ``settings`` defaults to :func:`aktflow.config.load_settings`
    (which raises ``SettingsError`` naming a missing CVR number or certificate)."""
    if settings is None:
        from aktflow.config import load_settings

        settings = load_settings()
    if not settings.digital_post_url:
        return None
    url = settings.digital_post_url
    return DigitalPostChannel(
        DigitalPostConfig(
            url=url if url.endswith("/") else url + "/",
            sender_cvr=settings.digital_post_sender_cvr,
            sender_name=settings.digital_post_sender_name,
            cert=settings.digital_post_cert,
            auth=settings.digital_post_auth,
            timeout=settings.digital_post_timeout,
        )
    )
