"""Bearer-token authentication for the API: the token's user is the actor, and its role decides.

Tokens are issued and checked by :mod:`aktflow.tokens`; only the OpenAPI document and the JSON 404/405
catch-all are public. A browser's session cookie does not count here.
"""

from __future__ import annotations

from flask import Response, current_app, g, request

from aktflow.db import Database
from aktflow.models import User
from aktflow.tokens import user_for_token

from .errors import ApiError

REALM = 'Bearer realm="aktflow"'
#: The endpoints anyone may call without a token.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.not_found"})


def db() -> Database:
    """The application's database (built once by the app factory)."""
    return current_app.extensions["aktflow_db"]


def authenticate() -> None:
    """Before every request: the bearer token's user becomes ``g.api_user``.

    Raises ApiError 401 with ``WWW-Authenticate`` (RFC 6750: ``invalid_request`` for a malformed header,
    ``invalid_token`` for an unknown, revoked or deactivated user's token).
    """
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
    user = user_for_token(db(), token.strip())
    if user is None:
        raise ApiError(
            401,
            "API-nøglen er ugyldig eller tilbagekaldt",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    g.api_user = user
    return None


def no_store(resp: Response) -> Response:
    """After every non-public request: ``Cache-Control: no-store`` (case data is personal data)."""
    if request.endpoint not in PUBLIC_ENDPOINTS:
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def actor() -> User:
    """The user whose token authenticated this request."""
    return g.api_user
