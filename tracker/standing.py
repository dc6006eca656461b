"""Where a student stands: the one read model that every output shows.

The rules (:mod:`tracker.rules.evaluate`) decide each requirement's numbers and status;
this module turns that decision into what people and programs read, and nothing else
decides it again:

* per requirement (:class:`RequirementStanding`): ``blocking`` (completion waits for it),
  ``behind`` (blocking, and at risk or overdue), ``remaining``, and ``sentence``, why it
  stands where it does in words ("4 more needed, 2 scheduled before 2026-08-31";
  "submitted — awaiting approval; to be approved by 2026-01-31");
* per student (:class:`StudentStanding`): ``complete``, ``standing`` (complete, on track,
  at risk, overdue: SPEC §10) and ``attention``, what a coordinator should look at
  ("career-symposium overdue; colloquia at risk; 2 open");
* for one student's own view (:class:`StudentProgress`): what counted and why other
  activities did not, the state of each assignment, and what is coming up that counts.

Everything is frozen, all the way down, and the fields are the JSON
(``tracker progress N --format json``; the portal's ``/me/progress.json``): a record's
JSON is its fields in order, except that ``assignment_status`` and ``feedback`` are
written for assignments only. The command line's tables, the cohort and student
pages, the reminder e-mails, the Brightspace text grade and the portal all read these
records. The module imports only the rules, months and vocabulary: it sits below
everything that shows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from operator import attrgetter
from typing import Any, cast

from tracker.rules.evaluate import Progress, RequirementProgress
from tracker.rules.explain import NOTHING, Explained, Explanation
from tracker.rules.model import AssignmentRequirement
from tracker.vocabulary import AssignmentStatus, RequirementStatus

DONE, OPEN, AT_RISK, OVERDUE = (RequirementStatus.DONE, RequirementStatus.OPEN,
                                RequirementStatus.AT_RISK, RequirementStatus.OVERDUE)
WAIVED = RequirementStatus.WAIVED
MET = (DONE, WAIVED)
"""The statuses that count as met for completion."""

STATUS_WORDS = {DONE: "done", OPEN: "open", AT_RISK: "at risk", OVERDUE: "overdue",
                WAIVED: "waived"}
"""A requirement's status as people read it (the JSON keeps ``at-risk``)."""


class Standing(StrEnum):
    """A student's one standing (SPEC §10), worst first."""

    OVERDUE = "overdue"  # a required item's deadline has passed
    AT_RISK = "at risk"  # else: what is scheduled cannot close a required item's gap
    ON_TRACK = "on track"  # else: not complete yet
    COMPLETE = "complete"  # every required item is done

    @classmethod
    def parse(cls, text: str) -> Standing:
        """``on track`` also as ``on-track`` or ``on_track``, in any case."""
        return cls(" ".join(text.strip().lower().replace("-", " ").replace("_", " ").split()))


NO_FEEDBACK = "no feedback given"
NOTHING_HANDED_IN = ("none", None)
"""An assignment's state and feedback when the student handed nothing in."""


@dataclass(frozen=True, slots=True)
class NotCounted:
    """An attended (or excused) activity of a kind a requirement counts that did not
    count toward it, and why: excused, outside programme year N, before the start
    month, over a cap."""

    activity: int
    why: str


@dataclass(frozen=True, slots=True)
class ActivityRef:
    """An activity that a requirement's ``counted`` or ``not_counted`` names."""

    id: int
    kind: str
    date: date
    title: str


@dataclass(frozen=True, slots=True)
class RequirementStanding:
    """Where a student stands on one requirement. For a points requirement
    ``required``, ``done`` and ``remaining`` count points, after caps."""

    id: str
    label: str
    kind: str  # attendance, points or assignment
    required: int
    done: int
    remaining: int
    optional: bool
    status: RequirementStatus  # done, open, at-risk, overdue or waived
    due: date
    scheduled: int  # what the activities still to come before ``due`` could add
    blocking: bool  # not met (done or waived) and not optional: completion waits for it
    behind: bool  # blocking, and at risk or overdue
    sentence: str  # why it stands there, in words ('' when done; the reason when waived)
    counted: tuple[int, ...] = ()  # the ids of the activities that counted toward it
    not_counted: tuple[NotCounted, ...] = ()
    assignment_status: str | None = None  # none, submitted, approved or rejected
    feedback: str | None = None  # given with the latest decision on the assignment
    pending_claims: int = 0  # the student's claims of kinds it counts that wait
    waived_reason: str | None = None  # why it was waived (status waived), else None

    @property
    def met(self) -> bool:
        """Done, or waived: it counts as met for completion."""
        return self.status in MET

    def to_json(self) -> dict[str, Any]:
        """The fields; ``assignment_status`` and ``feedback`` for an assignment only."""
        data = {field.name: getattr(self, field.name)
                for field in dataclasses.fields(self)}
        if self.kind != "assignment":
            del data["assignment_status"], data["feedback"]
        return data

    @property
    def pending_words(self) -> str:
        """``pending: 1 claim`` ('' when none wait)."""
        count = self.pending_claims
        return f"pending: {count} claim{'s' if count != 1 else ''}" if count else ""


