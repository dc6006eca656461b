"""Completion for the Brightspace grade book."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from tracker.db.engine import Database
from tracker.output import spreadsheet_safe
from tracker.service.progress import cohort_report


@dataclass(frozen=True)
class GradeExport:
    text: str
    rows: int
    complete: int
    rules_version: int
    skipped: list[str]


def brightspace_grades(db: Database, item: str, *, complete_points: str = "1",
                       incomplete_points: str | None = "0", cohort: int | None = None,
                       include_inactive: bool = False,
                       as_of: date | None = None) -> GradeExport:
    """Brightspace's grade import: ``OrgDefinedId,Username,<item> Points Grade,End-of-Line
    Indicator``; identifiers prefixed with ``#`` as Brightspace writes them.

    ``incomplete_points=None`` leaves students who have not completed out of the file.
    """
    report = cohort_report(db, cohort=cohort, as_of=as_of)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["OrgDefinedId", "Username", spreadsheet_safe(f"{item} Points Grade"),
                     "End-of-Line Indicator"])
    rows = complete = 0
    skipped = []
    for row in report.rows:
        if row["status"] != "active" and not include_inactive:
            continue
        if row["requirement_set"] is None:
            skipped.append(row["student"])
            continue
        points = complete_points if row["complete"] else incomplete_points
        if points is None:
            continue
        number = row["student"]
        writer.writerow([f"#{number}", f"#{number}", points, "#"])
        rows += 1
        complete += bool(row["complete"])
    return GradeExport(buffer.getvalue(), rows, complete, report.rules_version, skipped)
