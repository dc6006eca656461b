"""Decide a student's progress from aggregated facts: a pure function, no database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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


ByYear = Mapping[int, Mapping[str, int]]
"""Attended activities by programme year, then kind: ``{1: {"colloquium": 4}}``.

Year 1 is the first twelve months from the start month; 0 is before the start.
"""


@dataclass(frozen=True, slots=True)
class StudentRecord:
    """Everything the rules need to know about one student, already aggregated.

    ``attended`` counts every year; ``by_year`` needs only the kinds that a
    year-limited requirement counts.
    """

    start: Month
    attended: Mapping[str, int]
    by_year: ByYear
    approved: Mapping[int, date]  # assignment number -> date approved

    @classmethod
    def from_tallies(cls, start: Month, rows: Iterable[tuple[int, str, int]],
                     approved: Mapping[int, date]) -> StudentRecord:
        """From (programme year, kind, count) rows."""
        attended: dict[str, int] = {}
        by_year: dict[int, dict[str, int]] = {}
        for year, kind, count in rows:
            attended[kind] = attended.get(kind, 0) + count
            by_kind = by_year.setdefault(year, {})
            by_kind[kind] = by_kind.get(kind, 0) + count
        return cls(start, attended, by_year, approved)


@dataclass(slots=True)
class RequirementProgress:
    requirement: Requirement
    required: int
    done: int
    status: RequirementStatus
    due: date | None
    blocking: bool  # not done, and not optional: completion waits for it

    @property
    def remaining(self) -> int:
        return max(self.required - self.done, 0)


@dataclass(slots=True)
class Progress:
    requirement_set: RequirementSet
    requirements: tuple[RequirementProgress, ...]
    complete: bool  # every non-optional requirement is done


def evaluate(requirement_set: RequirementSet, record: StudentRecord, as_of: date) -> Progress:
    """The progress of a student with ``record`` on ``as_of``.

    ``record`` must hold only what happened on or before ``as_of``. To evaluate many
    students, make one :class:`Evaluator` per requirement set.
    """
    return Evaluator(requirement_set).evaluate(record, as_of)


_NOTHING: Mapping[str, int] = {}
Measure = Callable[[Mapping[str, int], ByYear, Mapping[int, date]], tuple[int, int]]


class Evaluator:
    """A requirement set prepared for evaluating many students: one small function per
    requirement giving (required, done), and the due dates per start month."""

    def __init__(self, requirement_set: RequirementSet) -> None:
        self.requirement_set = requirement_set
        self._measures = tuple(_measure(r) for r in requirement_set.requirements)
        self._dues: dict[Month, tuple[date | None, ...]] = {}

    def dues(self, start: Month) -> tuple[date | None, ...]:
        dues = self._dues.get(start)
        if dues is None:
            dues = self._dues[start] = tuple(
                _due(r, start) for r in self.requirement_set.requirements)
        return dues

    def evaluate(self, record: StudentRecord, as_of: date) -> Progress:
        total, by_year = record.attended, record.by_year
        results = []
        complete = True
        for requirement, measure, due in zip(self.requirement_set.requirements,
                                             self._measures, self.dues(record.start),
                                             strict=True):
            required, done = measure(total, by_year, record.approved)
            if done >= required:
                results.append(RequirementProgress(requirement, required, done, DONE, due,
                                                   False))
                continue
            status = OVERDUE if due is not None and as_of > due else OPEN
            blocking = not requirement.optional
            complete = complete and not blocking
            results.append(RequirementProgress(requirement, required, done, status, due,
                                               blocking))
        return Progress(self.requirement_set, tuple(results), complete)


def _due(requirement: Requirement, start: Month) -> date | None:
    if isinstance(requirement, AssignmentRequirement):
        return assignment_due(start, requirement.due_months) if requirement.due_months \
            else None
    return programme_year_end(start, requirement.year) if requirement.year else None


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
