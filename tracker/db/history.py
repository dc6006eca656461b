"""The append-only history, as stored: changes and their entries.

A command opens one :class:`Change` and records each row it inserts, updates or deletes
as a :class:`ChangeEntry` (values before and after, as JSON), built by :func:`entry`
alone. Participations are the exception: there can be thousands per command, so each
carries the ``change_id`` that wrote it last instead of an entry per insert; an entry
that writes over one keeps whose version it replaced. A change that may write nothing is
opened on its first write, by a :class:`ChangeLog` (a run of such changes, one per
write, is a :class:`tracker.db.runs.Run`). What is read back out is in
:mod:`tracker.db.changes`.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Date, DateTime, Integer, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tracker import fields
from tracker.db.models import Base, Change, ChangeEntry, all_models, utcnow
from tracker.vocabulary import ChangeKind

SUMMARY_LENGTH = 1000


@cache
def model_of(table: str) -> type[Base]:
    """The model of a table the history names (every model imported: an entry may name
    any of them)."""
    for mapper in all_models().registry.mappers:
        if mapper.class_.__tablename__ == table:
            return mapper.class_
    raise KeyError(table)


def actor(by: str | None) -> str:
    """Who makes a change: ``--by``, else the login name."""
    given = fields.text("by", by)
    if given:
        return given
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still record something
        return "unknown"


def open_change(session: Session, kind: ChangeKind, by: str | None,
                summary: str = "", *, part_of: int | None = None) -> Change:
    """A change, written now; ``part_of`` the first change of the run it belongs to."""
    change = Change(actor=actor(by), command=kind.value, summary=summary[:SUMMARY_LENGTH],
                    at=utcnow(), part_of_id=part_of)
    session.add(change)
    session.flush()
    return change


def write_change(session: Session, kind: ChangeKind, by: str | None, summary: str, *,
                 part_of: int | None = None) -> Change:
    """A change whose summary is known when it is made, written now by one INSERT on the
    session's connection, not through the unit of work (a room's check-ins make one
    each, side by side). The object returned is not in the session: read it (its id,
    actor, time), never change it."""
    change = Change(actor=actor(by), command=kind.value, summary=summary[:SUMMARY_LENGTH],
                    at=utcnow(), part_of_id=part_of, undoes_id=None, open_until=None)
    written = session.connection().execute(_write_change(), {
        "actor": change.actor, "command": change.command, "summary": change.summary,
        "at": change.at, "part_of_id": part_of})
    key = written.inserted_primary_key  # (by RETURNING where the engine has it)
    assert key is not None
    change.id = int(key[0])
    return change


@cache
def _write_change() -> Any:
    table = cast(Table, Change.__table__)
    return insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in
                                 ("actor", "command", "summary", "at", "part_of_id")})


class ChangeLog:
    """The change of a command that may write nothing: opened on its first write.

    Every writer that cannot tell in advance whether it will write (an import, a
    decision that may be recorded already, a check-in of a student checked in before)
    asks ``log.change`` when it writes, and ``describe`` s what it did at the end: a
    command that wrote nothing leaves no change behind. ``part_of`` makes the change
    one of a run (see :class:`tracker.db.runs.Run`).
    """

    def __init__(self, session: Session, kind: ChangeKind, by: str | None, *,
                 part_of: int | None = None) -> None:
        self.session, self.kind, self.by, self.part_of = session, kind, by, part_of
        self._change: Change | None = None

    @property
    def change(self) -> Change:
        if self._change is None:
            self._change = open_change(self.session, self.kind, self.by,
                                       part_of=self.part_of)
        return self._change

    @property
    def wrote(self) -> bool:
        return self._change is not None

    def describe(self, summary: str) -> None:
        if self._change is not None:
            self._change.summary = summary[:SUMMARY_LENGTH]


def hold_summary(session: Session, change_id: int) -> None:
    """This transaction alone rewrites the change's summary until it ends (FOR NO KEY
    UPDATE: changes joining it as ``part_of`` still can, their key share being no
    conflict), so a summary counted after this counts every one committed before."""
    session.connection().execute(_HOLD_SUMMARY, {"change_id": change_id})


_HOLD_SUMMARY = (select(Change.id).where(Change.id == bindparam("change_id"))
                 .with_for_update(key_share=True))  # (built once: a room's check-ins run it)


def describe_change(session: Session, change_id: int, summary: str) -> None:
    session.execute(update(Change).where(Change.id == change_id)
                    .values(summary=summary[:SUMMARY_LENGTH]))


# --- entries -------------------------------------------------------------------------


def snapshot(row: Base) -> dict[str, Any]:
    """A row's column values as JSON-ready data."""
    values: dict[str, Any] = {}
    for column in row.__table__.columns:
        values[column.key] = _json_ready(getattr(row, column.key))
    return values


