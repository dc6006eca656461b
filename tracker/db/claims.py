"""Queries over claims (their evidence: :mod:`tracker.db.claim_evidence`)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import Activity, Claim, Student
from tracker.errors import NotFound
from tracker.vocabulary import ClaimStatus


def submitted_since(session: Session, student_id: int, since: datetime) -> int:
    """How many claims the student made from ``since`` on (the daily limit's count)."""
    return session.scalar(select(func.count()).select_from(Claim).where(
        Claim.student_id == student_id, Claim.submitted_at >= since)) or 0


def lock_student(session: Session, student_id: int) -> None:
    """Two submissions of one student take turns (on PostgreSQL; SQLite's writers do)."""
    session.execute(select(Student.id).where(Student.id == student_id).with_for_update())


def require(session: Session, claim_id: int, *, student_id: int | None = None,
            lock: bool = False) -> Claim:
    """The claim, of that student when one is named (another's is missing: 404)."""
    query = select(Claim).where(Claim.id == claim_id)
    if student_id is not None:
        query = query.where(Claim.student_id == student_id)
    if lock:
        query = query.with_for_update()
    found = session.scalars(query).first()
    if found is None:
        raise NotFound(f"no claim #{claim_id}: `tracker claim list` shows them")
    return found


def activity_of_approved(session: Session, claim_id: int) -> Activity | None:
    """The activity an approved claim recorded its student at; None otherwise."""
    return session.scalars(select(Activity).join(Claim, Claim.activity_id == Activity.id)
                           .where(Claim.id == claim_id,
                                  Claim.status == ClaimStatus.APPROVED.value)).first()


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim).where(
        Claim.status == ClaimStatus.PENDING.value)) or 0


def pending_kinds(session: Session, student_id: int) -> list[tuple[str, date]]:
    """(kind, day) of each of a student's claims that wait for a decision."""
    return [(kind, day) for kind, day in statements.rows(session, _pending_kinds(),
                                                         {"student_id": student_id})]


@functools.cache
def _pending_kinds() -> Select[str, date]:
    return select(Claim.kind, Claim.held_on).where(
        Claim.student_id == bindparam("student_id"), Claim.status == ClaimStatus.PENDING.value)


def same_activities(session: Session, kind: str, held_on: date) -> list[Activity]:
    """The activities of that kind on that day (the caller matches the title)."""
    return list(session.scalars(select(Activity).where(
        Activity.kind == kind, Activity.held_on == held_on).order_by(Activity.id)))


def of_students(session: Session, student_ids: Iterable[int]) -> dict[int, int]:
    """How many pending claims each student has (those with none are left out)."""
    wanted = list(student_ids)
    if not wanted:
        return {}
    return {student: count for student, count in session.execute(
        select(Claim.student_id, func.count()).where(
            Claim.status == ClaimStatus.PENDING.value, Claim.student_id.in_(wanted))
        .group_by(Claim.student_id))}
