"""``tracker attend``: log who attended an activity."""

from __future__ import annotations

import click

from tracker.cli.common import UserError, by_option, database, note


@click.command()
@click.argument("activity_id", type=int, required=False)
@click.argument("numbers", nargs=-1)
@click.option("--excused", is_flag=True, help="Record them as excused (never counts).")
@click.option("--note", "note_text", metavar="TEXT",
              help="Evidence, e.g. the question the student asked.")
@by_option
def attend(activity_id: int | None, numbers: tuple[str, ...], excused: bool,
           note_text: str | None, by: str | None) -> None:
    """Log that students NUMBERS attended activity ACTIVITY_ID.

    All or nothing: if one student number is unknown, nobody is recorded.
    Logging the same attendance again changes nothing.

    Example: tracker attend 12 s1234567 s7654321 --note "asked about assay design"
    """
    from tracker.service.attendance import attend as record_attendance

    if activity_id is None or not numbers:
        raise UserError("give an activity id and at least one student number, "
                        "e.g. tracker attend 12 s1234567")
    outcome = record_attendance(database(), activity_id, list(numbers),
                                status="excused" if excused else "attended",
                                note=note_text, by=by)
    what = f"#{outcome.activity['id']} {outcome.activity['title']} ({outcome.activity['date']})"
    if outcome.added:
        click.echo(f"{outcome.status}: {len(outcome.added)} student(s) at {what}")
    if outcome.updated:
        click.echo(f"updated to {outcome.status}: {', '.join(outcome.updated)}")
    if outcome.unchanged:
        note(f"already recorded, nothing changed: {', '.join(outcome.unchanged)}")
