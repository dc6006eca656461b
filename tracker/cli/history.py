"""``tracker history`` and ``tracker undo``."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.common import (
    ONE_OR_MORE,
    SHEET_FORMATS,
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


@click.command(short_help="Revert your last change (the undo stays in the history).")
@click.option("--change", "change_id", type=ONE_OR_MORE, metavar="N",
              help="Revert change N instead (its number in `tracker history`), whoever "
                   "made it.")
@click.option("--by", metavar="NAME",
              help="Whose last change to revert, and who reverts it (default: your login "
                   "name).")
def undo(change_id: int | None, by: str | None) -> None:
    """Revert your own last change that is not undone yet: the last one made with the
    same --by, or without --by, under your login name. --change N reverts another.

    The undo is kept in the history. It is refused, in words, when a later change wrote
    over what it would revert (undo that one first), or when it is a check-in session
    still open at the door (end it there first).

    \b
    Examples:
      tracker undo
      tracker undo --by "Dr. Smit"
      tracker undo --change 12
    """
    from tracker.service.history import undo as undo_change

    result = undo_change(database(), by, change=change_id)
    click.echo(f"undid change #{result.undone} ({result.command} by {result.by}, "
               f"{result.at.astimezone():%Y-%m-%d %H:%M}): {result.summary}")
