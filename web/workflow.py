"""The workflow area of the web UI (blueprint `workflow`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("workflow", __name__)
