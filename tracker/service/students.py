"""Register students, list them, show one, correct them, and record an individual
programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker import fields
from tracker.db import erasures, history, reminders, students, waivers
from tracker.db.engine import Database
from tracker.db.models import Student
from tracker.errors import InvalidInput, NotFound
from tracker.months import Month
from tracker.service.results import Written
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, StudentStatus


@dataclass(frozen=True)
class StudentView:
    student: str
    name: str
    start: str
    email: str | None
    specialisation: str | None
    status: str

    @classmethod
    def of(cls, student: Student) -> StudentView:
        return cls(student.number, student.name, str(Month.of(student.start)), student.email,
                   student.specialisation, student.status)


@dataclass(frozen=True)
class StudentDetails(StudentView):
    """``student show``: the record, the requirement set that applies, and counts."""

    requirement_set: str | None
    rules_version: int
    override: str | None
    override_reason: str | None
    attended: int
    excused: int
    assignments_approved: int
    registered: datetime
    reminders: int  # reminder e-mails delivered
    last_reminded: datetime | None
    waived: tuple[str, ...] = ()  # "career-symposium: <reason>", one per waiver


def add_student(db: Database, number: str, name: str, start: Month, email: str | None = None,
                specialisation: str | None = None, by: str | None = None,
                re_register: bool = False) -> Written[StudentView]:
    clean_name = fields.required_text("name", name)
    clean_email = fields.email(email)
    clean_specialisation = fields.text("specialisation", specialisation)
    with db.transaction() as session:
        normal = fields.student_number(number, rules_in_force(session).book)
        existing = students.by_number(session, normal)
        if existing is not None:
            wanted = (clean_name, start.first_day(), clean_email, clean_specialisation)
            held = (existing.name, existing.start, existing.email, existing.specialisation)
            if wanted == held:
                return Written(StudentView.of(existing), False)
            raise InvalidInput(
                f"{normal} is already registered as {existing.name!r} (start "
                f"{Month.of(existing.start)}); nothing changed")
        erased = erasures.Erased(session)
        if not re_register:
            erased.refuse(normal)
        change = history.open_change(session, ChangeKind.STUDENT_ADD, by,
                                     f"add student {normal}")
        remembered = erased.row(session, normal)
        if remembered is not None:  # registered again, deliberately
            history.deleted(session, change, remembered)
        student = Student(number=normal, name=clean_name, start=start.first_day(),
                          email=clean_email, specialisation=clean_specialisation,
                          status=StudentStatus.ACTIVE.value)
        session.add(student)
        history.inserted(session, change, student)
        return Written(StudentView.of(student), True)


def list_students(db: Database, cohort: int | None = None) -> list[StudentView]:
    started = None if cohort is None else fields.cohort_bounds(cohort)
    with db.transaction(read_only=True) as session:
        return [StudentView.of(s) for s in students.listing(session, started)]


def show_student(db: Database, number: str) -> StudentDetails:
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        student = students.require(session, fields.student_number(number, in_force.book))
        attended, excused, approved = students.tallies(session, student.id)
        reminded, last_reminded = reminders.count_and_last(session, student.id)
        chosen = (in_force.book.set_by_id(student.rules_override) if student.rules_override
                  else in_force.book.set_for_start(Month.of(student.start)))
        view = StudentView.of(student)
        return StudentDetails(
            view.student, view.name, view.start, view.email, view.specialisation, view.status,
            chosen.id if chosen else None, in_force.version, student.rules_override,
            student.override_reason, attended, excused, approved, student.created_at,
            reminded, last_reminded,
            tuple(f"{w.requirement}: {w.reason}" for w in waivers.of_student(session,
                                                                              student.id)))


def set_override(db: Database, number: str, set_id: str | None, reason: str | None,
                 by: str | None = None) -> Written[StudentView]:
    """Give a student an individual programme (a set id), or clear it with None."""
    clean_reason = fields.text("reason", reason)
    with db.transaction() as session:
        book = rules_in_force(session).book
        student = students.require(session, fields.student_number(number, book))
        if set_id is not None:
            if book.set_by_id(set_id) is None:
                raise NotFound(f"no requirement set {set_id!r} in the rules in force (sets: "
                               f"{', '.join(s.id for s in book.sets)})")
            if clean_reason is None:
                raise InvalidInput("give the --reason agreed with the study advisor")
        wanted = {"rules_override": set_id,
                  "override_reason": clean_reason if set_id else None}
        return _change(session, student, wanted, ChangeKind.STUDENT_OVERRIDE, by,
                       f"{student.number}: requirement set {set_id or 'by start month'}")


def set_status(db: Database, number: str, status: StudentStatus,
               by: str | None = None) -> Written[StudentView]:
    with db.transaction() as session:
        student = students.require(
            session, fields.student_number(number, rules_in_force(session).book))
        return _change(session, student, {"status": status.value}, ChangeKind.STUDENT_STATUS,
                       by, f"{student.number}: {status}")


def edit_student(db: Database, number: str, *, name: str | None = None,
                 email: str | None = None, specialisation: str | None = None,
                 start: Month | None = None, by: str | None = None) -> Written[StudentView]:
    """Correct a registered student's details; only the options given change.

    An empty ``email`` or ``specialisation`` ("") clears it.
    """
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = fields.required_text("name", name)
    if email is not None:
        wanted["email"] = fields.email(email)
    if specialisation is not None:
        wanted["specialisation"] = fields.text("specialisation", specialisation)
    if start is not None:
        wanted["start"] = start.first_day()
    if not wanted:
        raise InvalidInput("say what to change: --name, --email, --specialisation or --start")
    with db.transaction() as session:
        student = students.require(
            session, fields.student_number(number, rules_in_force(session).book))
        return _change(session, student, wanted, ChangeKind.STUDENT_EDIT, by,
                       f"{student.number}: {', '.join(sorted(wanted))}")


def _change(session: Any, student: Student, wanted: dict[str, Any], kind: ChangeKind,
            by: str | None, summary: str) -> Written[StudentView]:
    """Set ``wanted`` attributes of ``student`` in one recorded change, unless they are
    so already."""
    if all(getattr(student, key) == value for key, value in wanted.items()):
        return Written(StudentView.of(student), False)
    change = history.open_change(session, kind, by, summary)
    before = history.snapshot(student)
    for key, value in wanted.items():
        setattr(student, key, value)
    history.updated(session, change, student, before)
    return Written(StudentView.of(student), True)
