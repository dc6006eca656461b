"""Claims of outside activities (SPEC §9): a student claims, the coordinator decides.

Each call is one transaction. A submission is refused in words with nothing stored; it
writes the claim and its evidence together. An approval records the participation
(source ``claim``) through :func:`tracker.service.attendance.write_participations`, the
one write path of every attendance, at the activity a sign-in sheet would find for the
claim's kind, day and title, or at a new one; a rejection needs a reason. Both decisions
are changes of the history, and ``undo`` makes the claim pending again
(:func:`tracker.service.history.revert` restores it from its entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker import fields
from tracker.characters import shown
from tracker.db import changes, claim_evidence, claims, history, participations
from tracker.db.engine import Database
from tracker.db.models import Activity, Change, Claim, ClaimEvidence, Student
from tracker.db.participations import ParticipationRow
from tracker.errors import InvalidInput, NotFound
from tracker.months import Month
from tracker.service.attendance import Outcome, write_participations
from tracker.service.evidence import Upload, checked
from tracker.service.imports.attendance import title_key
from tracker.service.rules import rules_in_force
from tracker.vocabulary import ChangeKind, ClaimStatus, ParticipationStatus

SOURCE = "claim"
MOST_A_DAY = 10


@dataclass(frozen=True)
class EvidenceView:
    name: str
    type: str
    bytes: int

    def __str__(self) -> str:  # a table's or CSV's cell
        return f"{self.name} ({self.bytes:,} bytes)"


@dataclass(frozen=True)
class ClaimView:
    """A claim as ``claim list --format json`` prints it (SPEC §9)."""

    id: int
    student: str
    name: str
    kind: str
    date: date
    title: str
    organiser: str | None
    description: str | None
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None
    activity: int | None
    evidence: EvidenceView | None

    @classmethod
    def of(cls, claim: Claim, number: str, name: str,
           facts: tuple[str, str, int] | None) -> ClaimView:
        return cls(claim.id, number, name, claim.kind, claim.held_on, claim.title,
                   claim.organiser, claim.description, claim.status, claim.submitted_at,
                   claim.decided_at, claim.decided_by, claim.reason, claim.activity_id,
                   None if facts is None else EvidenceView(*facts))


@dataclass(frozen=True)
class ClaimForm:
    """What a student typed (as text: the form's fields, unchecked)."""

    kind: str
    date: str
    title: str
    organiser: str = ""
    description: str = ""


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"date: '{shown(text.strip(), 20)}' is not a date such as "
                           "2026-11-05") from None


def _start_of_day(now: datetime) -> datetime:
    local = now.astimezone()
    return datetime.combine(local.date(), time(), local.tzinfo).astimezone(UTC)


def submit(db: Database, student_id: int, form: ClaimForm, upload: Upload | None,
           now: datetime) -> ClaimView:
    """A new claim of the student with its evidence; refused in words, nothing stored."""
    held_on = _day(form.date)
    title = fields.text("title", form.title)
    if title is None:
        raise InvalidInput("title must not be empty: say what the activity was called")
    organiser = fields.text("organiser", form.organiser)
    description = fields.text("description", form.description)
    evidence = checked(upload)
    today = now.astimezone().date()
    if held_on > today:
        raise InvalidInput(f"the date {held_on} is in the future: claim an activity once "
                           "you have done it")
    with db.transaction() as session:
        book = rules_in_force(session).book
        kind = form.kind.strip().lower()
        if kind not in book.kinds:
            raise InvalidInput(f"'{shown(form.kind.strip(), 40)}' is not a kind of "
                               f"activity (claimable: {', '.join(sorted(book.claimable))})")
        if kind not in book.claimable:
            raise InvalidInput(f"{book.kinds[kind]} cannot be claimed: it is recorded at "
                               "the activity itself (claimable: "
                               f"{', '.join(sorted(book.claimable)) or 'none'})")
        claims.lock_student(session, student_id)
        student = session.get(Student, student_id)
        if student is None or student.forgotten_at is not None:
            raise NotFound("no such student")
        if held_on < student.start:
            raise InvalidInput(f"the date {held_on} is before your programme started "
                               f"({Month.of(student.start)}): it cannot count")
        if claims.submitted_since(session, student_id, _start_of_day(now)) >= MOST_A_DAY:
            raise InvalidInput(f"you made {MOST_A_DAY} claims today, the most a day: "
                               "please send the next one tomorrow")
        claim = Claim(student_id=student_id, kind=kind, held_on=held_on, title=title,
                      organiser=organiser, description=description,
                      status=ClaimStatus.PENDING.value, submitted_at=now)
        session.add(claim)
        session.flush()
        facts = None
        if evidence is not None:
            session.add(ClaimEvidence(claim_id=claim.id, name=evidence.name,
                                      type=evidence.type, size=len(evidence.content),
                                      content=evidence.content))
            facts = (evidence.name, evidence.type, len(evidence.content))
        return ClaimView.of(claim, student.number, student.name, facts)


