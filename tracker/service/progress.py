"""What a student has done and what remains; the same for a whole cohort at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select, true

from tracker.db.engine import Database
from tracker.db.models import Student
from tracker.db.queries import approvals, attendance_tallies, upcoming_activities
from tracker.errors import NoRequirementSet, NotFound
from tracker.months import Month, programme_year
from tracker.rules import (
    Progress,
    RequirementSet,
    RuleBook,
    StudentRecord,
    evaluate,
)
from tracker.rules.evaluate import OPEN, OVERDUE, kinds_that_count, tally
from tracker.service.lookup import find_student
from tracker.service.rules import rules_in_force
from tracker.service.students import cohort_bounds

UPCOMING_PER_REQUIREMENT = 3


def requirement_set_for(book: RuleBook, version: int, student: Student) -> RequirementSet:
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


def requirement_view(item: Any) -> dict[str, Any]:
    requirement = item.requirement
    return {"id": requirement.id, "label": requirement.label, "kind": requirement.type,
            "required": item.required, "done": item.done, "remaining": item.remaining,
            "optional": requirement.optional, "status": item.status,
            "due": item.due.isoformat() if item.due else None}


def student_progress(db: Database, number: str, as_of: date | None = None) -> dict[str, Any]:
    """SPEC §5's progress JSON, plus ``as_of`` and the ``upcoming`` activities that count."""
    day = as_of or date.today()
    with db.transaction() as session:
        in_force = rules_in_force(session)
        student = find_student(session, number, in_force.book)
        chosen = requirement_set_for(in_force.book, in_force.version, student)
        start = Month.of(student.start)
        which = Student.id == student.id
        record = StudentRecord(
            start,
            tally((year, kind, count)
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
    aggregated by kind and month, their approved assignments.
    """
    day = as_of or date.today()
    which: ColumnElement[bool] = true()
    if cohort is not None:
        low, high = cohort_bounds(cohort)
        which = Student.start.between(low, high)
    with db.transaction() as session:
        in_force = rules_in_force(session)
        book = in_force.book
        students = session.execute(
            select(Student.id, Student.number, Student.name, Student.start, Student.status,
                   Student.rules_override).where(which).order_by(Student.start, Student.number)
        ).all()
        year_kinds = {kind for s in book.sets for r in s.requirements
                      if getattr(r, "year", None) is not None for kind in kinds_that_count(r)}
        attended: dict[int, dict[int | None, dict[str, int]]] = defaultdict(dict)
        for student_id, kind, year, count in attendance_tallies(session, day, which,
                                                                year_kinds):
            attended[student_id].setdefault(year, {})[kind] = count
        approved: dict[int, dict[int, date]] = defaultdict(dict)
        for student_id, number, on in approvals(session, day, which):
            approved[student_id][number] = on

    requirement_ids = list(dict.fromkeys(r.id for s in book.sets for r in s.requirements))
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for student in students:
        start = Month.of(student.start)
        row: dict[str, Any] = {"student": student.number, "name": student.name,
                               "start": str(start), "status": student.status}
        try:
            chosen = requirement_set_for(book, in_force.version, student)  # type: ignore[arg-type]
        except (NoRequirementSet, NotFound) as problem:
            problems.append(str(problem))
            rows.append({**row, "requirement_set": None, "complete": False, "open": []})
            continue
        progress = evaluate(chosen, StudentRecord(start, attended[student.id],
                                                  approved[student.id]), day)
        if incomplete and progress.complete:
            continue
        row.update({"requirement_set": chosen.id, "complete": progress.complete,
                    "open": [r.requirement.id for r in progress.requirements if r.blocking]})
        row.update({r.requirement.id: r.done for r in progress.requirements})
        rows.append(row)
    return Report(in_force.version, day, requirement_ids, rows, problems)
