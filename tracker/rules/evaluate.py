"""Decide a student's progress from aggregated facts: a pure function, no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from tracker.months import Month
from tracker.rules.model import (
    AssignmentRequirement,
    AttendanceRequirement,
    PointsRequirement,
    Requirement,
    RequirementSet,
)

DONE, OPEN, OVERDUE = "done", "open", "overdue"


Attended = Mapping[int | None, Mapping[str, int]]
"""Attended activities by programme year, then kind: ``{1: {"colloquium": 4}}``.

Year 1 is the first twelve months from the start month; 0 is before the start; None
is any year (for kinds that no requirement limits to a year).
"""


@dataclass(frozen=True, slots=True)
class StudentRecord:
    """Everything the rules need to know about one student, already aggregated."""

    start: Month
    attended: Attended
    approved: Mapping[int, date]  # assignment number -> date approved


def tally(rows: Iterable[tuple[int | None, str, int]]) -> dict[int | None, dict[str, int]]:
    """:data:`Attended` from (year, kind, count) rows."""
    attended: dict[int | None, dict[str, int]] = {}
    for year, kind, count in rows:
        by_kind = attended.setdefault(year, {})
        by_kind[kind] = by_kind.get(kind, 0) + count
    return attended


@dataclass(slots=True)
class RequirementProgress:
    requirement: Requirement
    required: int
    done: int
    status: str
    due: date | None

    @property
    def remaining(self) -> int:
        return max(self.required - self.done, 0)

    @property
    def blocking(self) -> bool:
        return self.status != DONE and not self.requirement.optional


@dataclass(slots=True)
class Progress:
    requirement_set: RequirementSet
    requirements: tuple[RequirementProgress, ...]

    @property
    def complete(self) -> bool:
        return not any(r.blocking for r in self.requirements)

    @property
    def met(self) -> int:
        return sum(r.status == DONE for r in self.requirements)


class _Counts:
    """A student's attended activities per kind: in all, or in one programme year."""

    def __init__(self, attended: Attended) -> None:
        self.by_year = attended
        self._total: dict[str, int] | None = None

    def of(self, year: int | None) -> Mapping[str, int]:
        if year is not None:
            return self.by_year.get(year, {})
        if self._total is None:
            self._total = {}
            for by_kind in self.by_year.values():
                for kind, count in by_kind.items():
                    self._total[kind] = self._total.get(kind, 0) + count
        return self._total


def evaluate(requirement_set: RequirementSet, record: StudentRecord, as_of: date) -> Progress:
    """The progress of a student with ``record`` on ``as_of``.

    ``record`` must hold only what happened on or before ``as_of``.
    """
    counts = _Counts(record.attended)
    return Progress(
        requirement_set,
        tuple(_evaluate_one(r, record, counts, as_of) for r in requirement_set.requirements),
    )


@lru_cache(maxsize=1024)
def programme_year_end(start: Month, year: int) -> date:
    return start.plus(12 * year - 1).last_day()


@lru_cache(maxsize=1024)
def assignment_due(start: Month, due_months: int) -> date:
    """The last day of the ``due_months``-th month of the programme."""
    return start.plus(due_months - 1).last_day()


def _evaluate_one(requirement: Requirement, record: StudentRecord, counts: _Counts,
                  as_of: date) -> RequirementProgress:
    if isinstance(requirement, AssignmentRequirement):
        approved = requirement.number in record.approved
        due = (assignment_due(record.start, requirement.due_months)
               if requirement.due_months else None)
        return RequirementProgress(requirement, 1, int(approved),
                                   _status(approved, due, as_of), due)

    attended = counts.of(requirement.year)
    if isinstance(requirement, AttendanceRequirement):
        done = sum(attended.get(kind, 0) for kind in requirement.kinds)
    else:
        done = points_earned(requirement, attended)
    due = programme_year_end(record.start, requirement.year) if requirement.year else None
    return RequirementProgress(requirement, requirement.minimum, done,
                               _status(done >= requirement.minimum, due, as_of), due)


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


def _status(met: bool, due: date | None, as_of: date) -> str:
    if met:
        return DONE
    return OVERDUE if due is not None and as_of > due else OPEN


def kinds_that_count(requirement: Requirement) -> Iterable[str]:
    if isinstance(requirement, AssignmentRequirement):
        return ()
    return requirement.kinds
