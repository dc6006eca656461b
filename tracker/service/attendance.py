"""Log who attended (or was excused from) an activity: typed, or a whole file.

Both go through :func:`write_participations`, so a sign-in sheet and a typed ``attend``
give the same outcome for the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, history, participations, students
from tracker.db.engine import Database
from tracker.db.models import Change, Participation
from tracker.errors import InvalidInput
from tracker.service.activities import ActivityView
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, ParticipationStatus

# Positions in a row for participations.writer (participations.COLUMNS order).
STUDENT, ACTIVITY, STATUS, BY, AT, SOURCE, NOTE, CHANGE = range(len(participations.COLUMNS))


class Outcome(StrEnum):
    """What writing one row did."""

    ADDED = "added"
    UPDATED = "updated"  # an earlier record corrected: its status or note
    DOWNGRADED = "downgraded"  # updated from attended to excused: it counts no more
    UNCHANGED = "unchanged"  # recorded so already
    CONFLICT = "conflict"  # the same command said otherwise in an earlier row


def write_participations(session: Session, change: Change,
                         rows: Sequence[tuple[Any, ...]], *,
                         at: datetime | None = None) -> Sequence[Outcome]:
    """Write rows shaped for :func:`participations.writer`; the outcome of each.

    New rows are inserted in one statement. A row whose student is at the activity
    already (recorded earlier, or a moment ago by another coordinator) updates that
    record when its status differs or it brings another note, with a history entry;
    otherwise it changes nothing. ``at`` is when an updated record is recorded (default:
    when the change was opened; a check-in session writes long after that).
    """
    inserted = participations.writer(session).insert(rows)
    if inserted == len(rows):
        return [Outcome.ADDED] * len(rows)
    found = participations.held(session, ((row[STUDENT], row[ACTIVITY]) for row in rows))
    outcomes = []
    seen: set[tuple[int, int]] = set()
    for row in rows:
        pair = (row[STUDENT], row[ACTIVITY])
        held = found[pair]
        first = pair not in seen
        seen.add(pair)
        if first and held.change_id == change.id and held.source == row[SOURCE]:
            outcomes.append(Outcome.ADDED)
        elif not first or held.change_id == change.id:  # this command said so before
            same = held.status == row[STATUS] and row[NOTE] in (None, held.note)
            outcomes.append(Outcome.UNCHANGED if same else Outcome.CONFLICT)
        else:
            outcomes.append(_correct(session, change, held, row, at or change.at))
    return outcomes


def _correct(session: Session, change: Change, held: Participation,
             row: tuple[Any, ...], at: datetime) -> Outcome:
    """Bring an earlier record in line with ``row``, if it says something new."""
    status, note = row[STATUS], row[NOTE]
    if held.status == status and note in (None, held.note):
        return Outcome.UNCHANGED
    before = history.snapshot(held)
    downgraded = (held.status == ParticipationStatus.ATTENDED
                  and status == ParticipationStatus.EXCUSED)
    held.status = status
    if note is not None:
        held.note = note
    held.recorded_by, held.recorded_at, held.source = change.actor, at, row[SOURCE]
    history.updated(session, change, held, before)
    return Outcome.DOWNGRADED if downgraded else Outcome.UPDATED




@dataclass(frozen=True)
class AttendOutcome:
    activity: ActivityView
    status: ParticipationStatus
    added: tuple[str, ...]
    updated: tuple[str, ...]  # downgraded ones included
    downgraded: tuple[str, ...]  # attended before, excused now: no longer counted
    unchanged: tuple[str, ...]


def refuse_future_attendance(activity_id: int, held_on: date, today: date) -> None:
    if held_on > today:
        raise InvalidInput(f"activity #{activity_id} is on {held_on}, in the future: "
                           "attendance can be logged from that day on (--excused works ahead)")


def attend(db: Database, activity_id: int, numbers: Sequence[str], *,
           status: ParticipationStatus = ParticipationStatus.ATTENDED,
           note: str | None = None, by: str | None = None, source: str = "typed",
           today: date | None = None) -> AttendOutcome:
    """Record ``numbers`` at the activity; all or nothing. Repeating it changes nothing."""
    if not numbers:
        raise InvalidInput("name at least one student number")
    clean_note = fields.text("note", note)
    clean_by = fields.text("by", by)
    with db.transaction() as session:
        book = rules_in_force(session).book
        activity = activities.require(session, activity_id)
        if status == ParticipationStatus.ATTENDED:
            refuse_future_attendance(activity.id, activity.held_on, today or date.today())
        named = students.require_all(session, (fields.student_number(n, book) for n in numbers))
        held = participations.at_activity(session, activity.id, (s.id for s in named))
        if all(s.id in held and held[s.id].status == status
               and clean_note in (None, held[s.id].note) for s in named):
            return AttendOutcome(ActivityView.of(activity), status, (), (), (),
                                 tuple(s.number for s in named))
        change = history.open_change(session, ChangeKind.ATTEND, clean_by,
                                     f"{status} #{activity.id} {activity.title}")
        recorded_at = participations.writer(session).value("recorded_at", change.at)
        outcomes = write_participations(session, change, [
            (s.id, activity.id, status.value, change.actor, recorded_at, source, clean_note,
             change.id) for s in named])
        by_outcome: dict[Outcome, list[str]] = {outcome: [] for outcome in Outcome}
        for student, outcome in zip(named, outcomes, strict=True):
            by_outcome[outcome].append(student.number)
        written = len(by_outcome[Outcome.ADDED]) + len(by_outcome[Outcome.UPDATED]) + len(
            by_outcome[Outcome.DOWNGRADED])
        change.summary = f"{status} #{activity.id} {activity.title}: {written} student(s)"
        return AttendOutcome(
            ActivityView.of(activity), status, tuple(by_outcome[Outcome.ADDED]),
            tuple(by_outcome[Outcome.UPDATED] + by_outcome[Outcome.DOWNGRADED]),
            tuple(by_outcome[Outcome.DOWNGRADED]), tuple(by_outcome[Outcome.UNCHANGED]))


@dataclass(frozen=True)
class RemoveOutcome:
    activity: ActivityView
    removed: tuple[str, ...]
    absent: tuple[str, ...]  # named, but not recorded there: nothing to remove


def remove_attendance(db: Database, activity_id: int, numbers: Sequence[str], *,
                      by: str | None = None) -> RemoveOutcome:
    """Take students off an activity (a mistake on the sheet); all or nothing."""
    if not numbers:
        raise InvalidInput("name at least one student number")
    with db.transaction() as session:
        book = rules_in_force(session).book
        activity = activities.require(session, activity_id)
        named = students.require_all(session, (fields.student_number(n, book) for n in numbers))
        held = participations.at_activity(session, activity.id, (s.id for s in named))
        removed = [s for s in named if s.id in held]
        if removed:
            change = history.open_change(
                session, ChangeKind.ATTEND_REMOVE, by,
                f"removed {len(removed)} student(s) from #{activity.id} {activity.title}")
            for student in removed:
                history.deleted(session, change, held[student.id])
        return RemoveOutcome(ActivityView.of(activity), tuple(s.number for s in removed),
                             tuple(s.number for s in named if s.id not in held))
