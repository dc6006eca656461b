"""``tracker progress`` (one student) and ``tracker report`` (one row per student)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

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


STANDING_WORDS = ["complete", "on track", "at risk", "overdue"]


class StandingChoice(click.ParamType):  # type: ignore[type-arg]  # generic from Click 8.5
    """A standing, with or without its space: ``"on track"``, ``on-track``."""

    name = "STANDING"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        from tracker.standing import Standing

        try:
            return Standing.parse(str(value)).value
        except ValueError:
            self.fail(f"{str(value)!r} is not a standing: say complete, on-track, at-risk "
                      "or overdue", param, ctx)


@click.command(short_help="One row per student: complete or not, per requirement.")
@click.option("--cohort", type=YEAR, metavar="YYYY",
              help="Only students who started in this calendar year.")
@click.option("--status", type=click.Choice(["active", "graduated", "withdrawn", "all"]),
              default="active", show_default=True,
              help="Only students of this status (all: every student).")
@click.option("--standing", "standings", type=StandingChoice(), multiple=True,
              help="Only students of this standing: complete, on-track, at-risk or "
                   "overdue (again for more than one).")
@click.option("--incomplete", is_flag=True, help="Only students who have not completed.")
@click.option("--at-risk", "at_risk", is_flag=True,
              help="Only students at risk (the same as --standing at-risk; an overdue "
                   "student's standing is overdue).")
@click.option("--as-of", "as_of", type=DATE, help="Judge progress on this day (default: today).")
@formats_option((*PAGE_FORMATS, Format.XLSX))
@output_option
def report(cohort: int | None, status: str, standings: tuple[str, ...], incomplete: bool,
           at_risk: bool, as_of: date | None, fmt: str | None, output: Path | None) -> None:
    """One row per student: their standing, and what each requirement counts.

    A student's standing is overdue when a required item's deadline has passed, else
    at risk when what is still scheduled before a deadline cannot close a required
    item's gap, else complete or on track. Active students only, unless --status says
    otherwise.

    --format html gives one self-contained page with charts, every student's bars,
    and search, filters and sorting.

    \b
    Examples:
      tracker report --cohort 2024 --incomplete
      tracker report --standing overdue --standing at-risk --format csv
      tracker report --status all --format html -o cohort.html
    """

    from tracker.cli.views import overview_document, report_document
    from tracker.service.overview import cohort_overview, with_waiting_claims
    from tracker.service.report import Selection, cohort_report
    from tracker.standing import Standing

    chosen = {Standing(word) for word in standings} | ({Standing.AT_RISK} if at_risk else set())
    selection = Selection(cohort, status, incomplete, frozenset(chosen))
    shape = chosen_format(fmt, output)
    if shape == Format.HTML:
        overview = with_waiting_claims(database(), cohort_overview(database(), selection,
                                                                   as_of))
        result, document = overview.report, overview_document(overview)
    else:
        # the table people read says how many claims wait, too
        result = cohort_report(database(), selection, as_of,
                               claims_waiting=shape == Format.TABLE)
        document = report_document(result, selection.in_words())
    for problem in result.problems:
        note(f"warning: {problem}")
    emit(document, fmt, output)
