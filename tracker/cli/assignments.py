"""``tracker assignment``: record a reflection assignment's state."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.common import DATE, by_option, database
from tracker.vocabulary import AssignmentStatus, words


@click.command(short_help="Record a reflection assignment: submitted, approved or rejected.")
@click.argument("number")
@click.argument("assignment_number", metavar="K", type=click.IntRange(min=1))
@click.argument("status", type=click.Choice(words(AssignmentStatus)))
@click.option("--date", "on", type=DATE, help="When it happened (default: today).")
@click.option("--feedback", metavar="TEXT", help="Feedback for the student.")
@by_option
def assignment(number: str, assignment_number: int, status: str, on: date | None,
               feedback: str | None, by: str | None) -> None:
    """Record that student NUMBER's reflection assignment K is submitted, approved or rejected.

    Example: tracker assignment s1234567 1 approved --date 2024-11-30
    """
    from tracker.service.assignments import record_assignment

    recorded = record_assignment(database(), number, assignment_number,
                                 AssignmentStatus(status), on=on, feedback=feedback, by=by)
    state = recorded.state
    if recorded.changed:
        click.echo(f"{recorded.student} assignment {state.assignment} ({state.title}): "
                   f"{state.status}")
    else:
        click.echo(f"{recorded.student} assignment {state.assignment} is {state.status} "
                   "already: nothing changed")
