"""``tracker export``: hand completion to other systems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.common import DATE, database, note, output_option, write_file


@click.group()
def export() -> None:
    """Export completion for other systems (the Brightspace grade book)."""


@export.command()
@click.option("--item", required=True,
              help="The grade item's name in Brightspace, e.g. \"AASCO completion\".")
@click.option("--complete-points", type=click.FloatRange(min=0), default=1, show_default=True,
              metavar="POINTS", help="Points for a student who completed the course.")
@click.option("--incomplete-points", type=click.FloatRange(min=0), default=0,
              show_default=True, metavar="POINTS",
              help="Points for a student who has not completed.")
@click.option("--only-complete", is_flag=True,
              help="Leave students who have not completed out of the file.")
@click.option("--cohort", type=click.IntRange(1900, 9999), metavar="YYYY",
              help="Only students who started in this calendar year (default: everybody).")
@click.option("--all-statuses", is_flag=True,
              help="Also graduated and withdrawn students (default: active students only).")
@click.option("--as-of", "as_of", type=DATE, help="Judge completion on this day (default: today).")
@output_option
def brightspace(item: str, complete_points: float, incomplete_points: float,
                only_complete: bool,
                cohort: int | None, all_statuses: bool, as_of: date | None,
                output: Path | None) -> None:
    """Grade-book import CSV for Brightspace: one row per active student.

    Columns: OrgDefinedId,Username,<ITEM> Points Grade,End-of-Line Indicator. By
    default every active student gets a row: 1 point if complete, else 0.

    Example: tracker export brightspace --item "AASCO completion" -o grades.csv
    """
    from tracker.service.exports import brightspace_grades

    result = brightspace_grades(database(), item, complete_points=complete_points,
                                incomplete_points=None if only_complete else incomplete_points,
                                cohort=cohort, include_inactive=all_statuses, as_of=as_of)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        write_file(output, result.text)
    for number in result.skipped:
        note(f"warning: {number} left out: no requirement set applies")
    note(f"{result.rows} student(s), {result.complete} complete "
         f"(rules version {result.rules_version})")
