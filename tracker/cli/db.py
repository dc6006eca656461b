"""``tracker db``: the schema's version, and moving it with the shipped migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tracker.cli.common import CommandGroup, app

if TYPE_CHECKING:
    from sqlalchemy import Engine


@click.group(cls=CommandGroup)
def db() -> None:
    """Create, upgrade and check the database schema."""


def _engine() -> Engine:
    return app(click.get_current_context()).database(check_schema=False).engine


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Upgrade the schema to REVISION (default: the newest).

    Example: tracker db upgrade
    """
    from tracker.db.migrate import current_revision, head_revision
    from tracker.db.migrate import upgrade as run_upgrade
    from tracker.service.rules import ensure_default_rules

    context = app(click.get_current_context())
    engine = context.database(check_schema=False).engine
    before = current_revision(engine)
    run_upgrade(engine, revision)
    after = current_revision(engine)
    if after == head_revision():
        ensure_default_rules(context.database(check_schema=False))
    if before == after:
        click.echo(f"already at revision {after}: nothing to do")
    else:
        click.echo(f"upgraded from {before or 'an empty database'} to revision {after}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION ('base' removes every table).

    Example: tracker db downgrade base
    """
    from tracker.db.migrate import current_revision
    from tracker.db.migrate import downgrade as run_downgrade

    engine = _engine()
    before = current_revision(engine)
    run_downgrade(engine, revision)
    click.echo(f"downgraded from {before or 'base'} to {current_revision(engine) or 'base'}")


@db.command()
def current() -> None:
    """Show the database, its schema revision and the newest one this tracker knows."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from tracker.db.engine import describe
    from tracker.db.migrate import current_revision, head_revision

    context = app(click.get_current_context())
    url, head = context.url(), head_revision()
    click.echo(f"database: {describe(url)}")
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not file.startswith("file:") and \
            not Path(file).exists():  # looking creates nothing
        click.echo(f"revision: none, the file is not there yet (newest: {head}); the first "
                   "command that uses it creates it")
        return
    revision = current_revision(_engine())
    state = ("up to date" if revision == head else
             "empty: the next command creates the schema" if revision is None else
             "run `tracker db upgrade`")
    click.echo(f"revision: {revision or 'base (empty)'} (newest: {head}; {state})")


@db.command()
def check() -> None:
    """Exit 1 unless the schema is at the newest revision and matches the models."""
    from tracker.db.migrate import current_revision, head_revision, model_differences

    engine = _engine()
    revision, head = current_revision(engine), head_revision()
    if revision != head:
        click.echo(f"schema at {revision or 'base (empty)'}, newest is {head}: "
                   "run `tracker db upgrade`", err=True)
        raise SystemExit(1)
    differences = model_differences(engine)
    if differences:
        click.echo("the schema differs from the models:", err=True)
        for difference in differences:
            click.echo(f"  {difference}", err=True)
        raise SystemExit(1)
    click.echo(f"ok: schema at revision {head}, matching the models")
