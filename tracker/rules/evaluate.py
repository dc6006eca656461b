"""Decide a student's progress from aggregated facts: a pure function, no database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.months import Month
from tracker.rules.model import (
    AssignmentRequirement,
    PointsRequirement,
    Requirement,
    RequirementSet,
)
from tracker.vocabulary import RequirementStatus

DONE, OPEN, AT_RISK, OVERDUE = (RequirementStatus.DONE, RequirementStatus.OPEN,
                                RequirementStatus.AT_RISK, RequirementStatus.OVERDUE)
WAIVED = RequirementStatus.WAIVED
MET = frozenset({DONE, WAIVED})
"""The statuses that count as met for completion."""


ByYear = Mapping[int, Mapping[str, int]]
"""Attended activities by programme year, then kind: ``{1: {"colloquium": 4}}``.

Year 1 is the first twelve months from the start month; 0 is before the start.
"""


@dataclass(frozen=True, slots=True)
class StudentRecord:
    """Everything the rules need to know about one student, already aggregated.

    ``attended`` counts every programme year from the start month on (what happened
    before the start counts for nothing); ``by_year`` needs only the kinds that a
    year-limited requirement counts. ``taken`` are the upcoming activities that cannot
    add anything for the student: excused from ahead, or held that day and counted.
    ``waived`` are the ids of the requirements marked met for the student.
    """

    start: Month
    attended: Mapping[str, int]
    by_year: ByYear
    approved: Mapping[int, date]  # assignment number -> date approved
    taken: frozenset[int] = frozenset()
    waived: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A scheduled activity that has not happened yet (on or after the day judged)."""

    id: int
    kind: str
    held_on: date
    title: str = ""


@dataclass(slots=True)
class RequirementProgress:
    requirement: Requirement
    required: int
    done: int
    status: RequirementStatus
    due: date
    blocking: bool  # not done, and not optional: completion waits for it
    scheduled: int  # what the upcoming activities before ``due`` could still add

    @property
    def remaining(self) -> int:
        return 0 if self.status == WAIVED else max(self.required - self.done, 0)

    @property
    def met(self) -> bool:
        """Done, or waived: it counts as met for completion."""
        return self.status in MET

    @property
    def kind(self) -> str:
        return self.requirement.type

    @property
    def optional(self) -> bool:
        return self.requirement.optional


@dataclass(slots=True)
class Progress:
    requirement_set: RequirementSet
    requirements: tuple[RequirementProgress, ...]
    complete: bool  # every non-optional requirement is done


_NOTHING: Mapping[str, int] = {}
Measure = Callable[[Mapping[str, int], ByYear, Mapping[int, date]], tuple[int, int]]


class _Window:
    """The upcoming activities that could still count for one requirement of students
    of one start month: of a kind it counts, before its deadline (and in its year)."""

    def __init__(self, activities: list[Upcoming]) -> None:
        self.activities = tuple(activities)
        self.ids = frozenset(a.id for a in activities)
        self.kinds = _count_kinds(activities)

    def kinds_left(self, taken: frozenset[int]) -> Mapping[str, int]:
        if not taken or self.ids.isdisjoint(taken):
            return self.kinds
        return _count_kinds([a for a in self.activities if a.id not in taken])


