"""Read the history of changes, and undo the newest.

How each kind of change is undone is one table, :data:`UNDO`: reverted from its
entries (and its participations), or refused with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import history, students
from tracker.db import rules as stored_rules
from tracker.db.engine import Database
from tracker.db.models import Change, ChangeEntry
from tracker.errors import CannotUndo
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind


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
            only = history.touching(session, student.id)
        return [HistoryEntry(c.id, c.at, c.actor, c.command, c.summary, undone_by)
                for c, undone_by in history.changes(session, only, limit)]


Undo = Callable[[Session, Change, Change], None]
"""How to undo a change (the target) as another change (the undo)."""


def revert(session: Session, target: Change, undo: Change) -> None:
    """Restore every row from the change's entries, newest first, and take away the
    participations it recorded; refused when a row was changed since."""
    history.take_participations_of(session, target, undo)
    for entry in history.entries_of(session, target.id):
        if entry.before is None and entry.after is None:
            raise CannotUndo(f"change #{target.id} concerned a student whose personal data "
                             "was erased since: it cannot be undone")
        _revert_entry(session, entry, undo)


def refuse(reason: str) -> Undo:
    def refused(_session: Session, target: Change, _undo: Change) -> None:
        raise CannotUndo(f"the last change (#{target.id}) {reason}")

    return refused


def revert_rules(session: Session, target: Change, undo: Change) -> None:
    if stored_rules.count(session) <= 1:  # undone, the database would have no rules
        refuse("loaded the only rules version: load another rules file instead")(
            session, target, undo)
    revert(session, target, undo)


UNDO: dict[ChangeKind, Undo | None] = {
    **{kind: revert for kind in ChangeKind},
    ChangeKind.RULES_LOAD: revert_rules,
    ChangeKind.STUDENT_FORGET: refuse("erased a student's personal data: that cannot be "
                                      "undone"),
    ChangeKind.UNDO: None,  # an undo is not undone; the one before it is
    ChangeKind.REMIND: None,  # an e-mail sent stays sent: undo passes over it
}
"""How each kind of change is undone; None: undo passes over it to an earlier one."""


@dataclass(frozen=True)
class UndoOutcome:
    undone: int
    summary: str
    change: int  # the undo's own change


def undo(db: Database, by: str | None = None) -> UndoOutcome:
    """Revert the newest change not undone yet; the undo is a change of its own."""
    with db.transaction() as session:
        target = history.last_undoable(session, [k for k, how in UNDO.items() if how])
        if target is None:
            raise CannotUndo("nothing to undo")
        change = history.open_change(session, ChangeKind.UNDO, by,
                                     f"undo #{target.id}: {target.summary}")
        change.undoes_id = target.id
        how = UNDO[ChangeKind(target.command)]
        assert how is not None
        how(session, target, change)
        return UndoOutcome(target.id, target.summary, change.id)


def _revert_entry(session: Session, entry: ChangeEntry, undo: Change) -> None:
    current = history.find_row(session, entry.table_name, entry.row_id)
    current_values = history.snapshot(current) if current is not None else None
    if current_values != entry.after:
        raise CannotUndo(f"cannot undo change #{entry.change_id}: {entry.table_name} "
                         f"{entry.row_id} was changed since")
    if entry.before is None:
        assert current is not None
        history.deleted(session, undo, current)
        return
    values = history.restore_values(entry.table_name, entry.before)
    if current is None:
        current = history.TABLES[entry.table_name](**values)
        session.add(current)
    else:
        for name, value in values.items():
            setattr(current, name, value)
    history.updated(session, undo, current, current_values)
