"""One SQLAlchemy engine per database URL and test, for the commands a test runs in this
process.

Each command a user types is a process of its own: it opens an engine, connects, and
SQLAlchemy compiles every statement it runs and asks a new server who it is. A test
runs dozens of commands in one process; compiling the same statements again is half of
what each of them costs (a connection to PostgreSQL and the questions on it, another
tenth). While :func:`shared` is in force, :func:`tracker.db.engine.open_engine` still
does everything it does for each command (the URL read, the private file created, the
listeners set, errors raised), then hands out the test's first engine for that URL in
place of the new one: its statements compiled once, its dialect asked once. Each
command still opens its own connections and closes them when it ends (the tracker
disposes of its engine's pool then), as a process would. A test that changes a setting
of :mod:`tracker.db.engine` (``monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)``)
gets a new engine made with it: the engine is shared per URL and per state of that
module's names.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine


@contextmanager
def shared() -> Iterator[dict[tuple[str, frozenset[tuple[str, int]]], Engine]]:
    from tracker.db import engine as module

    real_open = module.open_engine
    engines: dict[tuple[str, int | None, frozenset[tuple[str, int]]], Engine] = {}

    def open_engine(url: str, connections: int | None = None) -> Engine:
        engine = real_open(url, connections)
        settings = frozenset((name, id(value)) for name, value in vars(module).items())
        first = engines.setdefault((url, connections, settings), engine)
        if first is not engine:
            engine.dispose()  # never connected: nothing to close
        return first

    module.open_engine = open_engine
    try:
        yield engines
    finally:
        module.open_engine = real_open
        for engine in engines.values():
            engine.dispose()
