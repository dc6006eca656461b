"""Claims with their evidence: listing them with their files' facts, the file itself, and
erasing both. Apart from :mod:`tracker.db.claims` because only these read the evidence's
table (progress, which counts pending claims, never builds it)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tracker.db.models import Claim, ClaimEvidence, Student
from tracker.vocabulary import ClaimStatus

# What a listing reads of the evidence: never the bytes.
EvidenceFacts = tuple[str, str, int]  # name, type, size


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


def evidence(session: Session, claim_id: int) -> ClaimEvidence | None:
    return session.get(ClaimEvidence, claim_id)


def evidence_facts(session: Session, claim_id: int) -> EvidenceFacts | None:
    found = session.execute(select(ClaimEvidence.name, ClaimEvidence.type, ClaimEvidence.size)
                            .where(ClaimEvidence.claim_id == claim_id)).first()
    return None if found is None else (found[0], found[1], found[2])


def erase_of_student(session: Session, student_id: int) -> int:
    """Delete a student's claims and their evidence; how many claims."""
    ids = list(session.scalars(select(Claim.id).where(Claim.student_id == student_id)))
    if ids:
        session.execute(delete(ClaimEvidence).where(ClaimEvidence.claim_id.in_(ids)))
        session.execute(delete(Claim).where(Claim.id.in_(ids)))
    return len(ids)