def with_pending_claims(progress: StudentProgress, counts: Mapping[str, Iterable[str]],
                        waiting: Sequence[str]) -> StudentProgress:
    """``progress`` with, beside each requirement, how many of the student's claims
    that wait for a decision (their kinds in ``waiting``, one per claim) it would count
    (the kinds each requirement counts, by id, in ``counts``)."""
    if not waiting:
        return progress
    requirements = []
    for item in progress.requirements:
        kinds = set(counts.get(item.id, ()))
        pending = sum(1 for kind in waiting if kind in kinds)
        requirements.append(dataclasses.replace(item, pending_claims=pending)
                            if pending else item)
    return dataclasses.replace(progress, requirements=tuple(requirements))


@dataclass(frozen=True, slots=True)
class UpcomingActivity:
    """A scheduled activity that would count for a requirement not done yet."""

    id: int
    kind: str
    date: date
    title: str
    requirements: tuple[str, ...]  # the ids of the requirements it would count for


@dataclass(frozen=True, slots=True)
class StudentStanding:
    """Where one student stands: a row of ``tracker report``. ``requirement_set`` and
    ``standing`` are None when no requirement set applies to the student."""

    student: str
    name: str
    start: str  # YYYY-MM
    status: str  # the student's: active, graduated or withdrawn
    requirement_set: str | None
    rules_version: int
    complete: bool
    standing: Standing | None
    attention: str  # what needs a look, in words ('' when complete)
    requirements: tuple[RequirementStanding, ...]

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True, slots=True)
class StudentProgress(StudentStanding):
    """One student's whole story (``tracker progress``, their page, their reminder):
    SPEC §5's progress, with each requirement's ``counted`` and ``not_counted`` (the
    activities named are in ``activities``), each assignment's state and feedback, and
    the ``upcoming`` activities that would count."""

    as_of: date = date.min
    upcoming: tuple[UpcomingActivity, ...] = ()
    programme: str = ""
    requirement_set_label: str = ""
    activities: tuple[ActivityRef, ...] = ()  # those counted or not counted, by date


# --- the words -------------------------------------------------------------------------


def sentence(kind: str, status: RequirementStatus, optional: bool, remaining: int,
             scheduled: int, due: date, assignment_status: str | None = None,
             feedback: str | None = None) -> str:
    """Why a requirement stands where it does ('' when done), for a student to read:
    "4 more needed, 2 scheduled before 2026-08-31"."""
    if status == DONE:
        return ""
    if status == WAIVED:
        return "waived"
    if kind == "assignment":
        if status == OVERDUE:
            deadline = f"not approved by {due}"
        else:
            deadline = "completion does not wait for it" if optional else \
                f"to be approved by {due}"
        decision = decision_in_words(assignment_status, feedback)
        return f"{decision} ({deadline})" if decision else deadline
    unit = "" if kind != "points" else " point" if remaining == 1 else " points"
    more = f"{remaining} more{unit}"
    if status == OVERDUE:
        return f"{more} needed; the deadline was {due}"
    if status == AT_RISK:
        return f"{more} needed, {scheduled} scheduled before {due}"
    voluntary = " (voluntary)" if optional else ""
    if not scheduled:
        return f"{more} needed by {due}; nothing scheduled yet{voluntary}"
    return f"{more} needed by {due}; {scheduled} scheduled{voluntary}"


def decision_in_words(assignment_status: str | None, feedback: str | None) -> str:
    """An assignment not approved yet: "submitted — awaiting approval", "rejected —
    <feedback>"; '' when nothing was handed in."""
    if assignment_status == AssignmentStatus.SUBMITTED:
        return "submitted — awaiting approval"
    if assignment_status == AssignmentStatus.REJECTED:
        return f"rejected — {feedback or NO_FEEDBACK}"
    return ""


