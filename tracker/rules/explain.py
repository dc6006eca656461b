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
from typing import Any

from tracker.months import Month
from tracker.rules.evaluate import kinds_that_count
from tracker.rules.model import PointsRequirement, Requirement, RequirementSet, SharedCap
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
        # Where each activity a student was at goes is the same for every student of
        # the set, start and day, but for the caps: it is worked out at its first
        # student. By record (a cohort's students share one per activity and status);
        # the records are kept, so that their ids are not reused.
        self._plans: dict[int, _Plan] = {}
        self._kept: list[Participated] = []

    def explain(self, in_date_order: Sequence[Participated]) -> Explained:
        """Per requirement of the set, what of ``in_date_order`` (a student's
        participations, ordered by :data:`DATE_ORDER`) counted and why the rest did not."""
        size = len(self.requirements)
        # counted toward requirement i: lists[i]; not counted, with why: lists[size + i]
        lists: list[list[Any]] = [[] for _ in range(2 * size)]
        caps: dict[int, _Caps] = {}  # the student's points so far, per points requirement
        named = []
        for item, plan in zip(in_date_order, map(self._plans.get, map(id, in_date_order)),
                              strict=True):
            if plan is None:
                plan = self._planned(item)
            if plan is UNCOUNTED:
                continue
            named.append(item)
            settled, capped = plan
            for slot, told in settled:
                lists[slot].append(told)
            for index, rules in capped:
                state = caps.get(index) or caps.setdefault(index, _Caps(rules))
                over = state.over(item.kind)
                if over:
                    lists[size + index].append((item, over))
                else:
                    lists[index].append(item)
        return Explained(tuple([Explanation(tuple(c), tuple(n)) if c or n else NOTHING
                                for c, n in zip(lists[:size], lists[size:], strict=True)]),
                         tuple(named))

    def _planned(self, item: Participated) -> _Plan:
        plan = self._plans[id(item)] = self._plan(item)
        self._kept.append(item)
        return plan

    def _plan(self, item: Participated) -> _Plan:
        """Where ``item`` goes, for any student: per requirement that counts its kind,
        counted or not and why; those whose caps decide, apart (:data:`UNCOUNTED`: no
        requirement counts its kind)."""
        to = self.routes.get(item.kind)
        if to is None:
            return UNCOUNTED
        held_on = item.held_on
        if held_on > self.as_of:
            why = self.after
        elif item.status != ParticipationStatus.ATTENDED:
            why = item.status  # excused
        elif held_on < self.first_day:
            why = self.before
        else:
            why = ""
        size = len(self.requirements)
        settled: list[tuple[int, Any]] = []
        capped: list[tuple[int, _CapRules]] = []
        for route in to:
            index = route.index
            if why:
                settled.append((size + index, (item, why)))
            elif route.opens is not None and not route.opens <= held_on < route.closes:
                settled.append((size + index, (item, route.outside(held_on))))
            elif route.caps is not None:
                capped.append((index, route.caps))
            else:
                settled.append((index, item))
        return tuple(settled), tuple(capped)


_Plan = tuple[tuple[tuple[int, Any], ...], tuple[tuple[int, "_CapRules"], ...]]
"""Where an activity goes (see :meth:`Explainer._plan`): (the list it goes in, what it
adds: itself, or itself with why not) for each requirement it is settled for, and
(the requirement, its caps) for each whose caps decide."""

UNCOUNTED: _Plan = ((), ())
"""The plan of an activity of a kind no requirement of the set counts (not named)."""


class _Route:
    """One requirement as the activities of a kind it counts meet it: the days its
    programme year runs (``opens`` to before ``closes``; None: every year), its caps."""

    __slots__ = ("_outside", "caps", "closes", "index", "opens", "start", "year_words")

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


class _Shared:
    """A cap on kinds together, with its words."""

    __slots__ = ("maximum", "words")

    def __init__(self, cap: SharedCap) -> None:
        self.maximum = cap.maximum
        self.words = f"over the cap of {cap.maximum} points shared by {' and '.join(cap.kinds)}"


NO_CAP = 10**9  # (the rules' own stand-in for a kind without a cap, where kinds share one)


class _CapRules:
    """A points requirement's caps, per kind: what it earns, its own cap (None: none)
    and the words of being over it, the shared cap it is held to (None: none; a kind in
    several is held to the last, as the rules were read), and the shared caps whose
    points it adds to (once for each time one names it)."""

    def __init__(self, requirement: PointsRequirement) -> None:
        shared = [(cap, _Shared(cap)) for cap in requirement.shared_caps]
        held_to = {kind: words for cap, words in shared for kind in cap.kinds}
        self.of_kind: dict[str, tuple[int, int | None, str, _Shared | None,
                                      tuple[_Shared, ...]]] = {
            kind: (points, requirement.caps.get(kind),
                   f"over the cap of {requirement.caps[kind]} points for {kind}"
                   if kind in requirement.caps else "",
                   held_to.get(kind),
                   tuple(words for cap, words in shared for k in cap.kinds if k == kind))
            for kind, points in requirement.points.items()}


class _Caps:
    """Points earned so far, activity by activity, against a requirement's caps."""

    __slots__ = ("earned", "rules", "together")

    def __init__(self, rules: _CapRules) -> None:
        self.rules = rules
        self.earned: dict[str, int] = {}  # per kind, before its own cap
        self.together: dict[_Shared, int] = {}  # per shared cap, after the kinds' own

    def over(self, kind: str) -> str:
        """'' and count the activity when it still earns a point; else why not."""
        points, cap, over_cap, held_to, adds_to = self.rules.of_kind[kind]
        earned = self.earned.get(kind, 0)
        if cap is not None and earned >= cap:
            return over_cap
        if held_to is not None and self.together.get(held_to, 0) >= held_to.maximum:
            return held_to.words
        self.earned[kind] = earned + points
        if adds_to:  # (kept up to date: it was summed again at every activity)
            own = NO_CAP if cap is None else cap
            added = min(earned + points, own) - min(earned, own)
            for shared in adds_to:
                self.together[shared] = self.together.get(shared, 0) + added
        return ""
