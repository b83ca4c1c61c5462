"""The workflow page (blueprint `workflow`): the state diagram drawn from the one definition."""

from __future__ import annotations

from flask import Blueprint, render_template

from aktflow import states

from .auth import ALL_ROLES, roles_required
from .svg import workflow_svg

bp = Blueprint("workflow", __name__)


@bp.route("/workflow")
@roles_required(*ALL_ROLES)
def index():
    transitions = [t for t in states.TRIGGERS.values() if t.dest and not t.system]
    actions = [t for t in states.TRIGGERS.values() if not t.dest and not t.system]
    return render_template("workflow.html", svg=workflow_svg(), transitions=transitions, actions=actions)
