"""Check-in at the door: one student number at a time, each recorded before it is answered.

A :class:`Door` is one session at one activity. It reads the registered students once
(again on a miss, before calling a number unknown; and at each scan it checks that the
student is registered still, so a student erased while the door is open is not checked
in) and writes each check-in through :func:`write_participations` in a transaction of
its own, so what was answered is in the database whatever happens next. Each check-in
is a change of its own, of the session's :class:`tracker.db.runs.Run`: the history
shows the session as one change, and undo takes the whole session away, once it ended
(the session is held open while it runs). A session that finds itself undone ends.
Two doors at one activity record each student once: the insert skips a student
another door recorded a moment ago, and says "already".
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from tracker import fields
from tracker.db import activities, participations, students
from tracker.db.engine import Database, Rollback
from tracker.db.participations import ParticipationRow
from tracker.db.runs import Run, RunUndone
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


class SessionUndone(Exception):
    """The session's check-ins were undone (by ``undo_id``, made by ``by`` at ``at``) while
    it ran: nothing more is recorded in it."""

    def __init__(self, undo_id: int, by: str, at: datetime) -> None:
        super().__init__(f"undone by change #{undo_id}")
        self.undo_id, self.by, self.at = undo_id, by, at


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
    line; :meth:`tally` says what it did, :meth:`close` ends it."""

    def __init__(self, db: Database, activity: ActivityView, book: RuleBook,
                 registered: dict[str, tuple[int, str]], by: str | None) -> None:
        self.db = db
        self.activity = activity
        self.book = book
        self.leiden = book.student_number_pattern == DEFAULT_STUDENT_NUMBER
        self.registered = registered  # number -> (student id, name)
        self.run = Run(db, ChangeKind.CHECKIN, by, held_open=True)
        self.checked_in: dict[int, datetime] = {}  # student id -> when, this session
        self.already = 0
        self.unrecognised: list[Reply] = []

    @classmethod
    def open(cls, db: Database, activity_id: int, *, by: str | None = None,
             any_day: bool = False, today: date | None = None) -> Door:
        """The door of an activity held today (or any past day, with ``any_day``)."""
        fields.text("by", by)  # refused before anything is read
        with db.transaction(read_only=True) as session:
            activity = ActivityView.of(activities.require(session, activity_id))
            check_day(activity, today or date.today(), any_day=any_day)
            book = rules_in_force(session).book
            registered = students.at_the_door(session)
        db.durable()  # what was answered survives a power cut too
        return cls(db, activity, book, registered, by)

    def close(self) -> None:
        """The session ended: undo may take it away now."""
        self.run.close()

    def __enter__(self) -> Door:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def check_in(self, line: str) -> Reply:
        """Check in the student a line names; committed before this returns. Raises
        :class:`SessionUndone` when the session was undone meanwhile."""
        number = fields.door_number(line, leiden=self.leiden)
        if not self.book.student_number_matches(number):
            return self._not_recognised(Reply(Answer.NOT_RECOGNISED, _quoted(line),
                                              why=NOT_A_NUMBER))
        if number not in self.registered:
            self._reload()
        if number not in self.registered:
            return self._unregistered(number)
        student_id, name = self.registered[number]
        if student_id in self.checked_in:  # by this session, a moment ago
            self.already += 1
            return Reply(Answer.ALREADY, number, number, name, len(self.checked_in),
                         earlier=self.checked_in[student_id])
        written = self._write(student_id, number)
        if written is None:  # erased (or renumbered) since the door read the students
            self._reload()
            return self._unregistered(number)
        outcome, at = written
        if outcome == Outcome.UNCHANGED:
            self.already += 1
            return Reply(Answer.ALREADY, number, number, name, len(self.checked_in),
                         earlier=at)
        self.checked_in[student_id] = at
        return Reply(Answer.CHECKED_IN, number, number, name, len(self.checked_in),
                     was_excused=outcome == Outcome.UPDATED)

    def tally(self) -> Tally:
        return Tally(len(self.checked_in), self.already, tuple(self.unrecognised))

    def _unregistered(self, number: str) -> Reply:
        suggestions = tuple(Suggestion(n, self.registered[n][1]) for n in
                            one_typo_away(number, self.registered))[:MOST_SUGGESTIONS]
        return self._not_recognised(Reply(Answer.NOT_RECOGNISED, number, number,
                                          why=NOT_REGISTERED, suggestions=suggestions))

    def _not_recognised(self, reply: Reply) -> Reply:
        self.unrecognised.append(reply)
        return reply

    def _reload(self) -> None:
        with self.db.transaction(read_only=True) as session:
            self.registered = students.at_the_door(session)

    def _write(self, student_id: int, number: str) -> tuple[Outcome, datetime] | None:
        """Record the student as attended, as a change of the session; what that did, and
        when the record was made. None when the student is registered no more."""
        what = f"#{self.activity.id} {self.activity.title}"
        try:
            with self.run.write() as log:
                if not students.still_at_the_door(log.session, student_id, number):
                    return None
                change = log.change
                [written] = write_participations(log.session, change, [ParticipationRow(
                    student_id, self.activity.id, ParticipationStatus.ATTENDED.value, SOURCE)])
                if written.outcome == Outcome.UNCHANGED:  # recorded before: no change
                    earlier = participations.at_activity(log.session, self.activity.id,
                                                         [student_id])[student_id]
                    recorded = earlier.recorded_at
                    raise Rollback
                self.run.describe(log, f"checked in {len(self.checked_in) + 1} student(s) "
                                       f"at {what}", f"checked in {number} at {what}")
                return written.outcome, change.at
        except RunUndone as undone:
            raise SessionUndone(undone.undo_id, undone.by, undone.at) from None
        return Outcome.UNCHANGED, recorded


def _quoted(line: str) -> str:
    """A line that is no student number, as the door shows it back: quoted, control
    characters escaped, at most 40 characters."""
    text = fields.unwrap_scan(line) or line.strip()
    return repr(text if len(text) <= 40 else text[:39] + "…")
