"""The ``tracker`` command line: parse, call a service, print. Nothing else lives here.

Commands are imported when they run: ``tracker --help`` lists them from :data:`COMMANDS`
(a test keeps those one-line helps equal to the commands' own).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

from tracker import __version__
from tracker.cli.context import AppContext, TryAgain, UserError
from tracker.errors import TrackerError

# name -> (module, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "activity": ("tracker.cli.activities", "activity",
                 "Schedule activities, list them, show who attended, correct or delete one."),
    "assignment": ("tracker.cli.assignments", "assignment",
                   "Record a reflection assignment: submitted, approved or rejected."),
    "attend": ("tracker.cli.attendance", "attend",
               "Log that students NUMBERS attended activity ACTIVITY_ID."),
    "checkin": ("tracker.cli.checkin", "checkin",
                "Check students in at the door of an activity, one number per line."),
    "claim": ("tracker.cli.claims", "claim",
              "Claims of outside activities: the queue, approve, reject."),
    "coordinator": ("tracker.cli.coordinators", "coordinator",
                    "Who may sign in to the portal's coordinator pages (with a TOTP app)."),
    "db": ("tracker.cli.db", "db", "Create, upgrade and check the database schema."),
    "demo": ("tracker.cli.demo", "demo",
             "Try the tracker on a realistic programme (its own database)."),
    "door": ("tracker.cli.door", "door",
             "Open or close check-in by QR code (the projector's link)."),
    "export": ("tracker.cli.exports", "export",
               "Export completion for other systems (the Brightspace grade book)."),
    "history": ("tracker.cli.history", "history",
                "Show the newest changes: who, when, what."),
    "progress": ("tracker.cli.progress", "progress",
                 "What a student has done, what remains, what is coming up."),
    "remind": ("tracker.cli.reminders", "remind",
               "E-mail students what is still open, at risk or overdue."),
    "report": ("tracker.cli.progress", "report",
               "One row per student: complete or not, per requirement."),
    "rules": ("tracker.cli.rules", "rules",
              "The requirement rules: which activities count, how many, by when."),
    "serve": ("tracker.cli.serve", "serve",
              "Serve the portal: students and coordinators on the web."),
    "student": ("tracker.cli.students", "student", "Register students and look them up."),
    "undo": ("tracker.cli.history", "undo",
             "Revert your last change (the undo stays in the history)."),
}


class TrackerGroup(click.Group):
    """Loads commands on demand, and is the error boundary: the project's errors and
    database failures become one sentence."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            raise UserError(str(error)) from None
        except click.BadParameter as error:  # one line in words, not Click's usage text
            raise UserError(_in_words(error)) from None
        except click.NoSuchOption as error:
            if error.option_name == "--db":  # the one option of the tracker itself
                path = error.ctx.command_path if error.ctx else "tracker"
                raise UserError("--db goes before the command: tracker --db URL "
                                f"{path.partition(' ')[2]} ...") from None
            raise
        except Exception as error:
            if type(error).__module__.startswith("sqlalchemy"):
                from sqlalchemy.exc import DBAPIError

                if isinstance(error, DBAPIError):  # the server, the file, a lock
                    raise _database_failure(error) from None
            raise


def _in_words(error: click.BadParameter) -> str:
    from tracker.cli.common import param_label

    label = param_label(error.param)
    if isinstance(error, click.MissingParameter):
        path = error.ctx.command_path if error.ctx else "tracker"
        return f"give the {label}: `{path} --help` shows what the command takes"
    return f"{label}: {error.message}"


def _database_failure(error: Exception) -> click.ClickException:
    """A lock or deadlock: exit 1, try again; anything else: one sentence, exit 2. The
    database's password is never in it."""
    from tracker.db.engine import describe, hide_secrets
    from tracker.db.failures import classify

    ctx = click.get_current_context(silent=True)
    url = ""
    if ctx is not None and isinstance(ctx.obj, AppContext):
        try:
            url = ctx.obj.url()
        except TrackerError:
            url = ""
    failure = classify(error, f" ({describe(url)})" if url else "")
    message = hide_secrets(failure.message, url)
    return TryAgain(message) if failure.transient else UserError(message)


@click.group(cls=TrackerGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"],
                               "max_content_width": 100})
@click.option("--db", "db_url", metavar="URL", envvar="TRACKER_DATABASE_URL",
              help="Database: an SQLAlchemy URL or a file path (SQLite). "
                   "Default: $TRACKER_DATABASE_URL, else tracker.db in the tracker's folder "
                   "(`tracker db current` shows which).")
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
    if ctx.invoked_subcommand is None:  # `tracker` alone: the help, and no error
        click.echo(ctx.get_help())
        ctx.exit(0)
    if not isinstance(ctx.obj, AppContext):
        ctx.obj = AppContext(db_url)
    elif db_url:
        ctx.obj.db_option = db_url
    ctx.call_on_close(ctx.obj.close)


def run() -> None:
    """The console script.

    A command is a short-lived process. Its imports (SQLAlchemy's above all) create
    hundreds of thousands of objects and no garbage, so the collector stays off until
    the command opens its database, and from then on leaves those objects out of its
    walks. Freezing at the end spares the interpreter its last walk over every object
    on its way out (0.07 s after a large report).
    """
    import gc

    gc.disable()
    try:
        main(obj=AppContext(on_open=_collect_from_now_on))
    finally:
        gc.freeze()


def _collect_from_now_on() -> None:
    """Collect what the command's own work leaves behind, seldom (few cycles are made)
    and never over what the imports made."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    gc.enable()
