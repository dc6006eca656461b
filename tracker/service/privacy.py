"""Personal data: everything held about one student, and erasing it (GDPR)."""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import (
    assignments,
    changes,
    claim_evidence,
    erasures,
    history,
    participations,
    reminders,
    students,
)
from tracker.db import portal as web_state
from tracker.db.engine import Database
from tracker.db.models import utcnow
from tracker.errors import InvalidInput
from tracker.rules import RuleBook
from tracker.service.assignments import AssignmentState
from tracker.service.claims import ClaimView, EvidenceView
from tracker.service.history import HistoryEntry, in_words
from tracker.service.rules import rules_in_force
from tracker.service.students import StudentView
from tracker.service.waivers import erase_waivers, waivers_of
from tracker.vocabulary import ChangeKind, StudentStatus

FORGOTTEN_NAME = "(forgotten)"


@dataclass(frozen=True)
class HeldStudent(StudentView):
    override: str | None
    override_reason: str | None
    registered: datetime


@dataclass(frozen=True)
class HeldParticipation:
    activity: int
    kind: str
    date: date
    title: str
    status: str
    recorded_by: str
    recorded_at: datetime
    source: str
    note: str | None


@dataclass(frozen=True)
class HeldReminder:
    sent_at: datetime
    sent_by: str
    address: str
    subject: str
    requirements: tuple[str, ...]
    state: str  # claimed (may have gone), sent or refused
    problem: str | None  # why the server refused it


@dataclass(frozen=True)
class HeldWaiver:
    requirement: str
    reason: str
    waived_by: str
    waived_at: datetime


@dataclass(frozen=True)
class HeldPortal:
    """What the portal holds: sessions (signed in when, last seen when), sign-in links
    asked for (when, from which address, what became of them) and when the calendar
    address was made. Keys, links and codes are kept only as fingerprints: not data
    about the student, and not given out."""

    sessions: tuple[dict[str, datetime], ...]
    sign_in_requests: tuple[dict[str, object], ...]
    calendar_made: datetime | None


@dataclass(frozen=True)
class HeldDecision:
    """One state an assignment was given, as the history keeps it: submitted, approved
    or rejected, on which day, by whom, with which feedback; recorded when, by whom,
    and whether that was undone since."""

    status: str
    on: date | None
    graded_by: str | None
    feedback: str | None
    recorded_at: datetime
    recorded_by: str
    undone: bool


@dataclass(frozen=True)
class HeldAssignment(AssignmentState):
    decisions: tuple[HeldDecision, ...]  # every one ever made, oldest first


@dataclass(frozen=True)
class HeldEvidence(EvidenceView):
    content_base64: str  # the file as sent, in base64


@dataclass(frozen=True)
class StudentExport:
    """Everything held about one student (a subject-access request)."""

    student: HeldStudent
    participations: tuple[HeldParticipation, ...]
    assignments: tuple[HeldAssignment, ...]
    reminders: tuple[HeldReminder, ...]
    waivers: tuple[HeldWaiver, ...]
    portal: HeldPortal
    history: tuple[HistoryEntry, ...]
    claims: tuple[ClaimView, ...] = ()  # their evidence a HeldEvidence, with the file


def export_student(db: Database, number: str) -> StudentExport:
    with db.transaction(read_only=True) as session:
        book = rules_in_force(session).book
        student = students.require(session, fields.student_number(number, book))
        view = StudentView.of(student)
        held = HeldStudent(view.student, view.name, view.start, view.email,
                           view.specialisation, view.status, student.rules_override,
                           student.override_reason, student.created_at)
        touched = changes.units(session, changes.touching(session, student.id))
        return StudentExport(
            held,
            tuple(HeldParticipation(*row) for row in participations.of_student(session,
                                                                                student.id)),
            _assignments(session, student.id, book),
            tuple(HeldReminder(r.sent_at, r.sent_by, r.address, r.subject,
                               tuple(r.requirements), r.state, r.problem)
                  for r in reminders.of_student(session, student.id)),
            tuple(HeldWaiver(w.requirement, w.reason, w.waived_by, w.waived_at)
                  for w in waivers_of(session, student)),
            _portal(session, student.id),
            tuple(in_words(session, list(reversed(touched)))),
            _claims(session, student.id))