def _json_ready(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def row_key(table: str, values: dict[str, Any]) -> str:
    """How the history names a row: its ``history_key`` values, joined by '/'."""
    return "/".join(str(values[column]) for column in model_of(table).history_key)


def _student_of(table: str, values: dict[str, Any]) -> int | None:
    if table == "student":
        return values["id"]  # type: ignore[no-any-return]
    return values.get("student_id")


def entry(change_id: int, table: str, before: dict[str, Any] | None,
          after: dict[str, Any] | None) -> dict[str, Any]:
    """The one way an entry is made: a row of ``table`` went from ``before`` to ``after``
    (None: it did not exist)."""
    values = after if after is not None else before
    assert values is not None
    return {"change_id": change_id, "table_name": table, "row_id": row_key(table, values),
            "student_id": _student_of(table, values), "before": before, "after": after,
            "replaces_change_id": before.get("change_id") if before else None}


def inserted(session: Session, change: Change, row: Base) -> None:
    updated(session, change, row, None)


def updated(session: Session, change: Change, row: Base, before: dict[str, Any] | None) -> None:
    """Record ``row`` as written by ``change``; ``before`` is its :func:`snapshot` before
    the write (None for an insert)."""
    session.flush()
    session.add(ChangeEntry(**entry(change.id, row.__tablename__, before, snapshot(row))))


def written(session: Session, change: Change,
            rows: Sequence[tuple[Base, dict[str, Any] | None]]) -> None:
    """Record many rows as written by ``change`` (each with its :func:`snapshot` before
    the write, None for an insert), in one flush and one insert."""
    if rows:
        session.flush()
        session.execute(insert(ChangeEntry), [
            entry(change.id, row.__tablename__, before, snapshot(row))
            for row, before in rows])


def deleted(session: Session, change: Change, row: Base) -> None:
    deleted_all(session, change, [row])


def deleted_all(session: Session, change: Change, rows: Sequence[Base]) -> None:
    """Delete ``rows`` and record them as deleted by ``change``, in one flush and one
    insert."""
    if rows:
        befores = [(row.__tablename__, snapshot(row)) for row in rows]
        for row in rows:
            session.delete(row)
        session.flush()
        session.execute(insert(ChangeEntry), [entry(change.id, table, before, None)
                                              for table, before in befores])


def deleted_rows(session: Session, change: Change, table: str,
                 rows: Sequence[dict[str, Any]]) -> None:
    """Entries for rows deleted in bulk (their values as read, before the delete)."""
    if rows:
        session.execute(insert(ChangeEntry), [
            entry(change.id, table, {k: _json_ready(v) for k, v in row.items()}, None)
            for row in rows])


def restore_values(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """An entry's JSON values as the model's attributes take them."""
    columns = model_of(table).__table__.columns
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


def find_row(session: Session, table: str, key: str) -> Base | None:
    """The row an entry names, if it still exists; locked until the transaction ends
    (on PostgreSQL: nobody writes it between undo's look and undo's write)."""
    model = model_of(table)
    conditions = []
    for column_name, text in zip(model.history_key, key.split("/"), strict=True):
        column = model.__table__.columns[column_name]
        value: Any = int(text) if isinstance(column.type, Integer) else text
        conditions.append(column == value)
    return session.scalars(select(model).where(*conditions).with_for_update()).first()


# --- erasure ---------------------------------------------------------------------------


def erase_student_entries(session: Session, student_id: int) -> None:
    """Blank the values of every entry about a student (their personal data)."""
    session.execute(update(ChangeEntry).where(ChangeEntry.student_id == student_id)
                    .values(before=None, after=None))


def replace_in_summaries(session: Session, text: str, replacement: str) -> None:
    session.execute(update(Change).where(Change.summary.contains(text))
                    .values(summary=func.replace(Change.summary, text, replacement)))
