"""Databases for the tests: a fresh SQLite file, and (when configured) a fresh PostgreSQL
schema, per test. Every test that takes ``db_url`` runs on both engines."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
RUN_ID = uuid.uuid4().hex[:8]


def _postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture
def new_postgres_url() -> Iterator[Callable[[], str]]:
    """Makes URLs whose connections use a schema of their own, dropped after the test."""
    base = _postgres_base()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test)")
    from sqlalchemy import create_engine, text

    admin = create_engine(_psycopg_url(base), isolation_level="AUTOCOMMIT")
    schemas: list[str] = []

    def make() -> str:
        schema = f"tracker_{RUN_ID}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        separator = "&" if "?" in base else "?"
        return f"{_psycopg_url(base)}{separator}options=-csearch_path%3D{schema}"

    try:
        yield make
    finally:
        with admin.connect() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url(new_postgres_url: Callable[[], str]) -> str:
    return new_postgres_url()


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """Makes a fresh database of an engine ("sqlite" or "postgresql") on each call."""
    counter = iter(range(1, 1000))

    def make(engine: str) -> str:
        if engine == "sqlite":
            return str(tmp_path / f"database-{next(counter)}.db")
        return str(request.getfixturevalue("new_postgres_url")())

    return make


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "tracker.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


class Tracker:
    """Runs ``tracker`` commands against one database, as a user would type them."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, expect: int | None = 0, input: str | None = None) -> Result:
        from tracker.cli import main

        result = self.runner.invoke(main, ["--db", self.url, *args], input=input,
                                    catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert expect is None or result.exit_code == expect, (
            f"tracker {' '.join(args)} exited {result.exit_code}, expected {expect}:\n"
            f"{result.output}")
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str) -> object:
        import json

        return json.loads(self(*args, "--format", "json").stdout)


@pytest.fixture
def tracker(db_url: str) -> Tracker:
    return Tracker(db_url)


@pytest.fixture
def sqlite_tracker(sqlite_url: str) -> Tracker:
    return Tracker(sqlite_url)


@pytest.fixture
def db(db_url: str) -> Iterator[object]:
    """A fresh database (both engines) for tests that call the services directly."""
    from tracker.cli.context import AppContext

    context = AppContext(db_url)
    yield context.database()
    context.close()
