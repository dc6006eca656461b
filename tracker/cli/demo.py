"""``tracker demo``: a realistic programme in a database of its own, to try things on."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.common import OUTPUT_FILE, app, emit, note
from tracker.cli.context import AppContext, UserError

if TYPE_CHECKING:
    from tracker.db.engine import Database


@click.command(short_help="Try the tracker on a realistic programme (its own database).")
@click.option("--path", type=OUTPUT_FILE, metavar="FILE",
              help="Where to keep the demo database (default: demo.db in your data folder).")
@click.option("--fresh", is_flag=True, help="Build the demo database again from scratch.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Another seed gives other students.")
def demo(path: Path | None, fresh: bool, seed: int) -> None:
    """Fill a demo database with a programme of 60 students, and show who is where.

    Six intakes (September and February, three years), the built-in rules, a year of
    activities, sign-ins and reflections: some students complete, some on track, some
    at risk. It never touches your own database. Then it prints the report and writes
    the cohort page beside the demo database.

    Example: tracker demo
    """
    from tracker.db.engine import default_data_dir, resolve_url

    target = (path or default_data_dir() / "demo.db").expanduser().resolve()
    context = app(click.get_current_context())
    real = resolve_url(context.db_option)
    if real == f"sqlite:///{target}":
        raise UserError(f"{target} is your own database: give the demo another --path")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    today = date.today()
    if fresh and target.exists():
        _remove_demo(target)
    demo_context, database, built = open_demo(target, context.on_open)
    try:
        if built:
            from tracker.service.demo import fill_demo

            note(f"building the demo programme in {target} ...")
            summary = fill_demo(database, today, seed)
            note(f"{summary.students} students, {summary.activities} activities, "
                 f"{summary.attendances} sign-ins, {summary.assignments} reflection "
                 "decisions")
        else:
            note(f"the demo database is there already: {target} (--fresh builds it again)")
        _show(demo_context, target, today)
    finally:
        demo_context.close()
    note(f"\nTry it yourself: tracker --db {target} report --at-risk")


def open_demo(target: Path, on_open: Any) -> tuple[AppContext, Database, bool]:
    """The demo database at ``target`` and whether it is new (still to be filled). One
    that an older tracker built (its schema behind) is removed and made anew: it is the
    tracker's own, and `tracker db upgrade` would upgrade the user's database instead."""
    from tracker.errors import DatabaseNotReady

    built = not target.exists()
    demo_context = AppContext(str(target), on_open=on_open)
    try:
        return demo_context, demo_context.database(), built
    except DatabaseNotReady:
        note(f"{target} was built by an older tracker: building it anew")
        _remove_demo(target)
        demo_context = AppContext(str(target), on_open=on_open)
        return demo_context, demo_context.database(), True


def _remove_demo(target: Path) -> None:
    """Remove an earlier demo database, and nothing else."""
    from tracker.service.demo import is_demo_database

    if not is_demo_database(target):
        raise UserError(f"{target} is not a demo database: it is left alone")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def _show(context: AppContext, target: Path, today: date) -> None:
    from tracker.cli.views import overview_document
    from tracker.output import render
    from tracker.private_files import write_private
    from tracker.service.overview import cohort_overview
    from tracker.vocabulary import Format

    overview = cohort_overview(context.database(), as_of=today)
    document = overview_document(overview)
    emit(document, "table")
    page = target.with_suffix(".html")
    html = render(document, Format.HTML)
    assert isinstance(html, str)
    write_private(page, html.encode("utf-8"))
    note(f"\nThe cohort page: {page}")
