"""What students have done and what remains: one student (``progress``) or many
(``report``), computed by one code path, :func:`assess`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, assignments, participations, students
from tracker.db.engine import Database
from tracker.db.models import AssignmentRecord, Student
from tracker.db.progress import (
    Column,
    Enrolled,
    approvals,
    attendance_by_student,
    enrolled,
    taken_upcoming,
    tallies_by_student,
)
from tracker.errors import NoRequirementSet, NotFound
from tracker.months import Month
from tracker.rules import (
    Evaluator,
    Progress,
    RequirementProgress,
    RequirementSet,
    RuleBook,
    StudentRecord,
)
from tracker.rules.evaluate import Upcoming, kinds_that_count
from tracker.rules.explain import Explanation, Participated, explain
from tracker.rules.model import AssignmentRequirement
from tracker.service.rules import RulesInForce, rules_in_force
from tracker.vocabulary import AssignmentStatus, RequirementStatus

UPCOMING_PER_REQUIREMENT = 3
BEHIND = (RequirementStatus.AT_RISK, RequirementStatus.OVERDUE)


def requirement_set_for(book: RuleBook, version: int, student: Enrolled) -> RequirementSet:
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


@dataclass(frozen=True, slots=True)
class Assessed:
    """One student's standing: ``progress`` is None when no requirement set applies
    (``problem`` says why)."""

    student: Enrolled
    start: Month
    day: date
    progress: Progress | None
    problem: str | None = None
    evaluator: Evaluator | None = None
    record: StudentRecord | None = None

    def coming(self) -> tuple[tuple[Upcoming, ...], ...]:
        """Per requirement, the upcoming activities that could still count for it."""
        if self.evaluator is None or self.record is None:
            return ()
        return self.evaluator.coming(self.record)

    @property
    def complete(self) -> bool:
        return self.progress is not None and self.progress.complete


def assess(session: Session, in_force: RulesInForce, which: ColumnElement[bool],
           day: date) -> Iterator[Assessed]:
    """The standing of ``which`` students on ``day``, in start and number order.

    Five queries whatever the number of students: the students, their attendance
    counted per kind (and programme year where a rule asks; from the tallies when
    judging today or later, else from the participations up to that day), their
    approvals, the activities still to come, and which of those they are down for.
    """
    book = in_force.book
    people = enrolled(session, which)
    columns = _columns(book)
    counted = (tallies_by_student(session, which, columns) if day >= date.today()
               else attendance_by_student(session, day, which, columns))
    attended = {row[0]: row[1:] for row in counted}
    approved: dict[int, dict[int, date]] = {}
    for student_id, number, on in approvals(session, day, which):
        approved.setdefault(student_id, {})[number] = on
    counting = {kind for s in book.sets for r in s.requirements for kind in kinds_that_count(r)}
    coming = [Upcoming(a.id, a.kind, a.held_on, a.title)
              for a in activities.coming(session, day, counting)]
    taken = taken_upcoming(session, day, [a.id for a in coming], which)
    months: dict[date, Month] = {}  # students share a few start months ...
    evaluators: dict[tuple[date, str | None], Evaluator] = {}  # ... and requirement sets
    nothing: frozenset[int] = frozenset()
    for student in people:
        start = months.get(student.start) or months.setdefault(student.start,
                                                               Month.of(student.start))
        key = (student.start, student.rules_override)
        evaluator = evaluators.get(key)
        if evaluator is None:
            try:
                chosen = requirement_set_for(book, in_force.version, student)
            except (NoRequirementSet, NotFound) as problem:
                yield Assessed(student, start, day, None, str(problem))
                continue
            evaluator = evaluators[key] = Evaluator(chosen, day, coming)
        counts = attended.get(student.id)
        approvals_ = approved.get(student.id, {})
        record = (StudentRecord(start, {}, {}, approvals_, taken.get(student.id, nothing))
                  if counts is None else
                  _record(start, columns, counts, approvals_, taken.get(student.id, nothing)))
        yield Assessed(student, start, day, evaluator.evaluate(record), None, evaluator, record)


def _columns(book: RuleBook) -> list[Column]:
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
            approved: dict[int, date], taken: frozenset[int]) -> StudentRecord:
    attended: dict[str, int] = {}
    by_year: dict[int, dict[str, int]] = {}
    for (kind, year), count in zip(columns, counts, strict=True):
        if not count:
            continue
        if year is None:
            attended[kind] = int(count)
        else:
            by_year.setdefault(year, {})[kind] = int(count)
    return StudentRecord(start, attended, by_year, approved, taken)


# --- one student ---------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """An attended activity that counted toward a requirement."""

    activity: int
    date: date
    title: str
    kind: str


@dataclass(frozen=True)
class NotCounted:
    """An activity of a kind a requirement counts that did not count, and why."""

    activity: int
    date: date
    title: str
    why: str


@dataclass(frozen=True)
class RequirementView:
    id: str
    label: str
    kind: str
    required: int
    done: int
    remaining: int
    optional: bool
    status: RequirementStatus
    due: date
    scheduled: int  # what the activities still to come before ``due`` could add
    counted: tuple[Counted, ...] = ()
    not_counted: tuple[NotCounted, ...] = ()
    assignment_status: str | None = None  # none, submitted, approved or rejected
    feedback: str | None = None  # with the latest decision on the assignment

    @classmethod
    def of(cls, item: RequirementProgress, explanation: Explanation | None = None,
           assignment: tuple[str, str | None] | None = None) -> RequirementView:
        requirement = item.requirement
        counted: tuple[Counted, ...] = ()
        not_counted: tuple[NotCounted, ...] = ()
        if explanation is not None:
            counted = tuple(Counted(p.activity, p.held_on, p.title, p.kind)
                            for p in explanation.counted)
            not_counted = tuple(NotCounted(p.activity, p.held_on, p.title, why)
                                for p, why in explanation.not_counted)
        status, feedback = assignment or (None, None)
        return cls(requirement.id, requirement.label, requirement.type, item.required,
                   item.done, item.remaining, requirement.optional, item.status, item.due,
                   item.scheduled, counted, not_counted, status, feedback)

    def to_json(self) -> dict[str, Any]:
        """SPEC §5's requirement, with ``scheduled``, ``counted`` (activity ids) and
        ``not_counted`` (``{"activity", "why"}``); an assignment's also with
        ``assignment_status`` and ``feedback``."""
        data: dict[str, Any] = {
            "id": self.id, "label": self.label, "kind": self.kind,
            "required": self.required, "done": self.done, "remaining": self.remaining,
            "optional": self.optional, "status": self.status, "due": self.due,
            "scheduled": self.scheduled, "counted": [c.activity for c in self.counted],
            "not_counted": [{"activity": n.activity, "why": n.why} for n in self.not_counted]}
        if self.kind == "assignment":
            data["assignment_status"] = self.assignment_status
            data["feedback"] = self.feedback
        return data


@dataclass(frozen=True)
class UpcomingActivity:
    id: int
    kind: str
    date: date
    title: str
    requirements: tuple[str, ...]  # the ids of the open requirements it would count for


@dataclass(frozen=True)
class StudentProgress:
    """SPEC §5's progress, plus ``as_of`` and the ``upcoming`` activities that count."""

    student: str
    name: str
    start: str
    requirement_set: str
    rules_version: int
    complete: bool
    as_of: date
    requirements: tuple[RequirementView, ...]
    upcoming: tuple[UpcomingActivity, ...]
    programme: str
    requirement_set_label: str


