"""The API's errors: one JSON shape, ``{"error": "…"}`` plus ``"field"`` for bad input, never a stack trace.

:class:`ApiError` is what the API's own checks raise; :func:`install` adds the handlers that turn it, the
service's errors (:class:`~aktflow.errors.AktflowError`, with the status each one carries: 400 bad input,
403 role, 404 not found, 412 conflict, 422 refused by the workflow), a lost race and anything unexpected
into that shape. Anything that looks like a CPR number is masked in every error sent.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from aktflow.errors import AktflowError, ValidationError
from aktflow.exits import mask as exit_mask
from aktflow.screening import CPR_MASK

# Anything that looks like a CPR number (ddmmyy-xxxx, ddmmyyxxxx) is masked in every error we send.
_CPR_LIKE = re.compile(r"(?<!\d)\d{6}[-\u2010\u2011\u2012\u2013 ]?\d{4}(?!\d)")

#: Danish messages for the HTTP errors werkzeug raises itself (bad request, unknown path, too large …).
HTTP_MESSAGES = {
    400: "ugyldig forespørgsel",
    404: "findes ikke",
    405: "metoden er ikke tilladt her",
    413: "forespørgslen er for stor",
    415: "forkert indholdstype",
}


class ApiError(Exception):
    """An answer other than success: ``status``, the Danish ``message``, the ``field`` it is about (or
    None) and extra response ``headers`` (``WWW-Authenticate``, ``Allow``)."""

    def __init__(
        self, status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers or {}


def mask(text: str) -> str:
    """``text`` with anything that looks like a CPR number replaced by ``XXXXXX-XXXX``: the exit filter
    (:func:`aktflow.exits.mask`), then any ten digits in a CPR number's shape (an error is no place to
    guess)."""
    return _CPR_LIKE.sub(CPR_MASK, exit_mask(text))


def error_response(
    status: int, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """The JSON error ``{"error": message, "field": field}`` (CPR-like text masked), never cached."""
    body: dict[str, Any] = {"error": mask(message)}
    if field is not None:
        body["field"] = mask(field)
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _api_error(e: ApiError) -> Response:
    return error_response(e.status, e.message, field=e.field, headers=e.headers)


def _service_error(e: AktflowError) -> Response:
    status = e.http_status if 400 <= e.http_status < 500 else 500
    return error_response(status, e.message, field=e.field if isinstance(e, ValidationError) else None)


def _stale(_e: StaleDataError) -> Response:
    # A lost race that surfaced before the service's own commit (e.g. at a flush): still a conflict.
    return error_response(412, "sagen er netop ændret af en anden; hent den igen og prøv på ny")


def _data_error(_e: DataError) -> Response:
    # The database refused a value (too long for its column, out of range): bad input, not a server error.
    return error_response(
        400, "en værdi passer ikke i databasen (for lang eller uden for det tilladte område)"
    )


def _http_error(e: HTTPException) -> Response:
    code = e.code or 500
    return error_response(code, HTTP_MESSAGES.get(code, e.name.lower()))


def _unexpected(_e: Exception) -> Response:
    current_app.logger.exception("uventet fejl i API'et (%s %s)", request.method, request.path)
    return error_response(500, "intern fejl; den er logget")


def install(bp: Blueprint) -> None:
    """Register the error handlers on the API blueprint."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(AktflowError, _service_error)
    bp.register_error_handler(StaleDataError, _stale)
    bp.register_error_handler(DataError, _data_error)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)
