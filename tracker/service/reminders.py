"""Reminders: tell students, by e-mail, what is still open, at risk or overdue, and the
whole story behind it (what counted, what did not and why, where each reflection is).

One call, :func:`send_reminders`, for the command line and the portal alike: it is handed
a :class:`ReminderWriter` (the wording lives above services, in
:mod:`tracker.pages.reminder`) and a route (:mod:`tracker.service.mail`, the one path
mail leaves by). Every message is worded before the first one is written or sent, so a
template that fails stops the run before anything leaves.

Exactly once: each recipient is claimed (a row written and committed) before their
message goes to the server, then marked sent or refused, each in a transaction of its
own. Two runs at once never remind the same student; a run that stops between the
server's answer and the record leaves the claim, and the next run lists that student as
"may have been sent" instead of sending again. A recipient the server refuses is
recorded as refused, named, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, and_
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker import fields, forked
from tracker.db import history, reminders, students
from tracker.db.engine import Database
from tracker.db.models import Reminder, Student, utcnow
from tracker.db.which import Which
from tracker.errors import InvalidInput
from tracker.mail.mime import Message
from tracker.service.assessment import (
    Assessed,
    Stories,
    assess,
    read_cohort_alongside,
    stories,
)
from tracker.service.mail import (
    Delivery,
    Letter,
    NotRecorded,
    Posted,
    Route,
    Said,
    Unwritten,
    WrittenAside,
    post,
    processes_to_write,
)
from tracker.service.report import cohort_students
from tracker.service.rules import rules_in_force
from tracker.standing import StudentProgress
from tracker.vocabulary import ChangeKind, ReminderState, StudentStatus

R = TypeVar("R")
DEFAULT_SKIP_DAYS = 7
MOST_SKIP_DAYS = 36_500  # a hundred years: further back than any database


@dataclass(frozen=True)
class Recipient:
    """A student to remind; their whole story (``progress``) is told when it is first
    needed, in the process that needs it."""

    student_id: int
    student: str
    name: str
    email: str
    assessed: Assessed = field(repr=False, compare=False)
    stories: Stories = field(repr=False, compare=False)

    @cached_property
    def progress(self) -> StudentProgress:
        return self.stories.of(self.assessed)


@dataclass(frozen=True)
class Skipped:
    student: str
    name: str
    why: str


@dataclass(frozen=True)
class Selection:
    as_of: date
    since: datetime  # a reminder sent or claimed since then counts as recent
    recipients: tuple[Recipient, ...]
    skipped: tuple[Skipped, ...]  # no e-mail address, reminded lately, complete, ...


def local(moment: datetime) -> str:
    """A moment as ``history`` shows it: to the minute, in local time."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def select(db: Database, numbers: Sequence[str] = (), *, cohort: int | None = None,
           at_risk: bool = False, as_of: date | None = None,
           skip_days: int = DEFAULT_SKIP_DAYS, now: datetime | None = None) -> Selection:
    """Active students who have not completed, narrowed by the options (``at_risk``: a
    required item at risk or overdue); those reminded within ``skip_days`` (0: nobody)
    and those without an e-mail address are skipped."""
    if not 0 <= skip_days <= MOST_SKIP_DAYS:
        raise InvalidInput(f"--skip-reminded-days {skip_days}: give a number of days from "
                           f"0 to {MOST_SKIP_DAYS:,}")
    day = as_of or date.today()
    since = (now or utcnow()) - timedelta(days=skip_days)
    with db.read_alongside() as alongside, db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        which: ColumnElement[bool] = cohort_students(cohort, StudentStatus.ACTIVE.value)
        skipped: list[Skipped] = []
        if numbers:
            named = students.require_all(session, (fields.student_number(n, in_force.book)
                                                   for n in numbers))
            which = and_(which, Student.id.in_([s.id for s in named]))
            skipped += [Skipped(s.number, s.name, f"{s.status}, not active") for s in named
                        if s.status != StudentStatus.ACTIVE]
        else:  # a cohort: its stories are read on a core of their own meanwhile
            read_cohort_alongside(alongside, in_force, Which(which))
        emails = students.emails(session, Which(which))
        candidates: list[Assessed] = []
        for assessed in assess(session, in_force, Which(which), day):
            student, progress = assessed.student, assessed.progress
            if progress is None:
                skipped.append(Skipped(student.number, student.name, assessed.problem or ""))
            elif progress.complete:
                if numbers:
                    skipped.append(Skipped(student.number, student.name,
                                           "complete: nothing to remind"))
            elif not at_risk or any(item.blocking and item.status in _BEHIND
                                    for item in progress.requirements):
                candidates.append(assessed)
        recent = reminders.last_sent(session, [a.student.id for a in candidates], since) \
            if skip_days else {}
        chosen = []
        for assessed in candidates:
            student = assessed.student
            if student.id in recent:
                skipped.append(Skipped(student.number, student.name,
                                       _recently(*recent[student.id])))
            elif not emails.get(student.id):
                skipped.append(Skipped(student.number, student.name, "no e-mail address"))
            else:
                chosen.append(assessed)
        gathered = stories(session, in_force, chosen, Which(which), alongside.result())
        recipients = tuple(Recipient(one.student.id, one.student.number, one.student.name,
                                     emails[one.student.id] or "", one, gathered)
                           for one in chosen)
    return Selection(day, since, recipients, tuple(skipped))


