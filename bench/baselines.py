"""What the tool is measured against: plain scripts that do the same job without it.

    python baselines.py import-minimal DATABASE CSV   # the least work that stores it
    python baselines.py import-table DATABASE CSV     # into the tracker's own table
    python baselines.py report DATABASE               # GROUP BY student, kind -> CSV

SQLite; ``import-table`` and ``report`` take a PostgreSQL URL too (psycopg directly).
"""

from __future__ import annotations

import csv
import sqlite3
import sys

REPORT_SQL = """
SELECT s.number, s.name, a.kind, count(*) FROM participation p
JOIN activity a ON a.id = p.activity_id JOIN student s ON s.id = p.student_id
WHERE p.status = 'attended' GROUP BY s.id, a.kind ORDER BY s.id
"""

MINIMAL_TABLE = """CREATE TABLE minimal (id INTEGER PRIMARY KEY, student INTEGER NOT NULL,
    activity INTEGER NOT NULL, status TEXT NOT NULL, recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL, source TEXT NOT NULL, UNIQUE (student, activity))"""


def minimal_import(database: str, attendance_csv: str) -> None:
    """The least work that stores the same facts: read the sign-in CSV and insert it
    with executemany into a minimal table (a row id and a unique (student, activity)),
    in one transaction, SQLite's defaults otherwise."""
    connection = sqlite3.connect(database)
    students = dict(connection.execute("SELECT number, id FROM student"))
    connection.execute("DROP TABLE IF EXISTS minimal")
    connection.execute(MINIMAL_TABLE)
    with open(attendance_csv, newline="") as source:
        reader = csv.reader(source)
        next(reader)
        rows = ((students[number], int(activity), "attended", "2026-01-01 00:00:00.000000",
                 "baseline", f"{attendance_csv}:{line}")
                for line, (number, activity) in enumerate(reader, start=2))
        with connection:
            connection.executemany(
                "INSERT INTO minimal (student, activity, status, recorded_at, recorded_by, "
                "source) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (student, activity) DO NOTHING",
                rows)
    connection.close()


def table_import(database: str, attendance_csv: str) -> None:
    """The same CSV into the tracker's own participation table (its constraints and
    indexes), with executemany."""
    if database.startswith("postgresql"):
        return postgres_import(database, attendance_csv)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA foreign_keys = ON")
    students = dict(connection.execute("SELECT number, id FROM student"))
    with open(attendance_csv, newline="") as source:
        reader = csv.reader(source)
        next(reader)
        rows = ((students[number], int(activity), "attended", "baseline",
                 "2026-01-01 00:00:00.000000", "baseline", None, 1000000)
                for number, activity in reader)
        with connection:
            connection.execute("INSERT INTO change (id, at, actor, command, summary) VALUES "
                               "(1000000, '2026-01-01 00:00:00', 'b', 'b', 'b')")
            connection.executemany(
                "INSERT INTO participation (student_id, activity_id, status, recorded_by, "
                "recorded_at, source, note, change_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (student_id, activity_id) DO NOTHING", rows)
    connection.close()


def report(database: str) -> None:
    """One GROUP BY student, kind over the participations, written as CSV."""
    writer = csv.writer(sys.stdout)
    writer.writerow(["student", "name", "kind", "attended"])
    if database.startswith("postgresql"):
        import psycopg

        with psycopg.connect(database) as connection:
            writer.writerows(connection.execute(REPORT_SQL))
        return
    connection = sqlite3.connect(database)
    writer.writerows(connection.execute(REPORT_SQL))


def postgres_import(url: str, attendance_csv: str) -> None:
    import psycopg

    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        students = dict(cursor.execute("SELECT number, id FROM student").fetchall())
        cursor.execute("INSERT INTO change (id, at, actor, command, summary) VALUES "
                       "(1000000, now(), 'b', 'b', 'b')")
        with open(attendance_csv, newline="") as source:
            reader = csv.reader(source)
            next(reader)
            cursor.executemany(
                "INSERT INTO participation (student_id, activity_id, status, recorded_by, "
                "recorded_at, source, note, change_id) VALUES (%s, %s, %s, %s, now(), %s, "
                "%s, %s) ON CONFLICT (student_id, activity_id) DO NOTHING",
                ((students[number], int(activity), "attended", "baseline", "baseline", None,
                  1000000) for number, activity in reader))


if __name__ == "__main__":
    job, target, *rest = sys.argv[1:]
    {"import-minimal": minimal_import, "import-table": table_import,
     "report": report}[job](target, *rest)