def attention(requirements: Iterable[RequirementStanding]) -> str:
    """What a coordinator should look at for one student, in words: "career-symposium
    overdue; colloquia at risk; 2 open" ('' when nothing blocks completion)."""
    said = []
    still_open = 0
    for r in requirements:
        if r.behind:
            said.append(f"{r.id} {STATUS_WORDS[r.status]}")
        elif r.blocking:
            still_open += 1
    if still_open:
        said.append(f"{still_open} open")
    return "; ".join(said)


def standing_of(complete: bool, requirements: Iterable[RequirementStanding]) -> Standing:
    """Any required item overdue: overdue; else any at risk: at risk; else complete or
    on track (SPEC §10)."""
    behind = {r.status for r in requirements if r.behind}
    if OVERDUE in behind:
        return Standing.OVERDUE
    if AT_RISK in behind:
        return Standing.AT_RISK
    return Standing.COMPLETE if complete else Standing.ON_TRACK


def to_do_in_words(student: StudentStanding) -> str:
    """What is left, in a few words: "every required item is done", "2 required items
    overdue", "3 required items to do: 1 overdue, 1 at risk, 1 open"."""
    if student.complete:
        waived = sum(r.status == WAIVED for r in student.requirements)
        return "every required item is done" + (f" ({waived} waived)" if waived else "")
    blocking = [r for r in student.requirements if r.blocking]
    counts = [(sum(r.status == status for r in blocking), STATUS_WORDS[status])
              for status in (OVERDUE, AT_RISK, OPEN)]
    said = [(n, word) for n, word in counts if n]
    items = f"{len(blocking)} required item{'' if len(blocking) == 1 else 's'}"
    if len(said) == 1:
        return f"{items} {said[0][1]}"
    return f"{items} to do: {', '.join(f'{n} {word}' for n, word in said)}"


# --- from the rules' decision -----------------------------------------------------------


