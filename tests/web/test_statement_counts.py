"""A student's /me costs a fixed number of SQL statements, however much they did and
however many students there are: an N+1 cannot come back unnoticed on the page every
student opens. (The parsed rules are kept per version, so a request reads them with
one query and parses nothing.)"""

from __future__ import annotations

from datetime import datetime

from conftest import Tracker
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

ME_STATEMENTS = 13  # the session (2 with BEGIN), then BEGIN, the rules, 8 reads, the
# student's waivers and their claims waiting for a decision


def signed_in(portal, number: str):
    from tracker.db.models import Student
    from tracker.service.portal import sessions

    with portal.db.transaction() as session:
        student = session.scalar(select(Student.id).where(Student.number == number))
        key = sessions.start(session, "student", int(student), portal.clock())
    client = portal.app.test_client()
    client.set_cookie("tracker", key)
    return client


def statements_of(client, path: str) -> int:
    seen: list[str] = []

    def listener(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        answer = client.get(path)
    finally:
        event.remove(Engine, "before_cursor_execute", listener)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return len(seen)


def test_me_costs_the_same_statements_whatever_the_student_did(portal, tmp_path):
    ada = signed_in(portal, "s1234567")
    ada.get("/me")  # the first request of a process opens the connection, parses the rules
    before = statements_of(ada, "/me")
    assert before <= ME_STATEMENTS, before

    tracker = Tracker(portal.url)
    roster = tmp_path / "more.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s50{i:05d},Student {i},,2025-09\n" for i in range(30)))
    tracker("student", "import", str(roster))
    for day in range(1, 9):
        added = tracker("activity", "add", "colloquium" if day % 2 else "career-event",
                        "--date", datetime(2026, 11, day).date().isoformat(), "--title",
                        f"Activity {day}")
        activity = added.output.strip().splitlines()[-1]
        tracker("attend", activity, "s1234567", *(f"s50{i:05d}" for i in range(30)))
    tracker("assignment", "s1234567", "1", "submitted", "--date", "2026-11-20")
    after = statements_of(ada, "/me")
    assert after == before
    assert statements_of(ada, "/me/progress.json") == before


def test_a_students_page_builds_no_statement_after_the_first(portal):
    """Every read of /me is built once per process over a condition with its values
    bound at each request: no statement is built or keyed again (building and keying
    one cost several times running it for one student's rows)."""
    from sqlalchemy.sql import cache_key

    ada, bram = signed_in(portal, "s1234567"), signed_in(portal, "s7654321")
    ada.get("/me")
    keyed: list[str] = []
    keying = cache_key.HasCacheKey._generate_cache_key

    def counted(element: cache_key.HasCacheKey) -> object:
        keyed.append(type(element).__name__)
        return keying(element)

    cache_key.HasCacheKey._generate_cache_key = counted  # type: ignore[method-assign]
    try:
        assert "Bram" in bram.get("/me").get_data(as_text=True)  # another student: new values
        assert "Ada" in ada.get("/me").get_data(as_text=True)
    finally:
        cache_key.HasCacheKey._generate_cache_key = keying  # type: ignore[method-assign]
    assert keyed == []
