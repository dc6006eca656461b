"""Databases for the tests: a fresh SQLite file, and (when configured) a fresh PostgreSQL
schema, per test. Every test that takes ``db_url`` runs on both engines.

A brand-new database is created at the newest schema when first used, as a user's is.
Migrating one from nothing costs about 40 ms on SQLite and 130 ms on PostgreSQL, hundreds
of times a run; so the migrations run for real once per engine and run (see
:mod:`schema_templates`), and a brand-new database opened in this process gets a copy of
that result instead. Tests of the migrations themselves (``real_migrations``) migrate.
The commands of one test share an engine per URL (see :mod:`shared_engines`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from schema_templates import REAL_MIGRATIONS, Templates, install
from shared_engines import shared

POSTGRES_ENV = "TRACKER_TEST_POSTGRES_URL"
RUN_ID = uuid.uuid4().hex[:8]

# Whole modules about the schema's creation and its migrations: never a copy.
REAL_MIGRATION_MODULES = {"test_migrations.py", "test_database.py"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_migrations: brand-new databases are migrated "
                                       "for real, not copied from the run's template")
    config.addinivalue_line("markers", "own_engines: each command opens an engine of its "
                                       "own, as a process does (see shared_engines)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in REAL_MIGRATION_MODULES:
            item.add_marker(pytest.mark.real_migrations)


def _postgres_base() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _psycopg_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class PostgresSchemas:
    """Schemas of their own on the configured server, each dropped with its owner."""

    def __init__(self, base: str) -> None:
        from sqlalchemy import create_engine

        self.base = base
        self.admin = create_engine(_psycopg_url(base), isolation_level="AUTOCOMMIT")

    def url(self, schema: str) -> str:
        separator = "&" if "?" in self.base else "?"
        return f"{_psycopg_url(self.base)}{separator}options=-csearch_path%3D{schema}"

    def create(self, label: str = "") -> str:
        from sqlalchemy import text

        schema = f"tracker_{RUN_ID}_{label}{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema

    def drop(self, schemas: list[str]) -> None:
        from sqlalchemy import text

        if schemas:
            with self.admin.connect() as connection:
                names = ", ".join(f'"{schema}"' for schema in schemas)
                connection.execute(text(f"DROP SCHEMA IF EXISTS {names} CASCADE"))


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[PostgresSchemas | None]:
    base = _postgres_base()
    if base is None:
        yield None
        return
    schemas = PostgresSchemas(base)
    yield schemas
    schemas.admin.dispose()


@pytest.fixture(scope="session")
def schema_templates(tmp_path_factory: pytest.TempPathFactory,
                     postgres_schemas: PostgresSchemas | None) -> Iterator[Templates]:
    templates = Templates(tmp_path_factory.mktemp("template"), postgres_schemas)
    with install(templates):
        yield templates
    templates.close()


@pytest.fixture(autouse=True)
def _brand_new_databases(request: pytest.FixtureRequest,
                         schema_templates: Templates) -> Iterator[None]:
    """Copies the template into brand-new databases, unless the test migrates for real;
    and gives the test's commands one engine per URL, unless it wants their own."""
    real = request.node.get_closest_marker("real_migrations") is not None
    token = REAL_MIGRATIONS.set(real)
    if request.node.get_closest_marker("own_engines") is not None:
        yield
    else:
        with shared():
            yield
    REAL_MIGRATIONS.reset(token)


def _schema_maker(postgres_schemas: PostgresSchemas | None) \
        -> Iterator[tuple[Callable[[], str], list[str]]]:
    if postgres_schemas is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. "
                    "postgresql://postgres@127.0.0.1:5432/test)")
    made: list[str] = []

    def make() -> str:
        made.append(postgres_schemas.create())
        return postgres_schemas.url(made[-1])

    yield make, made
    postgres_schemas.drop(made)


@pytest.fixture
def new_postgres_url(postgres_schemas: PostgresSchemas | None) -> Iterator[Callable[[], str]]:
    """Makes URLs whose connections use a schema of their own, dropped after the test."""
    for make, _made in _schema_maker(postgres_schemas):
        yield make


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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  postgres_schemas: PostgresSchemas | None,
                  schema_templates: Templates) -> Iterator[str]:
    """One database per module and engine, for a scenario that its tests only read: build
    it in a module-scoped fixture on :func:`module_tracker`."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("module") / "tracker.db")
        return
    for make, _made in _schema_maker(postgres_schemas):
        yield make()


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


@pytest.fixture(scope="module")
def module_tracker(module_db_url: str) -> Tracker:
    return Tracker(module_db_url)


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
