"""Erasure that stays erased: after `student forget` the erased values are in no file of
the database, not only in no table: SQLite's free pages and log, PostgreSQL's dead
tuples."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from tracker.db.engine import open_engine, resolve_url

SECRETS = (b"Zyxwvut Secretname", b"zyxwvut@example.org", b"s1234567",
           b"asked about organoids", b"Thoughtful reflection",
           # a claim's: what was done, the evidence's bytes, a rejection's reason
           b"Qwertyuiop spoke with", b"Evidence Poiuytrewq", b"Reason Asdfghjkl",
           b"Lkjhgfdsa Fair")


def erase(tracker) -> None:
    tracker("student", "add", "s1234567", "--name", "Zyxwvut Secretname", "--start",
            "2024-09", "--email", "zyxwvut@example.org")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers")
    tracker("attend", "1", "s1234567", "--note", "asked about organoids")
    tracker("assignment", "s1234567", "1", "approved", "--date", "2024-11-01",
            "--feedback", "Thoughtful reflection")
    claims_of(tracker.url)
    tracker("claim", "reject", "2", "--reason", "Reason Asdfghjkl")
    tracker("claim", "approve", "1", "--note", "Reason Asdfghjkl too")
    tracker("student", "forget", "s1234567", "--yes")


def claims_of(url: str) -> None:
    """Two claims of s1234567 with evidence (approved and rejected by the caller)."""
    from datetime import UTC, datetime

    from tracker.db.engine import Database
    from tracker.service import claims
    from tracker.service.evidence import Upload

    db = Database.from_url(resolve_url(url))
    evidence = b"%PDF-1.4\n(Evidence Poiuytrewq)\n%%EOF\n"
    try:
        for title in ("Career day", "Lkjhgfdsa Fair"):
            claims.submit(db, 1, claims.ClaimForm(
                "career-event", "2024-11-05", title, "KNPSV", "Qwertyuiop spoke with three"),
                Upload("proof.pdf", evidence), datetime.now(UTC))
    finally:
        db.dispose()


def test_every_sqlite_connection_zeroes_what_it_deletes(sqlite_url):
    """Whatever the build's default (Debian's is on, SQLite's own is off)."""
    engine = open_engine(resolve_url(sqlite_url))

    def build_default_off(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA secure_delete = OFF")

    event.listen(engine, "connect", build_default_off, insert=True)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_after_forget_the_sqlite_files_hold_nothing_erased(sqlite_tracker, sqlite_url):
    sqlite_tracker("student", "list")
    # Another program with the database open (a kiosk, a colleague's report) keeps the
    # log from being removed when the tracker's own connections close.
    reader = sqlite3.connect(sqlite_url)
    reader.execute("SELECT count(*) FROM student").fetchall()
    try:
        erase(sqlite_tracker)
        files = {suffix: Path(f"{sqlite_url}{suffix}") for suffix in ("", "-wal")}
        held = {suffix: path.read_bytes() if path.exists() else b""
                for suffix, path in files.items()}
        for suffix, content in held.items():
            for secret in SECRETS:
                assert secret not in content, (suffix, secret)
    finally:
        reader.close()


@pytest.fixture
def database_of_its_own() -> Iterator[str]:
    """A PostgreSQL database of its own: VACUUM removes a dead row only when no open
    transaction in the same database might still see it, and the test schemas of other
    tests share one database."""
    import os
    import uuid

    from sqlalchemy.engine import make_url

    base = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TRACKER_TEST_POSTGRES_URL")
    admin = create_engine(resolve_url(base), isolation_level="AUTOCOMMIT")
    name = f"tracker_erasure_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(resolve_url(base)).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_after_forget_postgresql_holds_no_row_version_with_what_was_erased(
        database_of_its_own):
    """VACUUM after the commit: no tuple, live or dead, of any table or index holds an
    erased value (bytes in a page's free space are not tuples; see the README)."""
    from conftest import Tracker

    tracker = Tracker(database_of_its_own)
    tracker("student", "list")
    engine = create_engine(database_of_its_own, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        try:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect "
                                    "SCHEMA public"))
        except Exception as error:  # pragma: no cover - another server
            pytest.skip(f"needs the pageinspect extension: {error}")
    erase(tracker)
    with engine.connect() as connection:
        found = [(relation, secret) for relation, held in _tuples(connection)
                 for secret in SECRETS if secret in held]
    engine.dispose()
    assert found == []


def _tuples(connection) -> list[tuple[str, bytes]]:
    """(relation, the bytes of one tuple) of every tuple of this test's schema."""
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    relations = connection.execute(text(
        "SELECT c.relname, c.relkind, am.amname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_am am ON am.oid = c.relam "
        "WHERE n.nspname = :schema AND c.relkind IN ('r', 't', 'i')"), {"schema": schema}).all()
    held = []
    for relation, kind, method in relations:
        name = f'"{schema}"."{relation}"'
        blocks = connection.execute(text(
            f"SELECT pg_relation_size('{name}') / current_setting('block_size')::int")).scalar()
        for block in range(blocks or 0):
            if kind == "i" and method == "btree":
                if block == 0:
                    continue  # the meta page
                rows = connection.execute(text(
                    f"SELECT data FROM public.bt_page_items('{name}', {block})")).scalars()
                held += [(relation, bytes.fromhex(data.replace(" ", ""))) for data in rows
                         if data]
            elif kind != "i":
                rows = connection.execute(text(
                    "SELECT t_data FROM public.heap_page_items("
                    f"public.get_raw_page('{name}', {block}))")).scalars()
                held += [(relation, bytes(data)) for data in rows if data is not None]
    return held


def test_a_reader_in_a_transaction_keeps_the_log_and_forget_says_so(sqlite_url):
    """A program that holds a read transaction open keeps the checkpoint from truncating
    the log: the erasure is committed, and the person is told the traces remain until
    that program closes the database (found by an attack: it said nothing)."""
    from tracker.db.erasures import clear_traces

    engine = create_engine(f"sqlite:///{sqlite_url}", connect_args={"timeout": 0.2})
    with engine.begin() as connection:
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        connection.exec_driver_sql("CREATE TABLE t (x TEXT)")
        connection.exec_driver_sql("INSERT INTO t VALUES ('erased')")
    reader = sqlite3.connect(sqlite_url, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchall()
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM t")
        assert clear_traces(engine) is False
    finally:
        reader.close()
    assert clear_traces(engine) is True
    engine.dispose()


def test_forget_tells_whether_the_files_hold_nothing_erased(sqlite_tracker, monkeypatch):
    from tracker.db import erasures

    sqlite_tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    sqlite_tracker("student", "add", "s7654321", "--name", "Bram", "--start", "2024-09")
    result = sqlite_tracker("student", "forget", "s1234567", "--yes")
    assert "warning" not in result.output
    monkeypatch.setattr(erasures, "clear_traces", lambda engine: False)
    said = sqlite_tracker("student", "forget", "s7654321", "--yes")
    assert "erased the student's personal data" in said.output
    assert "stays in the database's log file until the last program" in said.output
