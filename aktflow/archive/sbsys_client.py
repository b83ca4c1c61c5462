"""HTTP client for the SBSYS Web API (docs/domain.md §3): OAuth2 token, parties, cases, documents, reminders.

The only module that knows SBSYS's URL paths and JSON shapes. There is no official public reference for the
API; the shapes follow municipalities' own public client code and are tested against the local fake in
:mod:`devtools.fake_sbsys` (in the source tree, not installed).

Use it from the outbox, after commit, never inside a unit of work: every method does network I/O and may
raise :class:`SbsysError`. ``error.retryable`` says whether delivering the same call again later can help
(network trouble, timeouts, 5xx, 429, a 401 that survived one token refresh) or not (other 4xx: the request
itself is wrong, e.g. an unknown template or case).

Nothing this module raises or logs carries a CPR number: server text and request details pass through
:func:`aktflow.screening.redact_cpr` (and the CPR number a call was made with is masked explicitly), and
request and response bodies are never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

import httpx

from ..config import (
    ENV_BASE_URL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_PASSWORD,
    ENV_TEMPLATE_ID,
    ENV_TEMPLATES,
    ENV_TIMEOUT,
    ENV_TOKEN_URL,
    ENV_USERNAME,
    SbsysConfig,
    SbsysConfigError,
)
from ..errors import AktflowError
from ..screening import CPR_MASK, redact_cpr

__all__ = [
    "ENV_BASE_URL",
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_PASSWORD",
    "ENV_TEMPLATES",
    "ENV_TEMPLATE_ID",
    "ENV_TIMEOUT",
    "ENV_TOKEN_URL",
    "ENV_USERNAME",
    "PartType",
    "SbsysClient",
    "SbsysConfig",
    "SbsysConfigError",
    "SbsysError",
]

log = logging.getLogger("aktflow.sbsys")

TOKEN_MARGIN = 30.0  # seconds before expires_in at which a cached token is replaced
DEFAULT_EXPIRES_IN = 60.0  # when the token endpoint does not say
MESSAGE_LIMIT = 300  # characters of server text kept in an error message

PartType = Literal["Person", "Firma"]
_CPR_DIGITS = re.compile(r"\D")


# --- Errors --------------------------------------------------------------------------------------------


class SbsysError(AktflowError):
    """A call to SBSYS failed.

    ``status`` is the HTTP status (None for network errors and timeouts); ``retryable`` says whether the
    outbox should try the same call again later; ``retry_after`` is the server's Retry-After in seconds,
    when it sent one. The message never holds a CPR number.
    """

    http_status = 502

    def __init__(
        self, status: int | None, message: str, retryable: bool, *, retry_after: float | None = None
    ):
        message = redact_cpr(message)
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"SbsysError(status={self.status!r}, message={self.message!r}, retryable={self.retryable!r})"


# --- Helpers -------------------------------------------------------------------------------------------


def _id_value(value: str | int) -> str | int:
    """SBSYS ids are integers in the installations seen; send digits as a JSON number, anything else as is."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _first_id(body: Any, *keys: str) -> str | None:
    """The first item's id from a search answer (a list, or an object wrapping one)."""
    items = body
    if isinstance(body, dict):
        for key in ("Results", "results", "Items", "items", "Data", "data", "Value", "value"):
            if isinstance(body.get(key), list):
                items = body[key]
                break
        else:
            items = [body] if any(k in body for k in keys) else []
    if not isinstance(items, list):
        return None
    for item in items:
        if isinstance(item, dict):
            for key in keys:
                if item.get(key) not in (None, ""):
                    return str(item[key])
    return None


def _server_message(resp: httpx.Response) -> str:
    """SBSYS's (or Keycloak's) own words for an error, from the JSON body or the text."""
    text = ""
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = []
        for key in (
            "Message",
            "message",
            "error",
            "title",
            "error_description",
            "ExceptionMessage",
            "detail",
        ):
            value = body.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in parts:
                parts.append(value.strip())
        text = ": ".join(parts)
    if not text:
        text = resp.text[:10_000].strip()
    return text or (resp.reason_phrase or "")


