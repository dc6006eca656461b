"""What the tool is measured against: plain scripts that do the same job without it.

Run as ``python baselines.py import|report DATABASE [CSV]``. SQLite only; the
PostgreSQL variants take a URL and use psycopg directly.
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


def sqlite_import(database: str, attendance_csv: str) -> None:
    """Read the sign-in CSV and insert it with executemany, into a copy of the tool's
    own participation table (same constraints and indexes), in one transaction."""
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


def sqlite_report(database: str) -> None:
    connection = sqlite3.connect(database)
    writer = csv.writer(sys.stdout)
    writer.writerow(["student", "name", "kind", "attended"])
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


def postgres_report(url: str) -> None:
    import psycopg

    with psycopg.connect(url) as connection:
        writer = csv.writer(sys.stdout)
        writer.writerow(["student", "name", "kind", "attended"])
        writer.writerows(connection.execute(REPORT_SQL))


if __name__ == "__main__":
    job, target, *rest = sys.argv[1:]
    postgres = target.startswith("postgresql")
    if job == "import":
        (postgres_import if postgres else sqlite_import)(target, rest[0])
    else:
        (postgres_report if postgres else sqlite_report)(target)
