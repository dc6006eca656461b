"""The PostgreSQL figures: the same programme in a schema of its own on the server of
TRACKER_TEST_POSTGRES_URL."""

from __future__ import annotations

import uuid
from pathlib import Path

import data
import door_room
import web
from measure import BASELINES, PYTHON, TRACKER, Table, load_programme, paired, run, tool_env


def postgres_schema(base: str) -> str:
    """A new schema on the benchmark's server, as a URL whose connections use it."""
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in libpq else "?"
    return f"{libpq}{separator}options=-csearch_path%3D{schema}"


def drop_schema(base: str, url: str) -> None:
    """The one schema of ``url`` (as :func:`postgres_schema` made it), not another run's."""
    import psycopg

    schema = url.rsplit("search_path%3D", 1)[1]
    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def drop_schemas(base: str) -> None:
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as connection:
        for (schema,) in connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'").fetchall():
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_figures(table: Table, dataset: data.Dataset, folder: Path, repeat: int,
                     base: str, quick: bool) -> None:
    print("PostgreSQL: the same programme", flush=True)
    tool_url, baseline_url = postgres_schema(base), postgres_schema(base)
    env = tool_env(tool_url, folder)
    load_programme(dataset, env)
    load_programme(dataset, tool_env(baseline_url, folder))
    rows = f"{dataset.participations:,}"
    imported = run([TRACKER, "attend", "--import", str(dataset.attendance_csv)], env)
    baseline = run([PYTHON, BASELINES, "import-table", baseline_url,
                    str(dataset.attendance_csv)], env)
    table.add(f"PostgreSQL: attend --import, {rows} rows, vs psycopg executemany into the "
              "same table", imported.seconds, baseline.seconds, None)
    student = dataset.number(dataset.students // 2)
    table.add(f"PostgreSQL: progress {student} --format json vs python -c 'import "
              "sqlalchemy.orm, psycopg'",
              *paired([TRACKER, "progress", student, "--format", "json"],
                      [PYTHON, "-c", "import sqlalchemy.orm, psycopg"], env, repeat), 1.1)
    table.add(f"PostgreSQL: report --format csv, {dataset.students:,} students, vs psycopg: "
              "GROUP BY student, kind, to CSV",
              *paired([TRACKER, "report", "--format", "csv"],
                      [PYTHON, BASELINES, "report", tool_url], env, repeat), 1.25)
    print("PostgreSQL: the portal, two serve processes", flush=True)
    numbers = [dataset.number(i) for i in range(dataset.students)]
    web.web_figures(table, "PostgreSQL", tool_url, tool_url, student, dataset.students,
                    numbers, folder, env, quick)
    door_room.room_figures(table, "PostgreSQL", tool_url, tool_url, numbers, folder, env)
