"""Log who attended (or was excused from) an activity: typed, or a whole file.

Both go through :func:`write_participations`, so a sign-in sheet and a typed ``attend``
give the same outcome for the same facts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, history, participations, students
from tracker.db.engine import Database
from tracker.db.models import Change, Participation
from tracker.db.participations import ParticipationRow
from tracker.errors import InvalidInput
from tracker.service.activities import ActivityView
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, ParticipationStatus


class Outcome(StrEnum):
    """What writing one row did."""

    ADDED = "added"
    UPDATED = "updated"  # an earlier record corrected: its status or note
    DOWNGRADED = "downgraded"  # updated from attended to excused: it counts no more
    UNCHANGED = "unchanged"  # recorded so already
    CONFLICT = "conflict"  # the same command said otherwise in an earlier row


@dataclass(frozen=True, slots=True)
class Written:
    """What writing one row did; for a conflict with an earlier row of the same call,
    that row (a conflict with what this change wrote in an earlier call has none)."""

    outcome: Outcome
    earlier: ParticipationRow | None = None


_ADDED = Written(Outcome.ADDED)


def write_participations(session: Session, change: Change,
                         rows: Sequence[ParticipationRow]) -> list[Written]:
    """Write ``rows`` as ``change``; what that did, row by row.

    New rows are inserted in one statement. A row whose student is at the activity
    already (recorded earlier, or a moment ago by another coordinator) updates that
    record when its status differs or it brings another note, with a history entry, and
    the record is this change's from then on; otherwise it changes nothing.
    """
    writer = participations.Writer(session, change.id, change.actor, change.at)
    if writer.insert_rows(rows) == len(rows):
        return [_ADDED] * len(rows)
    found = participations.held(session, (row.pair for row in rows))
    written: list[Written] = []
    seen: dict[tuple[int, int], ParticipationRow] = {}
    for row in rows:
        held = found[row.pair]
        earlier = seen.setdefault(row.pair, row)
        if earlier is not row or held.change_id == change.id:  # this command said so before
            if earlier is row and held.source == row.stored_source:
                written.append(_ADDED)  # inserted just now
            elif held.status == row.status and row.note in (None, held.note):
                written.append(Written(Outcome.UNCHANGED))
            else:
                written.append(Written(Outcome.CONFLICT, None if earlier is row else earlier))
        else:
            written.append(Written(_correct(session, change, held, row)))
    return written


def _correct(session: Session, change: Change, held: Participation,
             row: ParticipationRow) -> Outcome:
    """Bring an earlier record in line with ``row``, if it says something new."""
    if held.status == row.status and row.note in (None, held.note):
        return Outcome.UNCHANGED
    before = history.snapshot(held)
    downgraded = (held.status == ParticipationStatus.ATTENDED
                  and row.status == ParticipationStatus.EXCUSED)
    held.status = row.status
    if row.note is not None:
        held.note = row.note
    held.recorded_by, held.recorded_at, held.source = change.actor, change.at, row.stored_source
    # The record is this change's now: undo of the one that made it must not take it
    # away, and undo of this one gives it back.
    held.change_id = change.id
    history.updated(session, change, held, before)
    return Outcome.DOWNGRADED if downgraded else Outcome.UPDATED


_DOING = {Outcome.ADDED: "add {number} {status} {activity}",
          Outcome.UNCHANGED: "already there: {number} {status} {activity}",
          Outcome.UPDATED: "update {number} to {status} at {activity}",
          Outcome.DOWNGRADED: "downgrade {number} to {status} at {activity} (no longer "
                              "counted)",
          Outcome.CONFLICT: "conflicts: {number} {status} {activity}"}


def what_a_row_does(outcome: Outcome, number: str, status: str, activity: str) -> str:
    """A dry run's words for one row: ``add s1234567 attended #3 Peers``, ``downgrade
    s3400402 to excused at #14 Peers (no longer counted)``."""
    return _DOING[outcome].format(number=number, status=status, activity=activity)


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
        results = write_participations(session, change, [
            ParticipationRow(s.id, activity.id, status.value, source, note=clean_note)
            for s in named])
        by_outcome: dict[Outcome, list[str]] = {outcome: [] for outcome in Outcome}
        for student, done in zip(named, results, strict=True):
            by_outcome[done.outcome].append(student.number)
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
    change: int | None = None  # the history's change that removed them (to undo it)


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
        change_id = None
        if removed:
            change = history.open_change(
                session, ChangeKind.ATTEND_REMOVE, by,
                f"removed {len(removed)} student(s) from #{activity.id} {activity.title}")
            for student in removed:
                history.deleted(session, change, held[student.id])
            session.flush()
            change_id = change.id
        return RemoveOutcome(ActivityView.of(activity), tuple(s.number for s in removed),
                             tuple(s.number for s in named if s.id not in held), change_id)