def list_claims(db: Database, *, pending_only: bool = False,
                student_id: int | None = None) -> list[ClaimView]:
    """Oldest first (the queue's order)."""
    with db.transaction(read_only=True) as session:
        return [ClaimView.of(*row) for row in claim_evidence.listing(
            session, pending_only=pending_only, student_id=student_id)]


def waiting(db: Database) -> int:
    """How many claims wait for a decision."""
    with db.transaction(read_only=True) as session:
        return claims.pending_count(session)


def show_claim(db: Database, claim_id: int, *, student_id: int | None = None) -> ClaimView:
    """One claim; with ``student_id``, only that student's (another's: NotFound)."""
    with db.transaction(read_only=True) as session:
        claim = claims.require(session, claim_id, student_id=student_id)
        found = [row for row in claim_evidence.listing(session, student_id=claim.student_id)
                 if row[0].id == claim_id]
        return ClaimView.of(*found[0])


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    type: str
    content: bytes


def evidence_of(db: Database, claim_id: int, *, student_id: int | None = None) \
        -> EvidenceFile:
    """A claim's file; with ``student_id``, only that student's (another's: NotFound)."""
    with db.transaction(read_only=True) as session:
        claim = claims.require(session, claim_id, student_id=student_id)
        found = claim_evidence.evidence(session, claim.id)
        if found is None:
            raise NotFound(f"claim #{claim_id} came without evidence")
        return EvidenceFile(found.name, found.type, bytes(found.content))


@dataclass(frozen=True)
class RecordedAt:
    """The activity an approval recorded its student at, as the coordinator is told it
    (it may be spelled otherwise than the claim: a sheet's match ignores capitals)."""

    id: int
    title: str
    held_on: date

    @classmethod
    def of(cls, activity: Activity) -> RecordedAt:
        return cls(activity.id, activity.title, activity.held_on)


@dataclass(frozen=True)
class Decision:
    """What deciding a claim did: the claim as it now stands; ``changed`` False when it
    was decided so already; ``recorded`` what the approval did to the attendance
    (``added``, ``updated``: an excused record made attended, ``unchanged``: it was
    recorded already); ``activity`` where an approved claim is recorded; the student's
    name and address, to tell them."""

    claim: ClaimView
    changed: bool
    recorded: str | None
    new_activity: bool
    email: str | None
    change: int | None = None  # the history's change that made the decision (to undo it)
    activity: RecordedAt | None = None


def approve(db: Database, claim_id: int, *, note: str | None = None,
            by: str | None = None) -> Decision:
    """Approve a pending claim: a participation with source ``claim`` at its activity."""
    clean_note = fields.text("note", note)
    try:
        return _approve(db, claim_id, clean_note, by)
    except IntegrityError:  # another approval scheduled the same activity a moment ago:
        return _approve(db, claim_id, clean_note, by)  # now it is found


def _approve(db: Database, claim_id: int, clean_note: str | None,
             by: str | None) -> Decision:
    with db.transaction() as session:
        claim, student, change = _opened(session, claim_id, ClaimStatus.APPROVED, by)
        if change is None:
            return _decision(session, claim, student, False, None, False)
        activity, new = _activity(session, claim, change)
        held = participations.at_activity(session, activity.id, [student.id]).get(student.id)
        if held is not None and held.status == ParticipationStatus.ATTENDED.value:
            recorded = Outcome.UNCHANGED.value
        else:
            [written] = write_participations(session, change, [ParticipationRow(
                student.id, activity.id, ParticipationStatus.ATTENDED.value, SOURCE)])
            recorded = written.outcome.value
        _decide(session, change, claim, ClaimStatus.APPROVED, clean_note, activity.id)
        change.summary = (f"approve claim #{claim.id} of {student.number}: {claim.kind} on "
                          f"{claim.held_on}, at activity #{activity.id}"
                          + (" (already recorded)" if recorded == "unchanged" else ""))
        return _decision(session, claim, student, True, recorded, new, change)


