"""The transport to the SBSYS Web API: the HTTP connection, the OAuth2 token, the one retry after a refused
token, the errors and what may be said about a call (docs/domain.md §3).

:class:`SbsysTransport` knows nothing of cases or documents: it sends one call to a path under the
configured base URL with a bearer token and returns the answer, or raises :class:`SbsysError`, whose
``retryable`` says whether delivering the same call again later can help (network trouble, timeouts, 5xx,
429, a 401 that survived one token refresh) or not (other 4xx: the request itself is wrong). The calls
per case, document and reminder are in :mod:`aktflow.archive.sbsys_client`.

Nothing this module raises or logs carries a CPR number: server text and request details pass through
:func:`aktflow.screening.redact_cpr` (and the values a call names in ``secrets`` are masked explicitly),
and request and response bodies are never logged.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from ..errors import AktflowError
from ..screening import CPR_MASK, redact_cpr
from ..settings.sbsys import SbsysConfig

log = logging.getLogger("aktflow.sbsys")

TOKEN_MARGIN = 30.0  # seconds before expires_in at which a cached token is replaced
DEFAULT_EXPIRES_IN = 60.0  # when the token endpoint does not say
MESSAGE_LIMIT = 300  # characters of server text kept in an error message

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


# --- What may be said about a call ---------------------------------------------------------------------


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


# --- The transport -------------------------------------------------------------------------------------


class SbsysTransport:
    """A thread-safe connection to one SBSYS installation: HTTP, the cached OAuth2 token and the errors.

    ``transport`` is an optional httpx transport (tests); ``clock`` is the monotonic clock used for the
    token's lifetime (tests advance it instead of sleeping). ``close()`` it when done.
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

    def close(self) -> None:
        self._http.close()

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

    # -- calls --

    def _log(self, method: str, path: str, status: int | None, started: float) -> None:
        ms = (time.perf_counter() - started) * 1000
        log.info(
            "SBSYS %s %s -> %s (%.0f ms)",
            method,
            redact_cpr(path),
            status if status is not None else "no answer",
            ms,
        )

    def request(
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

    def read_json(self, resp: httpx.Response, method: str, path: str) -> Any:
        """The answer's JSON (None for an empty body); an answer that is not JSON is a :class:`SbsysError`."""
        if not resp.content.strip():
            return None
        try:
            return resp.json()
        except ValueError:
            raise SbsysError(resp.status_code, f"SBSYS {method} {path}: svaret er ikke JSON", False) from None

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        files: Mapping[str, Any] | None = None,
        secrets: tuple[str, ...] = (),
    ) -> Any:
        """:meth:`request` and :meth:`read_json` in one: the answer's JSON, or None for an empty body."""
        resp = self.request(method, path, json_body=json_body, files=files, secrets=secrets)
        return self.read_json(resp, method, path)


def _retry_after(resp: httpx.Response) -> float | None:
    raw = resp.headers.get("Retry-After")
    if not raw:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return None
