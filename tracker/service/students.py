"""Register students, list them, show one, and record an individual programme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from tracker.db.engine import Database
from tracker.db.models import AssignmentRecord, Participation, Student
from tracker.errors import InvalidInput, NotFound
from tracker.months import Month
from tracker.service.changes import open_change, record, snapshot
from tracker.service.lookup import find_student, normalise_number, text_field
from tracker.service.rules import rules_in_force


def student_row(student: Student) -> dict[str, Any]:
    return {"student": student.number, "name": student.name,
            "start": str(Month.of(student.start)), "email": student.email,
            "specialisation": student.specialisation, "status": student.status}


def cohort_bounds(cohort: int) -> tuple[date, date]:
    """Students of cohort YYYY started in that calendar year (September or February)."""
    if not 1900 <= cohort <= 9999:
        raise InvalidInput(f"cohort {cohort} is not a year")
    return date(cohort, 1, 1), date(cohort, 12, 31)


def checked_email(value: str | None) -> str | None:
    email = text_field("email", value)
    if email is not None and ("@" not in email or " " in email):
        raise InvalidInput(f"e-mail {email!r} is not an e-mail address")
    return email


@dataclass(frozen=True)
class AddOutcome:
    student: dict[str, Any]
    created: bool


def add_student(db: Database, number: str, name: str, start: Month, email: str | None = None,
                specialisation: str | None = None, by: str | None = None) -> AddOutcome:
    clean_name = text_field("name", name, required=True)
    assert clean_name is not None
    clean_email = checked_email(email)
    clean_specialisation = text_field("specialisation", specialisation)
    with db.transaction() as session:
        book = rules_in_force(session).book
        normal = normalise_number(number, book)
        existing = session.scalars(select(Student).where(Student.number == normal)).first()
        if existing is not None:
            wanted = (clean_name, start.first_day(), clean_email, clean_specialisation)
            held = (existing.name, existing.start, existing.email, existing.specialisation)
            if wanted == held:
                return AddOutcome(student_row(existing), False)
            raise InvalidInput(
                f"{normal} is already registered as {existing.name!r} (start "
                f"{Month.of(existing.start)}); nothing changed")
        change = open_change(session, "student add", by, f"add student {normal}")
        student = Student(number=normal, name=clean_name, start=start.first_day(),
                          email=clean_email, specialisation=clean_specialisation,
                          status="active")
        session.add(student)
        record(session, change, student, None)
        return AddOutcome(student_row(student), True)


def list_students(db: Database, cohort: int | None = None) -> list[dict[str, Any]]:
    query = (select(Student).where(Student.forgotten_at.is_(None))
             .order_by(Student.start, Student.number))
    if cohort is not None:
        low, high = cohort_bounds(cohort)
        query = query.where(Student.start.between(low, high))
    with db.transaction(read_only=True) as session:
        return [student_row(s) for s in session.scalars(query)]


def show_student(db: Database, number: str) -> dict[str, Any]:
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        student = find_student(session, number, in_force.book)
        attended = session.scalar(select(func.count()).where(
            Participation.student_id == student.id, Participation.status == "attended"))
        excused = session.scalar(select(func.count()).where(
            Participation.student_id == student.id, Participation.status == "excused"))
        approved = session.scalar(select(func.count()).where(
            AssignmentRecord.student_id == student.id, AssignmentRecord.status == "approved"))
        chosen = (in_force.book.set_by_id(student.rules_override) if student.rules_override
                  else in_force.book.set_for_start(Month.of(student.start)))
        return {**student_row(student),
                "requirement_set": chosen.id if chosen else None,
                "rules_version": in_force.version,
                "override": student.rules_override, "override_reason": student.override_reason,
                "attended": attended, "excused": excused, "assignments_approved": approved,
                "registered": student.created_at}


def set_override(db: Database, number: str, set_id: str | None, reason: str | None,
                 by: str | None = None) -> tuple[dict[str, Any], bool]:
    """Give a student an individual programme (a set id), or clear it with None."""
    clean_reason = text_field("reason", reason)
    with db.transaction() as session:
        book = rules_in_force(session).book
        student = find_student(session, number, book)
        if set_id is not None:
            if book.set_by_id(set_id) is None:
                raise NotFound(f"no requirement set {set_id!r} in the rules in force (sets: "
                               f"{', '.join(s.id for s in book.sets)})")
            if clean_reason is None:
                raise InvalidInput("give the --reason agreed with the study advisor")
        if (student.rules_override, student.override_reason) == (set_id, clean_reason):
            return student_row(student), False
        change = open_change(session, "student override", by,
                             f"{student.number}: requirement set "
                             f"{set_id or 'by start month'}")
        before = snapshot(student)
        student.rules_override = set_id
        student.override_reason = clean_reason if set_id else None
        record(session, change, student, before)
        return student_row(student), True


def set_status(db: Database, number: str, status: str,
               by: str | None = None) -> tuple[dict[str, Any], bool]:
    with db.transaction() as session:
        student = find_student(session, number, rules_in_force(session).book)
        if student.status == status:
            return student_row(student), False
        change = open_change(session, "student status", by, f"{student.number}: {status}")
        before = snapshot(student)
        student.status = status
        record(session, change, student, before)
        return student_row(student), True


def edit_student(db: Database, number: str, *, name: str | None = None,
                 email: str | None = None, specialisation: str | None = None,
                 start: Month | None = None, by: str | None = None) \
        -> tuple[dict[str, Any], bool]:
    """Correct a registered student's details; only the options given change.

    An empty ``email`` or ``specialisation`` ("") clears it.
    """
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = text_field("name", name, required=True)
    if email is not None:
        wanted["email"] = checked_email(email)
    if specialisation is not None:
        wanted["specialisation"] = text_field("specialisation", specialisation)
    if start is not None:
        wanted["start"] = start.first_day()
    if not wanted:
        raise InvalidInput("say what to change: --name, --email, --specialisation or --start")
    with db.transaction() as session:
        student = find_student(session, number, rules_in_force(session).book)
        if all(getattr(student, key) == value for key, value in wanted.items()):
            return student_row(student), False
        change = open_change(session, "student edit", by,
                             f"{student.number}: {', '.join(sorted(wanted))}")
        before = snapshot(student)
        for key, value in wanted.items():
            setattr(student, key, value)
        record(session, change, student, before)
        return student_row(student), True