def reject(db: Database, claim_id: int, *, reason: str | None,
           by: str | None = None) -> Decision:
    """Reject a pending claim; the reason (required) is what the student reads."""
    clean = fields.text("reason", reason)
    if clean is None:
        raise InvalidInput("a rejection needs a reason, which the student reads")
    with db.transaction() as session:
        claim, student, change = _opened(session, claim_id, ClaimStatus.REJECTED, by)
        if change is None:
            return _decision(session, claim, student, False, None, False)
        _decide(session, change, claim, ClaimStatus.REJECTED, clean, None)
        return _decision(session, claim, student, True, None, False, change)


_DOING = {ClaimStatus.APPROVED: ("approve", ChangeKind.CLAIM_APPROVE),
          ClaimStatus.REJECTED: ("reject", ChangeKind.CLAIM_REJECT)}


def _opened(session: Session, claim_id: int, status: ClaimStatus,
            by: str | None) -> tuple[Claim, Student, Change | None]:
    """The claim (held until the transaction ends: two decisions at once take turns),
    its student, and the change that decides it; no change when it was decided so
    already; refused when it was decided otherwise."""
    claim = claims.require(session, claim_id, lock=True)
    student = session.get(Student, claim.student_id)
    assert student is not None
    if claim.status == status.value:
        return claim, student, None
    doing, kind = _DOING[status]
    if claim.status != ClaimStatus.PENDING.value:
        raise InvalidInput(
            f"claim #{claim.id} was {claim.status} on {claim.decided_at:%Y-%m-%d} by "
            f"{claim.decided_by}; to {doing} it instead, undo that decision first "
            "(`tracker history` shows its change, `tracker undo --change N` undoes it)")
    change = history.open_change(session, kind, by,
                                 f"{doing} claim #{claim.id} of {student.number}")
    return claim, student, change


def _activity(session: Session, claim: Claim, change: Change) -> tuple[Activity, bool]:
    """The activity a sign-in sheet would find for the claim (kind, day, and title but
    for case and spacing; the one spelled exactly so, if several), else a new one."""
    same = [a for a in claims.same_activities(session, claim.kind, claim.held_on)
            if title_key(a.title) == title_key(claim.title)]
    exact = [a for a in same if a.title == claim.title]
    if exact or same:
        return (exact or same)[0], False
    activity = Activity(kind=claim.kind, held_on=claim.held_on, title=claim.title,
                        organiser=claim.organiser)
    session.add(activity)
    history.inserted(session, change, activity)
    return activity, True


def _decide(session: Session, change: Change, claim: Claim, status: ClaimStatus,
            reason: str | None, activity_id: int | None) -> None:
    before = history.snapshot(claim)
    claim.status = status.value
    claim.decided_at, claim.decided_by = change.at, change.actor
    claim.reason, claim.activity_id = reason, activity_id
    history.updated(session, change, claim, before)


def _decision(session: Session, claim: Claim, student: Student, changed: bool,
              recorded: str | None, new: bool, change: Change | None = None) -> Decision:
    view = ClaimView.of(claim, student.number, student.name,
                        claim_evidence.evidence_facts(session, claim.id))
    if change is not None:
        session.flush()  # the change's id, for the words that say how to undo it
    activity = (session.get(Activity, claim.activity_id)
                if claim.activity_id is not None else None)
    return Decision(view, changed, recorded, new, student.email,
                    change.id if change is not None else None,
                    RecordedAt.of(activity) if activity is not None else None)


def as_decided(db: Database, claim_id: int) -> tuple[int | None, RecordedAt | None]:
    """What the queue's notice says of a decision, from the database (never from its
    link), in one read: the change that decided the claim last (what `tracker undo
    --change` takes back), and where an approved claim is recorded (None when it is not
    approved, undone since, or not there)."""
    with db.transaction(read_only=True) as session:
        activity = claims.activity_of_approved(session, claim_id)
        return (changes.last_writer(session, "claim", str(claim_id)),
                RecordedAt.of(activity) if activity is not None else None)
