"""The waivers of a student: one requirement marked met each (see
:mod:`tracker.service.waivers`)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.db.models import Waiver


def of_student(session: Session, student_id: int) -> list[Waiver]:
    return list(session.scalars(select(Waiver).where(Waiver.student_id == student_id)
                                .order_by(Waiver.waived_at, Waiver.id)))


def held(session: Session, student_id: int, requirement: str) -> Waiver | None:
    """The waiver of one requirement, locked until the transaction ends."""
    return session.scalars(select(Waiver).where(
        Waiver.student_id == student_id, Waiver.requirement == requirement)
        .with_for_update()).first()


def erase(session: Session, student_id: int) -> None:
    session.execute(delete(Waiver).where(Waiver.student_id == student_id))
