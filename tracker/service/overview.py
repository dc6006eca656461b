"""The cohort at a glance: the report, with what the charts of the HTML page need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, true

from tracker import fields
from tracker.db import activities
from tracker.db.engine import Database
from tracker.db.models import Student
from tracker.db.which import Which
from tracker.service.report import EVERYONE_ACTIVE, CohortReport, Selection, report_in
from tracker.service.rules import rules_in_force


@dataclass(frozen=True)
class Turnout:
    """How many of the cohort attended one activity."""

    id: int
    kind: str
    date: date
    title: str
    attended: int


@dataclass(frozen=True)
class CohortOverview:
    programme: str
    report: CohortReport
    labels: Mapping[str, str]  # requirement id -> label
    kinds: Mapping[str, str]  # activity kind -> label
    turnout: tuple[Turnout, ...]  # activities held up to the day, with attendance
    selection: Selection


def cohort_overview(db: Database, selection: Selection = EVERYONE_ACTIVE,
                    as_of: date | None = None) -> CohortOverview:
    day = as_of or date.today()
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        report = report_in(session, in_force, selection, day)
        turnout = tuple(Turnout(*row) for row in activities.turnout(
            session, Which(cohort_attendance(selection.cohort)), day))
    book = in_force.book
    labels = {r.id: r.label for s in book.sets for r in s.requirements}
    return CohortOverview(book.programme, report, labels, dict(book.kinds), turnout,
                          selection)


def cohort_attendance(cohort: int | None) -> ColumnElement[bool]:
    """Whose attendance an activity's turnout counts: every student (of the cohort),
    erased ones too. They did attend; only who they were is gone, and the turnout stays
    what ``activity list`` says."""
    if cohort is None:
        return true()
    low, high = fields.cohort_bounds(cohort)
    return Student.start.between(low, high)


def with_waiting_claims(db: Database, overview: CohortOverview) -> CohortOverview:
    """The overview, its report saying how many claims wait for a decision."""
    from dataclasses import replace

    from tracker.service.claims import waiting

    return replace(overview, report=replace(overview.report, pending_claims=waiting(db)))
