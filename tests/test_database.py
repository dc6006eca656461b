"""Schema and migrations: one head, models match, down and up again with data, and an
old schema is never changed silently."""

from __future__ import annotations

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
    tracker("db", "downgrade", "base")
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


def test_database_from_a_newer_tracker_is_refused(tracker):
    tracker("student", "list")
    engine = create_engine(resolve_url(tracker.url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    assert "a newer tracker made it" in tracker("student", "list", expect=2).output


def test_foreign_database_is_refused(tmp_path, sqlite_tracker):
    engine = create_engine(resolve_url(sqlite_tracker.url))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE something_else (x INTEGER)"))
    engine.dispose()
    assert "is it a tracker database?" in sqlite_tracker("student", "list", expect=2).output


def test_unknown_revision_is_bad_input(tracker):
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
