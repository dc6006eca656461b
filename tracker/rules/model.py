"""What a rules file says, as immutable values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tracker.months import Month

DEFAULT_STUDENT_NUMBER = "^s[0-9]{7}$"
DEFAULT_STUDENT_NUMBER_FORM = "a Leiden student number: s followed by 7 digits, e.g. s1234567"


@dataclass(frozen=True)
class AttendanceRequirement:
    """At least ``minimum`` attended activities of ``kinds`` (within programme ``year``)."""

    id: str
    label: str
    kinds: tuple[str, ...]
    minimum: int
    year: int | None = None
    optional: bool = False
    type: str = field(default="attendance", init=False)


@dataclass(frozen=True)
class AssignmentRequirement:
    """Reflection assignment ``number`` approved (by ``due_months`` after the start)."""

    id: str
    label: str
    number: int
    due_months: int | None = None
    optional: bool = False
    type: str = field(default="assignment", init=False)


@dataclass(frozen=True)
class SharedCap:
    """At most ``maximum`` points from these kinds together (after their own caps)."""

    kinds: tuple[str, ...]
    maximum: int


@dataclass(frozen=True)
class PointsRequirement:
    """At least ``minimum`` points; each attended activity earns its kind's points."""

    id: str
    label: str
    points: Mapping[str, int]
    minimum: int
    caps: Mapping[str, int] = field(default_factory=dict)
    shared_caps: tuple[SharedCap, ...] = ()
    year: int | None = None
    optional: bool = False
    type: str = field(default="points", init=False)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self.points)


Requirement = AttendanceRequirement | AssignmentRequirement | PointsRequirement


@dataclass(frozen=True)
class RequirementSet:
    """The requirements for students whose start month lies in [started_from,
    started_before); an ``override_only`` set (an individual programme) has no start
    window and is followed only by the students ``tracker student override`` puts on it."""

    id: str
    label: str
    started_from: Month | None
    started_before: Month | None
    requirements: tuple[Requirement, ...]
    override_only: bool = False

    def applies_to(self, start: Month) -> bool:
        if self.override_only:
            return False
        if self.started_from is not None and start < self.started_from:
            return False
        return self.started_before is None or start < self.started_before

    def describe_range(self) -> str:
        if self.override_only:
            return "only by `tracker student override` (an individual programme)"
        low = f"from {self.started_from}" if self.started_from else "any start"
        high = f" before {self.started_before}" if self.started_before else " onwards"
        return low + high


@dataclass(frozen=True)
class RuleBook:
    """A whole, validated rules file."""

    programme: str
    student_number_pattern: str
    kinds: Mapping[str, str]
    assignments: Mapping[int, str]
    sets: tuple[RequirementSet, ...]
    student_number_form: str = DEFAULT_STUDENT_NUMBER_FORM  # the pattern, in words
    claimable: frozenset[str] = frozenset()  # kinds a student may claim (SPEC §9)

    def set_for_start(self, start: Month) -> RequirementSet | None:
        return next((s for s in self.sets if s.applies_to(start)), None)

    def set_by_id(self, set_id: str) -> RequirementSet | None:
        return next((s for s in self.sets if s.id == set_id), None)

    @property
    def reads_bare_digits(self) -> bool:
        """With the Leiden pattern, seven digits alone are taken as ``s`` and them."""
        return self.student_number_pattern == DEFAULT_STUDENT_NUMBER

    def student_number_matches(self, number: str) -> bool:
        return re.fullmatch(self.student_number_pattern, number) is not None
