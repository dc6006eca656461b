"""``tracker activity``: schedule activities and list them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from tracker.cli.common import (
    ACTIVITY_ID,
    DATE,
    SHEET_FORMATS,
    CommandGroup,
    by_option,
    database,
    dry_run_option,
    emit,
    file_progress,
    formats_option,
    import_file_argument,
    output_option,
    report_import,
)


@click.group(cls=CommandGroup)
def activity() -> None:
    """Schedule activities, list them, show who attended, correct or delete one."""


@activity.command()
@click.argument("kind")
@click.option("--date", "held_on", type=DATE, required=True, help="The day it is held.")
@click.option("--title", required=True, help="What it is, e.g. the speaker and topic.")
@click.option("--location", help="Where it is held.")
@click.option("--organiser", help="Who organises it.")
@by_option
def add(kind: str, held_on: date, title: str, location: str | None, organiser: str | None,
        by: str | None) -> None:
    """Schedule an activity of KIND; prints its id (for `tracker attend`).

    KIND is one of the rules' kinds (`tracker rules show --toml` lists them).

    Example: tracker activity add colloquium --date 2024-10-03 --title "Peer colloquium"
    """
    from tracker.service.activities import add_activity

    written = add_activity(database(), kind, held_on, title, location, organiser, by)
    click.echo(written.record.id)
    if not written.changed:
        click.echo(f"already scheduled as #{written.record.id}: nothing changed", err=True)


@activity.command("list")
@click.option("--kind", help="Only activities of this kind.")
@click.option("--from", "start", type=DATE, help="Only on or after this day.")
@click.option("--to", "end", type=DATE, help="Only on or before this day.")
@formats_option(SHEET_FORMATS)
@output_option
def list_(kind: str | None, start: date | None, end: date | None, fmt: str | None,
          output: Path | None) -> None:
    """List activities by date, with how many attended.

    Example: tracker activity list --kind colloquium --from 2024-09-01
    """
    from tracker.output import listing
    from tracker.service.activities import list_activities

    rows = list_activities(database(), kind, start, end)
    emit(listing(rows, ["id", "date", "kind", "title", "attended"]), fmt, output)


@activity.command()
@click.argument("activity_id", type=ACTIVITY_ID)
@formats_option(SHEET_FORMATS)
@output_option
def show(activity_id: int, fmt: str | None, output: Path | None) -> None:
    """Show activity ACTIVITY_ID and everyone recorded at it (status and note).

    Example: tracker activity show 12
    """
    from tracker.cli.views import activity_document
    from tracker.service.activities import show_activity

    emit(activity_document(show_activity(database(), activity_id)), fmt, output)


@activity.command()
@click.argument("activity_id", type=ACTIVITY_ID)
@click.option("--kind", help="Correct the kind.")
@click.option("--date", "held_on", type=DATE, help="Correct the day.")
@click.option("--title", help="Correct the title.")
@click.option("--location", help="Correct the location ('' removes it).")
@click.option("--organiser", help="Correct the organiser ('' removes it).")
@by_option
def edit(activity_id: int, kind: str | None, held_on: date | None, title: str | None,
         location: str | None, organiser: str | None, by: str | None) -> None:
    """Correct activity ACTIVITY_ID; only the options given change, attendance stays.

    Example: tracker activity edit 12 --date 2024-10-10 --location "Gorlaeus C1"
    """
    from tracker.service.activities import edit_activity

    written = edit_activity(database(), activity_id, kind=kind, held_on=held_on, title=title,
                            location=location, organiser=organiser, by=by)
    row = written.record
    if written.changed:
        click.echo(f"updated #{row.id}: {row.kind} on {row.date}, {row.title}")
    else:
        click.echo(f"#{row.id} has these details already: nothing changed")


@activity.command()
@click.argument("activity_id", type=ACTIVITY_ID)
@click.option("--with-attendance", is_flag=True,
              help="Also delete the attendance recorded on it (undo brings it back).")
@by_option
def delete(activity_id: int, with_attendance: bool, by: str | None) -> None:
    """Delete activity ACTIVITY_ID, scheduled by mistake (refused while attendance is
    recorded on it, unless --with-attendance). `tracker undo` brings it back.

    Example: tracker activity delete 12
    """
    from tracker.service.activities import delete_activity

    deleted = delete_activity(database(), activity_id, with_attendance=with_attendance, by=by)
    what = f"deleted #{deleted.activity.id} {deleted.activity.title} ({deleted.activity.date})"
    if deleted.attendance:
        what += f" and its {deleted.attendance} attendance record(s)"
    click.echo(what)


@activity.command("import")
@import_file_argument
@dry_run_option
@by_option
def import_(file: Path, dry_run: bool, by: str | None) -> None:
    """Schedule the activities of FILE (CSV or .xlsx: kind,date,title[,location][,organiser]).

    Headers in English or Dutch (soort, datum, titel, locatie); dates as 2025-10-03 or
    day first, 3-10-2025, 03/10/2025, 03.10.2025. All or nothing; activities already
    scheduled (same kind, date and title) are left alone, so importing the same
    schedule twice changes nothing.

    Example: tracker activity import schedule-2025.csv --dry-run
    """
    from tracker.service.imports import import_activities

    with file_progress(file, "activities") as progress:
        summary = import_activities(database(), file, dry_run=dry_run, by=by,
                                    on_progress=progress)
    report_import(summary)
