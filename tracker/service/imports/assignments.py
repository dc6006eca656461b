"""Decisions on reflection assignments: submitted, approved, rejected, a line each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from tracker import fields
from tracker.characters import shown
from tracker.db import students
from tracker.db.engine import Database
from tracker.db.history import ChangeLog
from tracker.db.models import Student
from tracker.errors import TrackerError
from tracker.months import read_date
from tracker.service.assignments import Decision, decide, known_assignment
from tracker.service.import_driver import ImportSummary, Noun, Progress, Tally, run_import
from tracker.service.rules import rules_in_force
from tracker.sheets.header import Header
from tracker.vocabulary import AssignmentStatus, ChangeKind, one_of, words

ASSIGNMENT_HEADER = "student_number,assignment,status,date[,feedback]"
_DECISIONS = words(AssignmentStatus)
LARGEST_ASSIGNMENT = 10_000  # more digits than that are not an assignment's number


@dataclass(frozen=True, slots=True)
class AssignmentLine:
    line: int
    student: Student
    number: int
    decision: Decision


class AssignmentFile:
    """Applied line by line in the file's order (a submission before its approval), with
    the checks a typed decision has. Each decision written counts once, by what it says
    (``submitted``, ``approved``, ``rejected``)."""

    noun = Noun("assignment decision", "assignment decisions", recorded=True)
    change_kind = ChangeKind.ASSIGNMENT_IMPORT
    columns = ("student number", "assignment", "status", "date", "feedback")
    batch = 200
    check_all = True

    def __init__(self, today: date, reopen: bool) -> None:
        self.today, self.reopen = today, reopen

    def begin(self, session: Session, header: Header, log: ChangeLog) -> None:
        self.book = rules_in_force(session).book
        header.require(["student number", "assignment", "status", "date"],
                       ASSIGNMENT_HEADER)
        self.header = header
        self.students = students.by_number_all(session)

    def parse(self, line: int, values: list[str]) -> AssignmentLine:
        get = self.header.get
        number = fields.student_number(get(values, "student number"), self.book)
        student = self.students.get(number)
        if student is None:
            raise TrackerError(f"no student {number}")
        raw_assignment = get(values, "assignment")
        if not (raw_assignment.isascii() and raw_assignment.isdigit()) or \
                int(raw_assignment) > LARGEST_ASSIGNMENT:
            raise TrackerError(f"assignment '{shown(raw_assignment)}' is not a number "
                               "of an assignment")
        assignment = known_assignment(int(raw_assignment), self.book)
        raw_status = get(values, "status").lower()
        if raw_status not in _DECISIONS:
            raise TrackerError(f"status '{shown(get(values, 'status'))}' is not "
                               f"{one_of(AssignmentStatus)}")
        if not get(values, "date"):
            raise TrackerError("date is empty: give the day it happened, e.g. 2024-11-20")
        on = read_date(get(values, "date"))
        feedback = fields.text("feedback", get(values, "feedback"))
        return AssignmentLine(line, student, assignment,
                              Decision(AssignmentStatus(raw_status), on, feedback, True,
                                       self.reopen))

    def apply(self, session: Session, log: ChangeLog, items: list[AssignmentLine],
              tally: Tally) -> None:
        for item in items:
            try:
                changed = decide(session, lambda: log.change, item.student, item.number,
                                 item.decision, self.book, self.today)
            except TrackerError as problem:
                tally.problem(item.line, str(problem))
                continue
            if changed is None:
                tally.present += 1
                continue
            tally.added += 1
            tally.written_as[item.decision.status.value] += 1
            tally.example(f"line {item.line}: {item.student.number} assignment "
                          f"{item.number} {item.decision.status} on {item.decision.on}")


def import_assignments(db: Database, path: Path, *, dry_run: bool = False,
                       reopen: bool = False, by: str | None = None,
                       on_progress: Progress | None = None,
                       today: date | None = None) -> ImportSummary:
    return run_import(db, path, AssignmentFile(today or date.today(), reopen),
                      dry_run=dry_run, by=by, on_progress=on_progress)
