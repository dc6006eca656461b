"""Read the history of changes, and undo one.

``undo`` undoes your own last change (the person of ``--by``, else the login), chosen
inside the write lock, or the one named with ``--change``. How each kind of change is
undone is one table, :data:`UNDO`: reverted from its entries (and the participations it
inserted), or refused with the reason. A change is never undone under a later one: when
a later change wrote over one of its rows, or while it is a kiosk session still open at
the door, undo refuses and says which.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import activities, changes, doors, history, students
from tracker.db import rules as stored_rules
from tracker.db.engine import Database
from tracker.db.models import Change, ChangeEntry, utcnow
from tracker.errors import CannotUndo, NotFound
from tracker.service import history_words
from tracker.service.history_words import Names
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind

WORDS_PER_CHANGE = 3  # updates said in words per change; more are "…"


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    by: str
    command: str
    summary: str
    undone_by: int | None  # the undo that reverted it


def list_history(db: Database, number: str | None = None,
                 limit: int | None = 50) -> list[HistoryEntry]:
    """The newest changes first; with ``number``, every change that touched that student,
    undone ones included."""
    with db.transaction(read_only=True) as session:
        only = None
        if number is not None:
            student = students.require(
                session, fields.student_number(number, rules_in_force(session).book))
            only = changes.touching(session, student.id)
        return in_words(session, changes.units(session, only, limit))


def in_words(session: Session, units: Sequence[tuple[Change, int | None]]) -> list[HistoryEntry]:
    """Each unit as ``history`` shows it: who, when, and what, old → new in words."""
    heads = [head.id for head, _ in units]
    unit_of = {member: head for head, members in changes.members(session, heads).items()
               for member in members}
    updates = changes.updates_of(session, list(unit_of), WORDS_PER_CHANGE + 1)
    names = Names.load(session, updates)
    stored = {head.id: head.summary for head, _ in units}
    words: dict[int, list[str]] = {head: [] for head in heads}
    for entry in updates:
        head = unit_of[entry.change_id]
        said = history_words.update_words(entry, names, stored[head])
        if said is not None:
            words[head].append(said)
    return [HistoryEntry(head.id, head.at, head.actor, head.command, history_words.summary(
        head.command, head.summary, words[head.id][:WORDS_PER_CHANGE],
        len(words[head.id]) > WORDS_PER_CHANGE),
        undone_by) for head, undone_by in units]


@dataclass(frozen=True)
class Target:
    """A unit to undo: its head, its changes (oldest first), and what it did in words."""

    head: Change
    unit: Sequence[int]
    said: str

    @property
    def named(self) -> str:
        return f"change #{self.head.id} ({self.said})"


Undo = Callable[[Session, Target, Change], None]
"""How to undo a unit as another change (the undo)."""


def revert(session: Session, target: Target, undo: Change) -> None:
    """Take away the participations each change of the unit inserted and restore every
    row from its entries, newest first; refused when a row was changed since."""
    for change_id in reversed(target.unit):
        change = session.get(Change, change_id)
        assert change is not None
        changes.take_inserted_participations(session, change, undo)
        for entry in changes.entries_of(session, change_id):
            if entry.before is None and entry.after is None:
                raise CannotUndo(f"{target.named} concerned a student whose personal "
                                 "data was erased since: it cannot be undone")
            _revert_entry(session, target, entry, undo)


def refuse(reason: str) -> Undo:
    def refused(_session: Session, target: Target, _undo: Change) -> None:
        raise CannotUndo(f"{target.named} {reason}")

    return refused


def revert_rules(session: Session, target: Target, undo: Change) -> None:
    if stored_rules.count(session) <= 1:  # undone, the database would have no rules
        refuse("loaded the only rules version: load another rules file instead")(
            session, target, undo)
    revert(session, target, undo)


def revert_approval(session: Session, target: Target, undo: Change) -> None:
    """An approval that scheduled its activity takes it away again: refused while
    others are recorded there since (their attendance would go with it)."""
    for change_id in target.unit:
        for entry in changes.entries_of(session, change_id):
            if entry.table_name == "activity" and entry.before is None and entry.after:
                others = [p for p in activities.participations_at(session, entry.after["id"])
                          if p.change_id != change_id]
                if others:
                    refuse(f"scheduled activity #{entry.after['id']}, where "
                           f"{len(others)} other attendance(s) are recorded since: take "
                           "them off first, or leave the approval")(session, target, undo)
    revert(session, target, undo)


UNDO: dict[ChangeKind, Undo | None] = {
    **{kind: revert for kind in ChangeKind},
    ChangeKind.RULES_LOAD: revert_rules,
    ChangeKind.CLAIM_APPROVE: revert_approval,
    ChangeKind.STUDENT_FORGET: refuse("erased a student's personal data: that cannot be "
                                      "undone"),
    ChangeKind.UNDO: None,  # an undo is not undone; the one before it is
    ChangeKind.REMIND: None,  # an e-mail sent stays sent: undo passes over it
}
"""How each kind of change is undone; None: undo passes over it to an earlier one."""

PASSED_OVER = {ChangeKind.UNDO: "is an undo: an undo is not undone",
               ChangeKind.REMIND: "sent e-mail: what was sent stays sent, there is "
                                  "nothing to undo"}


@dataclass(frozen=True)
class UndoOutcome:
    undone: int
    summary: str  # what the undone change did, as the history says it
    change: int  # the undo's own change
    command: str
    by: str  # who made the undone change
    at: datetime


def undo(db: Database, by: str | None = None, *, change: int | None = None,
         now: datetime | None = None) -> UndoOutcome:
    """Revert your own last change that is not undone yet (the person ``by``, else the
    login), or change number ``change``; the undo is a change of its own."""
    me = history.actor(by)
    with db.transaction() as session:  # (on SQLite: the write lock, taken first)
        head = _target(session, me, change)
        [said] = in_words(session, [(head, None)])
        target = Target(head, changes.members(session, [head.id])[head.id], said.summary)
        kind = ChangeKind(head.command)
        how = UNDO[kind]
        if how is None:
            raise CannotUndo(f"{target.named} {PASSED_OVER[kind]}")
        if changes.is_open(head, now or utcnow()):
            door = doors.activity_of_run(session, head.id)
            if door is not None:
                raise CannotUndo(
                    f"{target.named} is the check-in by QR code at #{door}, and its door is "
                    f"still open: close it first (`tracker door close {door}`, or Close on "
                    f"/admin/activities/{door}), then undo it")
            raise CannotUndo(
                f"{target.named} is a check-in session still open at the door, by "
                f"{head.actor}: end it there first (an empty line, Ctrl-D or Ctrl-C), then "
                "undo it (a kiosk that is no longer running counts as ended two minutes "
                "after its last sign of life)")
        _refuse_later_writes(session, target)
        made = history.open_change(session, ChangeKind.UNDO, me,
                                   f"undo #{head.id}: {target.said}")
        made.undoes_id = head.id
        how(session, target, made)
        return UndoOutcome(head.id, target.said, made.id, head.command, head.actor, head.at)


def _target(session: Session, me: str, number: int | None) -> Change:
    """The unit to undo, held until the transaction ends (two undos take turns)."""
    if number is not None:
        target = changes.head_of(session, number)
        if target is None:
            raise NotFound(f"no change #{number} (see `tracker history`)")
        changes.lock(session, target)
        undone = changes.undone_by(session, target.id)
        if undone is not None:
            raise CannotUndo(f"change #{target.id} ({target.summary}) was undone already, "
                             f"by change #{undone.id}")
        return target
    passed = [kind for kind, how in UNDO.items() if how is not None]
    while True:
        target = changes.last_of(session, me, passed)
        if target is None:
            raise CannotUndo(f"nothing of yours to undo: {me} made no change that is not "
                             "undone; `tracker undo --change N` undoes another one (see "
                             "`tracker history`), `--by NAME` one made with that --by")
        changes.lock(session, target)
        if changes.undone_by(session, target.id) is None:  # (another undo took it meanwhile)
            return target


def _refuse_later_writes(session: Session, target: Target) -> None:
    found = changes.later_write(session, target.unit)
    if found is None:
        return
    entry, writer = found
    head = changes.head_of(session, writer.id)
    assert head is not None
    raise CannotUndo(f"{target.named} cannot be undone: "
                     f"{_row(session, entry)} was written since by change #{head.id} "
                     f"({head.command} by {head.actor}, {_when(writer.at)}); undo that "
                     "first, or leave both")


def _row(session: Session, entry: ChangeEntry) -> str:
    values = entry.after or entry.before
    if values is None:
        return "a row of an erased student"
    return Names.load(session, [entry]).row(entry.table_name, values, entry.student_id)


def _when(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def _revert_entry(session: Session, target: Target, entry: ChangeEntry,
                  undo: Change) -> None:
    current = history.find_row(session, entry.table_name, entry.row_id)
    current_values = history.snapshot(current) if current is not None else None
    if current_values != entry.after:
        raise CannotUndo(f"{target.named} cannot be undone: "
                         f"{_row(session, entry)} was changed since (`tracker history` "
                         "says by what)")
    if entry.before is None:
        assert current is not None
        history.deleted(session, undo, current)
        return
    values = history.restore_values(entry.table_name, entry.before)
    if "revision" in values:  # a calendar's SEQUENCE: an undo is one more edit, never back
        values["revision"] = max(values["revision"], getattr(current, "revision", 0)) + 1
    if current is None:
        current = history.model_of(entry.table_name)(**values)
        session.add(current)
    else:
        for name, value in values.items():
            setattr(current, name, value)
    history.updated(session, undo, current, current_values)
