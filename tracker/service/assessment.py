"""The assessment engine: where students stand on a day, for one student or a whole
programme, by one code path (:func:`assess`), and the whole story of those who need it
told (:func:`told`). The records it returns are :mod:`tracker.standing`'s.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.db import activities, explanations
from tracker.db.engine import Alongside
from tracker.db.progress import (
    Column,
    Enrolled,
    approvals,
    attendance_by_student,
    enrolled,
    taken_upcoming,
    tallies_by_student,
    waivers,
)
from tracker.db.which import Which
from tracker.errors import NoRequirementSet, NotFound
from tracker.months import Month
from tracker.rules import Evaluator, Progress, RequirementSet, RuleBook, StudentRecord
from tracker.rules.evaluate import Upcoming, kinds_that_count
from tracker.rules.explain import DATE_ORDER, Explained, Explainer, Participated
from tracker.service.rules import RulesInForce
from tracker.standing import Judged, StudentProgress, UpcomingActivity
from tracker.vocabulary import AssignmentStatus

UPCOMING_PER_REQUIREMENT = 3
FEW = 50  # students whose activities are read joined to their participations (see stories)


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
    """One student judged on ``day``: ``progress`` is None when no requirement set
    applies (``problem`` says why)."""

    student: Enrolled
    start: Month
    day: date
    progress: Progress | None
    problem: str | None = None
    evaluator: Evaluator | None = None
    record: StudentRecord | None = None
    waivers: Mapping[str, str] | None = None  # requirement id -> why it was waived

    @property
    def complete(self) -> bool:
        return self.progress is not None and self.progress.complete

    def coming(self) -> tuple[tuple[Upcoming, ...], ...]:
        """Per requirement, the upcoming activities that could still count for it (what
        ``progress`` lists below the requirements, and what a calendar feed shows)."""
        if self.evaluator is None or self.record is None:
            return ()
        return self.evaluator.coming(self.record)


def assess(session: Session, in_force: RulesInForce, which: Which,
           day: date) -> Iterator[Assessed]:
    """The standing of ``which`` students on ``day``, in start and number order.

    Six queries whatever the number of students: the students, their attendance
    counted per kind (and programme year where a rule asks; from the tallies when
    judging today or later, else from the participations up to that day), their
    approvals, their waivers, the activities still to come, and which of those they
    are down for.
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
    waived: dict[int, dict[str, str]] = {}
    for student_id, requirement, reason in waivers(session, day, which):
        waived.setdefault(student_id, {})[requirement] = reason
    coming = [Upcoming(a.id, a.kind, a.held_on, a.title)
              for a in activities.coming(session, day, counting_kinds(book))]
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
        reasons = waived.get(student.id)
        record = (StudentRecord(start, {}, {}, approvals_, taken.get(student.id, nothing))
                  if counts is None else
                  _record(start, columns, counts, approvals_, taken.get(student.id, nothing)))
        if reasons:
            record = dataclasses.replace(record, waived=frozenset(reasons))
        yield Assessed(student, start, day, evaluator.evaluate(record), None, evaluator, record,
                       reasons)


def counting_kinds(book: RuleBook) -> set[str]:
    """The activity kinds some requirement counts."""
    return {kind for s in book.sets for r in s.requirements for kind in kinds_that_count(r)}


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


# --- the whole story ---------------------------------------------------------------------


Decisions = Mapping[int, tuple[str, str | None]]
"""Assignment number -> its state on the day judged, and the feedback given with it."""


class Stories:
    """What explains the standing of some students, read from the database once: each
    one's whole story is told on demand (in whichever process needs it: a reminder run
    tells them in the processes that word and write the messages). ``seen`` holds each
    student's participations in date order (:data:`tracker.rules.explain.DATE_ORDER`)."""

    def __init__(self, in_force: RulesInForce, seen: Mapping[int, Sequence[Participated]],
                 decisions: Mapping[int, Decisions]) -> None:
        self.in_force = in_force
        self.seen = seen
        self.decisions = decisions
        self.judged = Judged(in_force.version)
        # Thousands of students share a requirement set, start month and day: one each.
        self.explainers: dict[tuple[str, Month, date], Explainer] = {}

    def of(self, one: Assessed) -> StudentProgress:
        """The whole story of one of the students read (judged by :func:`assess`)."""
        if one.progress is None:
            raise NoRequirementSet(one.problem or "no requirement set applies")
        chosen = one.progress.requirement_set
        key = (chosen.id, one.start, one.day)
        explainer = self.explainers.get(key)
        if explainer is None:
            explainer = self.explainers[key] = Explainer(chosen, one.start, one.day)
        explained = explainer.explain(self.seen.get(one.student.id, ()))
        return progress_of(one, self.in_force, explained,
                           self.decisions.get(one.student.id, {}), self.judged)


