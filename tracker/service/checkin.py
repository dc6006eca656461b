"""Check-in at the door: one student number at a time, each recorded before it is answered.

A :class:`Door` is one session at one activity. It reads the registered students once
(again on a miss, before calling a number unknown) and writes each check-in through
:func:`write_participations` in a transaction of its own, so what was answered is in the
database whatever happens next. The whole session is one change in the history, opened
with its first check-in (as :class:`tracker.service.reminders.DeliveryLog` does): undo
takes the session away. Two doors at one activity record each student once: the
insert skips a student another door recorded a moment ago, and says "already".
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tracker import fields
from tracker.db import activities, history, participations, students
from tracker.db.engine import Database, Rollback
from tracker.db.models import Change, utcnow
from tracker.errors import InvalidInput
from tracker.rules.model import DEFAULT_STUDENT_NUMBER, RuleBook
from tracker.service.activities import ActivityView
from tracker.service.attendance import Outcome, write_participations
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, ParticipationStatus

SOURCE = "checkin"
MOST_SUGGESTIONS = 3


class Answer(StrEnum):
    """What the door says to one line."""

    CHECKED_IN = "checked in"
    ALREADY = "already checked in"
    NOT_RECOGNISED = "not recognised"


@dataclass(frozen=True)
class Suggestion:
    """A registered student whose number is one typo away from the one given."""

    number: str
    name: str


@dataclass(frozen=True)
class Reply:
    """The answer to one line.

    ``number`` is the student number as understood, or None when the line is not one
    (then ``typed`` says what it was). ``count`` is how many this session checked in so
    far; ``earlier`` when an earlier record was made (already checked in).
    """

    answer: Answer
    typed: str
    number: str | None = None
    name: str | None = None
    count: int = 0
    earlier: datetime | None = None
    was_excused: bool = False
    why: str | None = None
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def unregistered(self) -> str | None:
        """The student number, when it is one but nobody registered has it."""
        return self.number if self.why == NOT_REGISTERED else None


NOT_A_NUMBER = "not a student number"
NOT_REGISTERED = "not registered"


@dataclass(frozen=True)
class Tally:
    checked_in: int
    already: int
    not_recognised: tuple[Reply, ...]  # each line not recognised, in the order given


def check_day(activity: ActivityView, today: date, *, any_day: bool) -> None:
    """Refuse a door on another day than the activity's (unless ``any_day``), and any
    before the activity: attendance cannot be recorded before it happens."""
    what = f"activity #{activity.id} {activity.title}"
    if activity.date > today:
        raise InvalidInput(f"{what} is on {activity.date}, in the future: check-in opens "
                           "on that day")
    if activity.date != today and not any_day:
        raise InvalidInput(f"{what} was on {activity.date}, not today ({today}): add "
                           "--any-day to check in to it all the same")


def one_typo_away(number: str, known: Container[str]) -> Iterator[str]:
    """The numbers in ``known`` that differ from ``number`` in one digit, or by two
    adjacent digits swapped; each once, nearest position first."""
    seen = {number}
    for position, character in enumerate(number):
        if not (character.isascii() and character.isdigit()):
            continue
        for digit in "0123456789":
            candidate = number[:position] + digit + number[position + 1:]
            if candidate not in seen and candidate in known:
                seen.add(candidate)
                yield candidate
        following = number[position + 1:position + 2]
        if following.isascii() and following.isdigit():
            candidate = number[:position] + following + character + number[position + 2:]
            if candidate not in seen and candidate in known:
                seen.add(candidate)
                yield candidate


class Door:
    """A check-in session at one activity. :meth:`open` it, then :meth:`check_in` each
    line; :meth:`tally` says what it did."""

    def __init__(self, db: Database, activity: ActivityView, book: RuleBook,
                 registered: dict[str, tuple[int, str]], by: str) -> None:
        self.db = db
        self.activity = activity
        self.book = book
        self.leiden = book.student_number_pattern == DEFAULT_STUDENT_NUMBER
        self.registered = registered  # number -> (student id, name)
        self.by = by
        self.change: Change | None = None  # the session's change, once it wrote
        self.checked_in: dict[int, datetime] = {}  # student id -> when, this session
        self.already = 0
        self.unrecognised: list[Reply] = []

    @classmethod
    def open(cls, db: Database, activity_id: int, *, by: str | None = None,
             any_day: bool = False, today: date | None = None) -> Door:
        """The door of an activity held today (or any past day, with ``any_day``)."""
        actor = history.actor(by)
        with db.transaction(read_only=True) as session:
            activity = ActivityView.of(activities.require(session, activity_id))
            check_day(activity, today or date.today(), any_day=any_day)
            book = rules_in_force(session).book
            registered = students.at_the_door(session)
        db.durable()  # what was answered survives a power cut too
        return cls(db, activity, book, registered, actor)

    def check_in(self, line: str) -> Reply:
        """Check in the student a line names; committed before this returns."""
        number = fields.door_number(line, leiden=self.leiden)
        if not self.book.student_number_matches(number):
            return self._not_recognised(Reply(Answer.NOT_RECOGNISED, _quoted(line),
                                              why=NOT_A_NUMBER))
        if number not in self.registered:
            self._reload()
        if number not in self.registered:
            suggestions = tuple(Suggestion(n, self.registered[n][1]) for n in
                                one_typo_away(number, self.registered))[:MOST_SUGGESTIONS]
            return self._not_recognised(Reply(Answer.NOT_RECOGNISED, number, number,
                                              why=NOT_REGISTERED, suggestions=suggestions))
        student_id, name = self.registered[number]
        if student_id in self.checked_in:  # by this session, a moment ago
            self.already += 1
            return Reply(Answer.ALREADY, number, number, name, len(self.checked_in),
                         earlier=self.checked_in[student_id])
        outcome, at = self._write(student_id)
        if outcome == Outcome.UNCHANGED:
            self.already += 1
            return Reply(Answer.ALREADY, number, number, name, len(self.checked_in),
                         earlier=at)
        self.checked_in[student_id] = at
        return Reply(Answer.CHECKED_IN, number, number, name, len(self.checked_in),
                     was_excused=outcome == Outcome.UPDATED)

    def tally(self) -> Tally:
        return Tally(len(self.checked_in), self.already, tuple(self.unrecognised))

    def _not_recognised(self, reply: Reply) -> Reply:
        self.unrecognised.append(reply)
        return reply

    def _reload(self) -> None:
        with self.db.transaction(read_only=True) as session:
            self.registered = students.at_the_door(session)

    def _write(self, student_id: int) -> tuple[Outcome, datetime]:
        """Record the student as attended; what that did, and when the record was made.

        The session's change is opened with its first check-in; a first line that
        checks in nobody (recorded before) leaves no change behind.
        """
        outcome, at = Outcome.UNCHANGED, utcnow()
        opening = self.change is None
        with self.db.transaction() as session:
            change = self.change or history.open_change(session, ChangeKind.CHECKIN, self.by)
            writer = participations.writer(session)
            [outcome] = write_participations(session, change, [(
                student_id, self.activity.id, ParticipationStatus.ATTENDED.value,
                change.actor, writer.value("recorded_at", at), SOURCE, None, change.id)],
                at=at)
            if outcome == Outcome.UNCHANGED:
                at = participations.at_activity(session, self.activity.id,
                                                [student_id])[student_id].recorded_at
                if opening:
                    raise Rollback
            else:
                history.describe_change(
                    session, change.id, f"checked in {len(self.checked_in) + 1} student(s) "
                    f"at #{self.activity.id} {self.activity.title}")
        if opening and outcome != Outcome.UNCHANGED:
            self.change = change  # committed: later check-ins belong to it
        return outcome, at


def _quoted(line: str) -> str:
    """A line that is no student number, as the door shows it back: quoted, control
    characters escaped, at most 40 characters."""
    text = fields.unwrap_scan(line) or line.strip()
    return repr(text if len(text) <= 40 else text[:39] + "…")
