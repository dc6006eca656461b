"""What every command shares: the application context, options, parsing and output.

Nothing here imports SQLAlchemy: ``tracker --help`` must stay as fast as Click itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.characters import shown
from tracker.cli.context import AppContext, UserError
from tracker.errors import TrackerError
from tracker.months import FIRST_YEAR, LAST_YEAR, Month, parse_date
from tracker.vocabulary import Format

if TYPE_CHECKING:
    from tracker.db.engine import Database
    from tracker.output import Document
    from tracker.service.import_driver import ImportSummary

F = TypeVar("F", bound=Callable[..., Any])


def app(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    if obj is None:  # a command invoked on its own, as some tests do
        obj = ctx.ensure_object(AppContext)
    return obj


def database() -> Database:
    return app(click.get_current_context()).database()


# What a person calls each argument (not Click's metavar), for messages.
ARGUMENT_WORDS = {"number": "student number", "numbers": "student number",
                  "activity_id": "activity id", "assignment_number": "assignment number",
                  "set_id": "requirement set", "kind": "activity kind", "file": "file",
                  "status": "status", "revision": "revision"}


def param_label(param: click.Parameter | None) -> str:
    """``--date`` for an option, ``activity id`` for an argument."""
    if param is None:
        return "value"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    name = param.name or ""
    return ARGUMENT_WORDS.get(name, name.replace("_", " "))


class CommandGroup(click.Group):
    """A group whose command list shows each command's first sentence whole (wrapped to
    the terminal), not cut off at "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=1000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class MonthType(click.ParamType):  # type: ignore[type-arg]  # generic from Click 8.5
    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Month:
        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value), what=param_label(param))
        except TrackerError as error:
            raise UserError(str(error)) from None


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value), what=param_label(param))
        except TrackerError as error:
            raise UserError(str(error)) from None


class OutputFile(click.ParamType):  # type: ignore[type-arg]
    """A file to write: its folder must exist (checked before any work is done)."""

    name = "FILE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        path = Path(value).expanduser()
        if path.is_dir():
            raise UserError(f"{param_label(param)} {path} is a folder: name a file in it")
        if not path.parent.is_dir():
            raise UserError(f"cannot write {path}: the folder {path.parent} does not exist")
        return path


class WholeNumber(click.ParamType):  # type: ignore[type-arg]
    """A whole number within bounds, refused in words: "'24' is not a year such as 2024"."""

    name = "N"

    def __init__(self, words: str, low: int | None = None, high: int | None = None) -> None:
        self.words, self.low, self.high = words, low, high

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"'{shown(str(value))}' is not {self.words}", param, ctx)
        if self.low is not None and number < self.low:
            self.fail(f"{number} is not {self.words}", param, ctx)
        if self.high is not None and number > self.high:
            self.fail(f"{shown(str(number), 30)} is not {self.words} (at most {self.high})",
                      param, ctx)
        return number


# The largest id or count a command takes: what every database's INTEGER column holds
# (PostgreSQL's is 32 bits; SQLite refuses a Python int past 64 bits with a traceback).
LARGEST_WHOLE_NUMBER = 2**31 - 1

MONTH = MonthType()
DATE = DateType()
OUTPUT_FILE = OutputFile()
ACTIVITY_ID = WholeNumber("an activity's number (`tracker activity list` shows them)", low=1,
                          high=LARGEST_WHOLE_NUMBER)
YEAR = WholeNumber("a year such as 2024", low=FIRST_YEAR, high=LAST_YEAR)
ONE_OR_MORE = WholeNumber("a whole number, 1 or more", low=1, high=LARGEST_WHOLE_NUMBER)
ZERO_OR_MORE = WholeNumber("a whole number, 0 or more", low=0)  # (its command bounds it)


def write_file(path: Path, content: str | bytes) -> None:
    """Write an output file (readable by its owner only when new), or say in one line
    why it cannot be written."""
    from tracker.private_files import write_private

    try:
        write_private(path, content if isinstance(content, bytes)
                      else content.encode("utf-8"))
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror}") from None


def by_option(function: F) -> F:
    return click.option("--by", metavar="NAME",
                        help="Who makes the change (default: your login name).")(function)


def base_url_option(function: F) -> F:
    """``--base-url``: where students reach the portal (``tracker serve``), for links."""
    return click.option("--base-url", "base_url", metavar="URL", envvar="TRACKER_BASE_URL",
                        help="The portal's address (tracker serve), e.g. "
                             "https://tracker.example.org: students are pointed there. "
                             "Default: $TRACKER_BASE_URL, else no link.")(function)


def portal_address(base_url: str | None) -> str:
    """The portal's front page (``<base>/``) for ``--base-url``; '' when none is set."""
    if not base_url or not base_url.strip():
        return ""
    from tracker.web.site import Site

    try:
        return Site.of(base_url).link("/")
    except TrackerError as error:
        raise UserError(f"--base-url: {error}") from None


