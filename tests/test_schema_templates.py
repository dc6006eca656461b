"""The copies of the migrated schema that brand-new test databases get (see
tests/schema_templates.py) are what the migrations make, on both engines."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from schema_templates import REAL_MIGRATIONS
from sqlalchemy import create_engine, text

from tracker.db.engine import open_engine, resolve_url


def created(url: str, *, real: bool) -> None:
    """What a brand-new database gets before the tracker stores its default rules."""
    from tracker.db import migrate

    token = REAL_MIGRATIONS.set(real)
    engine = open_engine(resolve_url(url))
    try:
        migrate.upgrade(engine, "head")
    finally:
        engine.dispose()
        REAL_MIGRATIONS.reset(token)


def _unordered(sql: str | None) -> object:
    """A table's definition as a set of lines: Alembic's batch mode rebuilds a table with
    its constraints in no fixed order (two real migrations differ there too)."""
    return None if sql is None else frozenset(sql.removesuffix("\n)").split(", \n\t"))


def sqlite_schema(url: str) -> tuple[object, ...]:
    connection = sqlite3.connect(url)
    try:
        master = [(kind, name, table, _unordered(sql)) for kind, name, table, sql in
                  connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                     "ORDER BY type, name")]
        rows = {name: connection.execute(f'SELECT * FROM "{name}"').fetchall()
                for _type, name, _table, _sql in master if _type == "table"}
        pragmas = [connection.execute(f"PRAGMA {p}").fetchall()
                   for p in ("journal_mode", "user_version", "page_size", "foreign_key_list")]
    finally:
        connection.close()
    return master, rows, pragmas


POSTGRES_CATALOG = {
    "columns": "SELECT table_name, column_name, ordinal_position, data_type, "
               "character_maximum_length, is_nullable, column_default "
               "FROM information_schema.columns WHERE table_schema = current_schema()",
    "constraints": "SELECT c.conname, c.contype, t.relname, c.conkey, c.confkey, "
                   "c.confdeltype, c.confupdtype, c.condeferrable "
                   "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                   "WHERE t.relnamespace = current_schema()::regnamespace",
    "checks": "SELECT conname, pg_get_expr(conbin, conrelid) FROM pg_constraint "
              "WHERE contype = 'c' AND connamespace = current_schema()::regnamespace",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes "
               "WHERE schemaname = current_schema()",
    "sequences": "SELECT sequence_name, data_type, start_value, increment "
                 "FROM information_schema.sequences WHERE sequence_schema = current_schema()",
    "version": "SELECT version_num FROM alembic_version",
}


def postgres_schema(url: str) -> dict[str, set[tuple[object, ...]]]:
    """The catalogue of a schema, its own name left out."""
    engine = create_engine(resolve_url(url))
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
        found = {name: {tuple(str(value).replace(schema, "SCHEMA") for value in row)
                        for row in connection.execute(text(sql))}
                 for name, sql in POSTGRES_CATALOG.items()}
    engine.dispose()
    # PostgreSQL stores a CHECK parsed; re-created from a dump it prints another way that
    # means the same (the casts move): compared by the values it allows.
    found["checks"] = {(name, *sorted(re.findall(r"'([^']*)'", check)))
                       for name, check in found["checks"]}
    return found


def test_a_copied_sqlite_database_equals_a_migrated_one(tmp_path, schema_templates):
    copies = schema_templates.copies
    created(str(tmp_path / "copied.db"), real=False)
    assert sqlite_schema(str(tmp_path / "copied.db"))[1]["alembic_version"]
    assert schema_templates.copies == copies + 1
    created(str(tmp_path / "migrated.db"), real=True)
    assert schema_templates.copies == copies + 1
    assert sqlite_schema(str(tmp_path / "copied.db")) == \
        sqlite_schema(str(tmp_path / "migrated.db"))


def test_a_copied_postgres_schema_equals_a_migrated_one(new_postgres_url, schema_templates):
    if shutil.which("pg_dump") is None:
        pytest.skip("needs pg_dump")
    copied, migrated = new_postgres_url(), new_postgres_url()
    copies = schema_templates.copies
    created(copied, real=False)
    assert schema_templates.copies == copies + 1, schema_templates.unavailable
    created(migrated, real=True)
    assert postgres_schema(copied) == postgres_schema(migrated)
    assert postgres_schema(copied)["columns"]


def test_tests_of_the_migrations_migrate_for_real(request):
    from conftest import REAL_MIGRATION_MODULES

    here = Path(__file__).parent
    assert {"test_migrations.py", "test_database.py"} <= REAL_MIGRATION_MODULES
    assert all((here / name).is_file() for name in REAL_MIGRATION_MODULES)
    assert request.node.get_closest_marker("real_migrations") is None


# --- one engine per URL and test (tests/shared_engines.py) ------------------------------

def engines_of(url: str) -> tuple[object, object]:
    from tracker.cli.context import AppContext

    first, second = AppContext(url), AppContext(url)
    try:
        return first.database().engine, second.database().engine
    finally:
        first.close()
        second.close()


def test_the_commands_of_a_test_share_an_engine_per_url(sqlite_tracker, sqlite_url):
    first, second = engines_of(sqlite_url)
    assert first is second
    # each command still does what opening the engine does: a file gone is made again,
    # readable by its owner only
    sqlite_tracker("student", "list")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_url}{suffix}").unlink(missing_ok=True)
    sqlite_tracker("student", "list")
    assert oct(Path(sqlite_url).stat().st_mode & 0o777) == "0o600"


@pytest.mark.own_engines
def test_a_test_can_ask_for_an_engine_per_command(sqlite_tracker, sqlite_url):
    sqlite_tracker("student", "list")
    first, second = engines_of(sqlite_url)
    assert first is not second
