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
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            _create_private_file(Path(database))
    try:
        engine = create_engine(url)
    except Exception as error:  # an unknown dialect or a driver that is not installed
        raise InvalidInput(f"cannot use database URL {describe(url)}: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _create_private_file(path: Path) -> None:
    """A new SQLite file readable by its owner only; SQLite gives its WAL and shared-memory
    files the same permissions. An existing file is left as it is."""
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot create the database {path}: its folder does not exist")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        raise InvalidInput(f"cannot create the database {path}: {error.strerror}") from None


BUSY_TIMEOUT_MS = 30_000


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling would BEGIN lazily, deferred: a reader that
    # later writes can then fail at once when another process wrote in between. We say
    # BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Writers wait for each other instead of failing; readers never wait for writers.
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: safe against crashes
    cursor.close()


def _sqlite_synchronous_full(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.close()


READ_ONLY = "tracker_read_only"
BULK = "tracker_bulk"
BULK_CACHE_KIB = 65_536  # 64 MiB: a sign-in sheet of 400,000 lines fits; 4 million stay lean


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE takes the write lock up front (waiting up to the busy timeout);
    transactions marked read-only begin deferred and never block a writer.

    A bulk transaction (an import) gets a larger page cache, so that a sign-in sheet's
    B-tree is built in memory and written once, and checks no foreign key row by row:
    every key it writes it took, within this transaction, from the rows it refers to.
    """
    options = connection.get_execution_options()
    pooled = connection.connection  # the pool's connection: it outlives this transaction
    driver = pooled.driver_connection
    if options.get(BULK, False):  # (pragmas that only work outside a transaction)
        driver.execute("PRAGMA foreign_keys = OFF")
        driver.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        pooled.info[BULK] = True
    elif pooled.info.pop(BULK, False):  # the next transaction on it checks them again
        driver.execute("PRAGMA foreign_keys = ON")
    connection.exec_driver_sql("BEGIN" if options.get(READ_ONLY, False) else "BEGIN IMMEDIATE")


class Rollback(Exception):
    """Raised inside :meth:`Database.transaction` to end it without keeping anything:
    a dry run, or a command that turned out to change nothing."""


class Database:
    """An engine and its sessions. One :meth:`transaction` per command."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(open_engine(url))

    @contextmanager
    def transaction(self, *, read_only: bool = False, bulk: bool = False) \
            -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error.

        Say ``read_only`` for a command that only reads: on SQLite it then takes no
        write lock; ``bulk`` for one that writes many rows it checked itself (see
        :func:`_sqlite_begin`). Raising :class:`Rollback` inside rolls back quietly.
        """
        from tracker.db import tallies

        try:
            with self._sessions() as session, session.begin():
                session.connection(execution_options={READ_ONLY: read_only, BULK: bulk})
                yield session
                tallies.refresh(session)  # derived counts, in the same transaction
        except Rollback:
            pass

    def durable(self) -> None:
        """From now on a commit is on disk when it returns, also against a power cut.

        In WAL mode with ``synchronous = NORMAL`` SQLite's commits survive a crash of the
        process but not of the machine; a door that promises what it answered asks for
        ``FULL`` (one sync of the log per commit), set on each connection as the pool
        hands it out, outside any transaction. PostgreSQL's commits are durable already.
        """
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "checkout", _sqlite_synchronous_full)

    def dispose(self) -> None:
        self.engine.dispose()
