"""The JSON API (blueprint ``api``, mounted at ``/api/v1``): intake, read, advance, letters, OpenAPI.

Thin, like the rest of web/: parse the request, call :mod:`aktflow.service` or a query of
:mod:`aktflow.queries`, answer JSON. Authentication is a bearer token (:mod:`aktflow.tokens`); the token's
user is the actor, and the user's role decides what it may do, exactly as in the CLI and the UI. Errors
are ``{"error": "…"}`` (plus ``"field"`` for bad input) with the status the service's exception carries;
nothing here ever answers with a stack trace.

Optimistic locking: ``GET /cases/<id>`` answers with ``ETag: "<version>"``; advancing a case needs
``If-Match`` with that version (428 without it, 412 when it no longer matches — also when another request
wins the race at commit).

The modules: :mod:`.errors` (the error shape and handlers), :mod:`.auth` (bearer tokens), :mod:`.inputs`
(JSON hardening, body shapes, If-Match), :mod:`.schemas` (the pydantic models of requests and responses),
:mod:`.openapi` (the document, generated from the models and the workflow's fields), :mod:`.views` (the
endpoints). The routes are listed here, in one table.
"""

from __future__ import annotations

from flask import Blueprint

from ..case_access import guard_api as need_to_know
from . import auth, dispatch, errors, redactions, release, views
from . import case_access as case_access_api

bp = Blueprint("api", __name__)

errors.install(bp)
bp.before_request(auth.authenticate)  # first: without a token, nothing else is answered
bp.before_request(views.ids_in_range)
bp.before_request(need_to_know)  # need-to-know: 403 for a case the token's user may not see
bp.after_request(auth.no_store)

CASE_ID = "<int:case_id>"  # bounded to INT_MAX in views.ids_in_range (a converter max= gives an HTML 404)
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

bp.add_url_rule("/requests", view_func=views.intake, methods=["POST"])
bp.add_url_rule("/cases", view_func=views.list_cases, methods=["GET"])
bp.add_url_rule(f"/cases/{CASE_ID}", view_func=views.get_case, methods=["GET"])
bp.add_url_rule(f"/cases/{CASE_ID}/events/<trigger>", view_func=views.advance, methods=["POST"])
bp.add_url_rule(f"/cases/{CASE_ID}/letters/<int:letter_id>", view_func=views.letter, methods=["GET"])
bp.add_url_rule(
    f"/cases/{CASE_ID}/letters/preview/<trigger>", view_func=views.preview_letter, methods=["POST"]
)
bp.add_url_rule(f"/cases/{CASE_ID}/redactions", view_func=redactions.list_redactions, methods=["GET"])
bp.add_url_rule(
    f"/cases/{CASE_ID}/documents/<int:document_id>/redactions", view_func=redactions.redact, methods=["POST"]
)
bp.add_url_rule(f"/cases/{CASE_ID}/packages", view_func=release.list_packages, methods=["GET"])
bp.add_url_rule(f"/cases/{CASE_ID}/packages/<int:package_id>", view_func=release.get_package, methods=["GET"])
bp.add_url_rule(
    f"/cases/{CASE_ID}/packages/<int:package_id>/zip", view_func=release.get_package_zip, methods=["GET"]
)
bp.add_url_rule(f"/cases/{CASE_ID}/package", view_func=release.latest_package, methods=["GET"])
bp.add_url_rule(f"/cases/{CASE_ID}/access", view_func=case_access_api.get_access, methods=["GET"])
bp.add_url_rule(f"/cases/{CASE_ID}/access/members", view_func=case_access_api.add_member, methods=["POST"])
bp.add_url_rule(
    f"/cases/{CASE_ID}/access/members/<username>", view_func=case_access_api.remove_member, methods=["DELETE"]
)
bp.add_url_rule(f"/cases/{CASE_ID}/access/sensitive", view_func=case_access_api.mark, methods=["PUT"])
bp.add_url_rule(f"/cases/{CASE_ID}/access/sensitive", view_func=case_access_api.unmark, methods=["DELETE"])
bp.add_url_rule(f"/cases/{CASE_ID}/dispatches", view_func=dispatch.list_dispatches, methods=["GET"])
_DISPATCH = f"/cases/{CASE_ID}/dispatches/<int:dispatch_id>"
bp.add_url_rule(f"{_DISPATCH}/channel", view_func=dispatch.choose_channel, methods=["POST"])
bp.add_url_rule(f"{_DISPATCH}/retry", view_func=dispatch.retry, methods=["POST"])
bp.add_url_rule(f"{_DISPATCH}/posted", view_func=dispatch.posted, methods=["POST"])
bp.add_url_rule(f"{_DISPATCH}/print", view_func=dispatch.print_file, methods=["GET"])
bp.add_url_rule("/openapi.json", view_func=views.openapi, methods=["GET"])
bp.add_url_rule("/", view_func=views.not_found, defaults={"rest": ""}, methods=_METHODS)
bp.add_url_rule("/<path:rest>", view_func=views.not_found, methods=_METHODS)

__all__ = ["bp"]
