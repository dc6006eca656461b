"""The newest schema, migrated for real once per engine and run, copied into each brand-new
database the tests open in this process.

The tracker migrates a database that has no tables when it is first used
(:func:`tracker.db.schema.ensure_ready` calls :func:`tracker.db.migrate.upgrade`). While
:func:`install` is in force, that call, for ``head`` on a database with no tables, copies
the template instead: on SQLite page by page (SQLite's backup), into the file the tracker
has just created with its own permissions and pragmas; on PostgreSQL by running the
template schema's ``pg_dump`` with the schema's name replaced. Every other call (another
revision, a database with tables, a process of its own, a test marked
``real_migrations``) runs the migrations. ``tests/test_schema_templates.py`` holds the
copies equal to what the migrations make.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

PLACEHOLDER = "\x00schema\x00"
REAL_MIGRATIONS: ContextVar[bool] = ContextVar("real_migrations", default=False)


class Templates:
    """One migrated database per engine, made on first use."""

    def __init__(self, folder: Path, postgres: Any | None) -> None:
        self.folder = folder
        self.postgres = postgres  # conftest.PostgresSchemas, or None
        self._sqlite: sqlite3.Connection | None = None
        self._postgres_sql: str | None = None
        self._postgres_schema: str | None = None
        self.unavailable: dict[str, str] = {}  # engine -> why it migrates for real
        self.copies = 0

    def copy_into(self, engine: Engine, migrate: Callable[[Engine, str], None]) -> bool:
        """Give ``engine``'s empty database the newest schema; False if it cannot."""
        name = engine.dialect.name
        if name in self.unavailable:
            return False
        if name == "sqlite":
            self._copy_sqlite(engine, migrate)
        elif name == "postgresql" and self.postgres is not None:
            sql = self._postgres_dump(migrate)
            if sql is None:
                return False
            self._copy_postgres(engine, sql)
        else:
            return False
        self.copies += 1
        return True

    # --- SQLite ----------------------------------------------------------------------

    def _sqlite_template(self, migrate: Callable[[Engine, str], None]) -> sqlite3.Connection:
        if self._sqlite is None:
            from tracker.db.engine import open_engine

            path = self.folder / "template.db"
            engine = open_engine(f"sqlite:///{path}")
            migrate(engine, "head")
            engine.dispose()
            self._sqlite = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                           check_same_thread=False)
        return self._sqlite

    def _copy_sqlite(self, engine: Engine, migrate: Callable[[Engine, str], None]) -> None:
        template = self._sqlite_template(migrate)
        with engine.connect() as connection:  # outside a transaction: backup needs that
            template.backup(connection.connection.driver_connection)  # type: ignore[arg-type]

    # --- PostgreSQL ------------------------------------------------------------------

    def _postgres_dump(self, migrate: Callable[[Engine, str], None]) -> str | None:
        if self._postgres_sql is None:
            pg_dump = shutil.which("pg_dump")
            if pg_dump is None:
                self.unavailable["postgresql"] = "no pg_dump on the PATH"
                return None
            from sqlalchemy import create_engine

            schema = self.postgres.create("template_")
            self._postgres_schema = schema
            url = self.postgres.url(schema)
            engine = create_engine(url)
            migrate(engine, "head")
            engine.dispose()
            dumped = subprocess.run(
                [pg_dump, "--schema", schema, "--inserts", "--no-owner", "--no-privileges",
                 "--dbname", self.postgres.base.replace("postgresql+psycopg://",
                                                        "postgresql://")],
                capture_output=True, text=True)
            if dumped.returncode != 0:
                self.unavailable["postgresql"] = dumped.stderr.strip()
                return None
            self._postgres_sql = _schema_statements(dumped.stdout, schema)
        return self._postgres_sql

    def _copy_postgres(self, engine: Engine, sql: str) -> None:
        with engine.connect() as connection:
            driver: Any = connection.connection.driver_connection
            schema = driver.execute("SELECT current_schema()").fetchone()[0]
            driver.execute("SET LOCAL synchronous_commit = off")  # a test's database
            driver.execute(sql.replace(PLACEHOLDER, f'"{schema}"'))
            driver.commit()

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
        if self._postgres_schema is not None:
            self.postgres.drop([self._postgres_schema])


def _schema_statements(dump: str, schema: str) -> str:
    """pg_dump's script of one schema, for another schema that exists (its name where
    :data:`PLACEHOLDER` is)."""
    kept = []
    for line in dump.splitlines():
        if line.startswith(("--", "\\")) or not line.strip():  # comments, psql commands
            continue
        if re.match(r"(CREATE SCHEMA|SET |SELECT pg_catalog.set_config)", line):
            continue
        kept.append(line)
    text = "\n".join(kept)
    quoted = re.escape(schema)
    return re.sub(rf'"?{quoted}"?\.', PLACEHOLDER + ".", text)


def _has_tables(engine: Engine) -> bool:
    from sqlalchemy import inspect

    with engine.connect() as connection:
        return bool(inspect(connection).get_table_names())


@contextmanager
def install(templates: Templates) -> Iterator[None]:
    """While in force, this process's brand-new databases are copies of the template."""
    from tracker.db import migrate

    real_upgrade = migrate.upgrade

    def upgrade(engine: Engine, revision: str = "head") -> None:
        if (revision == "head" and not REAL_MIGRATIONS.get() and not _has_tables(engine)
                and templates.copy_into(engine, real_upgrade)):
            return
        real_upgrade(engine, revision)

    migrate.upgrade = upgrade  # type: ignore[assignment]
    try:
        yield
    finally:
        migrate.upgrade = real_upgrade  # type: ignore[assignment]
