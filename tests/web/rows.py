"""A row in each of the portal's tables, for tests of the whole schema (migrations)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime


def fill_portal_tables(url: str) -> None:
    """A coordinator, a sign-in request, a session and a calendar feed, through the
    portal's services; the student s1234567 must exist."""
    from sqlalchemy import select

    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Student
    from tracker.service.portal import feeds, sessions, signin
    from tracker.service.portal.coordinators import add_coordinator

    db = Database.from_url(resolve_url(url))
    try:
        now = datetime.now(UTC)
        add_coordinator(db, "coordinator@example.org", "Dr. C. Oordinator")
        signin.issue_link(db, "s1234567", now)
        with db.transaction() as session:
            student = session.scalar(select(Student.id).where(Student.number == "s1234567"))
            assert student is not None
            sessions.start(session, "student", student, now)
        feeds.new_feed(db, student, now)
        fill_door_tables(db, student, now)
        fill_claims(db, student, now)
    finally:
        db.dispose()


def fill_door_tables(db, student: int, now: datetime) -> None:
    """A door open today, a bad code tried, a scan kept, a check-in by QR code."""
    from tracker.service.activities import add_activity
    from tracker.service.portal import door_checkin, doors

    today = now.astimezone().date()
    activity = add_activity(db, "colloquium", today, "At the door").record.id
    doors.open_door(db, activity, now=now, today=today)
    with contextlib.suppress(door_checkin.Refused):
        door_checkin.judge_scan(db, activity, "made-up", "a" * 64, now, today,
                                client_hash="c" * 64)
    scan = door_checkin.judge_scan(db, activity, doors.code_now(db, activity, now), "b" * 64,
                                   now, today, client_hash="c" * 64)
    door_checkin.keep_scan(db, scan, device_hash="c" * 64, client="127.0.0.1", now=now)
    door_checkin.check_in(db, scan, doors.code_now(db, activity, now), student,
                          device_hash="c" * 64, client="127.0.0.1", now=now, today=today)
    doors.close_door(db, activity, now=now)  # (an open run's lease is not kept by 0008)


def fill_claims(db, student: int, now: datetime) -> None:
    """A claim with its evidence, approved, and one waiting without evidence."""
    from tracker.service import claims
    from tracker.service.evidence import Upload
    from web.claim_files import PDF

    first = claims.submit(db, student, claims.ClaimForm(
        "career-event", "2024-11-05", "Pharma career day", "KNPSV", "Three companies."),
        Upload("certificate.pdf", PDF), now)
    claims.approve(db, first.id, note="Thanks", by="Dr. C. Oordinator")
    claims.submit(db, student, claims.ClaimForm("career-workshop", "2024-11-06", "CV clinic"),
                  None, now)
