"""``tracker attend``: log who attended an activity."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.common import (
    ACTIVITY_ID,
    by_option,
    database,
    dry_run_option,
    file_progress,
    note,
    report_import,
)
from tracker.cli.context import UserError
from tracker.vocabulary import ParticipationStatus


@click.command()
@click.argument("activity_id", type=ACTIVITY_ID, required=False)
@click.argument("numbers", nargs=-1)
@click.option("--excused", is_flag=True, help="Record them as excused (never counts).")
@click.option("--remove", is_flag=True,
              help="Take them off the activity instead (a mistake on the sheet).")
@click.option("--note", "note_text", metavar="TEXT",
              help="Evidence, e.g. the question the student asked.")
@click.option("--import", "import_file", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Log a whole file instead (CSV or xlsx: "
                   "student_number,activity_id[,status,note], or kind,date,title instead of "
                   "activity_id).")
@dry_run_option
@by_option
def attend(activity_id: int | None, numbers: tuple[str, ...], excused: bool, remove: bool,
           note_text: str | None, import_file: Path | None, dry_run: bool,
           by: str | None) -> None:
    """Log that students NUMBERS attended activity ACTIVITY_ID.

    All or nothing: if one student number is unknown, nobody is recorded.
    Logging the same attendance again changes nothing.

    \b
    Examples:
      tracker attend 12 s1234567 s7654321 --note "asked about assay design"
      tracker attend --import signin-sheet.csv --dry-run
      tracker attend 12 s7654321 --remove
    """
    from tracker.service.attendance import attend as record_attendance

    if import_file is not None:
        if activity_id is not None or numbers or excused or note_text or remove:
            raise UserError("--import takes the students, activities, status and notes "
                            "from the file: give no other arguments")
        from tracker.service.imports import import_attendance

        with file_progress(import_file, "attendance") as progress:
            summary = import_attendance(database(), import_file, dry_run=dry_run, by=by,
                                        on_progress=progress)
        report_import(summary)
        return
    if dry_run:
        raise UserError("--dry-run goes with --import")
    if activity_id is None or not numbers:
        raise UserError("give an activity id and at least one student number, "
                        "e.g. tracker attend 12 s1234567")
    if remove:
        if excused or note_text:
            raise UserError("--remove takes no --excused or --note")
        from tracker.service.attendance import remove_attendance

        removed = remove_attendance(database(), activity_id, numbers, by=by)
        if removed.removed:
            click.echo(f"removed from #{removed.activity.id} {removed.activity.title}: "
                       f"{', '.join(removed.removed)}")
        if removed.absent:
            note(f"not recorded there, nothing changed: {', '.join(removed.absent)}")
        return
    status = ParticipationStatus.EXCUSED if excused else ParticipationStatus.ATTENDED
    outcome = record_attendance(database(), activity_id, numbers, status=status,
                                note=note_text, by=by)
    activity = outcome.activity
    what = f"#{activity.id} {activity.title} ({activity.date})"
    if outcome.added:
        click.echo(f"{outcome.status}: {len(outcome.added)} student(s) at {what}")
    if outcome.updated:
        said = f"{outcome.status}, with the new note" if note_text else outcome.status
        click.echo(f"updated: {', '.join(outcome.updated)} ({said})")
    if outcome.downgraded:
        note(f"note: {', '.join(outcome.downgraded)} attended before and are now excused: "
             "it no longer counts")
    if outcome.unchanged:
        note(f"already recorded, nothing changed: {', '.join(outcome.unchanged)}")
