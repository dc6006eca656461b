"""What the history says, read back: changes as the user sees them, and what undo must
know before it reverts one.

A *unit* is what ``history`` shows as one change and ``undo`` reverts as one: a change
on its own, or a run of them (a kiosk session) under its first change, the *head*,
whose id stands for the run. A change is *live* while it counts: not an undo, and its
unit not undone.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, delete, func, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from tracker.db import history, tallies
from tracker.db.models import Change, ChangeEntry, Participation, Reminder
from tracker.vocabulary import ChangeKind


def unit_of_change() -> ColumnElement[int]:
    """The head of the unit a change belongs to."""
    return func.coalesce(Change.part_of_id, Change.id)


def _undone_heads() -> Select[Any]:
    return select(Change.undoes_id).where(Change.undoes_id.is_not(None))


def units(session: Session, only: Iterable[int] | None = None,
          limit: int | None = None) -> list[tuple[Change, int | None]]:
    """(head, the id of the undo that reverted it), newest first."""
    undoer = aliased(Change)
    query = (select(Change, undoer.id).outerjoin(undoer, undoer.undoes_id == Change.id)
             .where(Change.part_of_id.is_(None)).order_by(Change.id.desc()))
    if only is not None:
        query = query.where(Change.id.in_(list(only)))
    if limit is not None:
        query = query.limit(limit)
    return [(change, undone_by) for change, undone_by in session.execute(query)]


def members(session: Session, heads: Collection[int]) -> dict[int, list[int]]:
    """The ids of the changes of each unit, oldest first."""
    found: dict[int, list[int]] = {head: [] for head in heads}
    if found:
        for change_id, head in session.execute(
                select(Change.id, unit_of_change())
                .where(unit_of_change().in_(list(found))).order_by(Change.id)):
            found[head].append(change_id)
    return found


def head_of(session: Session, change_id: int) -> Change | None:
    """The head of the unit change ``change_id`` belongs to (None: no such change)."""
    change = session.get(Change, change_id)
    if change is not None and change.part_of_id is not None:
        change = session.get(Change, change.part_of_id)
    return change


def lock(session: Session, head: Change) -> None:
    """Hold the unit's head until the transaction ends: an undo and the run's next write
    take turns (on SQLite, writers take turns already)."""
    session.execute(select(Change.id).where(Change.id == head.id).with_for_update())


def undone_by(session: Session, head_id: int) -> Change | None:
    return session.scalars(select(Change).where(Change.undoes_id == head_id)).first()


def last_of(session: Session, actor: str, kinds: Iterable[ChangeKind]) -> Change | None:
    """The head of ``actor`` 's newest unit of ``kinds`` that is not undone."""
    return session.scalars(
        select(Change)
        .where(Change.part_of_id.is_(None), Change.actor == actor,
               Change.command.in_([kind.value for kind in kinds]),
               Change.id.not_in(_undone_heads()))
        .order_by(Change.id.desc()).limit(1)).first()


def is_open(head: Change, now: datetime) -> bool:
    """Whether the unit is a run that is still going (a kiosk that is open)."""
    return head.open_until is not None and head.open_until > now


def hold_open(session: Session, head_id: int, until: datetime | None) -> None:
    """The run is open until ``until`` (None: it ended)."""
    session.execute(update(Change).where(Change.id == head_id).values(open_until=until))


def touching(session: Session, student_id: int) -> set[int]:
    """The heads of every unit that touched a student: wrote a row of theirs, recorded
    their attendance (or one a later change wrote over or took away), or reminded them."""
    ids = set(session.scalars(select(ChangeEntry.change_id)
                              .where(ChangeEntry.student_id == student_id)))
    ids.update(session.scalars(select(ChangeEntry.replaces_change_id).where(
        ChangeEntry.student_id == student_id, ChangeEntry.replaces_change_id.is_not(None))))
    ids.update(session.scalars(select(Participation.change_id)
                               .where(Participation.student_id == student_id)))
    ids.update(session.scalars(select(Reminder.change_id)
                               .where(Reminder.student_id == student_id)))
    return set(session.scalars(select(unit_of_change()).where(Change.id.in_(list(ids)))))


