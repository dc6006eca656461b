"""Completion for the Brightspace grade book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.db.engine import Database
from tracker.errors import InvalidInput
from tracker.output import to_csv_lines
from tracker.rules import RequirementProgress
from tracker.service.progress import CohortReport, ReportRow, cohort_report
from tracker.vocabulary import RequirementStatus, StudentStatus


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
                       include_inactive: bool = False, as_of: date | None = None,
                       per_requirement: bool = False) -> GradeExport:
    """Brightspace's grade import: ``OrgDefinedId,Username,<item> Points Grade,End-of-Line
    Indicator``; identifiers prefixed with ``#`` as Brightspace writes them.

    ``incomplete_points=None`` leaves students who have not completed out of the file.
    ``per_requirement`` writes a grade item per requirement instead (see
    :func:`requirement_grades`).
    """
    if per_requirement:
        return requirement_grades(db, item, cohort=cohort, include_inactive=include_inactive,
                                  as_of=as_of, only_incomplete=incomplete_points is None)
    complete_text = points_text(complete_points)
    incomplete_text = None if incomplete_points is None else points_text(incomplete_points)
    report = cohort_report(db, cohort=cohort, as_of=as_of)
    rows, skipped = _exported(report, include_inactive)
    lines = [["OrgDefinedId", "Username", f"{item} Points Grade", "End-of-Line Indicator"]]
    complete = 0
    for row in rows:
        points = complete_text if row.complete else incomplete_text
        if points is None:
            continue
        lines.append([f"#{row.student}", f"#{row.student}", points, "#"])
        complete += row.complete
    return GradeExport(to_csv_lines(lines, line_end="\r\n"), len(lines) - 1, complete,
                       report.rules_version, skipped)


def _exported(report: CohortReport, include_inactive: bool) \
        -> tuple[list[ReportRow], tuple[str, ...]]:
    """The report's rows that go into the grade book, and the students left out because
    no requirement set applies to them."""
    rows, skipped = [], []
    for row in report.rows:
        if row.status != StudentStatus.ACTIVE and not include_inactive:
            continue
        if row.requirement_set is None:
            skipped.append(row.student)
        else:
            rows.append(row)
    return rows, tuple(skipped)


# Characters that grade item names had better not hold (separators, quotes, markup).
_NOT_IN_NAMES = str.maketrans({c: " " for c in ',"#/\\:*?<>|&%\'+=;'})


def grade_item_name(text: str) -> str:
    return " ".join(text.translate(_NOT_IN_NAMES).split())[:128]


def requirement_grades(db: Database, item: str, *, cohort: int | None = None,
                       include_inactive: bool = False, as_of: date | None = None,
                       only_incomplete: bool = False) -> GradeExport:
    """One grade item per requirement, ``<item> - <label> Points Grade``, worth what the
    student has done of it (at most what is required); and ``<item> Text Grade``, a
    sentence of what remains. Students see "Colloquia by peers 4/6" in their grades.

    Students of several requirement sets get the columns of every set; a column of
    another set than a student's stays empty for them (Brightspace leaves it alone).
    """
    report = cohort_report(db, cohort=cohort, as_of=as_of)
    exported, skipped = _exported(report, include_inactive)
    rows = [row for row in exported if not (only_incomplete and row.complete)]
    columns: dict[str, str] = {}  # requirement id -> grade item name
    for row in rows:
        for result in row.requirements:
            columns.setdefault(result.requirement.id, grade_item_name(
                f"{item} - {result.requirement.label}"))
    lines: list[list[object]] = [["OrgDefinedId", "Username",
                                  *(f"{name} Points Grade" for name in columns.values()),
                                  f"{grade_item_name(item)} Text Grade",
                                  "End-of-Line Indicator"]]
    for row in rows:
        done = {r.requirement.id: min(r.done, r.required) for r in row.requirements}
        lines.append([f"#{row.student}", f"#{row.student}",
                      *(done.get(requirement_id, "") for requirement_id in columns),
                      what_remains(row), "#"])
    return GradeExport(to_csv_lines(lines, line_end="\r\n"), len(rows),
                       sum(row.complete for row in rows), report.rules_version, skipped)


def what_remains(row: ReportRow) -> str:
    """One sentence for the grade book: what the student still has to do."""
    if row.complete:
        return "Complete: every required item is done."
    parts = [_remaining(r) for r in row.requirements if r.blocking]
    return "Still to do: " + "; ".join(parts) + "."


def _remaining(result: RequirementProgress) -> str:
    requirement = result.requirement
    if requirement.type == "assignment":
        what = requirement.label
    else:
        unit = " points" if requirement.type == "points" else ""
        what = f"{requirement.label} ({result.remaining}{unit} more)"
    if result.status == RequirementStatus.OVERDUE:
        return f"{what}, overdue since {result.due}"
    if result.status == RequirementStatus.AT_RISK:
        return f"{what}, at risk: {result.scheduled} scheduled before {result.due}"
    return f"{what}, by {result.due}"
