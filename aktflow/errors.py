"""The errors the service raises; each knows its CLI exit code and HTTP status.

Every error carries ``field`` (the input it is about, as the service names it, or None) and ``detail``
(the Danish sentence without the field's name). Entrypoints show ``detail`` next to their own name for
the field (a form label, an API field, a CLI option) and never take ``message`` apart.
"""

from __future__ import annotations

from .screening import redact_cpr


class AktflowError(Exception):
    """Base class: a clear, one-line message meant for the user (``message``; here equal to ``detail``)."""

    exit_code = 1
    http_status = 500
    field: str | None = None

    def __init__(self, message: str):
        message = redact_cpr(message)  # input echoed in a message never carries a CPR number
        super().__init__(message)
        self.message = message
        self.detail = message


class ValidationError(AktflowError):
    """Bad input in ``field``: ``message`` is "field: detail", ``detail`` the sentence alone."""

    exit_code = 2
    http_status = 400

    def __init__(self, field: str, detail: str):
        detail = redact_cpr(detail)
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail


class NotFound(AktflowError):
    exit_code = 2
    http_status = 404


class WorkflowError(AktflowError):
    """The workflow refuses: trigger not allowed in this state, or a guard is unmet."""

    exit_code = 3
    http_status = 422


class PermissionDenied(AktflowError):
    """The user's role may not do this."""

    exit_code = 4
    http_status = 403


class ConflictError(AktflowError):
    """Someone else changed the case first (stale version)."""

    exit_code = 5
    http_status = 412
