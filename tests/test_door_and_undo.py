"""Changes that overlap: a kiosk open at the door while others record attendance, undo
of your own last change, and undo refused (in words) rather than wrong.

The kiosk runs as the real ``tracker checkin`` process, at a terminal (pexpect), while
the other commands run beside it on the same database.
"""

from __future__ import annotations

import os
import signal

import pexpect
import pytest
from checkin_at_door import checked_in, needs_script, query, seed, spawn
from conftest import Tracker


def heads(tracker: Tracker, command: str) -> list[dict]:
    return [c for c in tracker.json("history", "--all") if c["command"] == command]


def end(child: pexpect.spawn) -> None:
    child.sendline("")
    child.expect("checked in \\d+, already")
    child.expect(pexpect.EOF)
    child.close()


# --- the door beside other terminals -----------------------------------------------------


@needs_script
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_undo_never_deletes_a_check_in_made_over_a_later_excuse(engine, new_database):
    """The door opens (its first check-in), another terminal excuses a student, the door
    then checks that student in: undoing the excuse must not delete the check-in, and
    the session stays undoable."""
    url = new_database(engine)
    tracker = Tracker(url)
    seed(tracker)
    child = spawn(url, "1", "--by", "door")
    try:
        child.sendline("s1234567")
        child.expect("✓ checked in s1234567 Ada Jansen \\(1 so far\\)")
        tracker("attend", "1", "s2000001", "--excused")  # another terminal, meanwhile
        child.sendline("s2000001")
        child.expect("✓ checked in s2000001 Carla Visser \\(was excused; 2 so far\\)")
        [session] = heads(tracker, "checkin")
        refused = tracker("undo", expect=2).output  # your last change: the excuse
        assert (f"s2000001 at #1 Peers today was written since by change #{session['id']} "
                "(checkin by door") in refused
        assert "undo that first" in refused
        assert checked_in(url) == [("s1234567", "attended", "checkin"),
                                   ("s2000001", "attended", "checkin")]
        refused = tracker("undo", "--by", "door", expect=2).output
        assert "is a check-in session still open at the door, by door" in refused
        assert "end it there first" in refused
    finally:
        end(child)
    said = tracker("undo", "--by", "door").stdout  # the session, now it ended
    assert said.startswith(f"undid change #{session['id']} (checkin by door, ")
    assert "checked in 2 student(s) at #1 Peers today" in said
    assert checked_in(url) == [("s2000001", "excused", "typed")]  # the excuse, as it was
    tracker("undo")  # and now the excuse itself
    assert checked_in(url) == []
    assert all(c["undone_by"] for c in tracker.json("history", "s2000001")
               if c["command"] in ("attend", "checkin"))


@needs_script
def test_a_session_undone_while_its_laptop_slept_ends_at_the_next_line(sqlite_tracker,
                                                                        sqlite_url):
    seed(sqlite_tracker)
    child = spawn(sqlite_url, "1", "--by", "door")
    try:
        child.sendline("s1234567")
        child.expect("✓ checked in s1234567")
        os.kill(child.pid, signal.SIGSTOP)  # the lid closes: no sign of life any more
        _lease_runs_out(sqlite_url)
        said = sqlite_tracker("undo", "--by", "door").stdout
        os.kill(child.pid, signal.SIGCONT)  # the lid opens again
        assert "checked in 1 student(s) at #1 Peers today" in said
        child.sendline("s7654321")
        child.expect("✗ not checked in: this session's check-ins were undone \\(change #\\d+, "
                     "by .+ at \\d\\d:\\d\\d\\), so the session ends; start `tracker checkin 1` "
                     "again to check students in")
        child.expect("checked in 1, already 0, not recognised 0")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 1
    assert checked_in(sqlite_url) == []  # nothing written into the undone session
    sqlite_tracker("checkin", "1", input="s7654321\n")  # a new session is a new change
    assert checked_in(sqlite_url) == [("s7654321", "attended", "checkin")]
    sqlite_tracker("undo")  # and undo of it works (no foreign key left dangling)
    assert checked_in(sqlite_url) == []


def _lease_runs_out(url: str) -> None:
    """As if the kiosk's last sign of life was long ago."""
    from sqlalchemy import create_engine, text

    from tracker.db.engine import resolve_url

    engine = create_engine(resolve_url(url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE change SET open_until = '2000-01-01 00:00:00' "
                                "WHERE open_until IS NOT NULL"))
    engine.dispose()


@needs_script
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_killed_kiosk_counts_as_open_until_its_lease_runs_out(engine, new_database):
    url = new_database(engine)
    tracker = Tracker(url)
    seed(tracker)
    child = spawn(url, "1", "--by", "door")
    child.sendline("s1234567")
    child.expect("✓ checked in s1234567")
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert "still open at the door" in tracker("undo", "--by", "door", expect=2).output
    _lease_runs_out(url)  # two minutes later
    tracker("undo", "--by", "door")
    assert checked_in(url) == []


