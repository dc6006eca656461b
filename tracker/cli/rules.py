"""``tracker rules``: check, load and show the requirement rules."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.common import CommandGroup, by_option, database, emit, format_option, note
from tracker.cli.context import UserError
from tracker.errors import RulesError


def _shown(path: Path | str) -> str:
    """A file's name as a message shows it (escaped: it may hold anything)."""
    from tracker.characters import shown

    return shown(str(path), 200)


def _read(path: Path) -> str:
    from tracker.rules.checks import MAX_BYTES

    name = _shown(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as error:
        raise UserError(f"{name}: {error.strerror}") from None
    if len(data) > MAX_BYTES:
        raise UserError(f"{name}: larger than {MAX_BYTES:,} bytes, and a rules file is a few "
                        "kilobytes: is it the right file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"{name}: not UTF-8 text (byte {error.start})") from None


_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group(cls=CommandGroup)
def rules() -> None:
    """The requirement rules: which activities count, how many, by when."""


@rules.command()
@click.argument("file", type=_FILE)
def check(file: Path) -> None:
    """Validate a rules FILE without loading it (exit 1 if it has problems).

    Example: tracker rules check rules.toml
    """
    from tracker.rules import parse_rules

    try:
        book = parse_rules(_read(file), _shown(file))
    except RulesError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    click.echo(f"{_shown(file)}: ok, {len(book.kinds)} kinds, {len(book.assignments)} assignments, "
               f"{len(book.sets)} requirement sets ({', '.join(s.id for s in book.sets)})")


@rules.command()
@click.argument("file", type=_FILE)
@by_option
def load(file: Path, by: str | None) -> None:
    """Load a rules FILE as the new version in force (refused whole if invalid).

    Example: tracker rules load rules.toml
    """
    from tracker.service.rules import load_rules

    outcome = load_rules(database(), _read(file), _shown(file.name), by)
    if outcome.created:
        click.echo(f"loaded {_shown(file)} as rules version {outcome.version}")
        for problem in outcome.uncovered:
            note(f"warning: {problem}")
    else:
        click.echo(f"{_shown(file)} is the same as rules version {outcome.version}: "
                   "nothing changed")


@rules.command()
@click.option("--toml", "as_toml", is_flag=True,
              help="Print the rules file in force, to edit and load again.")
@format_option
def show(as_toml: bool, fmt: str | None) -> None:
    """Show the rules in force: every requirement of every set.

    Example: tracker rules show --toml > rules.toml
    """
    from tracker.cli.views import rules_document
    from tracker.service.rules import current_rules

    in_force = current_rules(database())
    if as_toml:
        click.echo(in_force.content, nl=False)
        return
    emit(rules_document(in_force), fmt)
