"""Where the database is, and how to open it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import InvalidInput

DATABASE_ENV = "TRACKER_DATABASE_URL"
DATA_DIR_ENV = "TRACKER_DATA_DIR"


def default_data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import click

    return Path(click.get_app_dir("tracker"))


def resolve_url(option: str | None) -> str:
    """``--db``, else ``TRACKER_DATABASE_URL``, else an SQLite file in the data directory.

    A value without ``://`` is a file path and means SQLite. ``postgresql://`` without a
    driver uses psycopg 3, which the tracker installs.
    """
    value = option or os.environ.get(DATABASE_ENV)
    if not value:
        path = default_data_dir() / "tracker.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def open_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"database URL {url!r} is not valid") from None
    options: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not Path(database).parent.is_dir():
            raise InvalidInput(f"cannot create the database {database}: "
                               "its folder does not exist")
    try:
        engine = create_engine(url, **options)
    except Exception as error:  # an unknown dialect or a driver that is not installed
        raise InvalidInput(f"cannot use database URL {describe(url)}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.close()


class Database:
    """An engine and its sessions. One :meth:`transaction` per command."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(open_engine(url))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
