"""Waivers: one requirement marked met for one student (make-up work credited, or an
exemption agreed by the exam board), with who, when and why; and ending one.

A waiver names a requirement of the set that applies to the student; it counts as met
for completion, and every output says ``waived`` with the reason. Both are changes in
the history, so ``undo`` reverts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import history, students
from tracker.db import waivers as stored
from tracker.db.engine import Database
from tracker.db.models import Student, Waiver
from tracker.db.progress import Enrolled
from tracker.errors import InvalidInput, NotFound
from tracker.rules import RequirementSet
from tracker.service.assessment import requirement_set_for
from tracker.service.results import Written
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind


@dataclass(frozen=True)
class WaiverView:
    """A waiver as the command line and the export show it."""

    student: str
    requirement: str
    label: str
    reason: str
    waived_by: str
    waived_at: datetime


def waive(db: Database, number: str, requirement: str, reason: str | None,
          by: str | None = None) -> Written[WaiverView]:
    """Mark ``requirement`` met for student ``number``, for ``reason``; unchanged (and
    said so) when it is waived already."""
    clean_reason = fields.text("reason", reason)
    if clean_reason is None:
        raise InvalidInput("give the --reason for the waiver (what was agreed, e.g. with "
                           "the exam board)")
    with db.transaction() as session:
        student, chosen = _student_and_set(session, number)
        wanted = _requirement(chosen, student, requirement)
        held = _waiver(session, student, wanted)
        if held is not None:
            return Written(_view(student, chosen, held), False)
        change = history.open_change(session, ChangeKind.STUDENT_WAIVE, by,
                                     f"{student.number}: waive {wanted} ({clean_reason})")
        waiver = Waiver(student_id=student.id, requirement=wanted, reason=clean_reason,
                        waived_by=change.actor, waived_at=change.at)
        session.add(waiver)
        history.inserted(session, change, waiver)
        return Written(_view(student, chosen, waiver), True)


def unwaive(db: Database, number: str, requirement: str,
            by: str | None = None) -> Written[WaiverView | None]:
    """End the waiver of ``requirement`` for student ``number``: it counts again as its
    rule says. Unchanged (None) when it is not waived."""
    with db.transaction() as session:
        student, chosen = _student_and_set(session, number)
        wanted = _requirement(chosen, student, requirement, ending=True)
        held = _waiver(session, student, wanted)
        if held is None:
            return Written(None, False)
        view = _view(student, chosen, held)
        change = history.open_change(session, ChangeKind.STUDENT_UNWAIVE, by,
                                     f"{student.number}: end the waiver of {wanted}")
        history.deleted(session, change, held)
        return Written(view, True)


def waivers_of(session: Session, student: Student) -> list[Waiver]:
    return stored.of_student(session, student.id)


def erase_waivers(session: Session, student: Student) -> None:
    """A forgotten student's waivers go: their reasons may say much about a person."""
    stored.erase(session, student.id)


def _student_and_set(session: Session, number: str) -> tuple[Student, RequirementSet]:
    in_force = rules_in_force(session)
    student = students.require(session, fields.student_number(number, in_force.book))
    enrolled = Enrolled(student.id, student.number, student.name, student.start,
                        student.status, student.rules_override)
    return student, requirement_set_for(in_force.book, in_force.version, enrolled)


def _requirement(chosen: RequirementSet, student: Student, given: str, *,
                 ending: bool = False) -> str:
    """The requirement id ``given`` names in the student's set (any case), or a refusal
    that lists the set's requirements."""
    wanted = given.strip().lower()
    ids = [r.id for r in chosen.requirements]
    for requirement_id in ids:
        if requirement_id.lower() == wanted:
            return requirement_id
    if ending:  # a waiver of a requirement the rules no longer have can still end
        return given.strip()
    raise NotFound(f"requirement set {chosen.id}, which {student.number} follows, has no "
                   f"requirement {given!r} (requirements: {', '.join(ids)})")


def _waiver(session: Session, student: Student, requirement: str) -> Waiver | None:
    return stored.held(session, student.id, requirement)


def _view(student: Student, chosen: RequirementSet, waiver: Waiver) -> WaiverView:
    labels = {r.id: r.label for r in chosen.requirements}
    return WaiverView(student.number, waiver.requirement,
                      labels.get(waiver.requirement, waiver.requirement), waiver.reason,
                      waiver.waived_by, waiver.waived_at)