_BEHIND = ("at-risk", "overdue")


def _recently(at: datetime, state: str) -> str:
    if state == ReminderState.CLAIMED:
        return (f"a reminder was on its way at {local(at)} and its run did not record "
                "whether the server took it: it may have been sent (check the mail "
                "server; `--skip-reminded-days 0` with the student's number sends again)")
    return f"reminded {local(at)}"


@dataclass(frozen=True)
class Worded:
    """A reminder's words: its subject, its text part, the coordinator's message (for
    the top of the HTML part) and the requirements it names."""

    subject: str
    text: str
    message: str
    named: tuple[str, ...]


class ReminderWriter(Protocol):
    """The wording of reminders, made above services and handed to
    :func:`send_reminders` (:class:`tracker.pages.reminder.ReminderWriter`)."""

    def word(self, recipients: Sequence[Recipient]) -> Sequence[Worded]:
        """Every recipient's words, all before any message leaves; raises
        :class:`~tracker.errors.InvalidInput` (one line) when a template fails."""
        ...

    def word_then(self, recipients: Sequence[Recipient],
                  then: Callable[[range, Sequence[Worded]], R],
                  parts: Sequence[range]) -> list[R]:
        """Every recipient's words, made by a process per part of ``parts`` (see
        :func:`tracker.forked.slices`); each process hands its part's words, once all of
        them are made, to ``then(part, worded)``, and what ``then`` returns comes back,
        in the order of ``parts``. Raises as :meth:`word` does, after every process has
        stopped (``then`` must leave nothing anyone sees until the caller says so)."""
        ...

    def letter(self, recipient: Recipient, worded: Worded) -> Letter:
        """The message: the words, and the student's page as its HTML part."""
        ...


Told = Callable[[Posted["Outgoing"]], None]
"""Hears of each message done (previewed, written, sent, refused or skipped)."""


@dataclass(frozen=True)
class Outgoing:
    recipient: Recipient
    worded: Worded | None  # None: worded and written in a process of its own


def send_reminders(db: Database, selection: Selection, writer: ReminderWriter, route: Route,
                   *, by: str | None = None, on_ready: Callable[[], None] | None = None,
                   on_done: Told | None = None) -> Delivery[Outgoing]:
    """Word every recipient's reminder (``on_ready`` hears when all are worded, before
    the first leaves), then preview, write or send them as ``route`` says; sent ones
    are claimed and recorded as they go (one change in the history, by ``by``)."""
    processes = processes_to_write(route, len(selection.recipients))
    if processes:
        return _write_outbox(selection.recipients, writer, route, processes, on_ready,
                             on_done)
    worded = writer.word(selection.recipients)
    if on_ready is not None:
        on_ready()
    outgoing = [Outgoing(r, w) for r, w in zip(selection.recipients, worded, strict=True)]
    record = ReminderLog(db, by, selection.since) if route.sends else None
    return post(route, outgoing, lambda o: writer.letter(o.recipient, _worded(o)),
                record=record, on_done=on_done)


