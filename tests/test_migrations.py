"""Migrations with data in the database: every kind of record survives an upgrade."""

from __future__ import annotations

import pytest
from smtp_servers import smtp_server
from sqlalchemy import create_engine, inspect, text

from tracker.db.engine import resolve_url
from tracker.db.migrate import ERASURES_SINCE
from tracker.db.models import all_models
from tracker.db.schema import REVISIONS


def populate(tracker, tmp_path) -> None:
    """At least one row of every table."""
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2017-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers",
            "--location", "Gorlaeus")
    tracker("attend", "1", "s1234567", "s7654321", "--note", "asked a question")
    tracker("assignment", "s1234567", "1", "approved", "--date", "2024-11-01",
            "--feedback", "Good")
    tracker("student", "override", "s7654321", "aasco", "--reason", "individual")
    tracker("student", "waive", "s1234567", "career-symposium", "--reason", "make-up essay")
    rules = tmp_path / "rules.toml"
    rules.write_text(tracker("rules", "show", "--toml").stdout.replace("min = 6", "min = 5"))
    tracker("rules", "load", str(rules))
    tracker("attend", "1", "s7654321", "--excused")
    tracker("undo")
    with smtp_server() as server:
        tracker("remind", "s1234567", "--send", "--smtp", server.url, "--from",
                "coordinator@example.org", "--skip-reminded-days", "0")
    tracker("student", "add", "s2222222", "--name", "Gone Soon", "--start", "2024-09")
    tracker("student", "forget", "s2222222", "--yes")
    from web.rows import fill_portal_tables  # the portal's tables (tracker serve)

    fill_portal_tables(tracker.url)


def re_register(tracker) -> None:
    """The erased student of :func:`populate` registered again: nobody erased is
    remembered, so a downgrade past the record of erasures is allowed."""
    tracker("student", "add", "s2222222", "--name", "Back Again", "--start", "2024-09",
            "--re-register")


def rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(resolve_url(url))
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
        found = {}
        for table in all_models().metadata.sorted_tables:
            if table.name in names:
                columns = [c["name"] for c in inspect(connection).get_columns(table.name)]
                found[table.name] = sorted(
                    tuple(row) for row in connection.execute(
                        text(f"SELECT {', '.join(columns)} FROM {table.name}")))
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return {"revision": [(revision,)], **found}


def test_every_table_has_rows(tracker, tmp_path):
    populate(tracker, tmp_path)
    held = rows(tracker.url)
    assert all(held[table.name] for table in all_models().metadata.sorted_tables), \
        [t.name for t in all_models().metadata.sorted_tables if not held[t.name]]


@pytest.mark.parametrize("target", REVISIONS[:-1])
def test_down_to_an_older_revision_and_up_again_keeps_every_row(tracker, tmp_path, target):
    populate(tracker, tmp_path)
    if target < ERASURES_SINCE:  # refused while an erased student is remembered
        re_register(tracker)
    before = rows(tracker.url)
    tracker("db", "downgrade", target, "--yes")
    older = rows(tracker.url)
    assert older["revision"] == [(target,)]
    # before 0006 a participation had a row id first; the rest is the same
    assert sorted(row[-8:] for row in older["participation"]) == before["participation"]
    if target < "0003":  # that schema kept the sets of every rules version in a table
        engine = create_engine(resolve_url(tracker.url))
        with engine.connect() as connection:
            sets = connection.execute(text(
                "SELECT version_id, code FROM requirement_set ORDER BY 1, 2")).all()
        engine.dispose()
        assert [tuple(row) for row in sets] == [(1, "aasco"), (1, "alc"), (2, "aasco"),
                                                 (2, "alc")]
    assert "run `tracker db upgrade`" in tracker("student", "list", expect=2).output
    tracker("db", "upgrade")
    after = rows(tracker.url)
    # A table made by a later migration goes with the downgrade; every other row stays.
    kept = {table for table in before if table in older}
    if target < "0002":  # that schema had no column for the moment of an erasure
        for rows_ in (before, after):
            rows_["student"] = [(*row[:-1], row[-1] is not None) for row in rows_["student"]]
    assert {t: after[t] for t in kept} == {t: before[t] for t in kept}
    tracker("db", "check")
    assert tracker.json("progress", "s1234567")["rules_version"] == 2


def test_down_to_base_and_up_again_with_data(tracker, tmp_path):
    populate(tracker, tmp_path)
    re_register(tracker)  # refused while an erased student is remembered
    tracker("db", "downgrade", "base", "--yes")
    assert "base (empty)" in tracker("db", "current").stdout
    tracker("db", "upgrade", "head")
    tracker("db", "check")
    assert tracker.json("rules", "show")  # the built-in rules are loaded again
    populate(tracker, tmp_path)
    assert len(rows(tracker.url)["participation"]) == 4  # two typed, one by QR code, one claimed
    assert len(rows(tracker.url)["reminder"]) == 1
    assert len(rows(tracker.url)["erased_number"]) == 1
