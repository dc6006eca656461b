"""A phone at the door costs a fixed, small number of SQL statements: the scan (GET) and
the button (POST) of a signed-in student, however many checked in before. A room of
phones spends its time on these (issue 23: "CPU per request"), so a statement that comes
back, read twice or read again for what the session knew already, must show here.

On SQLite each transaction's BEGIN is a statement the driver is sent; on PostgreSQL
BEGIN and COMMIT go with the driver's transaction, and the reads of the session and of
the scan have none (a connection in autocommit)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from tracker.db.models import Participation, Student

from .conftest import Portal
from .test_door import add_activity, code_now, open_door

# (scan, button) of a check-in that joins the door's run. The scan: the session, then the
# activity with its door (and the browser's wrong codes). The button: the session; the
# activity with its door; the student with their record there; the change; the
# participation; the device's lock (PostgreSQL), the device's other check-ins, the
# door's row; the tallies' locks (PostgreSQL), their delete and insert; the run's head
# held, and its count written.
STATEMENTS = {"postgresql": (2, 13), "sqlite": (4, 13)}
STUDENTS = 4
FIELDS = re.compile(r'name="(csrf_token|scanned_at|seal)" value="([^"]+)"')


def signed_in_keys(portal: Portal, count: int) -> list[str]:
    from conftest import Tracker

    from tracker.service.portal import sessions

    tracker = Tracker(portal.url)
    for n in range(count):
        tracker("student", "add", f"s77{n:05d}", "--name", f"Door Student {n}", "--start",
                "2025-09")
    with portal.db.transaction() as session:
        ids = session.scalars(select(Student.id).where(Student.number.like("s77%"))
                              .order_by(Student.number)).all()
        return [sessions.start(session, "student", int(i), portal.clock()) for i in ids]


def counted(portal: Portal, method: str, path: str, key: str,
            form: dict[str, str] | None = None) -> tuple[int, Any]:
    client = portal.app.test_client()
    client.set_cookie("tracker", key)
    seen: list[str] = []

    def listener(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        if method == "GET":
            answer = client.get(path)
        else:
            answer = client.post(path, data=form, headers={"Origin": portal.base})
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    return len(seen), answer


def test_a_check_in_by_qr_code_costs_the_same_few_statements_each_time(portal):
    activity = add_activity(portal)
    open_door(portal, activity)
    keys = signed_in_keys(portal, STUDENTS)
    costs = []
    for key in keys:
        path = f"/c/{activity}/{code_now(portal, activity)}"
        scan, page = counted(portal, "GET", path, key)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        form = dict(FIELDS.findall(page.get_data(as_text=True)))
        button, pressed = counted(portal, "POST", path, key, form)
        assert pressed.status_code == 303, pressed.get_data(as_text=True)[:500]
        costs.append((scan, button))
    # The first check-in opens the window's run (the door locked, the run's head made);
    # every later one costs the same, however many came before.
    assert len(set(costs[1:])) == 1, costs
    scan, button = costs[-1]
    most_scan, most_button = STATEMENTS[portal.db.engine.dialect.name]
    assert scan <= most_scan, costs
    assert button <= most_button, costs
    with portal.db.transaction(read_only=True) as session:
        recorded = session.scalars(select(Participation.source).where(
            Participation.activity_id == activity)).all()
    assert recorded == ["qr"] * STUDENTS


def test_a_student_erased_between_scan_and_button_is_refused_and_nothing_written(portal):
    """The button reads the student with their record in one statement: erased since
    the scan (the session still open in that tab), the check-in is refused."""
    from conftest import Tracker

    from tracker.service.portal import door_checkin

    activity = add_activity(portal)
    open_door(portal, activity)
    signed_in_keys(portal, 1)  # (their session stays: the tab still open)
    now, today = portal.clock(), portal.clock().astimezone().date()
    code = code_now(portal, activity)
    scan = door_checkin.judge_scan(portal.db, activity, code, "b" * 64, now, today,
                                   client_hash="c" * 64)
    with portal.db.transaction(read_only=True) as session:
        student = session.scalar(select(Student.id).where(Student.number == "s7700000"))
    Tracker(portal.url)("student", "forget", "s7700000", "--yes")
    with pytest.raises(door_checkin.Refused, match=r"not registered \(any more\)"):
        door_checkin.check_in(portal.db, scan, code, int(student), device_hash="d" * 64,
                              client="127.0.0.1", now=now, today=today)
    with portal.db.transaction(read_only=True) as session:
        assert session.scalars(select(Participation.source).where(
            Participation.activity_id == activity)).all() == []
