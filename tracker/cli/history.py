"""``tracker history`` and ``tracker undo``."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.common import (
    ONE_OR_MORE,
    SHEET_FORMATS,
    by_option,
    database,
    emit,
    formats_option,
    output_option,
)


@click.command()
@click.argument("number", required=False)
@click.option("--limit", type=ONE_OR_MORE, default=50, show_default=True,
              help="How many changes to show.")
@click.option("--all", "show_all", is_flag=True, help="Show every change.")
@formats_option(SHEET_FORMATS)
@output_option
def history(number: str | None, limit: int, show_all: bool, fmt: str | None,
            output: Path | None) -> None:
    """Show the newest changes: who, when, what. With NUMBER, only that student's.

    Example: tracker history s1234567
    """
    from tracker.output import listing
    from tracker.service.history import list_history

    rows = list_history(database(), number, None if show_all else limit)
    emit(listing(rows, ["id", "at", "by", "command", "summary", "undone_by"]), fmt, output)


@click.command(short_help="Revert the last change (the undo stays in the history).")
@by_option
def undo(by: str | None) -> None:
    """Revert the last change that is not undone yet; the undo is kept in the history.

    Example: tracker undo
    """
    from tracker.service.history import undo as undo_last

    result = undo_last(database(), by)
    click.echo(f"undid change #{result.undone}: {result.summary}")