@needs_script
def test_an_open_kiosk_does_not_check_in_a_student_erased_since(sqlite_tracker, sqlite_url):
    seed(sqlite_tracker)
    child = spawn(sqlite_url, "1")
    try:
        child.sendline("s1234567")
        child.expect("✓ checked in s1234567")  # the door has read every student by now
        sqlite_tracker("student", "forget", "s2000001", "--yes")
        child.sendline("s2000001")
        child.expect("✗ not recognised s2000001: not registered")
    finally:
        end(child)
    assert checked_in(sqlite_url) == [("s1234567", "attended", "checkin")]
    assert "Carla Visser" not in str(query(sqlite_url, "SELECT * FROM student"))


# --- your own last change ------------------------------------------------------------------


@pytest.fixture
def two(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers")
    return tracker


def test_undo_undoes_your_own_last_change_not_a_colleagues_newer_one(two, tmp_path):
    two("attend", "1", "s1234567")  # yours
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id\ns7654321,1\n")
    two("attend", "--import", str(sheet), "--by", "Colleague")  # theirs, after yours
    said = two("undo").stdout
    assert said.startswith("undid change #5 (attend by ")
    assert [p["student"] for p in two.json("activity", "show", "1")["attendees"]] == [
        "s7654321"]  # the colleague's import stays
    said = two("undo", "--by", "Colleague").stdout
    assert "import attendances from sheet.csv" in said
    assert two.json("activity", "show", "1")["attendees"] == []


def test_undo_change_n_undoes_another_and_says_why_it_cannot(two):
    two("student", "edit", "s1234567", "--name", "Ada J.", "--by", "Colleague")
    assert "undid change #5 (student edit by Colleague" in two("undo", "--change", "5").stdout
    assert two.json("student", "show", "s1234567")["name"] == "Ada Jansen"
    assert "was undone already, by change #6" in two("undo", "--change", "5",
                                                      expect=2).output
    assert "is an undo: an undo is not undone" in two("undo", "--change", "6",
                                                       expect=2).output
    assert "no change #99" in two("undo", "--change", "99", expect=2).output
    assert "nothing of yours to undo: Nobody made no change" in two(
        "undo", "--by", "Nobody", expect=2).output


def test_undo_refuses_a_change_whose_row_was_changed_since(two):
    """The "changed since" guard: without it, undoing the first edit would silently
    throw away the second."""
    two("student", "edit", "s1234567", "--name", "Ada J.", "--by", "First")
    two("student", "edit", "s1234567", "--name", "A. Jansen", "--by", "Second")
    refused = two("undo", "--by", "First", expect=2).output
    assert "change #5 (s1234567: name Ada Jansen → Ada J.) cannot be undone: s1234567 " \
           "was changed since" in refused
    assert two.json("student", "show", "s1234567")["name"] == "A. Jansen"
    two("undo", "--by", "Second")
    two("undo", "--by", "First")
    assert two.json("student", "show", "s1234567")["name"] == "Ada Jansen"


def test_undo_refuses_a_change_whose_attendance_a_later_change_took_away(two):
    two("attend", "1", "s1234567", "s7654321")
    two("attend", "1", "s1234567", "--remove", "--by", "Colleague")
    refused = two("undo", expect=2).output
    assert "s1234567 at #1 Peers was written since by change #6 (attend remove by " \
           "Colleague" in refused
    assert [p["student"] for p in two.json("activity", "show", "1")["attendees"]] == [
        "s7654321"]  # nothing half-undone


def test_a_sheet_that_corrects_typed_attendance_takes_the_record_over(two, tmp_path):
    two("attend", "1", "s1234567")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns1234567,1,excused\n")
    two("attend", "--import", str(sheet), "--by", "Colleague")
    assert "was written since by change #6" in two("undo", expect=2).output
    two("undo", "--by", "Colleague")  # the correction goes: attended again, typed
    [ada] = two.json("activity", "show", "1")["attendees"]
    assert ada["status"] == "attended"
    two("undo")  # and now the typed record can go
    assert two.json("activity", "show", "1")["attendees"] == []


# --- what a sheet's lines say -------------------------------------------------------------


def test_a_sheet_contradicting_itself_names_its_own_line(two, tmp_path):
    two("attend", "1", "s1234567", "--excused")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns1234567,1,excused\n"
                     "s1234567,1,attended\n")
    refused = two("attend", "--import", str(sheet), expect=2).output
    assert "line 3: the same student at activity #1 is on line 2 as excused; this line " \
           "says attended" in refused
    assert "typed" not in refused


