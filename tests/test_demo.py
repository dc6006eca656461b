"""tracker demo: a realistic programme in a database of its own, never the user's."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tracker.cli import main


def run(*args: str, env: dict[str, str]) -> object:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_demo_fills_its_own_database_and_shows_the_report(tmp_path):
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": ""}
    first = run("demo", env=env)
    assert first.exit_code == 0, first.output
    demo = tmp_path / "data" / "demo.db"
    assert demo.is_file() and demo.with_suffix(".html").is_file()
    assert "60 student(s)" in first.output and "at risk" in first.output
    assert not (tmp_path / "data" / "tracker.db").exists()  # the user's own: untouched
    report = json.loads(run("--db", str(demo), "report", "--format", "json", env=env).output)
    standings = {(r["complete"]) for r in report}
    assert standings == {True, False} and len(report) == 60
    again = run("demo", env=env)
    assert "the demo database is there already" in again.output
    fresh = run("demo", "--fresh", env=env)
    assert "building the demo programme" in fresh.output
    assert json.loads(run("--db", str(demo), "report", "--format", "json",
                          env=env).output) == report  # the same every time


def test_demo_never_touches_another_database(tmp_path):
    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": ""}
    own = tmp_path / "own.db"
    assert run("--db", str(own), "student", "add", "s1234567", "--name", "Ada",
               "--start", "2024-09", env=env).exit_code == 0
    refused = run("--db", str(own), "demo", "--path", str(own), env=env)
    assert refused.exit_code == 2 and "is your own database" in refused.output
    other = run("demo", "--path", str(own), "--fresh", env=env)
    assert other.exit_code == 2 and "is not a demo database" in other.output
    assert run("--db", str(own), "student", "show", "s1234567", env=env).exit_code == 0


def test_a_demo_an_older_tracker_built_is_built_anew(tmp_path):
    """It said "run `tracker db upgrade` first", which would upgrade the user's own
    database, not the demo's."""
    from tracker.db.schema import REVISIONS

    env = {"TRACKER_DATA_DIR": str(tmp_path / "data"), "TRACKER_DATABASE_URL": ""}
    assert run("demo", env=env).exit_code == 0
    demo = tmp_path / "data" / "demo.db"
    older = run("--db", str(demo), "db", "downgrade", REVISIONS[-2], "--yes", env=env)
    assert older.exit_code == 0, older.output
    again = run("demo", env=env)
    assert again.exit_code == 0, again.output
    assert "built by an older tracker: building it anew" in again.output
    assert "60 student(s)" in again.output
