"""Why a requirement stands where it does: which attended activities counted toward it,
and why the others of a kind it counts did not. Pure: plain data in, plain data out.

The counts themselves come from :mod:`tracker.rules.evaluate`, over aggregates; a test
keeps the two in agreement (what counted adds up to what is done).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

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


NOTHING = Explanation((), ())
"""What explains a requirement that none of a student's activities concern."""


@dataclass(frozen=True, slots=True)
class Explained:
    """A student's activities against a requirement set."""

    requirements: tuple[Explanation, ...]  # per requirement of the set
    # Those of a kind some requirement counts, in date order: every one is counted or
    # not counted by one at least, so these are all the explanations name.
    named: tuple[Participated, ...]

DATE_ORDER = attrgetter("held_on", "activity")
"""The order :meth:`Explainer.explain` takes participations in (and explains them in)."""


def explain(requirement_set: RequirementSet, start: Month, as_of: date,
            participated: Iterable[Participated]) -> tuple[Explanation, ...]:
    """Per requirement of the set (assignments: nothing), in date order."""
    return Explainer(requirement_set, start, as_of).explain(
        sorted(participated, key=DATE_ORDER)).requirements


class Explainer:
    """:func:`explain` for every student of one requirement set and start month, judged
    on one day. What is the same for all of them is worked out once, not once per
    student and requirement: which requirements count each kind (so that a student's
    activities are gone through once, not once per requirement), the days each
    requirement's programme year runs, and the words of why an activity did not count."""

    def __init__(self, requirement_set: RequirementSet, start: Month, as_of: date) -> None:
        self.requirements = requirement_set.requirements
        self.as_of = as_of
        self.first_day = start.first_day()
        self.after = f"after {as_of}, the day judged"
        self.before = f"before the start month ({start})"
        self.routes: dict[str, list[_Route]] = {}
        for index, requirement in enumerate(self.requirements):
            route = _Route(index, requirement, start)
            for kind in dict.fromkeys(kinds_that_count(requirement)):
                self.routes.setdefault(kind, []).append(route)

    def explain(self, in_date_order: Sequence[Participated]) -> Explained:
        """Per requirement of the set, what of ``in_date_order`` (a student's
        participations, ordered by :data:`DATE_ORDER`) counted and why the rest did not."""
        size = len(self.requirements)
        counted: list[list[Participated]] = [[] for _ in range(size)]
        not_counted: list[list[tuple[Participated, str]]] = [[] for _ in range(size)]
        caps: dict[int, _Caps] = {}  # the student's points so far, per points requirement
        routes, as_of, first_day = self.routes, self.as_of, self.first_day
        attended = ParticipationStatus.ATTENDED
        named = []
        for item in in_date_order:
            to = routes.get(item.kind)
            if to is None:  # a kind no requirement of the set counts
                continue
            named.append(item)
            held_on = item.held_on
            if held_on > as_of:
                why = self.after
            elif item.status != attended:
                why = item.status  # excused
            elif held_on < first_day:
                why = self.before
            else:
                why = ""
            for route in to:
                index = route.index
                if why:
                    not_counted[index].append((item, why))
                elif route.opens is not None and not route.opens <= held_on < route.closes:
                    not_counted[index].append((item, route.outside(held_on)))
                elif route.caps is not None:
                    state = caps.get(index) or caps.setdefault(index, _Caps(route.caps))
                    over = state.over(item.kind)
                    if over:
                        not_counted[index].append((item, over))
                    else:
                        counted[index].append(item)
                else:
                    counted[index].append(item)
        return Explained(tuple([Explanation(tuple(c), tuple(n)) if c or n else NOTHING
                                for c, n in zip(counted, not_counted, strict=True)]),
                         tuple(named))


class _Route:
    """One requirement as the activities of a kind it counts meet it: the days its
    programme year runs (``opens`` to before ``closes``; None: every year), its caps."""

    def __init__(self, index: int, requirement: Requirement, start: Month) -> None:
        self.index = index
        self.start = start
        self.opens: date | None = None
        self.closes = date.max
        self.year_words = ""
        year = getattr(requirement, "year", None)
        if year is not None:
            first_month = start.plus(12 * (year - 1))
            self.opens, self.closes = first_month.first_day(), first_month.plus(12).first_day()
            self.year_words = (f"outside programme year {year} ({first_month} to "
                               f"{first_month.plus(11)})")
        self.caps = _CapRules(requirement) if isinstance(requirement, PointsRequirement) \
            else None
        self._outside: dict[int, str] = {}  # the programme year it fell in -> why not

    def outside(self, held_on: date) -> str:
        """Why an activity on ``held_on`` (not before the start) is outside the year."""
        in_year = (held_on.year * 12 + held_on.month - 1 - self.start.number) // 12 + 1
        words = self._outside.get(in_year)
        if words is None:
            words = self._outside[in_year] = f"{self.year_words}: in year {in_year}"
        return words


class _CapRules:
    """A points requirement's caps, with the words of each."""

    def __init__(self, requirement: PointsRequirement) -> None:
        self.points = requirement.points
        self.caps = requirement.caps
        # (a kind in several shared caps is held to the last: as the rules were read)
        self.shared = {kind: group for group in requirement.shared_caps for kind in group.kinds}
        self.over_own = {kind: f"over the cap of {cap} points for {kind}"
                         for kind, cap in self.caps.items()}
        self.over_shared = {id(group): (f"over the cap of {group.maximum} points shared by "
                                        f"{' and '.join(group.kinds)}")
                            for group in requirement.shared_caps}


class _Caps:
    """Points earned so far, activity by activity, against a requirement's caps."""

    def __init__(self, rules: _CapRules) -> None:
        self.rules = rules
        self.per_kind: dict[str, int] = {}

    def over(self, kind: str) -> str:
        """'' and count the activity when it still earns a point; else why not."""
        rules = self.rules
        earned = self.per_kind.get(kind, 0)
        cap = rules.caps.get(kind)
        if cap is not None and earned >= cap:
            return rules.over_own[kind]
        group = rules.shared.get(kind) if rules.shared else None
        if group is not None:
            together = sum([min(self.per_kind.get(k, 0), rules.caps.get(k, 10**9))
                            for k in group.kinds])
            if together >= group.maximum:
                return rules.over_shared[id(group)]
        self.per_kind[kind] = earned + rules.points[kind]
        return ""
