"""Reminders: tell students, by e-mail, what is still open, at risk or overdue.

Choosing whom to remind reads the database once (the same assessment as ``report``);
each message is made when it is written or sent; each delivery is recorded in a
transaction of its own as soon as the server took it, so a run that fails half-way
leaves an exact account, and the same command run again reaches only the rest.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_

from tracker import fields
from tracker.db import history, reminders, students
from tracker.db.engine import Database
from tracker.db.models import Reminder, Student, utcnow
from tracker.errors import InvalidInput
from tracker.mail.compose import Composer, Wording
from tracker.mail.mime import Message, MessageMaker
from tracker.mail.smtp import DeliveryFailed, Mailer
from tracker.private_files import write_private
from tracker.service.progress import (
    BEHIND,
    StudentProgress,
    assess,
    cohort_students,
    progress_of,
)
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, StudentStatus

DEFAULT_SKIP_DAYS = 7


@dataclass(frozen=True)
class Recipient:
    """A student to remind, with where they stand."""

    student_id: int
    progress: StudentProgress
    email: str


@dataclass(frozen=True)
class Skipped:
    student: str
    name: str
    why: str


@dataclass(frozen=True)
class Selection:
    as_of: date
    recipients: tuple[Recipient, ...]
    skipped: tuple[Skipped, ...]  # no e-mail address, reminded lately, complete, ...


def select(db: Database, numbers: Sequence[str] = (), *, cohort: int | None = None,
           at_risk: bool = False, as_of: date | None = None,
           skip_days: int = DEFAULT_SKIP_DAYS, now: datetime | None = None) -> Selection:
    """Active students who have not completed, narrowed by the options; those reminded
    within ``skip_days`` (0: nobody) and those without an e-mail address are skipped."""
    if skip_days < 0:
        raise InvalidInput(f"--skip-reminded-days {skip_days} must be 0 or more")
    day = as_of or date.today()
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        which: ColumnElement[bool] = and_(cohort_students(cohort),
                                          Student.status == StudentStatus.ACTIVE)
        if numbers:
            named = students.require_all(session, (fields.student_number(n, in_force.book)
                                                   for n in numbers))
            which = and_(which, Student.id.in_([s.id for s in named]))
            inactive = [s for s in named if s.status != StudentStatus.ACTIVE]
        else:
            inactive = []
        emails = students.emails(session, which)
        since = (now or utcnow()) - timedelta(days=skip_days)
        chosen: list[Recipient] = []
        skipped = [Skipped(s.number, s.name, f"{s.status}, not active") for s in inactive]
        candidates = []
        for assessed in assess(session, in_force, which, day):
            student, progress = assessed.student, assessed.progress
            if progress is None:
                skipped.append(Skipped(student.number, student.name, assessed.problem or ""))
            elif progress.complete:
                if numbers:
                    skipped.append(Skipped(student.number, student.name,
                                           "complete: nothing to remind"))
            elif at_risk and not any(r.blocking and r.status in BEHIND
                                     for r in progress.requirements):
                continue
            else:
                candidates.append(assessed)
        recent = reminders.last_sent(session, [a.student.id for a in candidates], since) \
            if skip_days else {}
        for assessed in candidates:
            student = assessed.student
            if student.id in recent:
                skipped.append(Skipped(student.number, student.name,
                                       f"reminded {recent[student.id]:%Y-%m-%d %H:%M} UTC"))
            elif not emails.get(student.id):
                skipped.append(Skipped(student.number, student.name, "no e-mail address"))
            else:
                chosen.append(Recipient(student.id, progress_of(assessed, in_force),
                                        emails[student.id] or ""))
    return Selection(day, tuple(chosen), tuple(skipped))


@dataclass(frozen=True)
class Outgoing:
    recipient: Recipient
    wording: Wording
    message: Message


def messages(selection: Selection, composer: Composer, maker: MessageMaker,
             coordinator: str) -> Iterator[Outgoing]:
    """Each recipient's message, made when it is asked for."""
    from tracker.pages.student import student_page

    for recipient in selection.recipients:
        wording = composer.compose(recipient.progress, recipient.email, coordinator)
        html = student_page(recipient.progress, wording.message)
        message = maker.make(recipient.progress.name, recipient.email, wording.subject,
                             wording.text, html)
        yield Outgoing(recipient, wording, message)


