"""Why a requirement stands where it does: which attended activities counted toward it,
and why the others of a kind it counts did not. Pure: plain data in, plain data out.

The counts themselves come from :mod:`tracker.rules.evaluate`, over aggregates; a test
keeps the two in agreement (what counted adds up to what is done).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.months import Month
from tracker.rules.evaluate import kinds_that_count
from tracker.rules.model import PointsRequirement, Requirement, RequirementSet
from tracker.vocabulary import ParticipationStatus


@dataclass(frozen=True, slots=True)
class Participated:
    """A student at an activity."""

    activity: int
    kind: str
    held_on: date
    title: str
    status: str


@dataclass(frozen=True, slots=True)
class Explanation:
    counted: tuple[Participated, ...]
    not_counted: tuple[tuple[Participated, str], ...]  # with why, in words


def explain(requirement_set: RequirementSet, start: Month, as_of: date,
            participated: Iterable[Participated]) -> tuple[Explanation, ...]:
    """Per requirement of the set (assignments: nothing), in date order."""
    ordered = sorted(participated, key=lambda p: (p.held_on, p.activity))
    return tuple(_explain(r, start, as_of, ordered) for r in requirement_set.requirements)


def _explain(requirement: Requirement, start: Month, as_of: date,
             participated: Sequence[Participated]) -> Explanation:
    kinds = set(kinds_that_count(requirement))
    year = getattr(requirement, "year", None)
    counted: list[Participated] = []
    not_counted: list[tuple[Participated, str]] = []
    caps = _Caps(requirement) if isinstance(requirement, PointsRequirement) else None
    first = start.number  # (programme_year inline: a reminder run comes here 400,000 times)
    after = before = ""
    attended = ParticipationStatus.ATTENDED
    for item in [p for p in participated if p.kind in kinds]:
        held_on = item.held_on
        offset = held_on.year * 12 + held_on.month - 1 - first
        if held_on > as_of:
            why = after = after or f"after {as_of}, the day judged"
        elif item.status != attended:
            why = item.status  # excused
        elif offset < 0:
            why = before = before or f"before the start month ({start})"
        elif year is not None and offset // 12 + 1 != year:
            first_month = start.plus(12 * (year - 1))
            why = (f"outside programme year {year} ({first_month} to "
                   f"{first_month.plus(11)}): in year {offset // 12 + 1}")
        else:
            why = caps.over(item.kind) if caps is not None else ""
        if why:
            not_counted.append((item, why))
        else:
            counted.append(item)
    return Explanation(tuple(counted), tuple(not_counted))


class _Caps:
    """Points earned so far, activity by activity, against a requirement's caps."""

    def __init__(self, requirement: PointsRequirement) -> None:
        self.requirement = requirement
        self.per_kind: dict[str, int] = {}
        self.shared = {kind: group for group in requirement.shared_caps for kind in group.kinds}

    def over(self, kind: str) -> str:
        """'' and count the activity when it still earns a point; else why not."""
        requirement = self.requirement
        earned = self.per_kind.get(kind, 0)
        cap = requirement.caps.get(kind)
        if cap is not None and earned >= cap:
            return f"over the cap of {cap} points for {kind}"
        group = self.shared.get(kind) if self.shared else None
        if group is not None:
            together = sum([min(self.per_kind.get(k, 0), requirement.caps.get(k, 10**9))
                            for k in group.kinds])
            if together >= group.maximum:
                return (f"over the cap of {group.maximum} points shared by "
                        f"{' and '.join(group.kinds)}")
        self.per_kind[kind] = earned + requirement.points[kind]
        return ""
