"""The web figures' baseline: the least Flask app that does each job, under the same
waitress as ``tracker serve`` (same threads), on the same database.

    python minimal_web.py DATABASE PORT THREADS

- ``GET /healthz``: "ok".
- ``GET /me/<number>``: that student's participations, read with one query, rendered
  with a one-line template (what /me must do at the least: read and answer).
- ``GET /room/<activity>`` reads one row (the activity); ``POST /room/<activity>``
  inserts one row (the check-in) with a synced commit: SQLite ``synchronous=FULL``, or
  a PostgreSQL commit (synced by default). The least work that answers a phone and
  keeps its check-in through a power cut.

DATABASE is an SQLite file or a PostgreSQL URL (psycopg directly). Each of waitress's
threads keeps one connection of its own.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from typing import Any

from flask import Flask, render_template_string, request
from waitress import serve

ME_SQL = """SELECT a.title, a.held_on, a.kind, p.status FROM participation p
JOIN activity a ON a.id = p.activity_id JOIN student s ON s.id = p.student_id
WHERE s.number = {0} ORDER BY a.held_on"""
ROOM_SQL = "SELECT id, title, held_on FROM activity WHERE id = {0}"
ROOM_TABLE = """CREATE TABLE IF NOT EXISTS minimal_checkin (id {1}, activity INTEGER NOT NULL,
    student TEXT NOT NULL, at TEXT NOT NULL, UNIQUE (activity, student))"""
ROOM_INSERT = """INSERT INTO minimal_checkin (activity, student, at) VALUES ({0}, {0}, {0})
    ON CONFLICT (activity, student) DO NOTHING"""
LINE = "{{ number }}: {{ rows|length }} activities{% for r in rows %}, {{ r[0] }}{% endfor %}"


def connector(database: str) -> tuple[Any, str]:
    """A function making one connection, and the placeholder of its driver."""
    if database.startswith("postgresql"):
        import psycopg

        return (lambda: psycopg.connect(database)), "%s"

    def sqlite() -> sqlite3.Connection:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = FULL")
        return connection

    return sqlite, "?"


def make_app(database: str) -> Flask:
    connect, mark = connector(database)
    local = threading.local()

    def connection() -> Any:
        if not hasattr(local, "connection"):
            local.connection = connect()
        return local.connection

    with connect() as setup:
        setup.execute(ROOM_TABLE.format(mark, "INTEGER PRIMARY KEY" if mark == "?"
                                        else "SERIAL PRIMARY KEY"))
        if mark == "%s":
            setup.commit()
    app = Flask("minimal")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    @app.get("/me/<number>")
    def me(number: str) -> str:
        rows = connection().execute(ME_SQL.format(mark), (number,)).fetchall()
        if mark == "%s":
            connection().rollback()
        return render_template_string(LINE, number=number, rows=rows)

    @app.get("/room/<int:activity>")
    def room(activity: int) -> str:
        row = connection().execute(ROOM_SQL.format(mark), (activity,)).fetchone()
        if mark == "%s":
            connection().rollback()
        return render_template_string("<form method=post><button>{{ t }}</button></form>",
                                      t=row[1] if row else "?")

    @app.post("/room/<int:activity>")
    def check_in(activity: int) -> str:
        number = request.form.get("number", "")
        db = connection()
        if mark == "?":
            db.execute("BEGIN IMMEDIATE")
        db.execute(ROOM_INSERT.format(mark), (activity, number, "2026-12-01T10:00:00"))
        db.commit() if mark == "%s" else db.execute("COMMIT")
        return render_template_string("checked in {{ n }}", n=number)

    return app


if __name__ == "__main__":
    database, port, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    serve(make_app(database), host="127.0.0.1", port=port, threads=threads,
          _quiet=True)
