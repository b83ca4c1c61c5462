"""The SBSYS Web API's calls (docs/domain.md §3): parties, users, cases, documents, statuses, reminders.

The only module that knows SBSYS's URL paths and JSON shapes. There is no official public reference for the
API; the shapes follow municipalities' own public client code and are tested against the local fake in
:mod:`devtools.fake_sbsys` (in the source tree, not installed). The HTTP connection, the OAuth2 token, the
retry after a refused token and the errors are the transport's, :mod:`aktflow.archive.sbsys_transport`.

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
import time
from collections.abc import Callable
from typing import Any, Literal

import httpx

from ..settings.sbsys import (
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
from .sbsys_transport import SbsysError, SbsysTransport

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
    "SbsysTransport",
]

PartType = Literal["Person", "Firma"]


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


# --- The client ----------------------------------------------------------------------------------------


class SbsysClient:
    """A thread-safe client for one SBSYS installation. Build one per process and share it; ``close()`` it.

    ``transport`` is an optional httpx transport (tests); ``clock`` is the monotonic clock used for the
    token's lifetime (tests advance it instead of sleeping). Both go to the :class:`SbsysTransport` the
    client sends its calls through.
    """

    def __init__(
        self,
        config: SbsysConfig,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.config = config
        self._conn = SbsysTransport(config, transport, clock=clock)

    # -- lifecycle --

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SbsysClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, path: str) -> str:
        """The absolute URL of an API path (``"api/sag/template"``) under the configured base URL."""
        return self._conn.url(path)

    # -- parties and users --

    def find_person(self, cpr: str) -> str | None:
        """The SBSYS party id of the person with this CPR number, or None when SBSYS does not know them."""
        path = "api/person/search"
        body = self._conn.call("POST", path, json_body={"CprNummer": cpr}, secrets=(cpr,))
        return _first_id(body, "Id", "PartId")

    def find_company(self, cvr: str) -> str | None:
        """The SBSYS party id of the firm with this CVR number, or None."""
        path = "api/firma/search"
        return _first_id(self._conn.call("POST", path, json_body={"CvrNummer": cvr}), "Id", "PartId")

    def find_user(self, logon_id: str) -> str | None:
        """The SBSYS user id (for ``SagsBehandlerID``) of the user with this logon, or None.

        ``POST api/bruger/search {"LogonId": ...}`` is the user lookup of the installations seen; it is the
        part of the API most likely to differ between installations (some search by e-mail or ``Navn``, or
        expose ``GET api/bruger/...``). Change it here, in one place, if yours does.
        """
        path = "api/bruger/search"
        return _first_id(self._conn.call("POST", path, json_body={"LogonId": logon_id}), "Id")

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
        case = self._conn.call("POST", path, json_body=body)
        if not isinstance(case, dict) or case.get("Id") in (None, ""):
            raise SbsysError(200, f"SBSYS POST {path}: svaret indeholder ingen sag (Id mangler)", False)
        return case

    def get_case(self, case_id: str | int) -> dict[str, Any]:
        """The case JSON (``GET api/sag/{id}``); a missing case is an :class:`SbsysError` with status 404."""
        path = f"api/sag/{case_id}"
        return self._conn.call("GET", path)

    def search_cases(self, **criteria: Any) -> list[dict[str, Any]]:
        """Cases matching the criteria (``POST api/sag/search``), e.g. ``Nummer="15.17.12-A53-36-26"`` or ``SagsTitel=...``."""
        path = "api/sag/search"
        body = self._conn.call("POST", path, json_body=criteria)
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
        body = self._conn.call("POST", path, files=files)
        return body if isinstance(body, dict) else {"result": body}

    def search_documents(self, *, case_id: str | int, description: str) -> list[dict[str, Any]]:
        """Documents on a case with this description (``POST api/dokument/search``).

        Used before a retried journalising: a document that reached SBSYS before a crash is found by its
        description, which carries aktflow's letter reference, and not sent again.
        """
        path = "api/dokument/search"
        crit = {"SagID": _id_value(case_id), "Beskrivelse": description}
        body = self._conn.call("POST", path, json_body=crit)
        return body if isinstance(body, list) else []

    def search_reminders(self, *, case_id: str | int, name: str) -> list[dict[str, Any]]:
        """Reminders on a case with this name (``POST api/erindring/search``)."""
        path = "api/erindring/search"
        body = self._conn.call("POST", path, json_body={"SagId": _id_value(case_id), "Navn": name})
        return body if isinstance(body, list) else []

    # -- status and reminders --

    def status_list(self) -> list[dict[str, Any]]:
        """The installation's case statuses (``GET api/sag/sagStatusList``): ``[{"Id", "Navn"}, ...]``."""
        path = "api/sag/sagStatusList"
        body = self._conn.call("GET", path)
        return body if isinstance(body, list) else []

    def set_status(self, case_id: str | int, status_id: str | int, comment: str) -> None:
        """Change a case's status (``PUT api/sag/{id}/status``)."""
        path = f"api/sag/{case_id}/status"
        self._conn.request(
            "PUT", path, json_body={"SagsStatusID": _id_value(status_id), "Kommentar": comment}
        )

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
        body = self._conn.call("POST", path, json_body=payload)
        return body if isinstance(body, dict) else {}
