"""``tracker progress`` (one student) and ``tracker report`` (one row per student)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.common import (
    DATE,
    PAGE_FORMATS,
    YEAR,
    chosen_format,
    database,
    emit,
    formats_option,
    note,
    output_option,
)
from tracker.vocabulary import Format


@click.command(short_help="What a student has done, what remains, what is coming up.")
@click.argument("number")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@formats_option(PAGE_FORMATS)
@output_option
def progress(number: str, as_of: date | None, fmt: str | None, output: Path | None) -> None:
    """What student NUMBER has done, what remains, and upcoming activities that count.

    --format html gives the student's own page (printable; the same page a reminder
    e-mail carries).

    \b
    Examples:
      tracker progress s1234567
      tracker progress s1234567 --format html -o s1234567.html
    """
    from tracker.cli.views import progress_document
    from tracker.service.progress import student_progress

    emit(progress_document(student_progress(database(), number, as_of)), fmt, output)


@click.command(short_help="One row per student: complete or not, per requirement.")
@click.option("--cohort", type=YEAR, metavar="YYYY",
              help="Only students who started in this calendar year.")
@click.option("--incomplete", is_flag=True, help="Only students who have not completed.")
@click.option("--at-risk", "at_risk", is_flag=True,
              help="Only students with a required item at risk or overdue.")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@formats_option((*PAGE_FORMATS, Format.XLSX))
@output_option
def report(cohort: int | None, incomplete: bool, at_risk: bool, as_of: date | None,
           fmt: str | None, output: Path | None) -> None:
    """One row per student: complete or not, and what each requirement counts.

    A requirement is at risk when the activities still scheduled before its deadline
    cannot close the gap, overdue when its deadline has passed.

    --format html gives one self-contained page with charts, every student's bars,
    and search, filters and sorting.

    \b
    Examples:
      tracker report --cohort 2024 --incomplete
      tracker report --format html -o cohort.html
    """
    from tracker.cli.views import overview_document, report_document
    from tracker.service.overview import cohort_overview
    from tracker.service.progress import cohort_report

    if chosen_format(fmt, output) == Format.HTML:
        overview = cohort_overview(database(), cohort, incomplete, as_of, at_risk)
        result, document = overview.report, overview_document(overview)
    else:
        result = cohort_report(database(), cohort, incomplete, as_of, at_risk)
        document = report_document(result)
    for problem in result.problems:
        note(f"warning: {problem}")
    emit(document, fmt, output)
