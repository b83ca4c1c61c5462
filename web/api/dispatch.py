"""The API's letters on their way out (docs/dispatch.md, docs/api.md):

- ``GET /cases/<id>/dispatches``: each letter to each recipient: channel, status, time sent, detail;
- ``POST /cases/<id>/dispatches/<id>/channel`` ``{"channel": "print"}``: another channel before sending;
- ``POST /cases/<id>/dispatches/<id>/retry``: another try for a letter that did not go;
- ``POST /cases/<id>/dispatches/<id>/posted``: a printed letter was posted now;
- ``GET /cases/<id>/dispatches/<id>/print``: the print file (PDF).
"""

from __future__ import annotations

from io import BytesIO

from flask import Response, jsonify, send_file

from aktflow import dispatch_actions as service
from aktflow.access_log import record_access
from aktflow.queries import dispatches as read

from ..exits import download_name
from .auth import actor, db
from .inputs import json_body, parse_body
from .schemas import DispatchChannelRequest


def list_dispatches(case_id: int) -> Response:
    """``GET /cases/<id>/dispatches``: oldest first (404 for an unknown case)."""
    return jsonify(read.case_dispatches(db(), case_id))


def choose_channel(case_id: int, dispatch_id: int) -> Response:
    """``POST …/channel``: 400 for a channel the rule forbids, 422 when the letter is already out."""
    body = parse_body(DispatchChannelRequest, json_body(required=True))
    return jsonify(service.choose(db(), case_id, dispatch_id, body.channel, actor=actor().username))


def retry(case_id: int, dispatch_id: int) -> Response:
    """``POST …/retry``: 422 unless the letter did not go."""
    return jsonify(service.retry(db(), case_id, dispatch_id, actor=actor().username))


def posted(case_id: int, dispatch_id: int) -> Response:
    """``POST …/posted``: 422 unless the print file is ready (status ``printed``)."""
    return jsonify(service.confirm_posted(db(), case_id, dispatch_id, actor=actor().username))


def print_file(case_id: int, dispatch_id: int) -> Response:
    """``GET …/print``: the print file; 404 while there is none."""
    name, content = read.print_file(db(), case_id, dispatch_id)
    record_access(
        db(),
        actor=actor().username,
        case_id=case_id,
        what="print",
        object_id=dispatch_id,
        name=name,
        via="api",
    )
    resp = send_file(
        BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=download_name(name)
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp
