"""The append-only history: every command's writes, and undoing the last of them.

A command opens one :class:`Change` and records each row it inserts, updates or deletes
as a :class:`ChangeEntry` (values before and after, as JSON). Participations are the
exception: there can be thousands per command, so each carries the ``change_id`` that
recorded it, and undo deletes them by that key.
"""

from __future__ import annotations

import getpass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, delete, insert, select
from sqlalchemy.orm import Session

from tracker.db.models import Base, Change, ChangeEntry, Participation, utcnow
from tracker.errors import CannotUndo
from tracker.service.lookup import text_field

_TABLES = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def actor(by: str | None) -> str:
    """Who makes a change: ``--by``, else the login name."""
    given = text_field("by", by)
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something
        return "unknown"


def open_change(session: Session, command: str, by: str | None, summary: str = "") -> Change:
    change = Change(actor=actor(by), command=command, summary=summary[:1000], at=utcnow())
    session.add(change)
    session.flush()
    return change


def snapshot(row: Base) -> dict[str, Any]:
    """A row's column values as JSON-ready data."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
    return values


def _student_of(row: Base) -> int | None:
    if row.__tablename__ == "student":
        return row.id  # type: ignore[attr-defined, no-any-return]
    return getattr(row, "student_id", None)


def record(session: Session, change: Change, row: Base,
           before: dict[str, Any] | None) -> None:
    """Record ``row`` as written by ``change``; ``before`` is None for an insert."""
    session.flush()
    after = snapshot(row)
    session.add(ChangeEntry(change_id=change.id, table_name=row.__tablename__,
                            row_id=str(after["id"] if "id" in after else after.get("code")),
                            student_id=_student_of(row), before=before, after=after))


def _restore(table: str, values: dict[str, Any]) -> dict[str, Any]:
    columns = _TABLES[table].__table__.columns
    restored: dict[str, Any] = {}
    for key, value in values.items():
        column_type = columns[key].type
        column_type = getattr(column_type, "impl", column_type)  # see through UTCDateTime
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        restored[key] = value
    return restored


def last_undoable(session: Session) -> Change | None:
    """The newest change that is not an undo and has not been undone."""
    undone = select(Change.undoes_id).where(Change.undoes_id.is_not(None))
    return session.scalars(
        select(Change)
        .where(Change.undoes_id.is_(None), Change.id.not_in(undone))
        .order_by(Change.id.desc())
        .limit(1)
    ).first()


def undo_last(session: Session, by: str | None) -> tuple[Change, Change]:
    """Revert the newest change; returns (the change undone, the undo's own change)."""
    target = last_undoable(session)
    if target is None:
        raise CannotUndo("nothing to undo")
    if target.command == "student forget":
        raise CannotUndo(f"the last change (#{target.id}) erased a student's personal data: "
                         "that cannot be undone")
    undo = open_change(session, "undo", by, f"undo #{target.id}: {target.summary}")
    undo.undoes_id = target.id
    _forget_participations(session, target, undo)
    entries = session.scalars(
        select(ChangeEntry).where(ChangeEntry.change_id == target.id)
        .order_by(ChangeEntry.id.desc())
    ).all()
    for entry in entries:
        if entry.before is None and entry.after is None:
            raise CannotUndo(f"change #{target.id} concerned a student whose personal data "
                             "was erased since: it cannot be undone")
        _revert(session, entry, undo)
    return target, undo


def _forget_participations(session: Session, target: Change, undo: Change) -> None:
    columns = [c for c in Participation.__table__.columns]
    rows = session.execute(
        select(*columns).where(Participation.change_id == target.id)
    ).mappings().all()
    if not rows:
        return
    session.execute(insert(ChangeEntry), [
        {"change_id": undo.id, "table_name": "participation", "row_id": str(row["id"]),
         "student_id": row["student_id"], "before": {
             key: value.isoformat() if isinstance(value, date | datetime) else value
             for key, value in row.items()}, "after": None}
        for row in rows
    ])
    session.execute(delete(Participation).where(Participation.change_id == target.id))


def _revert(session: Session, entry: ChangeEntry, undo: Change) -> None:
    model = _TABLES[entry.table_name]
    key = next(iter(model.__table__.primary_key.columns)).key
    row_id: Any = int(entry.row_id) if key == "id" else entry.row_id
    current = session.get(model, row_id)
    current_values = snapshot(current) if current is not None else None
    if current_values != entry.after:
        raise CannotUndo(f"cannot undo change #{entry.change_id}: {entry.table_name} "
                         f"{entry.row_id} was changed since")
    if entry.before is None:
        assert current is not None
        session.delete(current)
        session.flush()
        session.add(ChangeEntry(change_id=undo.id, table_name=entry.table_name,
                                row_id=entry.row_id, student_id=entry.student_id,
                                before=current_values, after=None))
        return
    values = _restore(entry.table_name, entry.before)
    if current is None:
        current = model(**values)
        session.add(current)
    else:
        for name, value in values.items():
            setattr(current, name, value)
    record(session, undo, current, current_values)
