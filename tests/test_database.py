"""Schema and migrations: one head, models match, down and up again with data, and an
old schema is never changed silently."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tracker.db.engine import resolve_url
from tracker.db.migrate import alembic_config, head_revision
from tracker.db.schema import HEAD_REVISION, REVISIONS


def test_exactly_one_head_and_the_revision_check_knows_every_revision():
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD_REVISION] == [head_revision()]
    oldest_first = [r.revision for r in script.walk_revisions()][::-1]
    assert list(REVISIONS) == oldest_first


def test_brand_new_database_is_created_at_head_and_checks_clean(tracker):
    tracker("student", "list")
    out = tracker("db", "current").stdout
    assert f"revision: {HEAD_REVISION}" in out and "up to date" in out
    assert "matching the models" in tracker("db", "check").stdout


def test_downgrade_to_base_and_upgrade_again(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    tracker("db", "downgrade", "base", "--yes")
    assert "base (empty)" in tracker("db", "current").stdout
    tracker("db", "check", expect=1)
    assert "upgraded from an empty database" in tracker("db", "upgrade").stdout
    assert "nothing to do" in tracker("db", "upgrade").stdout
    tracker("db", "check")
    tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    assert tracker.json("student", "list")[0]["student"] == "s1234567"


def test_database_behind_head_is_refused_not_changed(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    engine = create_engine(resolve_url(tracker.url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    result = tracker("student", "list", expect=2)
    assert "run `tracker db upgrade`" in result.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == "0001"
    engine.dispose()


def change_behind_its_back(url: str, statement: str) -> None:
    engine = create_engine(resolve_url(url))
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_database_from_a_newer_tracker_is_refused(tracker):
    tracker("student", "list")
    change_behind_its_back(tracker.url, "UPDATE alembic_version SET version_num = '9999'")
    assert "a newer tracker made it" in tracker("student", "list", expect=2).output


def test_foreign_database_is_refused(tmp_path, sqlite_tracker):
    engine = create_engine(resolve_url(sqlite_tracker.url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE something_else (x INTEGER)"))
    engine.dispose()
    assert "is it a tracker database?" in sqlite_tracker("student", "list", expect=2).output


def test_unknown_revision_is_bad_input(tracker):
    tracker("student", "list")
    assert "unknown revision 'zzz'" in tracker("db", "downgrade", "zzz", expect=2).output


def test_unreachable_database_is_one_line_without_the_password():
    from conftest import Tracker

    broken = Tracker("postgresql://someone:s3cret@127.0.0.1:1/nothing")
    result = broken("student", "list", expect=2)
    assert "database error" in result.output and "s3cret" not in result.output
    assert "***" in result.output


def test_missing_folder_for_sqlite_file(tmp_path):
    from conftest import Tracker

    result = Tracker(str(tmp_path / "no" / "such" / "t.db"))("student", "list", expect=2)
    assert "its folder does not exist" in result.output


# --- moving the schema: nothing removed without a yes, erasures never forgotten --------


def test_downgrade_says_what_it_would_remove_and_needs_yes(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    everything = tracker("db", "downgrade", "base", expect=2).output
    assert "removes every table and all the data in them: add --yes" in everything
    one_back = tracker("db", "downgrade", "-1", expect=2).output
    assert f"undoes {HEAD_REVISION} (" in one_back and "add --yes" in one_back
    assert f"revision: {HEAD_REVISION}" in tracker("db", "current").stdout
    assert tracker.json("student", "list")[0]["student"] == "s1234567"
    assert f"to {REVISIONS[-2]}" in tracker("db", "downgrade", "-1", "--yes").stdout


def test_a_downgrade_that_would_drop_the_erasure_records_is_refused(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    tracker("student", "forget", "s1234567", "--yes")
    for target in ("0004", "base"):
        refused = tracker("db", "downgrade", target, "--yes", expect=2).output
        assert "remembers 1 erased student(s)" in refused
    assert f"revision: {HEAD_REVISION}" in tracker("db", "current").stdout
    # a downgrade that keeps the record is allowed, and the record survives it
    tracker("db", "downgrade", "0005", "--yes")
    tracker("db", "upgrade")
    again = tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09",
                    expect=2)
    assert "asked to be forgotten" in again.output


def test_upgrade_to_an_unknown_revision_is_bad_input(tracker):
    tracker("student", "list")
    assert "unknown revision 'zzz'" in tracker("db", "upgrade", "zzz", expect=2).output
    assert "cannot upgrade to '0003'" in tracker("db", "upgrade", "0003", expect=2).output


def test_two_rows_in_the_version_table_are_said_not_guessed(tracker):
    tracker("student", "list")
    change_behind_its_back(tracker.url, "INSERT INTO alembic_version VALUES ('0006')")
    for command in (["student", "list"], ["db", "current"], ["db", "upgrade"],
                    ["db", "downgrade", "0006", "--yes"]):
        assert "alembic_version table holds 2 rows" in tracker(*command, expect=2).output
    assert "holds 2 rows" in tracker("db", "check", expect=1).output


@pytest.mark.parametrize("port", ["abc", "70000"])
def test_a_bad_port_is_one_line_without_the_password(port):
    from conftest import Tracker

    result = Tracker(f"postgresql://someone:s3cret@127.0.0.1:{port}/nothing?password=pw2")(
        "db", "current", expect=2)
    assert "is not valid: its" in result.output and "port" in result.output
    assert "s3cret" not in result.output and "pw2" not in result.output


def test_a_password_as_a_url_parameter_is_never_printed(postgres_url):
    from conftest import Tracker

    tracker = Tracker(f"{postgres_url}&password=s3cret-pw")  # trust ignores it
    current = tracker("db", "current").output
    assert "s3cret-pw" not in current and "password=***" in current
    unreachable = postgres_url.replace("127.0.0.1:5432", "127.0.0.1:1")
    failed = Tracker(f"{unreachable}&password=s3cret-pw")("student", "list", expect=2)
    assert "database error" in failed.output and "s3cret-pw" not in failed.output


# --- looking makes nothing ------------------------------------------------------------


def test_db_current_on_a_new_folder_makes_no_database(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tracker.cli import main

    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    runner = CliRunner()
    current = runner.invoke(main, ["db", "current"])
    assert current.exit_code == 0, current.output
    assert "not made yet" in current.output and "db upgrade" not in current.output
    assert runner.invoke(main, ["db", "check"]).exit_code == 1
    assert runner.invoke(main, ["db", "downgrade", "base", "--yes"]).exit_code == 2
    assert not (tmp_path / "data").exists()
    assert runner.invoke(main, ["student", "list"]).exit_code == 0  # made on first use
    assert (tmp_path / "data" / "tracker.db").is_file()


# --- the file itself: checked, and readable where it cannot be written ---------------


def test_db_check_finds_a_damaged_page(sqlite_tracker, sqlite_url):
    sqlite_tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    connection = sqlite3.connect(sqlite_url)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'student'").fetchone()[0]
    connection.close()
    with open(sqlite_url, "r+b") as file:  # the students' page, past its header
        file.seek((root - 1) * page_size + 8)
        file.write(b"\xff" * 40)
    result = sqlite_tracker("db", "check", expect=1)
    assert "the database file is damaged" in result.output
    assert "damaged" in sqlite_tracker("student", "list", expect=2).output


# --- busy is not bad input ------------------------------------------------------------


def test_a_lock_held_past_the_wait_is_busy_try_again(db_url, tracker, monkeypatch):
    import threading

    from tracker.db import engine as engine_module

    tracker("student", "list")
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 200)
    holder = create_engine(resolve_url(db_url), isolation_level="AUTOCOMMIT")
    with holder.connect() as connection:
        if holder.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")
            connection.exec_driver_sql("LOCK TABLE student IN ACCESS EXCLUSIVE MODE")
        # Without a bound on the wait the command would wait for ever: let go at last,
        # so that such a tracker fails this test instead of hanging it.
        release = threading.Timer(20, lambda: connection.connection.dbapi_connection
                                  .execute("ROLLBACK"))
        release.start()
        try:
            result = tracker("student", "add", "s1234567", "--name", "Ada", "--start",
                             "2024-09", expect=None)
        finally:
            release.cancel()
            connection.exec_driver_sql("ROLLBACK")
    holder.dispose()
    assert (result.exit_code, result.output.strip()) == (
        1, "Error: the database is busy: try again")
    assert tracker.json("student", "list") == []


def test_a_deadlock_is_busy_try_again(postgres_url, monkeypatch):
    """A real deadlock between two sessions, as the command would meet it."""
    from conftest import Tracker

    import tracker.service.students as students
    from tracker.db.failures import BUSY, classify

    tracker = Tracker(postgres_url)
    tracker("student", "list")
    deadlock = _deadlock(postgres_url)
    assert classify(deadlock).transient and classify(deadlock).message == BUSY

    def deadlocked(*_args, **_kwargs):
        raise deadlock

    monkeypatch.setattr(students, "list_students", deadlocked)
    result = tracker("student", "list", expect=1)
    assert result.output.strip() == "Error: the database is busy: try again"


def _deadlock(url: str) -> Exception:
    import threading

    from sqlalchemy.exc import OperationalError

    engine = create_engine(resolve_url(url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE pair (id integer PRIMARY KEY)"))
        connection.execute(text("INSERT INTO pair VALUES (1), (2)"))
    failures: list[Exception] = []
    first, second = engine.connect(), engine.connect()
    try:
        first.execute(text("UPDATE pair SET id = id WHERE id = 1"))
        second.execute(text("UPDATE pair SET id = id WHERE id = 2"))

        def cross(connection, row: int) -> None:
            try:
                connection.execute(text(f"UPDATE pair SET id = id WHERE id = {row}"))
            except OperationalError as error:
                failures.append(error)
                connection.rollback()

        other = threading.Thread(target=cross, args=(first, 2))
        other.start()
        cross(second, 1)
        if not failures:
            second.rollback()
        other.join()
    finally:
        first.close()
        second.close()
        engine.dispose()
    assert len(failures) == 1, failures
    return failures[0]