def student_progress(db: Database, number: str, as_of: date | None = None) -> StudentProgress:
    day = as_of or date.today()
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        student = students.require(session, fields.student_number(number, in_force.book))
        [assessed] = assess(session, in_force, Student.id == student.id, day)
        if assessed.progress is None:
            raise NoRequirementSet(assessed.problem or "no requirement set applies")
        explanations = explain(assessed.progress.requirement_set, assessed.start, day, (
            Participated(*row) for row in participations.for_rules(session, student.id)))
        decisions = {row.number: _as_of(row, day)
                     for row in assignments.of_student(session, student.id)}
        return progress_of(assessed, in_force, explanations, decisions)


def _as_of(row: AssignmentRecord, day: date) -> tuple[str, str | None]:
    """An assignment's state and feedback as they were on ``day``."""
    if row.decided_on is not None and row.decided_on <= day:
        return row.status, row.feedback
    if row.submitted_on is not None and row.submitted_on <= day:
        return AssignmentStatus.SUBMITTED.value, None
    return "none", None


def progress_of(assessed: Assessed, in_force: RulesInForce,
                explanations: Sequence[Explanation] | None = None,
                decisions: Mapping[int, tuple[str, str | None]] | None = None) \
        -> StudentProgress:
    """A student's progress from their assessment; with what counted and why others did
    not, and the state of their assignments, when given."""
    if assessed.progress is None:
        raise NoRequirementSet(assessed.problem or "no requirement set applies")
    progress, student = assessed.progress, assessed.student
    if explanations is None and decisions is None:  # standing only: students share views
        views = [_shared_view(item.requirement.id, item.requirement.label, item.kind,
                              item.optional, item.required, item.done, item.status, item.due,
                              item.scheduled) for item in progress.requirements]
    else:
        views = []
        for i, item in enumerate(progress.requirements):
            requirement = item.requirement
            assignment = None
            if decisions is not None and isinstance(requirement, AssignmentRequirement):
                assignment = decisions.get(requirement.number, ("none", None))
            views.append(RequirementView.of(
                item, explanations[i] if explanations is not None else None, assignment))
    return StudentProgress(
        student.number, student.name, str(assessed.start), progress.requirement_set.id,
        in_force.version, progress.complete, assessed.day, tuple(views), _upcoming(assessed),
        in_force.book.programme, progress.requirement_set.label)