class Judged:
    """Turns the rules' decisions into standings. Thousands of students share most of
    what they are told (a requirement stood on the same way, an activity, a reason it
    did not count): one record each, for every student of a run. Keep one per run."""

    def __init__(self, rules_version: int) -> None:
        self.rules_version = rules_version
        self._shared: dict[tuple[Any, ...], RequirementStanding] = {}
        self._told: dict[tuple[Any, ...], RequirementStanding] = {}  # (see story)
        self._sentences: dict[tuple[Any, ...], str] = {}
        self._not_counted: dict[tuple[int, str], NotCounted] = {}
        self._activities: dict[int, ActivityRef] = {}
        self._told_with: dict[tuple[Any, ...], RequirementStanding] = {}  # (see _with)

    def requirement(self, item: RequirementProgress) -> RequirementStanding:
        """A requirement's standing, without what counted (a cohort's rows)."""
        key = (id(item.requirement), item.required, item.done, item.status, item.due,
               item.scheduled)
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = self.explained(item, None, None)
        return shared

    def student(self, number: str, name: str, start: str, status: str,
                progress: Progress | None) -> StudentStanding:
        """A row of the report: the standing of each requirement, not why."""
        if progress is None:
            return StudentStanding(number, name, start, status, None, self.rules_version,
                                   False, None, "", ())
        requirements = tuple([self.requirement(item) for item in progress.requirements])
        return StudentStanding(number, name, start, status, progress.requirement_set.id,
                               self.rules_version, progress.complete,
                               standing_of(progress.complete, requirements),
                               attention(requirements), requirements)

    def explained(self, item: RequirementProgress, explanation: Explanation | None,
                  assignment: tuple[str, str | None] | None,
                  waived_reason: str | None = None) -> RequirementStanding:
        """One requirement's standing; with what counted and why others did not, for
        an assignment its state and feedback, and for a waived one why, when given."""
        requirement = item.requirement
        status, optional, remaining = item.status, requirement.optional, item.remaining
        blocking = status not in MET and not optional
        decision, feedback = assignment or (None, None)
        key = (requirement.type, status, optional, remaining, item.scheduled, item.due,
               decision, feedback)
        said = self._sentences.get(key)
        if said is None:
            said = self._sentences[key] = sentence(*key)
        if status != WAIVED:
            waived_reason = None
        elif waived_reason:
            said = f"waived — {waived_reason}"
        counted: tuple[int, ...] = ()
        not_counted: tuple[NotCounted, ...] = ()
        if explanation is not None:
            counted = tuple([p.activity for p in explanation.counted])
            if explanation.not_counted:
                shared = self._not_counted
                not_counted = tuple([shared.get((p.activity, why))
                                     or self._why_not(p.activity, why)
                                     for p, why in explanation.not_counted])
        return RequirementStanding(
            requirement.id, requirement.label, requirement.type, item.required, item.done,
            remaining, optional, status, item.due, item.scheduled, blocking,
            blocking and status in (AT_RISK, OVERDUE), said, counted, not_counted,
            decision, feedback, waived_reason=waived_reason)

    def _why_not(self, activity: int, why: str) -> NotCounted:
        shared = self._not_counted.get((activity, why))
        if shared is None:
            shared = self._not_counted[activity, why] = NotCounted(activity, why)
        return shared

    def _activity(self, p: Any) -> ActivityRef:
        shared = self._activities.get(p.activity)
        if shared is None:
            shared = self._activities[p.activity] = ActivityRef(p.activity, p.kind,
                                                                p.held_on, p.title)
        return shared

    def story(self, number: str, name: str, start: str, status: str, progress: Progress,
              as_of: date, programme: str, upcoming: Sequence[UpcomingActivity],
              explained: Explained | None = None,
              decisions: Mapping[int, tuple[str, str | None]] | None = None,
              waivers: Mapping[str, str] | None = None) -> StudentProgress:
        """One student's whole story from the rules' decision, what counted (as
        :meth:`tracker.rules.explain.Explainer.explain` gives it), the state of their
        assignments (by number: status and feedback) and why requirements were waived
        (by id)."""
        requirements = []
        told = self._told
        explanations = (explained.requirements if explained is not None
                        else (None,) * len(progress.requirements))
        for item, explanation in zip(progress.requirements, explanations, strict=True):
            requirement = item.requirement
            assignment = None
            if decisions is not None and isinstance(requirement, AssignmentRequirement):
                assignment = decisions.get(requirement.number, NOTHING_HANDED_IN)
            waived = waivers.get(requirement.id) if waivers else None
            # Where the student stands on it, the same record for every student who
            # stands so; with what counted for them, when anything did, their own.
            key = (id(requirement), item.required, item.done, item.status,
                   item.due, item.scheduled, assignment, waived)
            shared = told.get(key)
            if shared is None:
                shared = told[key] = self.explained(item, None, assignment, waived)
            if explanation is None or explanation is NOTHING or not (
                    explanation.counted or explanation.not_counted):
                requirements.append(shared)
            else:
                requirements.append(self._with(shared, explanation))
        standings = tuple(requirements)
        activities = self._activities
        named: tuple[ActivityRef | None, ...] = ()
        if explained is not None:  # (named in date order: the activities' order)
            named = tuple(map(activities.get, map(_ACTIVITY, explained.named)))
            if not all(named):  # (an activity first named)
                named = tuple([activities.get(p.activity) or self._activity(p)
                               for p in explained.named])
        chosen = progress.requirement_set
        return StudentProgress(
            number, name, start, status, chosen.id, self.rules_version, progress.complete,
            standing_of(progress.complete, standings), attention(standings), standings,
            as_of, tuple(upcoming), programme, chosen.label,
            cast(tuple[ActivityRef, ...], named))

    def _with(self, shared: RequirementStanding,
              explanation: Explanation) -> RequirementStanding:
        """``shared`` with what counted toward it and why the others did not."""
        counted = tuple(map(_ACTIVITY, explanation.counted))
        not_counted: tuple[NotCounted, ...] = ()
        if explanation.not_counted:
            known = self._not_counted
            not_counted = tuple([known.get((p.activity, why)) or self._why_not(p.activity, why)
                                 for p, why in explanation.not_counted])
        # Many students of a run were told the same of a requirement: one record each.
        # (By ids: the shared records and the reasons are kept here for the run.)
        key = (id(shared), counted, *map(id, not_counted))
        told = self._told_with.get(key)
        if told is None:
            told = self._told_with[key] = _with_lists(shared, counted, not_counted)
        return told


_ACTIVITY = attrgetter("activity")


def _with_lists(s: RequirementStanding, counted: tuple[int, ...],
                not_counted: tuple[NotCounted, ...]) -> RequirementStanding:
    """``s`` with other lists of what counted and what did not (``dataclasses.replace``
    took twice as long, a reminder run makes some 17,000 of these)."""
    return RequirementStanding(
        s.id, s.label, s.kind, s.required, s.done, s.remaining, s.optional, s.status, s.due,
        s.scheduled, s.blocking, s.behind, s.sentence, counted, not_counted,
        s.assignment_status, s.feedback, s.pending_claims, s.waived_reason)
