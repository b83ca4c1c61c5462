"""The composition root: builds the database, the archive adapter, the clock and the outbox handlers once.

Everything an installation configures is read and checked by :func:`aktflow.config.load_settings`; this
module turns those settings into the running parts (:class:`Services`). ``web.create_app`` keeps its
``Services`` on the app and the command line builds them once; code that is handed no services asks
:func:`current`, the process's services, built from the environment on first use.

Only this module knows the archive adapters by name. The application hands its own outbox work to the
handlers (``make_letter``: render a letter that waited for the archive's case number), so no adapter
calls back into the application.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import clock as _clock
from .archive import ArchivePort, OutboxHandler
from .config import Config, Settings, load_settings
from .db import Database
from .models import OutboxItem, utcnow
from .outbox import DeliveryError


class Clock:
    """The system clock: ``now()`` in UTC (stored times), ``today()`` in Denmark (deadlines)."""

    def now(self) -> dt.datetime:
        return utcnow()

    def today(self) -> dt.date:
        return _clock.today()


@dataclass
class Services:
    """The running parts of one installation, built from its settings by :func:`build`.

    ``handlers`` maps each outbox kind to the function that delivers it after commit; :meth:`deliver`
    routes an item to it.
    """

    settings: Settings
    db: Database
    archive: ArchivePort
    clock: Clock
    handlers: Mapping[str, OutboxHandler] = field(default_factory=dict)
    #: The dispatch channels by name (aktflow/dispatch/); None: built from the settings on first use.
    channels: Mapping[str, Any] | None = None

    def dispatch_channels(self) -> Mapping[str, Any]:
        """The configured dispatch channels (``digital_post``, ``email``, ``print``), built once."""
        if self.channels is None:
            self.channels = make_channels(self.settings)
        return self.channels

    @property
    def inline_delivery(self) -> bool:
        """Whether outbox work is tried at once after commit: only when the archive works after commit."""
        return bool(self.archive.outbox_handlers())

    def deliver(self, db: Database, item: OutboxItem) -> dict[str, Any] | None:
        """Deliver one outbox item with the handler for its kind (``outbox.run_once``'s ``handler``).

        Raises a non-retryable ``DeliveryError`` for a kind nobody delivers in this installation (e.g. an
        SBSYS item left over after ``AKTFLOW_ARCHIVE`` was set back to ``local``).
        """
        handler = self.handlers.get(item.kind)
        if handler is None:
            raise DeliveryError(
                f"ukendt opgave {item.kind!r} for arkivet {self.archive.name!r} (AKTFLOW_ARCHIVE)",
                retryable=False,
            )
        return handler(db, item)


def make_archive(settings: Settings, **adapter_kw: Any) -> ArchivePort:
    """The archive adapter ``AKTFLOW_ARCHIVE`` names: ``local`` or ``sbsys`` (with its checked settings).

    ``adapter_kw`` goes to the SBSYS adapter (e.g. ``transport=`` in tests). Raises ``SbsysConfigError``
    when the SBSYS settings are incomplete (``load_settings`` has already refused them at start-up).
    """
    if settings.archive == "sbsys":
        from .archive.sbsys import SbsysArchive

        return SbsysArchive(settings.sbsys_config(), **adapter_kw)
    from .archive.local import LocalArchive

    return LocalArchive()


def make_channels(settings: Settings) -> dict[str, Any]:
    """The dispatch channels the settings configure (:func:`aktflow.dispatch.channels.channels_from_settings`)."""
    from .dispatch.channels import channels_from_settings

    return channels_from_settings(settings)


def outbox_handlers(archive: ArchivePort, settings: Settings | None = None) -> dict[str, OutboxHandler]:
    """Every outbox kind this installation delivers: the archive adapter's, and the application's own
    (deferred letters; reading and screening stored files under the settings' limits)."""
    from .case_letters import render_deferred
    from .dispatch import delivery as dispatch
    from .document_screening import KIND, handler
    from .extraction import Limits, limits_from_settings
    from .release import service as release

    def send(db: Database, item: OutboxItem) -> dict[str, Any] | None:
        return dispatch.deliver(db, item, channels=current().dispatch_channels())

    return {
        **archive.outbox_handlers(),
        dispatch.KIND: send,
        "make_letter": dispatch.with_dispatches(functools.partial(render_deferred, archive=archive)),
        KIND: handler(limits_from_settings(settings) if settings is not None else Limits()),
        release.KIND: functools.partial(release.deliver, archive=archive),
    }


def build(
    settings: Settings | None = None,
    *,
    database_url: str | None = None,
    db: Database | None = None,
    archive: ArchivePort | None = None,
) -> Services:
    """The services for ``settings`` (default: :func:`~aktflow.config.load_settings` of the environment).

    ``database_url`` overrides the configured database (the web factory's ``DATABASE_URL``); ``db`` and
    ``archive`` replace the built parts (tests). Raises ``SettingsError`` for bad settings.
    """
    settings = settings or load_settings()
    if db is None:
        db = Database.from_config(Config(database_url=database_url or settings.resolved_database_url()))
    archive = archive or make_archive(settings)
    return Services(
        settings=settings, db=db, archive=archive, clock=Clock(), handlers=outbox_handlers(archive, settings)
    )


_lock = threading.Lock()
_current: Services | None = None


def current() -> Services:
    """The process's services: the ones :func:`install` was given, else built once from the environment."""
    global _current
    with _lock:
        if _current is None:
            _current = build()
        return _current


def install(services: Services) -> Services:
    """Make ``services`` the process's services (the web factory and the command line do this at start)."""
    global _current
    with _lock:
        previous, _current = _current, services
    if previous is not None and previous.archive is not services.archive:
        previous.archive.close()
    return services


def reset() -> None:
    """Forget the process's services; the next :func:`current` builds them again (tests, after a fork)."""
    global _current
    with _lock:
        previous, _current = _current, None
    if previous is not None:
        previous.archive.close()
