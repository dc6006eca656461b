"""``tracker export``: hand completion to other systems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.common import (
    DATE,
    YEAR,
    CommandGroup,
    base_url_option,
    database,
    note,
    output_option,
    portal_address,
    write_file,
)
from tracker.cli.context import UserError


@click.group(cls=CommandGroup)
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
@click.option("--cohort", type=YEAR, metavar="YYYY",
              help="Only students who started in this calendar year (default: everybody).")
@click.option("--all-statuses", is_flag=True,
              help="Also graduated and withdrawn students (default: active students only).")
@click.option("--as-of", "as_of", type=DATE, help="Judge completion on this day (default: today).")
@click.option("--per-requirement", is_flag=True,
              help="A grade item per requirement (what is done of it) and a text grade "
                   "saying what remains, instead of one completion grade.")
@click.option("--only-incomplete", is_flag=True,
              help="With --per-requirement: leave students who completed out.")
@base_url_option
@output_option
def brightspace(item: str, complete_points: float, incomplete_points: float,
                only_complete: bool, cohort: int | None, all_statuses: bool,
                as_of: date | None, per_requirement: bool, only_incomplete: bool,
                base_url: str | None, output: Path | None) -> None:
    """Grade-book import CSV for Brightspace: one row per active student.

    \b
    Columns: OrgDefinedId,Username,<ITEM> Points Grade,End-of-Line Indicator; by
    default 1 point if complete, else 0. With --per-requirement:
    <ITEM> - <requirement> Points Grade for each requirement (done, at most what is
    required) and <ITEM> Text Grade, a sentence of what remains (ending with the
    portal's address when --base-url or $TRACKER_BASE_URL gives one).

    \b
    Examples:
      tracker export brightspace --item "AASCO completion" -o grades.csv
      tracker export brightspace --item AASCO --per-requirement -o progress.csv
    """
    from tracker.service.exports import brightspace_grades

    given = click.get_current_context().get_parameter_source
    if per_requirement and any(given(name) == click.core.ParameterSource.COMMANDLINE
                               for name in ("complete_points", "incomplete_points",
                                            "only_complete")):
        raise UserError("--per-requirement grades each requirement: it takes no "
                        "--complete-points, --incomplete-points or --only-complete")
    if only_incomplete and not per_requirement:
        raise UserError("--only-incomplete goes with --per-requirement "
                        "(for one completion grade, see --only-complete)")
    result = brightspace_grades(
        database(), item, complete_points=complete_points,
        incomplete_points=None if only_complete or only_incomplete else incomplete_points,
        cohort=cohort, include_inactive=all_statuses, as_of=as_of,
        per_requirement=per_requirement, portal=portal_address(base_url))
    if output is None:
        click.echo(result.text, nl=False)
    else:
        write_file(output, result.text)
    for number in result.skipped:
        note(f"warning: {number} left out: no requirement set applies")
    note(f"{result.rows} student(s), {result.complete} complete "
         f"(rules version {result.rules_version})")
