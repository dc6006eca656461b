"""``tracker progress`` (one student) and ``tracker report`` (one row per student)."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.common import DATE, database, emit, format_option, note


@click.command(short_help="What a student has done, what remains, what is coming up.")
@click.argument("number")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@format_option
def progress(number: str, as_of: date | None, fmt: str | None) -> None:
    """What student NUMBER has done, what remains, and upcoming activities that count.

    Example: tracker progress s1234567
    """
    from tracker.cli.views import progress_document
    from tracker.service.progress import student_progress

    emit(progress_document(student_progress(database(), number, as_of)), fmt)


@click.command(short_help="One row per student: complete or not, per requirement.")
@click.option("--cohort", type=click.IntRange(1900, 9999), metavar="YYYY",
              help="Only students who started in this calendar year.")
@click.option("--incomplete", is_flag=True, help="Only students who have not completed.")
@click.option("--at-risk", "at_risk", is_flag=True,
              help="Only students with a required item at risk or overdue.")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@format_option
def report(cohort: int | None, incomplete: bool, at_risk: bool, as_of: date | None,
           fmt: str | None) -> None:
    """One row per student: complete or not, and what each requirement counts.

    A requirement is at risk when the activities still scheduled before its deadline
    cannot close the gap, overdue when its deadline has passed.

    Example: tracker report --cohort 2024 --incomplete
    """
    from tracker.cli.views import report_document
    from tracker.service.progress import cohort_report

    result = cohort_report(database(), cohort, incomplete, as_of, at_risk)
    for problem in result.problems:
        note(f"warning: {problem}")
    emit(report_document(result), fmt)
