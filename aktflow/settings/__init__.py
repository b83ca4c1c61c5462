"""The settings, section by section: each adapter's ``AKTFLOW_*`` variables in a module of its own.

:class:`aktflow.config.Settings` is the one settings object; it is put together from the sections here
(:class:`~aktflow.settings.sbsys.SbsysSettings`, :class:`~aktflow.settings.digital_post.DigitalPostSettings`,
:class:`~aktflow.settings.mail.MailSettings`) and the core fields in :mod:`aktflow.config`, which stays the
home of the public names (``Settings``, ``load_settings``, ``SettingsError``, and the sections' own names
re-exported). A section is a plain pydantic model: its fields, their checks and what is derived from them.
Nothing here reads the environment; :func:`aktflow.config.load_settings` does.
"""

from __future__ import annotations

PREFIX = "AKTFLOW_"


def env_name(field: str) -> str:
    """The environment variable of a settings field: ``max_upload`` -> ``AKTFLOW_MAX_UPLOAD``."""
    return PREFIX + field.upper()
