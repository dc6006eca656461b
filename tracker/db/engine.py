"""Where the database is, and how to open it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote, unquote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import InvalidInput

T = TypeVar("T")
DATABASE_ENV = "TRACKER_DATABASE_URL"
DATA_DIR_ENV = "TRACKER_DATA_DIR"


class ReadOnlyDatabase(InvalidInput):
    """A command that writes, on a database that can only be read here."""


def default_data_dir() -> Path:
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import click

    return Path(click.get_app_dir("tracker"))


def resolve_url(option: str | None) -> str:
    """``--db``, else ``TRACKER_DATABASE_URL``, else an SQLite file in the data directory.

    A value without ``://`` is a file path and means SQLite. ``postgresql://`` without a
    driver uses psycopg 3, which the tracker installs. Nothing is made here: the data
    directory and the file are made when a command opens a database that is not there.
    """
    value = option or os.environ.get(DATABASE_ENV)
    if not value:
        return f"sqlite:///{default_data_dir() / 'tracker.db'}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for another engine, memory or a ``file:`` URI)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database)


_SECRET_PARAMETERS = ("password", "sslpassword")
_HIDDEN = "***"


def describe(url: str) -> str:
    """The URL without its password (in the user part or as ``?password=``), for
    messages; also a URL that cannot be parsed."""
    try:
        parsed = make_url(url)
        hidden = {key: _HIDDEN for key in parsed.query if key.lower() in _SECRET_PARAMETERS}
        shown = parsed.update_query_dict(hidden).render_as_string(hide_password=True)
        return shown.replace("%2A%2A%2A", _HIDDEN)
    except (ArgumentError, ValueError):
        return _hide_in_text(url)


def hide_secrets(message: str, url: str) -> str:
    """``message`` (a driver's error, say) with every secret of ``url`` replaced."""
    secrets: list[str] = []
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        parsed = None
    if parsed is not None:
        secrets.append(parsed.password or "")
        for key, value in parsed.query.items():
            if key.lower() in _SECRET_PARAMETERS:
                secrets.extend((value,) if isinstance(value, str) else value)
    for secret in filter(None, secrets):
        message = message.replace(secret, _HIDDEN)
    return _hide_in_text(message)


def _hide_in_text(text: str) -> str:
    text = re.sub(r"(://[^/:@\s]*:)[^@\s]*@", rf"\g<1>{_HIDDEN}@", text)
    return re.sub(r"((?:ssl)?password=)(?!\*\*\*)[^&\s)'\"]*", rf"\g<1>{_HIDDEN}", text,
                  flags=re.IGNORECASE)


def open_engine(url: str, connections: int | None = None) -> Engine:
    """The engine of ``url``; ``connections`` is how many it keeps open at once (a
    server's threads each hold one while they answer: fewer, and the ones over the pool
    are opened and closed again for every request)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(f"database URL {describe(url)!r} is not valid") from None
    except ValueError:  # make_url reads the port as a number, and an IPv6 host
        raise InvalidInput(f"database URL {describe(url)!r} is not valid: its host and "
                           "port cannot be read (host:port, a port is a number)") from None
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InvalidInput(f"database URL {describe(url)!r} is not valid: its port "
                           f"{parsed.port} is not between 1 and 65535")
    target: str | URL = url
    read_only = False
    options: dict[str, Any] = {} if connections is None else {"pool_size": connections}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            if path.exists():
                reading = _read_only_url(path)
                target, read_only = (reading, True) if reading is not None else (url, False)
            else:
                _create_private_file(path)
    elif parsed.get_backend_name() == "postgresql":
        options["connect_args"] = {"options": _with_lock_timeout(parsed.query.get("options"))}
    try:
        engine = create_engine(target, **options)
    except Exception as error:  # an unknown dialect or a driver that is not installed
        raise InvalidInput(f"cannot use database URL {describe(url)}: "
                           f"{hide_secrets(str(error), url)}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect",
                     _sqlite_connect_read_only if read_only else _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def read_only_because(engine: Engine) -> str | None:
    """Why this SQLite database can only be read here; None when it can be written."""
    if engine.dialect.name != "sqlite" or engine.url.query.get("mode") != "ro":
        return None
    database = unquote((engine.url.database or "").removeprefix("file:"))
    path = Path(database)
    if not os.access(path.parent, os.W_OK):
        return f"the database {path} can only be read here (its folder cannot be written)"
    return f"the database {path} can only be read here (the file cannot be written)"


def _read_only_url(path: Path) -> URL | None:
    """The URL that reads an existing SQLite file that cannot be written (a read-only
    disk, a file or folder without write permission); None when it can be written.

    Without write access to the folder SQLite cannot make the WAL's companion files:
    when there is no log (a database closed cleanly has none) the file is opened as
    immutable, which needs neither; a log that is there is read with the file.
    """
    folder_writable = os.access(path.parent, os.W_OK)
    if folder_writable and os.access(path, os.W_OK):
        return None
    query = {"mode": "ro", "uri": "true"}
    log = Path(f"{path}-wal")
    if not folder_writable and not (log.exists() and log.stat().st_size > 0):
        query["immutable"] = "1"
    return URL.create("sqlite", database="file:" + quote(str(path)), query=query)


def _with_lock_timeout(given: str | tuple[str, ...] | None) -> str:
    """The connection's ``options``: a lock that is not granted within the busy timeout
    fails (the command says "the database is busy: try again") instead of waiting for
    ever; options given in the URL come after, so they win."""
    own = f"-c lock_timeout={BUSY_TIMEOUT_MS}"
    if given is None:
        return own
    return " ".join((own, *((given,) if isinstance(given, str) else given)))


def _create_private_file(path: Path) -> None:
    """A new SQLite file readable by its owner only; SQLite gives its WAL and shared-memory
    files the same permissions. The tracker's own folder is made on first use."""
    if path.parent == default_data_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.parent.is_dir():
        raise InvalidInput(f"cannot create the database {path}: its folder does not exist")
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        raise InvalidInput(f"cannot create the database {path}: {error.strerror}") from None


BUSY_TIMEOUT_MS = 30_000


def _sqlite_connect(dbapi_connection: Any, _record: Any, writable: bool = True) -> None:
    # The driver's own transaction handling would BEGIN lazily, deferred: a reader that
    # later writes can then fail at once when another process wrote in between. We say
    # BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # Deleted and overwritten content is zeroed in the file, not left in free pages: an
    # erased student's name must not stay readable there. Most builds of SQLite leave
    # this off; Debian's turns it on; the tracker does not leave it to the build.
    cursor.execute("PRAGMA secure_delete = ON")
    # Writers wait for each other instead of failing; readers never wait for writers.
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if writable:  # (a file that can only be read keeps the journal mode it has)
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")  # in WAL mode: safe against crashes
    cursor.close()


def _sqlite_connect_read_only(dbapi_connection: Any, record: Any) -> None:
    _sqlite_connect(dbapi_connection, record, writable=False)


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
    if not options.get(READ_ONLY, False):
        because = read_only_because(connection.engine)
        if because is not None:
            raise ReadOnlyDatabase(f"{because}: this command would change it; reports, "
                                   "listings and progress work")
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
        from tracker.db import tallies

        tallies.watch(self._sessions)

    @classmethod
    def from_url(cls, url: str, connections: int | None = None) -> Database:
        return cls(open_engine(url, connections))

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

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for a read of one statement (a request's session, say), with
        neither a session of the ORM nor, on PostgreSQL, a transaction: the statement
        sees what was committed when it started, and BEGIN and COMMIT cost no round trip
        of their own. On SQLite, a read-only transaction (it takes no write lock)."""
        with self.engine.connect() as connection:
            if self.engine.dialect.name == "postgresql":
                yield connection.execution_options(isolation_level="AUTOCOMMIT")
                return
            connection.execution_options(**{READ_ONLY: True})
            with connection.begin():
                yield connection

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A connection inside one writing transaction, without a session of the ORM
        (for a write of a few statements that loads no object, and keeps no tally:
        a sign-in request): committed on success, rolled back on an error. On SQLite it
        begins IMMEDIATE, as every writing transaction (see :func:`_sqlite_begin`)."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read_alongside(self) -> Iterator[Alongside[Any]]:
        """A read that can run in a thread of its own, on a connection of its own, while
        a read-only transaction opened inside this block goes on (see :class:`Alongside`):
        a reminder run reads its stories while it judges its students, each work on a
        core of its own. On PostgreSQL it does not run, and the transaction reads it."""
        alongside: Alongside[Any] = Alongside(
            self.engine if self.engine.dialect.name == "sqlite" else None)
        try:
            yield alongside
        finally:
            alongside.close()

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


class Alongside(Generic[T]):
    """A read in a thread, on a connection of its own, beside a read-only transaction
    that began after this was made; :meth:`result` gives its value only when it saw what
    that transaction sees. SQLite says whether any connection committed between two
    questions on one connection (``PRAGMA data_version``): asked before the transaction
    began and again after the read, the same answer means nothing was committed from
    before the transaction's snapshot to after the read's, so the two are one. A write
    meanwhile, or a failed read, gives None: the transaction then reads it itself."""

    def __init__(self, engine: Engine | None) -> None:
        self._connection = None if engine is None else \
            engine.connect().execution_options(**{READ_ONLY: True})
        self._before = None if self._connection is None else self._version()
        self._thread: Any = None
        self._value: T | None = None

    def _version(self) -> Any:
        assert self._connection is not None
        with self._connection.begin():
            return self._connection.exec_driver_sql("PRAGMA data_version").scalar()

    def start(self, read: Callable[[Connection], T]) -> None:
        """``read`` begun; call it once the transaction has read something (its snapshot
        is taken at its first read)."""
        if self._connection is None:
            return
        import threading

        self._thread = threading.Thread(target=self._run, args=(read,), daemon=True)
        self._thread.start()

    def _run(self, read: Callable[[Connection], T]) -> None:
        assert self._connection is not None
        try:
            with self._connection.begin():
                value = read(self._connection)
            if self._version() == self._before:
                self._value = value
        except Exception:  # (the transaction reads it itself, and says what went wrong)
            self._value = None

    def result(self) -> T | None:
        """The read's value, once it is done; None when it did not run, failed, or
        another connection committed meanwhile."""
        if self._thread is None:
            return None
        self._thread.join()
        return self._value

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