def write_outbox(folder: Path, outgoing: Outgoing) -> Path:
    path = folder / f"{outgoing.recipient.progress.student}.eml"
    write_private(path, outgoing.message.data)
    return path


class DeliveryLog:
    """Records each delivered reminder as soon as it is delivered, in a transaction of
    its own; the run is one change in the history, opened with the first delivery."""

    def __init__(self, db: Database, by: str | None) -> None:
        self.db = db
        self.by = history.actor(by)
        self.change_id: int | None = None
        self.count = 0

    def delivered(self, outgoing: Outgoing) -> None:
        with self.db.transaction() as session:
            if self.change_id is None:
                change = history.open_change(session, ChangeKind.REMIND, self.by)
                self.change_id = change.id
            self.count += 1
            history.describe_change(session, self.change_id,
                                    f"reminded {self.count} student(s) by e-mail")
            session.add(Reminder(
                student_id=outgoing.recipient.student_id, change_id=self.change_id,
                sent_at=utcnow(), sent_by=self.by, address=outgoing.message.recipient,
                subject=outgoing.wording.subject[:300],
                requirements=list(outgoing.wording.named),
                message_id=outgoing.message.message_id[:300]))


@dataclass(frozen=True)
class Delivery:
    """What a run did: how many messages were written and sent, of how many; and when
    the server failed, why (the rest were not sent)."""

    total: int
    written: int
    sent: int
    failure: str | None


Told = Callable[[Recipient, str], None]
"""Hears of each message done: to whom, and its subject."""


def deliver(selection: Selection, composer: Composer, maker: MessageMaker,
            coordinator: str, *, outbox: Path | None = None, mailer: Mailer | None = None,
            log: DeliveryLog | None = None, on_message: Told | None = None) -> Delivery:
    """Write each message to ``outbox`` and send it with ``mailer`` (either or both),
    recording every delivery in ``log`` as it happens; ``on_message`` hears of each
    message done."""
    total, written, sent = len(selection.recipients), 0, 0
    if mailer is None and outbox is not None and total >= IN_PARALLEL_FROM and _forks():
        return _write_in_parallel(selection, composer, maker, coordinator, outbox, on_message)
    outgoing = messages(selection, composer, maker, coordinator)
    try:
        if mailer is not None:
            mailer.__enter__()
        for message in outgoing:
            if outbox is not None:
                write_outbox(outbox, message)
                written += 1
            if mailer is not None:
                mailer.send(maker.address, message.message.recipient, message.message.data)
                sent += 1
                if log is not None:
                    log.delivered(message)
            if on_message is not None:
                on_message(message.recipient, message.wording.subject)
    except DeliveryFailed as failure:
        return Delivery(total, written, sent, str(failure))
    finally:
        if mailer is not None:
            mailer.__exit__(None, None, None)
    return Delivery(total, written, sent, None)


IN_PARALLEL_FROM = 1000  # messages: fewer are written before a second process would start


def _forks() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


# What the processes of a parallel outbox share: set before they fork.
_RUN: tuple[Selection, Composer, MessageMaker, str, Path] | None = None


def _write_in_parallel(selection: Selection, composer: Composer, maker: MessageMaker,
                       coordinator: str, outbox: Path, on_message: Told | None) -> Delivery:
    """An outbox of many messages, written by one process per core: making a message is
    work for the processor, and the messages are independent. Each process writes a
    slice of the recipients and says which subjects it wrote."""
    global _RUN
    processes = min(os.cpu_count() or 1, 4)
    total = len(selection.recipients)
    step = -(-total // processes)
    slices = [(start, min(start + step, total)) for start in range(0, total, step)]
    _RUN = (selection, composer, maker, coordinator, outbox)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            subjects = pool.map(_write_slice, slices)
    finally:
        _RUN = None
    written = 0
    for (start, stop), said in zip(slices, subjects, strict=True):
        for recipient, subject in zip(selection.recipients[start:stop], said, strict=True):
            written += 1
            if on_message is not None:
                on_message(recipient, subject)
    return Delivery(total, written, 0, None)


def _write_slice(bounds: tuple[int, int]) -> list[str]:
    assert _RUN is not None
    selection, composer, maker, coordinator, outbox = _RUN
    part = Selection(selection.as_of, selection.recipients[slice(*bounds)], ())
    subjects = []
    for outgoing in messages(part, composer, maker, coordinator):
        write_outbox(outbox, outgoing)
        subjects.append(outgoing.wording.subject)
    return subjects
