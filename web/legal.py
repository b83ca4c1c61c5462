"""The legal area of the web UI (blueprint `legal`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("legal", __name__)
