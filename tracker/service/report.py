"""``tracker report``: where every student of a selection stands, one row each (the
rows are :class:`tracker.standing.StudentStanding`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import Session

from tracker import fields
from tracker.db import claims, students
from tracker.db.engine import Database
from tracker.db.models import Student
from tracker.db.which import Which
from tracker.service.assessment import assess
from tracker.service.rules import RulesInForce, rules_in_force
from tracker.standing import Judged, Standing, StudentStanding
from tracker.vocabulary import StudentStatus

EVERY_STATUS = "all"


@dataclass(frozen=True)
class CohortReport:
    rules_version: int
    as_of: date
    requirement_ids: tuple[str, ...]  # of every set, in the rules' order
    rows: tuple[StudentStanding, ...]
    problems: tuple[str, ...]  # students no requirement set applies to
    # Claims of outside activities that wait for a decision: counted for the pages and
    # the table people read (see with_waiting_claims), not for CSV and JSON.
    pending_claims: int = 0


@dataclass(frozen=True)
class Selection:
    """Who is in a report: students of one cohort (start year) or all; of one status
    (``all``: every status); only those who have not completed; only those of some
    standings (empty: every one)."""

    cohort: int | None = None
    status: str = StudentStatus.ACTIVE.value
    incomplete: bool = False
    standings: frozenset[Standing] = frozenset()

    def which(self) -> ColumnElement[bool]:
        return cohort_students(self.cohort, self.status)

    def keeps(self, row: StudentStanding) -> bool:
        if self.incomplete and row.complete:
            return False
        return not self.standings or row.standing in self.standings

    def in_words(self) -> str:
        said = [f"cohort {self.cohort}" if self.cohort else "every cohort",
                "every status" if self.status == EVERY_STATUS else f"{self.status} students"]
        if self.incomplete:
            said.append("only students who have not completed")
        if self.standings:
            said.append("only " + " or ".join(s.value for s in Standing if s in self.standings))
        return ", ".join(said)


EVERYONE_ACTIVE = Selection()


def cohort_report(db: Database, selection: Selection = EVERYONE_ACTIVE,
                  as_of: date | None = None, *, claims_waiting: bool = False) -> CohortReport:
    """One row per student of ``selection``: complete or not, their standing, and per
    requirement what is done; with ``claims_waiting``, how many claims wait."""
    with db.transaction(read_only=True) as session:
        report = report_in(session, rules_in_force(session), selection, as_of or date.today())
        if claims_waiting:
            report = replace(report, pending_claims=claims.pending_count(session))
        return report


def cohort_students(cohort: int | None, status: str = EVERY_STATUS) -> ColumnElement[bool]:
    """Registered students of one status (``all``: any), of one cohort when given."""
    which = students.registered()
    if status != EVERY_STATUS:
        which = and_(which, Student.status == StudentStatus(status).value)
    if cohort is not None:
        low, high = fields.cohort_bounds(cohort)
        which = and_(which, Student.start.between(low, high))
    return which


def report_in(session: Session, in_force: RulesInForce, selection: Selection,
              day: date) -> CohortReport:
    rows: list[StudentStanding] = []
    problems: list[str] = []
    judged = Judged(in_force.version)
    for one in assess(session, in_force, Which(selection.which()), day):
        student = one.student
        row = judged.student(student.number, student.name, str(one.start), student.status,
                             one.progress)
        if one.progress is None:
            problems.append(one.problem or "")
        if selection.keeps(row):
            rows.append(row)
    book = in_force.book
    requirement_ids = tuple(dict.fromkeys(r.id for s in book.sets for r in s.requirements))
    return CohortReport(in_force.version, day, requirement_ids, tuple(rows), tuple(problems))
