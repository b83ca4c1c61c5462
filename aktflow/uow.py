"""The unit of work: one transaction of one use case, with the parts the composition root built.

A use case opens one ``UnitOfWork`` and does all its reading and writing through ``uow.session``; the
archive adapter and the clock come with it (from :mod:`aktflow.bootstrap`, or given explicitly, e.g. by a
test). :meth:`UnitOfWork.commit` is the one commit: it writes the pending dashboard figures, commits, and
maps a concurrent change seen at commit to a ConflictError. Leaving the block without committing rolls
everything back; work registered with :meth:`after_commit` runs only after a successful commit, outside
the transaction (e.g. delivering outbox items to SBSYS).

    with UnitOfWork(db, now=now) as uow:
        ...
        uow.commit()
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session

from . import bootstrap, events, figure_counts
from .archive import ArchivePort
from .clock import local_date
from .db import Database

log = logging.getLogger(__name__)


class UnitOfWork:
    """One transaction (``session``) with the installation's archive and clock.

    ``archive`` and ``now`` override the composition root's (tests and the benchmarks pass them).
    ``now`` is the use case's moment in UTC, fixed for the whole unit of work; ``today`` its date in
    Denmark. Raises nothing itself on enter; :meth:`commit` raises ConflictError on a lost race.
    """

    def __init__(
        self,
        db: Database,
        *,
        archive: ArchivePort | None = None,
        now: dt.datetime | None = None,
        services: bootstrap.Services | None = None,
    ) -> None:
        services = services or bootstrap.current()
        self.services = services
        self.db = db
        self.archive: ArchivePort = archive or services.archive
        self.settings = services.settings
        self.clock = services.clock
        self.now: dt.datetime = now or self.clock.now()
        self._session: Session | None = None
        self._after: list[Callable[[], None]] = []
        self._committed = False

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its 'with' block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self.db.session()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                if not self._committed:
                    session.rollback()
            finally:
                session.close()
        if exc_type is None and self._committed:
            for fn in self._after:
                fn()

    def commit(self) -> None:
        """Write the pending figures and commit once (ConflictError when the case moved meanwhile)."""
        figure_counts.write_pending(self.session)
        events.commit(self.session)
        self._committed = True

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` after a successful commit (not at all after a rollback)."""
        self._after.append(fn)
