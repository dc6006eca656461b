"""What a student has done and what remains; the same for a whole cohort at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, select

from tracker.db.engine import Database
from tracker.db.models import Student
from tracker.db.queries import (
    Column,
    approvals,
    attendance_by_student,
    attendance_tallies,
    upcoming_activities,
)
from tracker.errors import NoRequirementSet, NotFound
from tracker.months import Month, programme_year
from tracker.rules import (
    Progress,
    RequirementProgress,
    RequirementSet,
    RuleBook,
    StudentRecord,
    evaluate,
)
from tracker.rules.evaluate import OPEN, OVERDUE, kinds_that_count
from tracker.service.lookup import find_student
from tracker.service.rules import rules_in_force
from tracker.service.students import cohort_bounds

UPCOMING_PER_REQUIREMENT = 3


class _Enrolled(Protocol):
    number: str
    start: date
    rules_override: str | None


def requirement_set_for(book: RuleBook, version: int, student: _Enrolled) -> RequirementSet:
    """The student's individual programme if they have one, else the set for their start."""
    if student.rules_override:
        chosen = book.set_by_id(student.rules_override)
        if chosen is None:
            raise NotFound(f"{student.number} follows requirement set "
                           f"{student.rules_override!r}, which rules version {version} no "
                           "longer has: set another with `tracker student override`")
        return chosen
    start = Month.of(student.start)
    chosen = book.set_for_start(start)
    if chosen is None:
        raise NoRequirementSet(f"{student.number} started {start}, and no requirement set of "
                               f"rules version {version} covers that start month")
    return chosen


def requirement_view(item: RequirementProgress) -> dict[str, Any]:
    requirement = item.requirement
    return {"id": requirement.id, "label": requirement.label, "kind": requirement.type,
            "required": item.required, "done": item.done, "remaining": item.remaining,
            "optional": requirement.optional, "status": item.status,
            "due": item.due.isoformat() if item.due else None}


def student_progress(db: Database, number: str, as_of: date | None = None) -> dict[str, Any]:
    """SPEC §5's progress JSON, plus ``as_of`` and the ``upcoming`` activities that count."""
    day = as_of or date.today()
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        student = find_student(session, number, in_force.book)
        chosen = requirement_set_for(in_force.book, in_force.version, student)
        start = Month.of(student.start)
        which = Student.id == student.id
        record = StudentRecord.from_tallies(
            start,
            ((year, kind, count)
             for _, kind, year, count in attendance_tallies(session, day, which)),
            {n: on for _, n, on in approvals(session, day, which)},
        )
        progress = evaluate(chosen, record, day)
        upcoming = _upcoming(session, progress, start, day, student.id)
        return {"student": student.number, "name": student.name, "start": str(start),
                "requirement_set": chosen.id, "rules_version": in_force.version,
                "complete": progress.complete, "as_of": day.isoformat(),
                "requirements": [requirement_view(r) for r in progress.requirements],
                "upcoming": upcoming}


def _upcoming(session: Any, progress: Progress, start: Month, day: date,
              student_id: int) -> list[dict[str, Any]]:
    """Scheduled activities that would close an open requirement, a few per requirement."""
    wanted = [r for r in progress.requirements if r.status in (OPEN, OVERDUE)]
    kinds = {k for r in wanted for k in kinds_that_count(r.requirement)}
    picked: dict[int, dict[str, Any]] = {}
    activities = upcoming_activities(session, day, kinds, student_id)
    for item in wanted:
        requirement = item.requirement
        year = getattr(requirement, "year", None)
        fits = [a for a in activities if a.kind in kinds_that_count(requirement)
                and (year is None or programme_year(start, a.held_on) == year)]
        for activity in fits[:UPCOMING_PER_REQUIREMENT]:
            entry = picked.setdefault(activity.id, {
                "id": activity.id, "kind": activity.kind, "date": activity.held_on.isoformat(),
                "title": activity.title, "requirements": []})
            entry["requirements"].append(requirement.id)
    return sorted(picked.values(), key=lambda a: (a["date"], a["id"]))


def _report_columns(book: RuleBook) -> list[Column]:
    """Every kind in all years, and each (kind, year) a year-limited requirement counts."""
    columns: list[Column] = [(kind, None) for kind in book.kinds]
    for requirement_set in book.sets:
        for requirement in requirement_set.requirements:
            year = getattr(requirement, "year", None)
            if year is not None:
                columns += [(k, year) for k in kinds_that_count(requirement)
                            if (k, year) not in columns]
    return columns


def _record(start: Month, columns: list[Column], counts: tuple[Any, ...],
            approved: dict[int, date]) -> StudentRecord:
    attended: dict[str, int] = {}
    by_year: dict[int, dict[str, int]] = {}
    for (kind, year), count in zip(columns, counts, strict=True):
        if not count:
            continue
        if year is None:
            attended[kind] = int(count)
        else:
            by_year.setdefault(year, {})[kind] = int(count)
    return StudentRecord(start, attended, by_year, approved)


@dataclass(frozen=True)
class Report:
    rules_version: int
    as_of: date
    requirement_ids: list[str]
    rows: list[dict[str, Any]]
    problems: list[str]


def cohort_report(db: Database, cohort: int | None = None, incomplete: bool = False,
                  as_of: date | None = None) -> Report:
    """One row per student: complete or not, and per requirement id what is done.

    Three queries whatever the number of students: the students, their attendance
    counted per kind (and programme year where a rule asks), their approvals.
    """
    day = as_of or date.today()
    which: ColumnElement[bool] = Student.forgotten_at.is_(None)
    if cohort is not None:
        low, high = cohort_bounds(cohort)
        which = and_(which, Student.start.between(low, high))
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        book = in_force.book
        students = session.execute(
            select(Student.id, Student.number, Student.name, Student.start, Student.status,
                   Student.rules_override).where(which).order_by(Student.start, Student.number)
        ).all()
        columns = _report_columns(book)
        attended = {row[0]: row[1:] for row in attendance_by_student(session, day, which,
                                                                     columns)}
        approved: dict[int, dict[int, date]] = {}
        for student_id, number, on in approvals(session, day, which):
            approved.setdefault(student_id, {})[number] = on

    requirement_ids = list(dict.fromkeys(r.id for s in book.sets for r in s.requirements))
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    months: dict[date, Month] = {}  # students share a few start months ...
    sets: dict[tuple[date, str | None], RequirementSet] = {}  # ... and requirement sets
    for student in students:
        start = months.get(student.start) or months.setdefault(student.start,
                                                               Month.of(student.start))
        row: dict[str, Any] = {"student": student.number, "name": student.name,
                               "start": str(start), "status": student.status}
        try:
            key = (student.start, student.rules_override)
            chosen = sets.get(key) or sets.setdefault(
                key, requirement_set_for(book, in_force.version, student))
        except (NoRequirementSet, NotFound) as problem:
            problems.append(str(problem))
            rows.append({**row, "requirement_set": None, "complete": False, "open": []})
            continue
        counts = attended.get(student.id)
        record = (StudentRecord(start, {}, {}, approved.get(student.id, {})) if counts is None
                  else _record(start, columns, counts, approved.get(student.id, {})))
        progress = evaluate(chosen, record, day)
        complete = progress.complete
        if incomplete and complete:
            continue
        row["requirement_set"] = chosen.id
        row["complete"] = complete
        row["open"] = [r.requirement.id for r in progress.requirements if r.blocking]
        for result in progress.requirements:
            row[result.requirement.id] = result.done
        rows.append(row)
    return Report(in_force.version, day, requirement_ids, rows, problems)
