"""The API's release package endpoints (docs/release.md, docs/api.md):

- ``GET /cases/<id>/packages``: the case's packages (status, reason when blocked, SHA-256, pages …);
- ``GET /cases/<id>/packages/<id>``: a package as PDF (ETag: its SHA-256); ``…/<id>/zip`` its .zip;
- ``GET /cases/<id>/package``: the package of the last release; ``?preview=true`` builds the package of
  what a decision would release now, without storing it (up to :data:`PREVIEW_MAX` documents; larger
  previews are made with ``aktflow case package``).
"""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from flask import Response, jsonify, request, send_file

from aktflow.access_log import record_access
from aktflow.release import service as release

from ..exits import download_name
from .auth import actor, db
from .errors import ApiError

#: The most documents a preview built inside an API request may hold.
PREVIEW_MAX = 50


def _file(content: bytes, name: str, mimetype: str, etag: str | None) -> Response:
    resp = send_file(
        BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=download_name(name), etag=etag
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp


def list_packages(case_id: int) -> Response:
    """``GET /cases/<id>/packages``: the case's release packages, oldest first (404 for an unknown case)."""
    return jsonify(release.case_packages(db(), case_id))


def get_package(case_id: int, package_id: int) -> Response:
    """``GET /cases/<id>/packages/<id>``: the package as PDF; 422 while it is made or when it is blocked."""
    name, content = release.package_file(db(), case_id, package_id)
    _record(case_id, package_id, name)
    return _file(content, name, "application/pdf", _sha(content))


def get_package_zip(case_id: int, package_id: int) -> Response:
    """``GET /cases/<id>/packages/<id>/zip``: the package's individual PDFs as .zip (404 when none)."""
    name, content = release.package_file(db(), case_id, package_id, zipped=True)
    _record(case_id, package_id, name)
    return _file(content, name, "application/zip", _sha(content))


def latest_package(case_id: int) -> Response:
    """``GET /cases/<id>/package``: the last ready package, or with ``preview=true`` a preview."""
    preview = request.args.get("preview", "false").lower()
    if preview not in ("true", "false", "1", "0"):
        raise ApiError(400, "preview skal være true eller false", field="preview")
    if preview in ("false", "0"):
        name, content = release.package_file(db(), case_id)
        _record(case_id, None, name)
        return _file(content, name, "application/pdf", _sha(content))
    from aktflow import bootstrap

    with tempfile.TemporaryDirectory(prefix="aktflow-preview-") as tmp:
        out = Path(tmp) / "preview.pdf"
        built = release.preview(
            db(),
            case_id,
            out,
            actor=actor().username,
            today=bootstrap.current().clock.today(),
            max_documents=PREVIEW_MAX,
        )
        content = out.read_bytes()
    return _file(content, f"udleveringspakke-udkast-sag-{case_id}.pdf", "application/pdf", built.sha256)


def _record(case_id: int, package_id: int | None, name: str) -> None:
    """The download in the access log of a sensitive case (aktflow/access_log.py), before it is sent."""
    record_access(
        db(),
        actor=actor().username,
        case_id=case_id,
        what="package",
        object_id=package_id,
        name=name,
        via="api",
    )


def _sha(content: bytes) -> str:
    import hashlib

    return hashlib.sha256(content).hexdigest()