def _count_kinds(activities: Iterable[Upcoming]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for activity in activities:
        counts[activity.kind] = counts.get(activity.kind, 0) + 1
    return counts


class Evaluator:
    """A requirement set prepared for judging many students on one day: one small
    function per requirement giving (required, done), and per start month the
    deadlines and the upcoming activities that could still count."""

    def __init__(self, requirement_set: RequirementSet, as_of: date,
                 upcoming: Sequence[Upcoming] = ()) -> None:
        self.requirement_set = requirement_set
        self.as_of = as_of
        self._upcoming = [a for a in upcoming if a.held_on >= as_of]
        # Per requirement: what evaluating it needs, looked up once for every student.
        self._steps = tuple((r, _measure(r), r.optional,
                             not isinstance(r, AssignmentRequirement))
                            for r in requirement_set.requirements)
        self._per_start: dict[Month, tuple[tuple[date, ...], tuple[_Window, ...]]] = {}

    def _prepared(self, start: Month) -> tuple[tuple[date, ...], tuple[_Window, ...]]:
        prepared = self._per_start.get(start)
        if prepared is None:
            requirements = self.requirement_set.requirements
            dues = tuple(deadline(r, start) for r in requirements)
            windows = tuple(_Window(self._in_window(r, start, due))
                            for r, due in zip(requirements, dues, strict=True))
            prepared = self._per_start[start] = (dues, windows)
        return prepared

    def _in_window(self, requirement: Requirement, start: Month, due: date) -> list[Upcoming]:
        kinds = set(kinds_that_count(requirement))
        year = getattr(requirement, "year", None)
        first = start.first_day() if year is None else start.plus(12 * (year - 1)).first_day()
        return [a for a in self._upcoming if a.kind in kinds and first <= a.held_on <= due]

    @property
    def has_upcoming(self) -> bool:
        return bool(self._upcoming)

    def coming(self, record: StudentRecord) -> tuple[tuple[Upcoming, ...], ...]:
        """Per requirement, the upcoming activities that could still count for it."""
        windows = self._prepared(record.start)[1]
        if not record.taken:  # most students: what is scheduled, as it is
            return tuple(window.activities for window in windows)
        return tuple(tuple(a for a in window.activities if a.id not in record.taken)
                     for window in windows)

    def evaluate(self, record: StudentRecord) -> Progress:
        as_of = self.as_of
        total, by_year = record.attended, record.by_year
        dues, windows = self._prepared(record.start)
        approved, taken, waived = record.approved, record.taken, record.waived
        results = []
        complete = True
        for (requirement, measure, optional, can_be_at_risk), due, window in zip(
                self._steps, dues, windows, strict=True):
            required, done = measure(total, by_year, approved)
            scheduled = _could_add(requirement, total, by_year, window.kinds_left(
                taken)) if window.activities else 0
            if done >= required or (waived and requirement.id in waived):
                results.append(RequirementProgress(
                    requirement, required, done, DONE if done >= required else WAIVED, due,
                    False, scheduled))
                continue
            if optional:
                status = OPEN  # voluntary: never overdue, never at risk
            elif as_of > due:
                status = OVERDUE
            elif can_be_at_risk and done + scheduled < required:
                status = AT_RISK
            else:
                status = OPEN
            complete = complete and optional
            results.append(RequirementProgress(requirement, required, done, status, due,
                                               not optional, scheduled))
        return Progress(self.requirement_set, tuple(results), complete)


def _could_add(requirement: Requirement, total: Mapping[str, int], by_year: ByYear,
               coming: Mapping[str, int]) -> int:
    """What the coming activities (counts by kind) would add: one each, or for points
    the points they earn after the caps."""
    if isinstance(requirement, PointsRequirement):
        counts = total if requirement.year is None else by_year.get(requirement.year,
                                                                    _NOTHING)
        more = {kind: counts.get(kind, 0) + coming.get(kind, 0) for kind in requirement.points}
        return points_earned(requirement, more) - points_earned(requirement, counts)
    return sum(coming.values())


def deadline(requirement: Requirement, start: Month) -> date:
    """A requirement's deadline for a student who started in ``start``: its own
    (``due_months``, or the end of its programme ``year``), else the end of the
    second programme year."""
    if isinstance(requirement, AssignmentRequirement):
        if requirement.due_months:
            return assignment_due(start, requirement.due_months)
        return programme_year_end(start, 2)
    return programme_year_end(start, requirement.year or 2)


def _measure(requirement: Requirement) -> Measure:
    if isinstance(requirement, AssignmentRequirement):
        number = requirement.number

        def approved(_total: Mapping[str, int], _by_year: ByYear,
                     approvals: Mapping[int, date]) -> tuple[int, int]:
            return 1, int(number in approvals)

        return approved

    year, minimum = requirement.year, requirement.minimum

    def counts(total: Mapping[str, int], by_year: ByYear) -> Mapping[str, int]:
        return total if year is None else by_year.get(year, _NOTHING)

    if isinstance(requirement, PointsRequirement):
        points = requirement

        def earned(total: Mapping[str, int], by_year: ByYear,
                   _approvals: Mapping[int, date]) -> tuple[int, int]:
            return minimum, points_earned(points, counts(total, by_year))

        return earned

    kinds = requirement.kinds

    def attended(total: Mapping[str, int], by_year: ByYear,
                 _approvals: Mapping[int, date]) -> tuple[int, int]:
        seen = counts(total, by_year)
        return minimum, sum([seen.get(kind, 0) for kind in kinds])

    return attended


def programme_year_end(start: Month, year: int) -> date:
    return start.plus(12 * year - 1).last_day()


def assignment_due(start: Month, due_months: int) -> date:
    """The last day of the ``due_months``-th month of the programme."""
    return start.plus(due_months - 1).last_day()


def points_earned(requirement: PointsRequirement, counts: Mapping[str, int]) -> int:
    """Points after each kind's own cap, then after the caps on kinds together."""
    per_kind = {
        kind: min(counts.get(kind, 0) * points, requirement.caps.get(kind, 10**9))
        for kind, points in requirement.points.items()
    }
    grouped: set[str] = set()
    total = 0
    for shared in requirement.shared_caps:
        grouped.update(shared.kinds)
        total += min(sum(per_kind[kind] for kind in shared.kinds), shared.maximum)
    return total + sum(points for kind, points in per_kind.items() if kind not in grouped)


def kinds_that_count(requirement: Requirement) -> Iterable[str]:
    if isinstance(requirement, AssignmentRequirement):
        return ()
    return requirement.kinds