@lru_cache(maxsize=65536)
def _shared_view(id_: str, label: str, kind: str, optional: bool, required: int, done: int,
                 status: RequirementStatus, due: date, scheduled: int) -> RequirementView:
    """One view for every student who stands the same on a requirement (thousands do, in
    a reminder run over a cohort)."""
    return RequirementView(id_, label, kind, required, done, max(required - done, 0),
                           optional, status, due, scheduled)


def _upcoming(assessed: Assessed) -> tuple[UpcomingActivity, ...]:
    """Scheduled activities that would count for a requirement not done yet, a few per
    requirement, by date."""
    assert assessed.progress is not None
    if assessed.evaluator is None or not assessed.evaluator.has_upcoming:
        return ()
    picked: dict[int, tuple[Upcoming, list[str]]] = {}
    for item, coming in zip(assessed.progress.requirements, assessed.coming(), strict=True):
        if item.status == RequirementStatus.DONE:
            continue
        for activity in coming[:UPCOMING_PER_REQUIREMENT]:
            picked.setdefault(activity.id, (activity, []))[1].append(item.requirement.id)
    return tuple(UpcomingActivity(a.id, a.kind, a.held_on, a.title, tuple(ids))
                 for a, ids in sorted(picked.values(),
                                      key=lambda pair: (pair[0].held_on, pair[0].id)))


# --- many students -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportRow:
    student: str
    name: str
    start: str
    status: str
    requirement_set: str | None
    complete: bool
    requirements: tuple[RequirementProgress, ...]  # empty when no set applies

    @property
    def open(self) -> tuple[str, ...]:
        """The ids of the requirements completion waits for."""
        return tuple(r.requirement.id for r in self.requirements if r.blocking)

    @property
    def behind(self) -> bool:
        """A required item is at risk or overdue."""
        return any(r.status in BEHIND for r in self.requirements if r.blocking)


@dataclass(frozen=True)
class CohortReport:
    rules_version: int
    as_of: date
    requirement_ids: tuple[str, ...]  # of every set, in the rules' order
    rows: tuple[ReportRow, ...]
    problems: tuple[str, ...]  # students no requirement set applies to


def cohort_report(db: Database, cohort: int | None = None, incomplete: bool = False,
                  as_of: date | None = None, at_risk: bool = False) -> CohortReport:
    """One row per student: complete or not, and per requirement what is done.

    ``incomplete`` keeps the students who have not completed; ``at_risk`` those with
    a required item at risk or overdue.
    """
    with db.transaction(read_only=True) as session:
        return report_in(session, rules_in_force(session), cohort_students(cohort),
                         as_of or date.today(), incomplete, at_risk)


def cohort_students(cohort: int | None) -> ColumnElement[bool]:
    """Registered students, of one cohort (start year) when given."""
    if cohort is None:
        return students.registered()
    low, high = fields.cohort_bounds(cohort)
    return and_(students.registered(), Student.start.between(low, high))


def report_in(session: Session, in_force: RulesInForce, which: ColumnElement[bool], day: date,
              incomplete: bool = False, at_risk: bool = False) -> CohortReport:
    rows: list[ReportRow] = []
    problems: list[str] = []
    for assessed in assess(session, in_force, which, day):
        student, progress = assessed.student, assessed.progress
        if progress is None:
            problems.append(assessed.problem or "")
            rows.append(ReportRow(student.number, student.name, str(assessed.start),
                                  student.status, None, False, ()))
            continue
        if incomplete and progress.complete:
            continue
        row = ReportRow(student.number, student.name, str(assessed.start), student.status,
                        progress.requirement_set.id, progress.complete, progress.requirements)
        if at_risk and not row.behind:
            continue
        rows.append(row)
    book = in_force.book
    requirement_ids = tuple(dict.fromkeys(r.id for s in book.sets for r in s.requirements))
    return CohortReport(in_force.version, day, requirement_ids, tuple(rows), tuple(problems))
