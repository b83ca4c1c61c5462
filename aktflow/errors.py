"""The errors the service raises; each knows its CLI exit code and HTTP status."""

from __future__ import annotations


class AktflowError(Exception):
    """Base class: a clear, one-line message meant for the user."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str):
        from .screening import redact_cpr

        message = redact_cpr(message)  # input echoed in a message never carries a CPR number
        super().__init__(message)
        self.message = message


class ValidationError(AktflowError):
    """Bad input; names the field."""

    exit_code = 2
    http_status = 400

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


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
