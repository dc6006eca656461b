"""Personal data: private files, hidden passwords, export, erasure."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from tracker.db.engine import resolve_url
from tracker.db.models import all_models

PERSONAL = ("s1234567", "Ada Jansen", "ada@example.org", "asked about organoids",
            "Thoughtful reflection", "Pharmacology track", "agreed with advisor")


@pytest.fixture
def ada(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org", "--specialisation", "Pharmacology track")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers")
    tracker("attend", "1", "s1234567", "--note", "asked about organoids")
    tracker("attend", "1", "s7654321")
    tracker("assignment", "s1234567", "1", "approved", "--date", "2024-11-01",
            "--feedback", "Thoughtful reflection")
    tracker("student", "override", "s1234567", "aasco", "--reason", "agreed with advisor")
    return tracker


def everything_stored(url: str) -> str:
    """Every value of every row of every table, as text."""
    engine = create_engine(resolve_url(url))
    with engine.connect() as connection:
        text = "\n".join(repr(row) for table in all_models().metadata.sorted_tables
                         for row in connection.execute(select(table)))
    engine.dispose()
    return text


def test_new_sqlite_files_are_private(sqlite_tracker, sqlite_url):
    sqlite_tracker("student", "list")
    path = Path(sqlite_url)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE probe (x)")  # keeps the WAL while open
    try:
        for suffix in ("-wal", "-shm"):
            companion = Path(f"{path}{suffix}")
            assert companion.exists(), suffix
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600, suffix
    finally:
        connection.close()


def test_password_in_url_is_never_printed(postgres_url):
    from conftest import Tracker

    with_password = postgres_url.replace("postgresql+psycopg://postgres@",
                                         "postgresql+psycopg://postgres:s3cret-pw@")
    tracker = Tracker(with_password)  # trust authentication ignores the password
    for args in (["student", "list"], ["db", "current"], ["db", "check"]):
        result = tracker(*args)
        assert "s3cret-pw" not in result.output
    assert "***" in tracker("db", "current").output


def test_export_holds_everything_about_the_student(ada):
    exported = json.loads(ada("student", "export", "S1234567").stdout)
    assert exported["student"]["name"] == "Ada Jansen"
    assert exported["student"]["override_reason"] == "agreed with advisor"
    assert exported["participations"][0]["note"] == "asked about organoids"
    assert exported["assignments"][0]["feedback"] == "Thoughtful reflection"
    commands = [h["command"] for h in exported["history"]]
    assert commands == ["student add", "attend", "assignment", "student override"]
    assert "s7654321" not in json.dumps(exported)


def test_export_holds_every_decision_ever_made_and_its_feedback(ada):
    ada("assignment", "s1234567", "2", "submitted", "--date", "2024-11-02")
    ada("assignment", "s1234567", "2", "rejected", "--date", "2024-11-03", "--feedback",
        "Say more about the colloquia", "--by", "Dr. Smit")
    ada("assignment", "s1234567", "2", "submitted", "--date", "2024-11-04")
    ada("assignment", "s1234567", "2", "approved", "--date", "2024-11-05", "--feedback",
        "Much better")
    ada("assignment", "s1234567", "2", "rejected", "--date", "2024-11-06", "--reopen")
    ada("undo")  # a decision undone is still one that was made: said so
    exported = json.loads(ada("student", "export", "s1234567").stdout)
    second = next(a for a in exported["assignments"] if a["assignment"] == 2)
    assert second["status"] == "approved" and second["feedback"] == "Much better"
    said = [(d["status"], d["on"], d["graded_by"], d["feedback"], d["undone"])
            for d in second["decisions"]]
    assert said == [("submitted", "2024-11-02", None, None, False),
                    ("rejected", "2024-11-03", "Dr. Smit", "Say more about the colloquia",
                     False),
                    ("submitted", "2024-11-04", None, None, False),
                    ("approved", "2024-11-05", second["graded_by"], "Much better", False),
                    ("rejected", "2024-11-06", second["graded_by"], None, True)]
    first = next(a for a in exported["assignments"] if a["assignment"] == 1)
    assert [d["feedback"] for d in first["decisions"]] == ["Thoughtful reflection"]
    assert not any(word in json.dumps(exported["history"]) for word in
                   ("decided_on", "graded_by", "rules_override"))


def test_forget_erases_personal_data_everywhere(ada, tmp_path):
    assert "Ada Jansen" in everything_stored(ada.url)
    assert "add --yes" in ada("student", "forget", "s1234567", expect=2).output
    ada("student", "forget", "s1234567", "--yes", "--by", "Privacy officer")
    stored = everything_stored(ada.url)
    for value in PERSONAL:
        assert value not in stored, value
    assert "Bram de Vries" in stored  # nobody else's data is touched
    shown = ada("student", "show", "s1234567", expect=2).output
    assert "no student s1234567: their data was erased on" in shown
    assert "`tracker student add --re-register` registers them again" in shown
    assert "erased on" in ada("attend", "1", "s1234567", expect=2).output
    assert "register them with" in ada("progress", "s0000001", expect=2).output
    assert [s["student"] for s in ada.json("student", "list")] == ["s7654321"]
    assert ada.json("activity", "list")[0]["attended"] == 2  # anonymous counts stay
    assert [r["student"] for r in ada.json("report")] == ["s7654321"]
    latest = ada.json("history")[0]
    assert (latest["command"], latest["by"]) == ("student forget", "Privacy officer")
    assert "cannot be undone" in ada("undo", expect=2).output


def test_undo_after_an_erasure_refuses_changes_it_scrubbed(ada):
    ada("student", "forget", "s7654321", "--yes")
    ada("activity", "add", "colloquium", "--date", "2024-10-10", "--title", "Later")
    ada("undo")  # the activity: fine
    assert "cannot be undone" in ada("undo", expect=2).output


def test_files_the_tracker_writes_are_readable_by_their_owner_only(ada, tmp_path):
    """An export, a page, a report, an outbox: personal data, private as the database."""
    made = [tmp_path / name for name in ("ada.json", "ada.html", "report.csv",
                                         "report.xlsx")]
    ada("student", "export", "s1234567", "-o", str(made[0]))
    ada("progress", "s1234567", "--format", "html", "-o", str(made[1]))
    ada("report", "--format", "csv", "-o", str(made[2]))
    ada("report", "--format", "xlsx", "-o", str(made[3]))
    ada("remind", "--outbox", str(tmp_path / "outbox"), "--from", "AASCO <a@example.org>")
    made += sorted((tmp_path / "outbox").iterdir())
    assert len(made) == 5  # Bram has no e-mail address
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    shared = tmp_path / "shared.csv"
    shared.write_text("")
    shared.chmod(0o644)  # a file that exists keeps what its owner gave it
    ada("report", "--format", "csv", "-o", str(shared))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o644 and shared.read_text()
