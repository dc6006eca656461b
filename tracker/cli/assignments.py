"""``tracker assignment``: record a reflection assignment's state, one or a whole file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.common import (
    DATE,
    ONE_OR_MORE,
    by_option,
    database,
    dry_run_option,
    file_progress,
    report_import,
)
from tracker.cli.context import UserError
from tracker.vocabulary import AssignmentStatus, words


@click.command(short_help="Record a reflection assignment: submitted, approved or rejected.")
@click.argument("number", required=False)
@click.argument("assignment_number", metavar="[K]", type=ONE_OR_MORE, required=False)
@click.argument("status", type=click.Choice(words(AssignmentStatus)), required=False)
@click.option("--date", "on", type=DATE, help="When it happened (default: today).")
@click.option("--feedback", metavar="TEXT",
              help="Feedback for the student, with an approval or a rejection.")
@click.option("--reopen", is_flag=True,
              help="Record a new submission, or a rejection, of an approved assignment "
                   "(either takes the approval back).")
@click.option("--import", "import_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Record a whole file instead (CSV or xlsx: "
                   "student_number,assignment,status,date[,feedback]).")
@dry_run_option
@by_option
def assignment(number: str | None, assignment_number: int | None, status: str | None,
               on: date | None, feedback: str | None, reopen: bool, import_file: Path | None,
               dry_run: bool, by: str | None) -> None:
    """Record that student NUMBER's reflection assignment K is submitted, approved or
    rejected.

    A decision dated in the future, or before the submission it decides, is refused; so
    is a new submission or a rejection of an approved assignment unless you say
    --reopen (the message names the approval). Feedback
    belongs to the decision it comes with. With --import, a file of decisions is
    recorded line by line, all or nothing.

    \b
    Examples:
      tracker assignment s1234567 1 submitted --date 2024-11-10
      tracker assignment s1234567 1 approved --date 2024-11-20 --feedback "Clear."
      tracker assignment --import decisions.csv --dry-run
    """
    if import_file is not None:
        if number or assignment_number or status or on or feedback:
            raise UserError("--import takes the students, assignments, decisions and dates "
                            "from the file: give no other arguments")
        from tracker.service.imports import import_assignments

        with file_progress(import_file, "assignments") as progress:
            summary = import_assignments(database(), import_file, dry_run=dry_run,
                                         reopen=reopen, by=by, on_progress=progress)
        report_import(summary)
        return
    if dry_run:
        raise UserError("--dry-run goes with --import")
    if number is None or assignment_number is None or status is None:
        raise UserError("give a student number, an assignment number and what happened, "
                        "e.g. tracker assignment s1234567 1 approved")
    from tracker.service.assignments import record_assignment

    recorded = record_assignment(database(), number, assignment_number,
                                 AssignmentStatus(status), on=on, feedback=feedback, by=by,
                                 reopen=reopen)
    state = recorded.state
    if recorded.changed:
        click.echo(f"{recorded.student} assignment {state.assignment} ({state.title}): "
                   f"{state.status}")
    else:
        click.echo(f"{recorded.student} assignment {state.assignment} is {state.status} "
                   "already: nothing changed")