def test_a_dry_run_says_what_a_downgrade_does(two, tmp_path):
    two("attend", "1", "s1234567")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns1234567,1,excused\n"
                     "s7654321,1,attended\n")
    said = two("attend", "--import", str(sheet), "--dry-run").stdout
    assert "line 2: downgrade s1234567 to excused at #1 Peers (no longer counted)" in said
    assert "line 3: add s7654321 attended #1 Peers" in said


# --- the history a person reads ------------------------------------------------------------


COLUMN_NAMES = ("held_on", "start,", "start:", "rules_override", "override_reason",
                "decided_on", "submitted_on", "graded_by", "activity_id")


def test_history_says_who_and_what_old_to_new_in_words(two):
    two("student", "edit", "s1234567", "--start", "2025-02", "--email", "ada@example.org",
        "--by", "Dr. Smit")
    two("activity", "edit", "1", "--date", "2024-10-04", "--location", "Gorlaeus")
    two("attend", "1", "s1234567")
    two("attend", "1", "s1234567", "--excused", "--note", "ill")
    two("student", "status", "s7654321", "withdrawn")
    two("undo")
    shown = two("history", "--all", "--format", "csv").stdout
    for name in COLUMN_NAMES:
        assert name not in shown, name
    rows = two.json("history", "--all")
    edit = next(r for r in rows if r["command"] == "student edit")
    assert edit["by"] == "Dr. Smit"
    assert edit["summary"] == ("s1234567: e-mail (none) → ada@example.org, start month "
                               "2024-09 → 2025-02")
    assert next(r for r in rows if r["command"] == "activity edit")["summary"] == (
        "#1 Peers: date 2024-10-03 → 2024-10-04, location (none) → Gorlaeus")
    excused = rows[2]
    assert excused["summary"] == ("excused #1 Peers: 1 student(s) (s1234567 at #1 Peers: "
                                  "status attended → excused, note (none) → ill)")
    assert rows[0]["summary"] == ("undo #9: s7654321: withdrawn (status active → "
                                  "withdrawn)")


def test_history_of_an_erased_student_says_the_details_are_gone(two):
    two("student", "edit", "s1234567", "--name", "Ada J.")
    two("student", "forget", "s1234567", "--yes")
    edit = next(r for r in two.json("history", "--all") if r["command"] == "student edit")
    assert edit["summary"] == ("(a forgotten student): (details erased with the "
                               "student's personal data)")


def test_a_downgrade_folds_each_session_into_its_first_change(tracker, db_url):
    """Before 0008 a session was one change: a downgrade makes it so again, and an
    upgrade finds again whose attendance a correction replaced."""
    seed(tracker)
    tracker("checkin", "1", "--by", "door", input="s1234567\ns7654321\n")
    tracker("attend", "1", "s2000001")
    tracker("attend", "1", "s2000001", "--excused", "--by", "Colleague")
    tracker("db", "downgrade", "0007", "--yes")
    assert query(db_url, "SELECT count(*) FROM change WHERE command = 'checkin'") == [(1,)]
    [(head,)] = query(db_url, "SELECT id FROM change WHERE command = 'checkin'")
    assert query(db_url, "SELECT DISTINCT change_id FROM participation "
                         "WHERE source = 'checkin'") == [(head,)]
    tracker("db", "upgrade")
    [session] = heads(tracker, "checkin")
    assert session["summary"] == "checked in 2 student(s) at #1 Peers today"
    assert "was written since by change" in tracker("undo", expect=2).output
    tracker("undo", "--by", "Colleague")
    tracker("undo")
    tracker("undo", "--by", "door")
    assert checked_in(db_url) == []


def test_an_idle_kiosk_keeps_its_session_open_until_it_ends(db, tracker, monkeypatch):
    import time
    from datetime import timedelta

    from tracker.db import runs
    from tracker.service.checkin import Door

    monkeypatch.setattr(runs, "BEAT", timedelta(milliseconds=10))
    seed(tracker)
    with Door.open(db, 1, by="door") as door:
        door.check_in("s1234567")
        _lease_runs_out(tracker.url)  # as if its last check-in was long ago
        for _ in range(1000):  # the kiosk, idle, renews its promise
            [(until,)] = query(tracker.url, "SELECT open_until FROM change "
                                            "WHERE open_until IS NOT NULL")
            if not str(until).startswith("2000"):
                break
            time.sleep(0.01)
        assert "still open at the door" in tracker("undo", "--by", "door", expect=2).output
    assert query(tracker.url, "SELECT count(*) FROM change WHERE open_until IS NOT NULL") \
        == [(0,)]  # ended: open no more
    tracker("undo", "--by", "door")
    assert checked_in(tracker.url) == []
