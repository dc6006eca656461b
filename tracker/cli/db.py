"""``tracker db``: the schema's version, and moving it with the shipped migrations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from tracker.cli.common import CommandGroup, app
from tracker.cli.context import UserError
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy import Engine


@click.group(cls=CommandGroup)
def db() -> None:
    """Create, upgrade and check the database schema."""


def _engine() -> Engine:
    return app(click.get_current_context()).database(check_schema=False).engine


def _not_made_yet() -> Path | None:
    """The SQLite file of this run when it does not exist yet (to be left unmade)."""
    from tracker.db.engine import sqlite_file

    path = sqlite_file(app(click.get_current_context()).url())
    return path if path is not None and not path.exists() else None


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
    if after == head_revision() and after != before:
        ensure_default_rules(context.database(check_schema=False))
    if before == after:
        click.echo(f"already at revision {after}: nothing to do")
    else:
        click.echo(f"upgraded from {before or 'an empty database'} to revision {after}")


@db.command(context_settings={"ignore_unknown_options": True})  # -1 is a revision
@click.argument("revision")
@click.option("--yes", is_flag=True,
              help="Do it: what the later revisions added goes, with the data in it.")
def downgrade(revision: str, yes: bool) -> None:
    """Downgrade the schema to REVISION ('base' removes every table and all data).

    Without --yes it only says what would be undone. It is refused while the database
    remembers erased students and the revision that keeps that record would go.

    Example: tracker db downgrade 0006 --yes
    """
    from tracker.db.migrate import downgrade as run_downgrade
    from tracker.db.migrate import downgrade_plan

    if _not_made_yet() is not None:
        raise UserError("there is no database here yet: nothing to downgrade")
    engine = _engine()
    plan = downgrade_plan(engine, revision)
    before = plan.undone[0][0] if plan.undone else plan.target
    if not plan.undone:
        click.echo(f"already at revision {plan.target}: nothing to do")
        return
    if not yes:
        undone = "; ".join(f"{known} ({does})" for known, does in plan.undone)
        raise UserError(
            f"downgrading to {plan.target} "
            + ("removes every table and all the data in them"
               if plan.target == "base" else f"undoes {undone}, and the data they hold goes")
            + ": add --yes to do it")
    run_downgrade(engine, plan)
    click.echo(f"downgraded from {before} to {plan.target}")


@db.command()
def current() -> None:
    """Show the database, its schema revision and the newest one this tracker knows."""
    from tracker.db.engine import describe
    from tracker.db.migrate import current_revision, head_revision

    context = app(click.get_current_context())
    head = head_revision()
    click.echo(f"database: {describe(context.url())}")
    if _not_made_yet() is not None:  # looking makes nothing: the first command will
        click.echo(f"revision: none, not made yet (newest: {head}; the first command "
                   "makes it at the newest)")
        return
    revision = current_revision(_engine())
    state = ("up to date" if revision == head else
             "empty: the next command creates the schema" if revision is None else
             "run `tracker db upgrade`")
    click.echo(f"revision: {revision or 'base (empty)'} (newest: {head}; {state})")


@db.command()
def check() -> None:
    """Exit 1 unless the database file is sound (SQLite), the schema is at the newest
    revision and it matches the models."""
    from tracker.db.migrate import current_revision, head_revision, model_differences

    missing = _not_made_yet()
    if missing is not None:
        _fail(f"there is no database at {missing} yet: the first command makes it")
    engine = _engine()
    damage = _damage(engine)
    if damage:
        _fail("the database file is damaged (SQLite's quick_check); restore it from a "
              "backup:", damage)
    try:
        revision, head = current_revision(engine), head_revision()
    except TrackerError as error:  # an unclear version: the check failed
        _fail(str(error))
    if revision != head:
        _fail(f"schema at {revision or 'base (empty)'}, newest is {head}: "
              "run `tracker db upgrade`")
    differences = model_differences(engine)
    if differences:
        _fail("the schema differs from the models:", differences)
    click.echo(f"ok: schema at revision {head}, matching the models")


_SHOWN_PROBLEMS = 10


def _damage(engine: Engine) -> list[str]:
    """What SQLite's quick check finds wrong with the file (empty: nothing)."""
    if engine.dialect.name != "sqlite":
        return []
    from sqlalchemy.exc import DBAPIError

    from tracker.db.engine import READ_ONLY
    from tracker.db.failures import first_line

    try:
        with engine.connect() as connection:
            connection = connection.execution_options(**{READ_ONLY: True})
            found = [str(row[0]) for row in connection.exec_driver_sql(
                f"PRAGMA quick_check({_SHOWN_PROBLEMS})")]
    except DBAPIError as error:  # too damaged to check
        return [first_line(error.orig or error)]
    return [] if found == ["ok"] else found


def _fail(message: str, details: list[str] | tuple[str, ...] = ()) -> None:
    click.echo(message, err=True)
    for detail in details:
        click.echo(f"  {detail}", err=True)
    raise SystemExit(1)
