"""Record a reflection assignment: submitted, approved or rejected."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import assignments, history, students
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import AssignmentRecord, Change, Student
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RuleBook
from tracker.service.rules import rules_in_force
from tracker.vocabulary import AssignmentStatus, ChangeKind


@dataclass(frozen=True)
class AssignmentState:
    """One student's reflection assignment as it stands."""

    assignment: int
    title: str | None
    status: str
    submitted: date | None
    decided: date | None
    graded_by: str | None
    feedback: str | None

    @classmethod
    def of(cls, row: AssignmentRecord, book: RuleBook) -> AssignmentState:
        return cls(row.number, book.assignments.get(row.number), row.status, row.submitted_on,
                   row.decided_on, row.graded_by, row.feedback)


@dataclass(frozen=True)
class AssignmentRecorded:
    student: str
    state: AssignmentState
    changed: bool


def known_assignment(number: int, book: RuleBook) -> int:
    if number not in book.assignments:
        raise NotFound(f"no reflection assignment {number} (assignments: "
                       f"{', '.join(f'{k} {t}' for k, t in book.assignments.items())})")
    return number


@dataclass(frozen=True)
class Decision:
    """What a line of an assignment's life says: submitted, approved or rejected, on a
    day (``dated``: the day was given, not taken as today), with the feedback that came
    with it."""

    status: AssignmentStatus
    on: date
    feedback: str | None = None
    dated: bool = True
    reopen: bool = False  # a submission or rejection after an approval, meant as such


def decide(session: Session, change: Callable[[], Change], student: Student, number: int,
           decision: Decision, book: RuleBook, today: date) -> AssignmentRecord | None:
    """Apply ``decision`` to a student's assignment; the record if anything changed, None
    if it says what is recorded already. Refuses, in words, a decision dated in the
    future or before the submission it decides, a submission dated before the last
    decision, and a submission or a rejection after an approval unless it says
    ``reopen``: a decision stays decided unless it is taken back on purpose."""
    what = f"{student.number}'s assignment {number} ({book.assignments.get(number)})"
    status, on = decision.status, decision.on
    if on > today:
        raise InvalidInput(f"{what}: the date {on} is in the future; record a decision on "
                           "the day it is made")
    if status == AssignmentStatus.SUBMITTED and decision.feedback is not None:
        raise InvalidInput(f"{what}: feedback goes with a decision (approved or rejected), "
                           "not with a submission")
    row = assignments.record_of(session, student.id, number)
    if row is not None and row.status == status and not decision.dated and \
            decision.feedback in (None, row.feedback):
        return None  # so it is already
    if row is not None and decision.dated and (status.value, on) in \
            assignments.decisions_of(session, row) and (
            decision.feedback is None or decision.feedback == row.feedback
            or row.status != status):
        return None  # recorded already, now or before a later decision
    if row is not None and row.status == AssignmentStatus.APPROVED and not decision.reopen \
            and status != AssignmentStatus.APPROVED:
        taking_back = "a new submission" if status == AssignmentStatus.SUBMITTED \
            else "a rejection"
        raise InvalidInput(
            f"{what} was approved on {row.decided_on} by {row.graded_by}: {taking_back} "
            "would take that approval back; add --reopen if that is meant")
    if status == AssignmentStatus.SUBMITTED and row is not None and \
            row.decided_on is not None and row.status != status and on < row.decided_on:
        raise InvalidInput(f"{what}: a new submission cannot be dated {on}, before the "
                           f"decision on the last one ({row.decided_on})")
    if status != AssignmentStatus.SUBMITTED and row is not None and \
            row.submitted_on is not None and on < row.submitted_on:
        raise InvalidInput(f"{what} was submitted on {row.submitted_on}: a decision cannot be "
                           f"dated {on}, before it")
    before = history.snapshot(row) if row is not None else None
    made = change()
    if row is None:
        row = AssignmentRecord(student_id=student.id, number=number, status=status.value)
        session.add(row)
    row.status = status.value
    if status == AssignmentStatus.SUBMITTED:
        row.submitted_on, row.decided_on, row.graded_by, row.feedback = on, None, None, None
    else:
        row.decided_on, row.graded_by = on, made.actor
        row.feedback = decision.feedback  # feedback belongs to the decision it came with
    row.updated_at = made.at
    history.updated(session, made, row, before)
    return row


def record_assignment(db: Database, number: str, assignment: int, status: AssignmentStatus,
                      *, on: date | None = None, feedback: str | None = None,
                      by: str | None = None, reopen: bool = False,
                      today: date | None = None) -> AssignmentRecorded:
    """Record one decision on a student's assignment (see :func:`decide`)."""
    day = today or date.today()
    decision = Decision(status, on or day, fields.text("feedback", feedback), on is not None,
                        reopen)
    clean_by = fields.text("by", by)
    with db.transaction() as session:
        book = rules_in_force(session).book
        known_assignment(assignment, book)
        student = students.require(session, fields.student_number(number, book))
        log = ChangeLog(session, ChangeKind.ASSIGNMENT, clean_by)
        row = decide(session, lambda: log.change, student, assignment, decision, book, day)
        log.describe(f"{student.number} assignment {assignment}: {status}")
        if row is None:
            current = assignments.record_of(session, student.id, assignment)
            assert current is not None
            return AssignmentRecorded(student.number, AssignmentState.of(current, book), False)
        return AssignmentRecorded(student.number, AssignmentState.of(row, book), True)
