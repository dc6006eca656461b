"""What every command shares: the application context, options, parsing and output.

Nothing here imports SQLAlchemy: ``tracker --help`` must stay as fast as Click itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.cli.context import AppContext
from tracker.errors import TrackerError
from tracker.months import Month, parse_date

if TYPE_CHECKING:
    from tracker.db.engine import Database
    from tracker.service.imports import ImportSummary

F = TypeVar("F", bound=Callable[..., Any])


def app(ctx: click.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    if obj is None:  # a command invoked on its own, as some tests do
        obj = ctx.ensure_object(AppContext)
    return obj


def database() -> Database:
    return app(click.get_current_context()).database()


class MonthType(click.ParamType):  # type: ignore[type-arg]  # generic from Click 8.5
    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Month:
        if isinstance(value, Month):
            return value
        try:
            return Month.parse(str(value), what=param.name if param and param.name else "month")
        except TrackerError as error:
            self.fail(str(error), param, ctx)


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value), what="date")
        except TrackerError as error:
            self.fail(str(error), param, ctx)


MONTH = MonthType()
DATE = DateType()


def by_option(function: F) -> F:
    return click.option("--by", metavar="NAME",
                        help="Who makes the change (default: your login name).")(function)


def format_option(function: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default=None,
        help="Output format (default: table on a terminal, csv when piped).",
    )(function)


def chosen_format(fmt: str | None) -> str:
    if fmt:
        return fmt
    return "table" if sys.stdout.isatty() else "csv"


def emit(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str | None) -> None:
    from tracker.output import render

    click.echo(render(rows, columns, chosen_format(fmt)), nl=False)


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
    from tracker.service.imports import EXAMPLES_SHOWN

    if summary.dry_run:
        click.echo(f"dry run of {summary.file}, nothing written:")
        for example in summary.examples:
            click.echo(f"  {example}")
        if len(summary.examples) == EXAMPLES_SHOWN:
            click.echo("  ...")
        if summary.problem_count:
            click.echo(summary.problem_report(), err=True)
    verb = "would add" if summary.dry_run else "added"
    line = f"{verb} {summary.counted(summary.added)}, {summary.present} already present"
    if summary.updated:
        line += f", {'would update' if summary.dry_run else 'updated'} {summary.updated}"
    if summary.problem_count:
        line += f", {summary.problem_count} with problems"
    elif not summary.dry_run and not summary.changed:
        line += ": nothing changed"
    click.echo(line)
    if summary.problem_count:
        raise SystemExit(2)


def import_file_argument(function: F) -> F:
    return click.argument("file", type=click.Path(exists=True, dir_okay=False,
                                                  path_type=Path))(function)


def dry_run_option(function: F) -> F:
    return click.option("--dry-run", is_flag=True,
                        help="Show what would be added, what is there and what is wrong; "
                             "write nothing.")(function)
