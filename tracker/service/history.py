"""Read the history of changes, and undo the last one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from tracker.db.engine import Database
from tracker.db.models import Change, ChangeEntry, Participation
from tracker.service.changes import undo_last
from tracker.service.lookup import find_student
from tracker.service.rules import rules_in_force


def list_history(db: Database, number: str | None = None,
                 limit: int | None = 50) -> list[dict[str, Any]]:
    """The newest changes first; with ``number``, only those that touched that student."""
    undoer = aliased(Change)
    query = (select(Change, undoer.id).outerjoin(undoer, undoer.undoes_id == Change.id)
             .order_by(Change.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    with db.transaction(read_only=True) as session:
        if number is not None:
            student = find_student(session, number, rules_in_force(session).book)
            query = query.where(or_(
                Change.id.in_(select(ChangeEntry.change_id)
                              .where(ChangeEntry.student_id == student.id)),
                Change.id.in_(select(Participation.change_id)
                              .where(Participation.student_id == student.id))))
        return [{"id": change.id, "at": change.at,
                 "by": change.actor, "command": change.command, "summary": change.summary,
                 "undone_by": undone_by}
                for change, undone_by in session.execute(query)]


def undo(db: Database, by: str | None = None) -> dict[str, Any]:
    with db.transaction() as session:
        target, change = undo_last(session, by)
        return {"undone": target.id, "summary": target.summary, "change": change.id}