def _claims(session: Session, student_id: int) -> tuple[ClaimView, ...]:
    held = []
    for row in claim_evidence.listing(session, student_id=student_id):
        view = ClaimView.of(*row)
        file = claim_evidence.evidence(session, view.id) if view.evidence is not None else None
        if file is not None:
            view = dataclasses.replace(view, evidence=HeldEvidence(
                file.name, file.type, file.size,
                base64.b64encode(bytes(file.content)).decode("ascii")))
        held.append(view)
    return tuple(held)


def _portal(session: Session, student_id: int) -> HeldPortal:
    sessions, requests, feed = web_state.held_for_student(session, student_id)
    return HeldPortal(
        tuple({"created_at": s.created_at, "seen_at": s.seen_at} for s in sessions),
        tuple({"created_at": r.created_at, "client": r.client, "state": r.state,
               "sent_at": r.sent_at, "used_at": r.used_at, "outcome": r.outcome}
              for r in requests),
        feed.created_at if feed is not None else None)


def _assignments(session: Session, student_id: int,
                 book: RuleBook) -> tuple[HeldAssignment, ...]:
    """Each assignment as it stands, with every decision ever made on it."""
    decisions: dict[int, list[HeldDecision]] = {}
    for values, at, actor, undone in assignments.every_decision(session, student_id):
        day = values["submitted_on"] if values["status"] == "submitted" else \
            values["decided_on"]
        decisions.setdefault(values["id"], []).append(HeldDecision(
            values["status"], date.fromisoformat(day) if day else None, values["graded_by"],
            values["feedback"], at, actor, undone))
    return tuple(HeldAssignment(**vars(AssignmentState.of(row, book)),
                                decisions=tuple(decisions.get(row.id, ())))
                 for row in assignments.of_student(session, student_id))


@dataclass(frozen=True)
class Forgotten:
    change: int  # the history entry that says data was erased (not whose)
    # False when another program holds the database open (SQLite): the erased rows stay
    # in the log file until the last program using the database closes it.
    traces_cleared: bool


def forget_student(db: Database, number: str, by: str | None = None) -> Forgotten:
    """Erase a student's personal data everywhere, history included.

    What stays is anonymous: a row without name, number or contact that keeps the
    attendance counts of activities right, the participations and assignment states
    without notes or feedback, and a history entry saying that data was erased (not
    whose). Returns that entry and whether the files hold none of it any more.
    """
    with db.transaction() as session:
        student = students.require(
            session, fields.student_number(number, rules_in_force(session).book))
        if student.forgotten_at is not None:  # pragma: no cover - not findable by number
            raise InvalidInput("this student's data was erased already")
        held_number = student.number
        erasures.remember(session, held_number)
        participations.erase_notes(session, student.id)
        assignments.erase_feedback(session, student.id)
        reminders.erase(session, student.id)
        claim_evidence.erase_of_student(session, student.id)
        erase_waivers(session, student)
        web_state.forget_student(session, student.id)  # signed out everywhere, at once
        history.erase_student_entries(session, student.id)
        history.replace_in_summaries(session, held_number, "(a forgotten student)")
        student.number = f"forgotten-{student.id}"
        student.name = FORGOTTEN_NAME
        student.email = None
        student.specialisation = None
        student.rules_override = None
        student.override_reason = None
        student.status = StudentStatus.WITHDRAWN.value
        student.forgotten_at = utcnow()
        change = history.open_change(session, ChangeKind.STUDENT_FORGET, by,
                                     "erased the personal data of one student")
    return Forgotten(change.id, erasures.clear_traces(db.engine))