def output_option(function: F) -> F:
    return click.option("--output", "-o", type=OUTPUT_FILE,
                        help="Write to this file (default: standard output).")(function)


LISTING_FORMATS = (Format.TABLE, Format.CSV, Format.JSON)
SHEET_FORMATS = (*LISTING_FORMATS, Format.XLSX)
PAGE_FORMATS = (*LISTING_FORMATS, Format.HTML)


def format_option(function: F) -> F:
    return formats_option(LISTING_FORMATS)(function)


def formats_option(formats: Sequence[Format]) -> Callable[[F], F]:
    """``--format`` with the formats a command offers."""
    return click.option(
        "--format", "fmt", type=click.Choice([f.value for f in formats]), default=None,
        help="Output format (default: table on a terminal, csv when piped).")


def chosen_format(fmt: str | None, output: Path | None = None) -> Format:
    """The format asked for; else the output file's (``-o cohort.html``); else a table on
    a terminal and CSV when piped."""
    if fmt:
        return Format(fmt)
    if output is not None and output.suffix.lower()[1:] in {f.value for f in Format}:
        return Format(output.suffix.lower()[1:])
    if output is None and sys.stdout.isatty():
        return Format.TABLE
    return Format.CSV


def emit(document: Document, fmt: str | None, output: Path | None = None) -> None:
    """Print ``document`` in the chosen format, or write it to ``output``."""
    from tracker.output import render

    chosen = chosen_format(fmt, output)
    if chosen == Format.HTML and document.page is None:
        raise UserError("this command has no HTML page: --format table, csv or json")
    if chosen == Format.XLSX and output is None:
        raise UserError("--format xlsx writes a workbook: name the file with -o FILE")
    if chosen == Format.HTML and output is None and sys.stdout.isatty():
        raise UserError("--format html makes a page to open in a browser: name the file "
                        "with -o FILE (or pipe it)")
    content = render(document, chosen)
    if output is None:
        assert isinstance(content, str)
        click.echo(content, nl=False)
    else:
        write_file(output, content)
        note(f"wrote {output}")


def note(message: str) -> None:
    """A remark for the person at the terminal: on stderr, so piped output stays clean."""
    click.echo(message, err=True)


_PROGRESS_FROM_BYTES = 1_000_000


@contextmanager
def file_progress(path: Path, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on the terminal for a large file; None when nobody watches."""
    size = path.stat().st_size if path.is_file() else 0
    if size < _PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=size, label=label, file=sys.stderr) as bar:
        done = 0

        def advance(position: int) -> None:
            nonlocal done
            bar.update(position - done)
            done = position

        yield advance


def report_import(summary: ImportSummary) -> None:
    """Print what an import did or would do; exit 2 if the file has problems."""
    for warning in summary.warnings:
        note(f"warning: {warning}")
    if summary.dry_run:
        click.echo(f"dry run of {summary.file}, nothing written:")
        for example in summary.examples:
            click.echo(f"  {example}")
        hidden = summary.example_count - len(summary.examples)
        if hidden > 0:
            click.echo(f"  ... and {hidden} more line(s)")
        if summary.problem_count:
            click.echo(summary.problem_report(), err=True)
    click.echo(_import_line(summary))
    if summary.downgraded:
        note(f"note: {summary.noun.count(summary.downgraded)} changed from attended to "
             "excused: they no longer count")
    if summary.problem_count:
        raise SystemExit(2)


def _import_line(summary: ImportSummary) -> str:
    """``added 2 students, 1 already present``; for decisions, what they said:
    ``recorded 3 assignment decisions (2 submitted, 1 approved), 0 already recorded``."""
    noun, dry_run = summary.noun, summary.dry_run
    if noun.recorded:
        verb = "would record" if dry_run else "recorded"
        line = f"{verb} {noun.count(summary.added)}"
        if summary.written_as:
            line += f" ({', '.join(f'{n} {what}' for what, n in summary.written_as)})"
        line += f", {summary.present} already recorded"
    else:
        line = (f"{'would add' if dry_run else 'added'} {noun.count(summary.added)}, "
                f"{summary.present} already present")
        if summary.updated:
            line += f", {'would update' if dry_run else 'updated'} {summary.updated}"
    if summary.problem_count:
        line += f", {summary.problem_count} with problems"
    elif not dry_run and not summary.changed:
        line += ": nothing changed"
    return line


def import_file_argument(function: F) -> F:
    return click.argument("file", type=click.Path(exists=True, dir_okay=False,
                                                  path_type=Path))(function)


def dry_run_option(function: F) -> F:
    return click.option("--dry-run", is_flag=True,
                        help="Show what would be added, what is there and what is wrong; "
                             "write nothing.")(function)