def _write_outbox(recipients: Sequence[Recipient], writer: ReminderWriter, route: Route,
                  processes: int, on_ready: Callable[[], None] | None,
                  on_done: Told | None) -> Delivery[Outgoing]:
    """A large outbox in one round of processes: each words its slice (in the template's
    sandbox and limits), then makes and writes those messages aside; once every process
    has worded and written its share, ``on_ready`` hears it and the messages are moved
    into the outbox. Only a few words of each message come back to this process."""
    with WrittenAside(route) as aside:
        def write_worded(part: range, worded: Sequence[Worded]) -> list[Said] | Unwritten:
            return aside.write(writer.letter(r, w) for r, w in
                               zip(forked.pick(recipients, part), worded, strict=True))

        parts = forked.slices(len(recipients), processes)
        written = writer.word_then(recipients, write_worded, parts)
        if on_ready is not None:
            on_ready()
        return aside.publish([Outgoing(r, None) for r in recipients], parts, written,
                             on_done)


def _worded(item: Outgoing) -> Worded:
    assert item.worded is not None
    return item.worded


class ReminderLog:
    """The reminders' record of a run (a :class:`tracker.service.mail.Record`): one
    change in the history, opened with the first claim; each claim, delivery and
    refusal in a transaction of its own."""

    def __init__(self, db: Database, by: str | None, since: datetime) -> None:
        self.db = db
        self.by = history.actor(by)
        self.since = since
        self.change_id: int | None = None
        self.claimed: dict[int, int] = {}  # student id -> reminder id

    def claim(self, item: Outgoing, letter: Letter) -> str | None:
        student_id = item.recipient.student_id
        opened = self.change_id is None
        try:
            with self.db.transaction() as session:
                if self.change_id is None:
                    self.change_id = history.open_change(session, ChangeKind.REMIND,
                                                         self.by).id
                    history.describe_change(session, self.change_id, _summary({}))
                row = Reminder(student_id=student_id, change_id=self.change_id,
                               sent_at=utcnow(), sent_by=self.by, address=letter.address,
                               subject=letter.subject[:300],
                               requirements=list(_worded(item).named), message_id="")
                held = reminders.claim(session, row, self.since)
                if held is None:
                    self.claimed[student_id] = row.id
        except DBAPIError as error:
            if opened:  # rolled back with the claim
                self.change_id = None
            raise NotRecorded(f"could not claim {item.recipient.student} "
                              f"({_reason(error)}): nothing more was sent") from None
        return None if held is None else _recently(*held)

    def delivered(self, item: Outgoing, message: Message) -> None:
        self._mark(item, ReminderState.SENT, message_id=message.message_id)

    def refused(self, item: Outgoing, why: str) -> None:
        self._mark(item, ReminderState.REFUSED, problem=why)

    def released(self, item: Outgoing) -> None:
        reminder_id = self.claimed.pop(item.recipient.student_id)
        try:
            with self.db.transaction() as session:
                reminders.release(session, reminder_id)
                self._describe(session)
        except DBAPIError:  # the claim stays: the next run says "may have been sent"
            pass

    def _mark(self, item: Outgoing, state: ReminderState, **values: str) -> None:
        reminder_id = self.claimed.pop(item.recipient.student_id)
        try:
            with self.db.transaction() as session:
                reminders.mark(session, reminder_id, state, utcnow(), **values)
                self._describe(session)
        except DBAPIError as error:
            raise NotRecorded(
                f"{item.recipient.student} was {state.value} but that could not "
                f"be recorded ({_reason(error)}); the next run lists them as 'may have "
                "been sent' and sends them nothing") from None

    def _describe(self, session: Session) -> None:
        assert self.change_id is not None
        history.describe_change(session, self.change_id,
                                _summary(reminders.counts_of_change(session, self.change_id)))


def _summary(counts: dict[str, int]) -> str:
    said = f"reminded {counts.get(ReminderState.SENT, 0)} student(s) by e-mail"
    if counts.get(ReminderState.REFUSED):
        said += f", {counts[ReminderState.REFUSED]} refused by the server"
    return said


def _reason(error: DBAPIError) -> str:
    lines = str(error.orig or error).strip().splitlines()
    return lines[0] if lines else "the database failed"
