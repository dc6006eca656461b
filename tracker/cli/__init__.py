"""The ``tracker`` command line: parse, call a service, print. Nothing else lives here."""

from __future__ import annotations

from typing import Any

import click

from tracker import __version__
from tracker.cli.activities import activity
from tracker.cli.assignments import assignment
from tracker.cli.attendance import attend
from tracker.cli.common import AppContext, UserError
from tracker.cli.db import db
from tracker.cli.exports import export
from tracker.cli.history import history, undo
from tracker.cli.progress import progress, report
from tracker.cli.rules import rules
from tracker.cli.students import student
from tracker.errors import TrackerError


class TrackerGroup(click.Group):
    """The error boundary: the project's errors and database failures become one sentence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise UserError(str(error)) from None
        except Exception as error:
            if type(error).__module__.startswith("sqlalchemy"):
                from sqlalchemy.exc import DBAPIError

                if isinstance(error, DBAPIError):  # the server, the file, a lock
                    raise UserError(_database_failure(error)) from None
            raise


def _database_failure(error: Exception) -> str:
    from tracker.db.engine import describe

    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    ctx = click.get_current_context(silent=True)
    where = ""
    if ctx is not None and isinstance(ctx.obj, AppContext):
        try:
            where = f" ({describe(ctx.obj.url())})"
        except TrackerError:
            where = ""
    return f"database error{where}: {reason[0] if reason else type(error).__name__}"


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                  "max_content_width": 100})
@click.option("--db", "db_url", metavar="URL", envvar="TRACKER_DATABASE_URL",
              help="Database: an SQLAlchemy URL or a file path (SQLite). "
                   "Default: $TRACKER_DATABASE_URL, else tracker.db in your data folder.")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, db_url: str | None) -> None:
    """Career-orientation progress for the MSc Bio-Pharmaceutical Sciences.

    Coordinators register students, schedule activities, log attendance and
    assignments, and see who is behind; students see what is done and what remains.

    \b
    Start here:
      tracker student add s1234567 --name "Ada Jansen" --start 2024-09
      tracker activity add colloquium --date 2024-10-03 --title "Peer colloquium"
      tracker attend 1 s1234567
      tracker progress s1234567
    """
    if not isinstance(ctx.obj, AppContext):
        ctx.obj = AppContext(db_url)
    elif db_url:
        ctx.obj.db_option = db_url
    ctx.call_on_close(ctx.obj.close)


for command in (db, rules, student, activity, attend, assignment, progress, report,
                export, history, undo):
    main.add_command(command)
