"""Queries about reflection assignments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.db import history
from tracker.db.models import AssignmentRecord, Change, ChangeEntry
from tracker.vocabulary import ChangeKind


def record_of(session: Session, student_id: int, number: int) -> AssignmentRecord | None:
    return session.scalars(select(AssignmentRecord).where(
        AssignmentRecord.student_id == student_id,
        AssignmentRecord.number == number)).first()


def of_student(session: Session, student_id: int) -> list[AssignmentRecord]:
    return list(session.scalars(select(AssignmentRecord)
                                .where(AssignmentRecord.student_id == student_id)
                                .order_by(AssignmentRecord.number)))


def erase_feedback(session: Session, student_id: int) -> None:
    session.execute(update(AssignmentRecord).where(AssignmentRecord.student_id == student_id)
                    .values(feedback=None))


def decisions_of(session: Session, row: AssignmentRecord) -> set[tuple[str, date | None]]:
    """Every (status, day) the record has held, from its history (undone changes left
    out): a decision made before (a submission that was decided since, say) is not new
    when it is said again."""
    held: set[tuple[str, date | None]] = {_decision(history.snapshot(row))}
    undone = select(Change.undoes_id).where(Change.undoes_id.is_not(None))
    for (after,) in session.execute(select(ChangeEntry.after).where(
            ChangeEntry.table_name == "assignment_record",
            ChangeEntry.row_id == str(row.id), ChangeEntry.change_id.not_in(undone))):
        if after:
            held.add(_decision(after))
    return held


def _decision(values: dict[str, Any]) -> tuple[str, date | None]:
    day = values["submitted_on"] if values["status"] == "submitted" else values["decided_on"]
    return values["status"], date.fromisoformat(day) if isinstance(day, str) else day


def every_decision(session: Session, student_id: int) -> list[tuple[dict[str, Any], datetime,
                                                                   str, bool]]:
    """Every state a student's assignment records were given, oldest first, from the
    history: (the record's values, when, by whom, whether that change was undone since).
    Undos, which only restore an earlier state, are left out."""
    undone = select(Change.undoes_id).where(Change.undoes_id.is_not(None))
    return [(after, at, actor, bool(was_undone)) for after, at, actor, was_undone in
            session.execute(
                select(ChangeEntry.after, Change.at, Change.actor, Change.id.in_(undone))
                .join(Change, Change.id == ChangeEntry.change_id)
                .where(ChangeEntry.table_name == "assignment_record",
                       ChangeEntry.student_id == student_id,
                       Change.command != ChangeKind.UNDO.value)
                .order_by(ChangeEntry.id)) if after]
