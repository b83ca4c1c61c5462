"""The release package's downloads: ``/cases/<id>/packages/<id>.pdf`` and ``.zip`` (docs/release.md).

Any role that may see the case may download its packages (as its letters); a package still being made or
blocked is not a file: the case page says why.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, send_file, url_for

from aktflow.errors import NotFound
from aktflow.release.service import PackageNotReady, package_file

from .access import record
from .auth import ALL_ROLES, roles_required
from .exits import download_name

bp = Blueprint("release", __name__)


def db():
    return current_app.extensions["aktflow_db"]


def _send(content: bytes, filename: str, mimetype: str) -> Response:
    resp = send_file(
        io.BytesIO(content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=download_name(filename),
        max_age=0,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/cases/<int:case_id>/packages/<int:package_id>.pdf")
@roles_required(*ALL_ROLES)
def package_pdf(case_id: int, package_id: int):
    """The stored package as PDF; back to the case page with the reason when it is not ready."""
    return _download(case_id, package_id, zipped=False)


@bp.route("/cases/<int:case_id>/packages/<int:package_id>.zip")
@roles_required(*ALL_ROLES)
def package_zip(case_id: int, package_id: int):
    """The stored package's individual PDFs as a .zip (made for releases of many documents)."""
    return _download(case_id, package_id, zipped=True)


def _download(case_id: int, package_id: int, *, zipped: bool) -> Response:
    try:
        name, content = package_file(db(), case_id, package_id, zipped=zipped)
    except NotFound:
        abort(404)
    except PackageNotReady as exc:
        flash(exc.message, "error")
        return redirect(url_for("cases.case_page", case_id=case_id) + "#udlevering", 303)
    record(case_id, "package", package_id, name)  # the access log of a sensitive case
    return _send(content, name, "application/zip" if zipped else "application/pdf")