class _Scrub:
    """Masks CPR numbers in text: the ones :func:`redact_cpr` finds and the ones a call was made with."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        forms: set[str] = set()
        for secret in secrets:
            digits = _CPR_DIGITS.sub("", secret)
            if len(digits) == 10:
                forms.update({digits, f"{digits[:6]}-{digits[6:]}", f"{digits[:6]} {digits[6:]}"})
            if secret.strip():
                forms.add(secret.strip())
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str, limit: int | None = None) -> str:
        for form in self.forms:
            text = text.replace(form, CPR_MASK)
        # Redact, make it one line, redact again (joining lines can form a number); cut only after that.
        text = redact_cpr(" ".join(redact_cpr(text).split()))
        if limit is not None and len(text) > limit:
            text = text[: limit - 1].rstrip() + "…"
        return text


# --- The client ----------------------------------------------------------------------------------------


class SbsysClient:
    """A thread-safe client for one SBSYS installation. Build one per process and share it; ``close()`` it.

    ``transport`` is an optional httpx transport (tests); ``clock`` is the monotonic clock used for the
    token's lifetime (tests advance it instead of sleeping).
    """

    def __init__(
        self,
        config: SbsysConfig,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self._base = config.base_url.rstrip("/") + "/"
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(config.timeout),
            headers={"Accept": "application/json", "User-Agent": "aktflow-sbsys"},
            follow_redirects=False,
        )
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._token_expires = 0.0

    # -- lifecycle --

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SbsysClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        """The absolute URL of an API path (``"api/sag/template"``) under the configured base URL."""
        return self._base + path.lstrip("/")

    # -- token --

    def _access_token(self, *, stale: str | None = None) -> str:
        """The cached token, or a new one when none is cached, it is about to expire, or it is ``stale``.

        ``stale`` is a token SBSYS just refused: if another thread has already replaced it, that
        replacement is used instead of asking again.
        """
        with self._lock:
            if self._token and self._token != stale and self._clock() < self._token_expires:
                return self._token
            self._token = None
            token, expires_in = self._fetch_token()
            margin = min(TOKEN_MARGIN, expires_in / 2)
            self._token = token
            self._token_expires = self._clock() + expires_in - margin
            return token

    def _fetch_token(self) -> tuple[str, float]:
        cfg = self.config
        form = {"grant_type": cfg.grant_type, "client_id": cfg.client_id, "client_secret": cfg.client_secret}
        if cfg.username:
            form["username"] = cfg.username
            form["password"] = cfg.password or ""
        scrub = _Scrub()
        what = "SBSYS-login"
        started = time.perf_counter()
        try:
            resp = self._http.post(cfg.token_url, data=form, headers={"Accept": "application/json"})
        except httpx.TimeoutException:
            self._log("POST", "token", None, started)
            raise SbsysError(None, f"{what}: ingen svar inden {cfg.timeout:g} s", True) from None
        except httpx.TransportError as exc:
            self._log("POST", "token", None, started)
            raise SbsysError(
                None,
                f"{what}: kunne ikke forbinde ({scrub(type(exc).__name__ + ': ' + str(exc), MESSAGE_LIMIT)})",
                True,
            ) from None
        self._log("POST", "token", resp.status_code, started)
        if not resp.is_success:
            status = resp.status_code
            retryable = status >= 500 or status == 429
            raise SbsysError(
                status,
                f"{what} afvist ({status}): {scrub(_server_message(resp), MESSAGE_LIMIT)}",
                retryable,
                retry_after=_retry_after(resp),
            )
        try:
            body = resp.json()
            token = body["access_token"]
            if not isinstance(token, str) or not token:
                raise KeyError("access_token")
        except (ValueError, KeyError, TypeError):
            raise SbsysError(
                resp.status_code, f"{what}: svaret indeholder ingen access_token", False
            ) from None
        try:
            expires_in = float(body.get("expires_in", DEFAULT_EXPIRES_IN))
        except (TypeError, ValueError):
            expires_in = DEFAULT_EXPIRES_IN
        return token, max(expires_in, 0.0)

    # -- transport --

    def _log(self, method: str, path: str, status: int | None, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        log.info(
            "SBSYS %s %s -> %s (%.0f ms)",
            method,
            redact_cpr(path),
            status if status is not None else "no answer",
            ms,
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> httpx.Response:
        """One API call with the bearer token; on a 401 the token is refreshed once and the call repeated once."""
        scrub = _Scrub(secrets)
        where = f"SBSYS {method} {scrub(path)}"
        token = self._access_token()
        resp = self._send(method, path, token, json_body, data, files, where)
        if resp.status_code == 401:
            token = self._access_token(stale=token)
            resp = self._send(method, path, token, json_body, data, files, where)
        if resp.is_success:
            return resp
        status = resp.status_code
        retryable = status >= 500 or status in (401, 408, 429)
        raise SbsysError(
            status,
            f"{where} fejlede ({status}): {scrub(_server_message(resp), MESSAGE_LIMIT)}",
            retryable,
            retry_after=_retry_after(resp),
        )

    def _send(self, method, path, token, json_body, data, files, where) -> httpx.Response:
        started = time.perf_counter()
        try:
            resp = self._http.request(
                method,
                self.url(path),
                json=json_body,
                data=data,
                files=files,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.TimeoutException:
            self._log(method, path, None, started)
            raise SbsysError(None, f"{where}: intet svar inden {self.config.timeout:g} s", True) from None
        except httpx.TransportError as exc:
            self._log(method, path, None, started)
            detail = _Scrub()(f"{type(exc).__name__}: {exc}", MESSAGE_LIMIT)
            raise SbsysError(None, f"{where}: kunne ikke forbinde ({detail})", True) from None
        self._log(method, path, resp.status_code, started)
        return resp

    def _json(self, resp: httpx.Response, method: str, path: str) -> Any:
        if not resp.content.strip():
            return None
        try:
            return resp.json()
        except ValueError:
            raise SbsysError(resp.status_code, f"SBSYS {method} {path}: svaret er ikke JSON", False) from None

    # -- parties and users --

    def find_person(self, cpr: str) -> str | None:
        """The SBSYS party id of the person with this CPR number, or None when SBSYS does not know them."""
        path = "api/person/search"
        resp = self._request("POST", path, json_body={"CprNummer": cpr}, secrets=(cpr,))
        return _first_id(self._json(resp, "POST", path), "Id", "PartId")

    def find_company(self, cvr: str) -> str | None:
        """The SBSYS party id of the firm with this CVR number, or None."""
        path = "api/firma/search"
        resp = self._request("POST", path, json_body={"CvrNummer": cvr})
        return _first_id(self._json(resp, "POST", path), "Id", "PartId")

    def find_user(self, logon_id: str) -> str | None:
        """The SBSYS user id (for ``SagsBehandlerID``) of the user with this logon, or None.

        ``POST api/bruger/search {"LogonId": ...}`` is the user lookup of the installations seen; it is the
        part of the API most likely to differ between installations (some search by e-mail or ``Navn``, or
        expose ``GET api/bruger/...``). Change it here, in one place, if yours does.
        """
        path = "api/bruger/search"
        resp = self._request("POST", path, json_body={"LogonId": logon_id})
        return _first_id(self._json(resp, "POST", path), "Id")

    # -- cases --

    def create_case(
        self,
        *,
        title: str,
        template_id: str | int,
        caseworker_id: str | int | None,
        party: tuple[str | int, PartType] | None,
        emne: str,
        facet: str,
    ) -> dict[str, Any]:
        """Create a case from a case template (``POST api/sag/template``); the case JSON (``Id``, ``Nummer``, …).

        Not idempotent: a retry after a timeout may create a second case. Look for the first one with
        :meth:`search_cases` (by title) before creating again.
        """
        body: dict[str, Any] = {"SagsTitel": title, "SkabelonId": _id_value(template_id)}
        if caseworker_id is not None:
            body["SagsBehandlerID"] = _id_value(caseworker_id)
        if party is not None:
            party_id, party_type = party
            if party_type not in ("Person", "Firma"):
                raise ValueError(f"party type must be 'Person' or 'Firma', not {party_type!r}")
            primary = {"PartId": _id_value(party_id), "PartType": party_type}
            body["PrimaryPart"] = primary
            body["Parts"] = [dict(primary)]
        body["EmneplanNummer"] = emne
        body["Facet"] = facet
        path = "api/sag/template"
        case = self._json(self._request("POST", path, json_body=body), "POST", path)
        if not isinstance(case, dict) or case.get("Id") in (None, ""):
            raise SbsysError(200, f"SBSYS POST {path}: svaret indeholder ingen sag (Id mangler)", False)
        return case

    def get_case(self, case_id: str | int) -> dict[str, Any]:
        """The case JSON (``GET api/sag/{id}``); a missing case is an :class:`SbsysError` with status 404."""
        path = f"api/sag/{case_id}"
        return self._json(self._request("GET", path), "GET", path)

    def search_cases(self, **criteria: Any) -> list[dict[str, Any]]:
        """Cases matching the criteria (``POST api/sag/search``), e.g. ``Nummer="15.17.12-A53-36-26"`` or ``SagsTitel=...``."""
        path = "api/sag/search"
        body = self._json(self._request("POST", path, json_body=criteria), "POST", path)
        if isinstance(body, dict):
            for key in ("Results", "results", "Items", "items", "Data", "data"):
                if isinstance(body.get(key), list):
                    return body[key]
        return body if isinstance(body, list) else []

    # -- documents --

    def journalise(
        self,
        *,
        case_id: str | int,
        name: str,
        description: str,
        filename: str,
        content: bytes,
        content_type: str,
    ) -> dict[str, Any]:
        """Journalise a document on a case, marked as covered by the request (``OmfattetAfAktindsigt``).

        Multipart ``POST api/dokument/journaliser`` with a ``json`` part and a ``file`` part. Not idempotent.
        """
        meta = {
            "SagID": _id_value(case_id),
            "DokumentNavn": name,
            "Beskrivelse": description,
            "OmfattetAfAktindsigt": True,
        }
        files = {
            "json": (None, json.dumps(meta, ensure_ascii=False).encode("utf-8"), "application/json"),
            "file": (filename, content, content_type or "application/octet-stream"),
        }
        path = "api/dokument/journaliser"
        body = self._json(self._request("POST", path, files=files), "POST", path)
        return body if isinstance(body, dict) else {"result": body}

    def search_documents(self, *, case_id: str | int, description: str) -> list[dict[str, Any]]:
        """Documents on a case with this description (``POST api/dokument/search``).

        Used before a retried journalising: a document that reached SBSYS before a crash is found by its
        description, which carries aktflow's letter reference, and not sent again.
        """
        path = "api/dokument/search"
        crit = {"SagID": _id_value(case_id), "Beskrivelse": description}
        body = self._json(self._request("POST", path, json_body=crit), "POST", path)
        return body if isinstance(body, list) else []

    def search_reminders(self, *, case_id: str | int, name: str) -> list[dict[str, Any]]:
        """Reminders on a case with this name (``POST api/erindring/search``)."""
        path = "api/erindring/search"
        body = self._json(
            self._request("POST", path, json_body={"SagId": _id_value(case_id), "Navn": name}), "POST", path
        )
        return body if isinstance(body, list) else []

    # -- status and reminders --

    def status_list(self) -> list[dict[str, Any]]:
        """The installation's case statuses (``GET api/sag/sagStatusList``): ``[{"Id", "Navn"}, ...]``."""
        path = "api/sag/sagStatusList"
        body = self._json(self._request("GET", path), "GET", path)
        return body if isinstance(body, list) else []

    def set_status(self, case_id: str | int, status_id: str | int, comment: str) -> None:
        """Change a case's status (``PUT api/sag/{id}/status``)."""
        path = f"api/sag/{case_id}/status"
        self._request("PUT", path, json_body={"SagsStatusID": _id_value(status_id), "Kommentar": comment})

    def add_reminder(
        self, *, case_id: str | int, name: str, description: str, deadline: dt.date
    ) -> dict[str, Any]:
        """Add a reminder (erindring) with a deadline to a case (``POST api/erindring``)."""
        if isinstance(deadline, dt.datetime):
            when = deadline.replace(microsecond=0).isoformat()
        else:
            when = f"{deadline.isoformat()}T00:00:00"
        payload = {
            "SagId": _id_value(case_id),
            "Navn": name,
            "Beskrivelse": description,
            "HarDeadline": True,
            "Deadline": when,
        }
        path = "api/erindring"
        body = self._json(self._request("POST", path, json_body=payload), "POST", path)
        return body if isinstance(body, dict) else {}


def _retry_after(resp: httpx.Response) -> float | None:
    raw = resp.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return None
