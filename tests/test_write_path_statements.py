"""The attendance write path's shape on both engines: a fixed number of statements per
check-in, however many came before (each scan its own committed write, no N+1), and
on PostgreSQL no table lock anywhere on it: a room of phones checking in must not queue
behind one lock (the tallies take advisory locks per student, see db/tallies.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from conftest import Tracker
from sqlalchemy import event
from sqlalchemy.engine import Engine

STUDENTS = 40


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement any engine of this process sends while the block runs."""
    seen: list[str] = []

    def listener(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def a_programme(tracker: Tracker, tmp_path) -> int:
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s40{i:05d},Student {i},,2025-09\n" for i in range(STUDENTS)))
    tracker("student", "import", str(roster))
    added = tracker("activity", "add", "colloquium", "--date", date.today().isoformat(),
                    "--title", "Peer colloquium: the door")
    return int(added.output.strip().splitlines()[-1])


def scans(first: int, count: int) -> str:
    return "".join(f"s40{i:05d}\n" for i in range(first, first + count))


def test_a_check_in_costs_the_same_statements_however_many_came_before(tracker, tmp_path):
    activity = a_programme(tracker, tmp_path)
    counts = []
    for first, many in ((0, 5), (5, 10), (15, 20)):
        with statements() as seen:
            said = tracker("checkin", str(activity), input=scans(first, many))
        assert said.output.count("✓") == many, said.output
        counts.append(len(seen))
    per_scan = (counts[2] - counts[1]) / 10
    assert per_scan == (counts[1] - counts[0]) / 5  # linear in the scans: no N+1
    print(f"statements per check-in: {per_scan}")
    assert per_scan <= 11, per_scan  # a handful per committed check-in (the tallies: one lock)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_no_table_lock_on_the_attendance_write_path(tracker, tmp_path):
    activity = a_programme(tracker, tmp_path)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s40{i:05d},{activity}\n" for i in range(20, STUDENTS)))
    with statements() as seen:
        tracker("checkin", str(activity), input=scans(0, 5))
        tracker("attend", str(activity), "s4000005", "s4000006")
        tracker("attend", str(activity), "s4000007", "--excused")
        tracker("attend", str(activity), "s4000006", "--remove")
        tracker("attend", "--import", str(sheet))
        tracker("undo")
        tracker("activity", "edit", str(activity), "--kind", "mentor-meeting")
    assert len(seen) > 50
    locks = [s for s in seen if "LOCK TABLE" in s.upper() or "LOCK " in s.upper()[:5]]
    assert locks == []
    assert any("pg_advisory_xact_lock" in s for s in seen)  # the per-student locks


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_door_check_in_locks_no_door_and_no_table(tracker, tmp_path, db_url):
    """After the window's first check-in (which opens its run), a check-in by QR code
    only reads the door: the room's check-ins take turns on nothing but their own
    student, their own device and, for the commit, the run's count."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Student
    from tracker.service.portal import door_checkin, doors

    activity = a_programme(tracker, tmp_path)
    db = Database.from_url(resolve_url(db_url))
    now, today = datetime.now(UTC), date.today()
    doors.open_door(db, activity, now=now, today=today)
    with db.transaction(read_only=True) as session:
        ids = session.scalars(select(Student.id).order_by(Student.number).limit(3)).all()

    def check_in(student: int, device: str) -> door_checkin.CheckedIn:
        code = doors.code_now(db, activity, now)
        scan = door_checkin.judge_scan(db, activity, code, "b" * 64, now, today,
                                       client_hash="c" * 64)
        return door_checkin.check_in(db, scan, code, student, device_hash=device,
                                     client="127.0.0.1", now=now, today=today)

    try:
        check_in(ids[0], "c" * 64)  # the first: it opens the window's run
        with statements() as seen:
            check_in(ids[1], "d" * 64)
            shared = check_in(ids[2], "d" * 64)
    finally:
        db.dispose()
    assert shared.flags == (door_checkin.SHARED_DEVICE,)
    said = [" ".join(s.upper().split()) for s in seen]
    assert [s for s in said if "FOR UPDATE" in s and "FROM DOOR " in s + " "] == []
    assert [s for s in said if "LOCK TABLE" in s or s.startswith("LOCK ")] == []
    assert sum("PG_ADVISORY_XACT_LOCK" in s for s in said) >= 2  # a device's, a student's
    assert "checked in 3 student(s)" in tracker("history").output
