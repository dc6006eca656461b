"""The attendance tallies (tracker.db.tallies) beside the rest of the process: kept by
the tracker's own sessions only, and on PostgreSQL refreshed under a lock per student, so
that a room of phones checking in different students never queues behind one lock, and
two check-ins of the same student both count."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from sqlalchemy import event, text
from sqlalchemy.orm import Session
from test_performance_shapes import assert_tallies_true

from tracker.cli.context import AppContext
from tracker.db import tallies
from tracker.db.models import Activity, Participation
from tracker.months import Month
from tracker.service.activities import add_activity
from tracker.service.attendance import attend
from tracker.service.students import add_student

HELD = date.today() - timedelta(days=30)
WAIT = 60  # seconds: a guard against a test that hangs, never a measurement


def programme(url: str) -> None:
    context = AppContext(url)
    database = context.database()
    for number in ("s2000001", "s2000002"):
        add_student(database, number, f"Student {number}", Month.of(HELD))
    add_activity(database, "colloquium", HELD, "One")
    add_activity(database, "colloquium", HELD, "Two")
    context.close()


def test_only_the_trackers_own_sessions_mark_tallies(db_url):
    programme(db_url)
    context = AppContext(db_url)
    database = context.database()
    try:
        with Session(database.engine) as foreign, foreign.begin():
            activity = foreign.get(Activity, 1)
            assert activity is not None
            activity.title = "Renamed by another library"
            activity.held_on = HELD - timedelta(days=1)
            foreign.flush()
            assert tallies._STALE not in foreign.info  # not ours: no listener on it
            foreign.rollback()
        attend(database, 1, ["s2000001"])
        with database.transaction() as own:
            moved = own.get(Activity, 1)
            assert moved is not None
            moved.held_on = HELD - timedelta(days=400)
            own.flush()
            assert own.info[tallies._STALE] == {1}
    finally:
        context.close()
    assert_tallies_true(db_url, "moving an activity a year back")


PAUSED = "paused before its commit"  # the name of the thread whose commit waits


@contextmanager
def paused_before_commit() -> Iterator[tuple[threading.Event, threading.Event]]:
    """The transactions of the thread named :data:`PAUSED` stop just before they commit
    (their tallies refreshed, their locks held) until ``release`` is set."""
    refreshed, release = threading.Event(), threading.Event()

    def before_commit(_session: Session) -> None:
        if threading.current_thread().name == PAUSED:
            refreshed.set()
            assert release.wait(WAIT), "never released"

    event.listen(Session, "before_commit", before_commit)
    try:
        yield refreshed, release
    finally:
        release.set()
        event.remove(Session, "before_commit", before_commit)


def paused(work) -> tuple[threading.Thread, list[BaseException]]:
    """``work`` in a thread of its own whose commit waits (see paused_before_commit)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # handed to the test
            errors.append(error)

    thread = threading.Thread(target=run, name=PAUSED, daemon=True)
    thread.start()
    return thread, errors


def with_lock_timeout(url: str) -> str:
    """A wait for a lock longer than 5 s fails (a guard, not a measurement)."""
    return url + "%20-clock_timeout%3D5000"  # in the URL's `options`


def waiting_for_a_lock(url: str) -> bool:
    context = AppContext(url)
    try:
        with context.database().engine.connect() as connection:
            return bool(connection.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE NOT granted")))
    finally:
        context.close()


def test_check_ins_of_different_students_do_not_wait_for_each_other(postgres_url):
    programme(postgres_url)
    first, other = AppContext(postgres_url), AppContext(with_lock_timeout(postgres_url))
    try:
        with paused_before_commit() as (refreshed, release):
            thread, errors = paused(lambda: attend(first.database(), 1, ["s2000001"]))
            assert refreshed.wait(WAIT), errors
            # s2000001's check-in has counted its tallies and holds its locks: the next
            # student's check-in goes through (behind a table lock it would time out)
            attend(other.database(), 1, ["s2000002"])
            release.set()
            thread.join(WAIT)
        assert not errors, errors
    finally:
        first.close()
        other.close()
    assert_tallies_true(postgres_url, "two check-ins at once")


def test_two_check_ins_of_one_student_at_once_both_count(postgres_url):
    programme(postgres_url)
    first, second = AppContext(postgres_url), AppContext(postgres_url)
    try:
        with paused_before_commit() as (refreshed, release):
            thread, errors = paused(lambda: attend(first.database(), 1, ["s2000001"]))
            assert refreshed.wait(WAIT), errors
            later, later_errors = [], []

            def check_in_again() -> None:
                try:
                    later.append(attend(second.database(), 2, ["s2000001"]))
                except BaseException as error:
                    later_errors.append(error)

            waiting = threading.Thread(target=check_in_again, daemon=True)
            waiting.start()
            for _ in range(WAIT * 10):  # until it waits for the first one's lock
                if waiting_for_a_lock(postgres_url) or not waiting.is_alive():
                    break
                threading.Event().wait(0.1)
            assert waiting.is_alive() and not later, "the second did not wait for the first"
            release.set()
            thread.join(WAIT)
            waiting.join(WAIT)
        assert not errors and not later_errors, (errors, later_errors)
    finally:
        first.close()
        second.close()
    assert_tallies_true(postgres_url, "two check-ins of one student at once")
    context = AppContext(postgres_url)
    try:
        with context.database().transaction(read_only=True) as session:
            assert session.scalar(text("SELECT attended FROM attendance_tally")) == 2
            assert session.query(Participation).count() == 2
    finally:
        context.close()
