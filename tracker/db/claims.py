"""Queries and erasure of claims and their evidence."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import Activity, Claim, ClaimEvidence, Student
from tracker.errors import NotFound
from tracker.vocabulary import ClaimStatus

# What a listing reads of the evidence: never the bytes.
EvidenceFacts = tuple[str, str, int]  # name, type, size


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


def listing(session: Session, *, pending_only: bool = False, student_id: int | None = None
            ) -> list[tuple[Claim, str, str, EvidenceFacts | None]]:
    """(claim, student number, student name, its evidence's facts), oldest first."""
    query = (select(Claim, Student.number, Student.name, ClaimEvidence.name,
                    ClaimEvidence.type, ClaimEvidence.size)
             .join(Student, Student.id == Claim.student_id)
             .outerjoin(ClaimEvidence, ClaimEvidence.claim_id == Claim.id)
             .order_by(Claim.submitted_at, Claim.id))
    if pending_only:
        query = query.where(Claim.status == ClaimStatus.PENDING.value)
    if student_id is not None:
        query = query.where(Claim.student_id == student_id)
    return [(claim, number, name, None if kind is None else (file, kind, size))
            for claim, number, name, file, kind, size in session.execute(query)]


def activity_of_approved(session: Session, claim_id: int) -> Activity | None:
    """The activity an approved claim recorded its student at; None otherwise."""
    return session.scalars(select(Activity).join(Claim, Claim.activity_id == Activity.id)
                           .where(Claim.id == claim_id,
                                  Claim.status == ClaimStatus.APPROVED.value)).first()


def evidence(session: Session, claim_id: int) -> ClaimEvidence | None:
    return session.get(ClaimEvidence, claim_id)


def evidence_facts(session: Session, claim_id: int) -> EvidenceFacts | None:
    found = session.execute(select(ClaimEvidence.name, ClaimEvidence.type, ClaimEvidence.size)
                            .where(ClaimEvidence.claim_id == claim_id)).first()
    return None if found is None else (found[0], found[1], found[2])


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Claim).where(
        Claim.status == ClaimStatus.PENDING.value)) or 0


def pending_kinds(session: Session, student_id: int) -> list[tuple[str, date]]:
    """(kind, day) of each of a student's claims that wait for a decision."""
    return [(kind, day) for kind, day in statements.rows(session, select(
        Claim.kind, Claim.held_on).where(Claim.student_id == student_id,
                                         Claim.status == ClaimStatus.PENDING.value))]


def same_activities(session: Session, kind: str, held_on: date) -> list[Activity]:
    """The activities of that kind on that day (the caller matches the title)."""
    return list(session.scalars(select(Activity).where(
        Activity.kind == kind, Activity.held_on == held_on).order_by(Activity.id)))


def erase_of_student(session: Session, student_id: int) -> int:
    """Delete a student's claims and their evidence; how many claims."""
    ids = list(session.scalars(select(Claim.id).where(Claim.student_id == student_id)))
    if ids:
        session.execute(delete(ClaimEvidence).where(ClaimEvidence.claim_id.in_(ids)))
        session.execute(delete(Claim).where(Claim.id.in_(ids)))
    return len(ids)


def of_students(session: Session, student_ids: Iterable[int]) -> dict[int, int]:
    """How many pending claims each student has (those with none are left out)."""
    wanted = list(student_ids)
    if not wanted:
        return {}
    return {student: count for student, count in session.execute(
        select(Claim.student_id, func.count()).where(
            Claim.status == ClaimStatus.PENDING.value, Claim.student_id.in_(wanted))
        .group_by(Claim.student_id))}