def later_write(session: Session, unit: Collection[int]) -> tuple[ChangeEntry, Change] | None:
    """The first live write, by a change outside ``unit``, over a row a change of
    ``unit`` wrote (with the change that made it)."""
    writer = aliased(Change)
    writer_unit = func.coalesce(writer.part_of_id, writer.id)
    found = session.execute(
        select(ChangeEntry, writer).join(writer, writer.id == ChangeEntry.change_id)
        .where(ChangeEntry.replaces_change_id.in_(list(unit)),
               ChangeEntry.change_id.not_in(list(unit)),
               writer.command != ChangeKind.UNDO.value,
               writer_unit.not_in(_undone_heads()))
        .order_by(ChangeEntry.id).limit(1)).first()
    return None if found is None else (found[0], found[1])


def entries_of(session: Session, change_id: int) -> Sequence[ChangeEntry]:
    """A change's entries, newest first (the order to revert them in)."""
    return session.scalars(select(ChangeEntry).where(ChangeEntry.change_id == change_id)
                           .order_by(ChangeEntry.id.desc())).all()


def updates_of(session: Session, change_ids: Collection[int],
               per_change: int) -> list[ChangeEntry]:
    """Up to ``per_change`` entries of each change that updated a row (values before
    and after), oldest first."""
    if not change_ids:
        return []
    both = (_length(ChangeEntry.before) > 4) & (_length(ChangeEntry.after) > 4)
    number = func.row_number().over(partition_by=ChangeEntry.change_id,
                                    order_by=ChangeEntry.id).label("number")
    ranked = (select(ChangeEntry.id, number)
              .where(ChangeEntry.change_id.in_(list(change_ids)), both).subquery())
    return list(session.scalars(
        select(ChangeEntry).join(ranked, ranked.c.id == ChangeEntry.id)
        .where(ranked.c.number <= per_change).order_by(ChangeEntry.id)))


def _length(column: Any) -> ColumnElement[int]:
    """The length of a JSON value as text: 4 for JSON null (which is no SQL NULL), 0
    for an erased one."""
    return func.coalesce(func.length(cast(column, String)), 0)


def take_inserted_participations(session: Session, change: Change, undo: Change) -> int:
    """Delete the participations ``change`` inserted (those it still holds and has no
    entry for: the ones it updated its entries restore), keeping each as an entry of
    ``undo``; how many."""
    columns = list(Participation.__table__.columns)
    rows = session.execute(select(*columns).where(Participation.change_id == change.id)
                           .with_for_update()).mappings().all()
    if not rows:
        return 0
    updated = set(session.scalars(select(ChangeEntry.row_id).where(
        ChangeEntry.change_id == change.id, ChangeEntry.table_name == "participation")))
    taken = [dict(row) for row in rows
             if history.row_key("participation", dict(row)) not in updated]
    history.deleted_rows(session, undo, "participation", taken)
    if len(taken) == len(rows):
        session.execute(delete(Participation).where(Participation.change_id == change.id))
    else:
        pairs = [(row["student_id"], row["activity_id"]) for row in taken]
        for start in range(0, len(pairs), 500):
            session.execute(delete(Participation).where(
                tuple_(Participation.student_id, Participation.activity_id)
                .in_(pairs[start:start + 500])))
    tallies.mark(session, (row["student_id"] for row in taken))
    return len(taken)


def registered_by(session: Session) -> set[str]:
    """Who registered students one by one (``student add``): the demo database's test."""
    return set(session.scalars(select(Change.actor).distinct()
                               .where(Change.command == ChangeKind.STUDENT_ADD.value)))


def last_writer(session: Session, table: str, row_id: str) -> int | None:
    """The newest change that wrote this row (as the history names it)."""
    return session.scalar(select(func.max(ChangeEntry.change_id)).where(
        ChangeEntry.table_name == table, ChangeEntry.row_id == row_id))
