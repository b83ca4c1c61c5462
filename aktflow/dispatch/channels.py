"""The dispatch channels an installation has, from its settings: print always; e-mail with
``AKTFLOW_SMTP_URL`` and ``AKTFLOW_MAIL_FROM``; Digital Post when :mod:`aktflow.dispatch.digital_post` is
installed and its ``channel_from_settings(settings)`` gives a channel.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any

_lock = threading.Lock()
_digital_post: dict[int, bool] = {}


def _digital_post_channel(settings: Any) -> Any:
    try:
        module = importlib.import_module("aktflow.dispatch.digital_post")
    except ImportError:
        return None
    return module.channel_from_settings(settings)


def channels_from_settings(settings: Any) -> dict[str, Any]:
    """The channels by name (``digital_post``, ``email``, ``print``) that ``settings`` configure."""
    from .email import channel_from_settings as email_channel
    from .print import PrintChannel

    out: dict[str, Any] = {"print": PrintChannel()}
    mail = email_channel(settings)
    if mail is not None:
        out["email"] = mail
    dp = _digital_post_channel(settings)
    if dp is not None:
        out["digital_post"] = dp
    return out


def configured_names(settings: Any) -> set[str]:
    """The names of the channels ``settings`` configure (``print`` always), without building e-mail's."""
    names = {"print"}
    if settings.smtp_url is not None and settings.mail_from:
        names.add("email")
    key = hash(settings.model_dump_json()) if hasattr(settings, "model_dump_json") else id(settings)
    with _lock:
        known = _digital_post.get(key)
    if known is None:
        known = _digital_post_channel(settings) is not None
        with _lock:
            _digital_post[key] = known
    if known:
        names.add("digital_post")
    return names
