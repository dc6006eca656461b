"""Completion for the Brightspace grade book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.db.engine import Database
from tracker.errors import InvalidInput
from tracker.output import to_csv_lines
from tracker.service.progress import cohort_report
from tracker.vocabulary import StudentStatus


@dataclass(frozen=True)
class GradeExport:
    text: str
    rows: int
    complete: int
    rules_version: int
    skipped: tuple[str, ...]  # students no requirement set applies to


def points_text(points: float) -> str:
    """Points as a grade book reads them: ``1``, ``0.5``."""
    if points < 0 or points != points or points in (float("inf"), float("-inf")):
        raise InvalidInput(f"points {points} must be a number of at least 0")
    return str(int(points)) if points.is_integer() else repr(points)


def brightspace_grades(db: Database, item: str, *, complete_points: float = 1,
                       incomplete_points: float | None = 0, cohort: int | None = None,
                       include_inactive: bool = False,
                       as_of: date | None = None) -> GradeExport:
    """Brightspace's grade import: ``OrgDefinedId,Username,<item> Points Grade,End-of-Line
    Indicator``; identifiers prefixed with ``#`` as Brightspace writes them.

    ``incomplete_points=None`` leaves students who have not completed out of the file.
    """
    complete_text = points_text(complete_points)
    incomplete_text = None if incomplete_points is None else points_text(incomplete_points)
    report = cohort_report(db, cohort=cohort, as_of=as_of)
    lines = [["OrgDefinedId", "Username", f"{item} Points Grade", "End-of-Line Indicator"]]
    complete = 0
    skipped = []
    for row in report.rows:
        if row.status != StudentStatus.ACTIVE and not include_inactive:
            continue
        if row.requirement_set is None:
            skipped.append(row.student)
            continue
        points = complete_text if row.complete else incomplete_text
        if points is None:
            continue
        lines.append([f"#{row.student}", f"#{row.student}", points, "#"])
        complete += row.complete
    return GradeExport(to_csv_lines(lines, line_end="\r\n"), len(lines) - 1, complete,
                       report.rules_version, tuple(skipped))