def read_cohort_alongside(alongside: Alongside[Grouped], in_force: RulesInForce,
                          which: Which) -> None:
    """The participations :func:`stories` reads for a cohort of ``which``, begun on a
    connection of its own while the caller judges the students (hand what it gives to
    :func:`stories` as ``read_already``)."""
    kinds = counting_kinds(in_force.book)
    alongside.start(lambda connection: explanations.participations_grouped_at_once(
        connection, which, kinds))


Grouped = dict[int, tuple[str | None, ...]]
"""A cohort's participations as the database grouped them (see
:func:`tracker.db.explanations.participations_grouped`), by student id."""


def stories(session: Session, in_force: RulesInForce, assessed: Collection[Assessed],
            which: Which, read_already: Grouped | None = None) -> Stories:
    """What explains where each of ``assessed`` (students of ``which``) stands: the
    activities they were at, of the kinds the rules count, and their assignments' states
    on the day judged. Two queries (three for a cohort), however many students; a
    cohort's participations ``read_already`` (in this transaction's snapshot) are not
    read again."""
    wanted = {one.student.id for one in assessed}
    day = next(iter(assessed)).day if assessed else date.today()
    kinds = counting_kinds(in_force.book)
    seen: defaultdict[int, list[Participated]] = defaultdict(list)
    if 0 < len(wanted) <= FEW:  # a student's page: their activities, joined
        for student_id, activity_id, status, kind, held_on, title in \
                explanations.participations_with_activities(session, which, kinds):
            if student_id in wanted:
                seen[student_id].append(Participated(activity_id, kind, held_on, title,
                                                     status))
        for participated in seen.values():
            participated.sort(key=DATE_ORDER)
    elif wanted:  # a cohort: every activity once, shared by the students who were there
        rows = read_already.items() if read_already is not None else (
            (row[0], row[1:]) for row in explanations.participations_grouped(
                session, which, kinds))
        grouped = {student_id: ids for student_id, ids in rows if student_id in wanted}
        return Stories(in_force, _Grouped(grouped, explanations.activities_of_kinds(
            session, kinds)), _decisions(session, which, wanted, day))
    return Stories(in_force, dict(seen), _decisions(session, which, wanted, day))


def _decisions(session: Session, which: Which, wanted: Collection[int],
               day: date) -> dict[int, dict[int, tuple[str, str | None]]]:
    decisions: dict[int, dict[int, tuple[str, str | None]]] = {}
    states = explanations.assignment_states(session, which) if wanted else iter(())
    for student_id, number, status, submitted_on, decided_on, feedback in states:
        if student_id in wanted:
            decisions.setdefault(student_id, {})[number] = _as_of(
                status, submitted_on, decided_on, feedback, day)
    return decisions


