"""The Flask extensions, created once and bound to the app in ``web.create_app``.

Kept apart from ``web/__init__.py`` so the blueprints can use them without importing the app factory.
"""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
