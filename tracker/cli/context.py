"""The application context of one run (``ctx.obj``) and the error users see.

Kept apart from :mod:`tracker.cli.common` so that ``tracker --help`` imports only this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from tracker.db.engine import Database


class UserError(click.ClickException):
    """Bad usage or bad input: one sentence, exit code 2, nothing written."""

    exit_code = 2


class TryAgain(click.ClickException):
    """A passing problem (the database is busy): one sentence, exit code 1, nothing
    written; the same command a moment later may well succeed."""

    exit_code = 1


class AppContext:
    """Settings of this run, and the database opened on first use."""

    def __init__(self, db_option: str | None = None,
                 on_open: Callable[[], None] | None = None) -> None:
        self.db_option = db_option
        self.on_open = on_open  # told once, when the database is first opened
        self._database: Database | None = None

    def url(self) -> str:
        from tracker.db.engine import resolve_url

        return resolve_url(self.db_option)

    def database(self, *, check_schema: bool = True) -> Database:
        """The database, created at the newest schema if brand-new, refused if behind."""
        if self._database is None:
            from tracker.db.engine import Database
            from tracker.db.schema import ensure_ready

            database = Database.from_url(self.url())
            if check_schema and ensure_ready(database.engine):
                from tracker.service.rules import ensure_default_rules

                ensure_default_rules(database)
            self._database = database
            self.opened()
        return self._database

    def opened(self) -> None:
        """Tell ``on_open`` (once): the database is open, here or by the portal, which
        opens its own."""
        told, self.on_open = self.on_open, None
        if told is not None:
            told()

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