class _Grouped(Mapping[int, list[Participated]]):
    """The participations of a cohort as the database grouped them (per student, the
    activity ids of each status as text), each student's made into :class:`Participated`
    records, in date order, when their story is told: in the processes that tell them,
    not before. The records of one activity and status are shared by every student told
    here. Each id as the database wrote it stands for a number, its activity's place in
    date order and its status: a student's are put in order by those numbers (sorting
    numbers, not dates nor pairs), all in a few steps over the whole student."""

    def __init__(self, grouped: dict[Any, tuple[str | None, ...]],
                 activity: Mapping[int, tuple[str, date, str]]) -> None:
        self.grouped = grouped
        statuses = len(explanations.STATUSES)
        order = sorted(activity, key=lambda activity_id: (activity[activity_id][1],
                                                          activity_id))
        place = {activity_id: place for place, activity_id in enumerate(order)}
        # per status: the id as text -> the number its record is known by
        self.numbers = [_Numbers(place, statuses, s) for s in range(statuses)]
        self.records = _Records(order, activity, explanations.STATUSES)

    def __getitem__(self, student_id: int) -> list[Participated]:
        numbers: list[int] = []
        for of_status, ids in zip(self.numbers, self.grouped[student_id], strict=True):
            if ids:
                numbers += map(of_status.__getitem__, ids.split(","))
        numbers.sort()  # (a student is at an activity once: no two are the same)
        return list(map(self.records.__getitem__, numbers))

    def __iter__(self) -> Iterator[int]:
        return iter(self.grouped)

    def __len__(self) -> int:
        return len(self.grouped)


class _Numbers(dict[str, int]):
    """An activity id as the database wrote it -> its place in date order and a status,
    as one number (``place * statuses + status``); known at first sight."""

    def __init__(self, place: Mapping[int, int], statuses: int, status: int) -> None:
        super().__init__()
        self.place, self.statuses, self.status = place, statuses, status

    def __missing__(self, text: str) -> int:
        number = self[text] = self.place[int(text)] * self.statuses + self.status
        return number


class _Records(dict[int, Participated]):
    """The number of :class:`_Numbers` -> the record of that activity and status, made
    when first asked for."""

    def __init__(self, order: Sequence[int], activity: Mapping[int, tuple[str, date, str]],
                 statuses: Sequence[str]) -> None:
        super().__init__()
        self.order, self.activity, self.statuses = order, activity, statuses

    def __missing__(self, number: int) -> Participated:
        place, status = divmod(number, len(self.statuses))
        activity_id = self.order[place]
        record = self[number] = Participated(activity_id, *self.activity[activity_id],
                                             self.statuses[status])
        return record


def told(session: Session, in_force: RulesInForce, assessed: Collection[Assessed],
         which: Which) -> Iterator[StudentProgress]:
    """The whole story of each of ``assessed`` (students of ``which``, each with a
    requirement set): what counted and why other activities did not, the state of
    their assignments, what is coming up."""
    gathered = stories(session, in_force, assessed, which)
    for one in assessed:
        yield gathered.of(one)


def _as_of(status: str, submitted_on: date | None, decided_on: date | None,
           feedback: str | None, day: date) -> tuple[str, str | None]:
    """An assignment's state and feedback as they were on ``day``."""
    if decided_on is not None and decided_on <= day:
        return status, feedback
    if submitted_on is not None and submitted_on <= day:
        return AssignmentStatus.SUBMITTED.value, None
    return "none", None


def progress_of(assessed: Assessed, in_force: RulesInForce,
                explained: Explained, decisions: Decisions,
                judged: Judged) -> StudentProgress:
    """A student's whole story from their assessment, what counted and their
    assignments' states."""
    if assessed.progress is None:
        raise NoRequirementSet(assessed.problem or "no requirement set applies")
    student = assessed.student
    return judged.story(
        student.number, student.name, str(assessed.start), student.status,
        assessed.progress, assessed.day, in_force.book.programme, _upcoming(assessed),
        explained, decisions, assessed.waivers)


def _upcoming(assessed: Assessed) -> list[UpcomingActivity]:
    """Scheduled activities that would count for a requirement not done yet, a few per
    requirement, by date."""
    progress, evaluator = assessed.progress, assessed.evaluator
    if progress is None or evaluator is None or not evaluator.has_upcoming:
        return []
    picked: dict[int, tuple[Upcoming, list[str]]] = {}
    for item, coming in zip(progress.requirements, assessed.coming(), strict=True):
        if item.met:
            continue
        for activity in coming[:UPCOMING_PER_REQUIREMENT]:
            picked.setdefault(activity.id, (activity, []))[1].append(item.requirement.id)
    return [UpcomingActivity(a.id, a.kind, a.held_on, a.title, tuple(ids))
            for a, ids in sorted(picked.values(),
                                 key=lambda pair: (pair[0].held_on, pair[0].id))]
