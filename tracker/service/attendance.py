"""Log who attended (or was excused from) an activity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tracker.db.bulk import MissingRowInserter
from tracker.db.engine import Database
from tracker.db.models import PARTICIPATION_STATUSES, ChangeEntry, Participation
from tracker.errors import InvalidInput
from tracker.service.activities import activity_row
from tracker.service.changes import open_change, record, snapshot
from tracker.service.lookup import find_activity, find_students, text_field
from tracker.service.rules import rules_in_force

PARTICIPATION_COLUMNS = ("student_id", "activity_id", "status", "recorded_by", "recorded_at",
                         "source", "note", "change_id")


def participation_writer(session: Session) -> MissingRowInserter:
    """Writes participations in :data:`PARTICIPATION_COLUMNS` order; repeats are skipped."""
    return MissingRowInserter(session, cast(Table, Participation.__table__), PARTICIPATION_COLUMNS,
                              ("student_id", "activity_id"))


@dataclass
class AttendOutcome:
    activity: dict[str, Any]
    status: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    change_id: int | None = None


def attend(db: Database, activity_id: int, numbers: list[str], *, status: str = "attended",
           note: str | None = None, by: str | None = None, source: str = "typed",
           today: date | None = None) -> AttendOutcome:
    """Record ``numbers`` at the activity; all or nothing. Repeating it changes nothing."""
    if status not in PARTICIPATION_STATUSES:
        raise InvalidInput(f"status {status!r} is not one of {', '.join(PARTICIPATION_STATUSES)}")
    if not numbers:
        raise InvalidInput("name at least one student number")
    clean_note = text_field("note", note)
    clean_by = text_field("by", by)
    with db.transaction() as session:
        book = rules_in_force(session).book
        activity = find_activity(session, activity_id)
        if status == "attended" and activity.held_on > (today or date.today()):
            raise InvalidInput(f"activity #{activity.id} is on {activity.held_on}, in the "
                               "future: attendance can be logged from that day on "
                               "(--excused works ahead)")
        students = find_students(session, numbers, book)
        outcome = AttendOutcome(activity_row(activity), status)
        held = {p.student_id: p for p in session.scalars(select(Participation).where(
            Participation.activity_id == activity.id,
            Participation.student_id.in_([s.id for s in students])))}
        new = [s for s in students if s.id not in held]
        changed = [s for s in students if s.id in held and (
            held[s.id].status != status
            or (clean_note is not None and held[s.id].note != clean_note))]
        outcome.unchanged = [s.number for s in students
                             if s.id in held and s not in changed]
        if not new and not changed:
            return outcome
        change = open_change(session, "attend", clean_by,
                             f"{status} #{activity.id} {activity.title}: "
                             f"{len(new) + len(changed)} student(s)")
        outcome.change_id = change.id
        for student in changed:
            participation = held[student.id]
            before = snapshot(participation)
            participation.status = status
            if clean_note is not None:
                participation.note = clean_note
            participation.recorded_by = change.actor
            participation.recorded_at = change.at
            record(session, change, participation, before)
            outcome.updated.append(student.number)
        writer = participation_writer(session)
        recorded_at = writer.value(4, change.at)
        inserted = writer.insert([
            (s.id, activity.id, status, change.actor, recorded_at, source, clean_note,
             change.id) for s in new])
        # Another coordinator may have recorded some of them a moment ago.
        raced = {p for p in session.scalars(select(Participation.student_id).where(
            Participation.activity_id == activity.id,
            Participation.student_id.in_([s.id for s in new]),
            Participation.change_id != change.id))} if inserted < len(new) else set()
        outcome.added = [s.number for s in new if s.id not in raced]
        outcome.unchanged += [s.number for s in new if s.id in raced]
        return outcome


def remove_attendance(db: Database, activity_id: int, numbers: list[str], *,
                      by: str | None = None) -> tuple[dict[str, Any], list[str], list[str]]:
    """Take students off an activity (a mistake on the sheet); all or nothing.

    Returns (the activity, the numbers removed, the numbers that were not recorded).
    """
    if not numbers:
        raise InvalidInput("name at least one student number")
    with db.transaction() as session:
        book = rules_in_force(session).book
        activity = find_activity(session, activity_id)
        students = find_students(session, numbers, book)
        held = {p.student_id: p for p in session.scalars(select(Participation).where(
            Participation.activity_id == activity.id,
            Participation.student_id.in_([s.id for s in students])))}
        removed = [s for s in students if s.id in held]
        if removed:
            change = open_change(session, "attend remove", by,
                                 f"removed {len(removed)} student(s) from #{activity.id} "
                                 f"{activity.title}")
            for student in removed:
                participation = held[student.id]
                before = snapshot(participation)
                session.delete(participation)
                session.flush()
                session.add(ChangeEntry(change_id=change.id, table_name="participation",
                                        row_id=str(participation.id), student_id=student.id,
                                        before=before, after=None))
        return (activity_row(activity), [s.number for s in removed],
                [s.number for s in students if s.id not in held])
