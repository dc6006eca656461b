"""A run: writes made one at a time over a long while, each its own change.

A kiosk at the door records each check-in in a transaction of its own, committed
before it is answered. Each is a change of its own, so the history holds every
check-in in the order it happened among everyone else's changes; all of them are
``part_of`` the run's first change, and ``history`` and ``undo`` show and revert the
run as one (see :mod:`tracker.db.changes`). A run that is ``held_open`` says so on its
first change while its process runs, renewing the promise every :data:`BEAT`: undo
leaves an open run alone, and a kiosk killed outright (or a laptop whose lid closed)
stops renewing it, so it is open no more :data:`LEASE` later.

    run = Run(db, ChangeKind.CHECKIN, "Dr. Smit", held_open=True)
    with run.write() as log:            # one transaction; RunUndone if it was undone
        change = log.change             # opened here, on the first write, part of the run
        ...                             # write as ``change``; write nothing: no change
        run.describe(log, "checked in 2 students ...", "checked in s1234567 ...")
    run.close()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError

from tracker.db import changes, history
from tracker.db.engine import Database, Rollback
from tracker.db.history import ChangeLog
from tracker.db.models import Change, utcnow
from tracker.vocabulary import ChangeKind

LEASE = timedelta(minutes=2)  # how long an open run is believed without a sign of life
BEAT = timedelta(seconds=30)  # how often a running process gives one


class RunUndone(Exception):
    """The run was undone while it ran (by change ``undo_id``, made by ``by`` at ``at``):
    nothing more is written into it."""

    def __init__(self, undo: Change) -> None:
        super().__init__(f"undone by change #{undo.id}")
        self.undo_id, self.by, self.at = undo.id, undo.actor, undo.at


class Run:
    """The changes of one long-running writer (see the module's description)."""

    def __init__(self, db: Database, kind: ChangeKind, by: str | None, *,
                 held_open: bool = False, head: int | None = None,
                 open_until: datetime | None = None) -> None:
        """``held_open``: open while this process runs (renewed every :data:`BEAT`);
        ``open_until``: open until then instead (a door opened for two hours, whose
        writes come from many processes, each resuming the run by its ``head``)."""
        self.db, self.kind, self.held_open = db, kind, held_open
        self.by = history.actor(by)
        self.head = head  # the run's first change, once one was committed
        self.open_until = open_until
        self._stop = threading.Event()
        self._beating: threading.Thread | None = None

    @contextmanager
    def write(self) -> Iterator[ChangeLog]:
        """One transaction of the run; its change is opened on the first write (none if
        nothing was written). Raises :class:`RunUndone` before anything is written when
        the run was undone."""
        started: int | None = None
        with self.db.transaction() as session:
            if self.head is not None:
                head = session.get(Change, self.head)
                assert head is not None
                changes.lock(session, head)
                undo = changes.undone_by(session, self.head)
                if undo is not None:
                    raise RunUndone(undo)
            log = ChangeLog(session, self.kind, self.by, part_of=self.head)
            yield log
            if not log.wrote:
                raise Rollback
            if self.head is None:
                started = log.change.id
                log.change.open_until = utcnow() + LEASE if self.held_open \
                    else self.open_until
        if started is not None:  # committed: the run has its first change
            self.head = started
            if self.held_open:
                self._beating = threading.Thread(target=self._beat, daemon=True,
                                                 name=f"run #{started} is open")
                self._beating.start()

    def describe(self, log: ChangeLog, whole: str, this: str) -> None:
        """Inside :meth:`write`: ``whole`` says what the run did so far (on its first
        change, which history shows), ``this`` what this write did (on its own change,
        when it is not the first)."""
        if self.head is None:
            log.describe(whole)
        else:
            log.describe(this)
            history.describe_change(log.session, self.head, whole)

    def close(self) -> None:
        """The run ended: it is open no more."""
        self._stop.set()
        if self._beating is not None:
            self._beating.join()
            self._beating = None
            self._renew(None)

    def _beat(self) -> None:
        while not self._stop.wait(BEAT.total_seconds()):
            self._renew(utcnow() + LEASE)

    def _renew(self, until: datetime | None) -> None:
        assert self.head is not None
        try:
            with self.db.transaction() as session:
                changes.hold_open(session, self.head, until)
        except DBAPIError:  # the database busy, or gone: the lease runs out by itself
            pass
