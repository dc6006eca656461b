"""Check-in at the door, piped: one answer per line, before the next is read; one change
in the history per session; refusals before anything is read or written."""

from __future__ import annotations

import select
import subprocess

import pytest
from checkin_at_door import (
    SCRIPT,
    TODAY,
    TOMORROW,
    YESTERDAY,
    checked_in,
    checkin,
    environment,
    needs_script,
    query,
    seed,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# --- piped ---------------------------------------------------------------------------


@needs_script
def test_piped_lines_each_get_one_answer(tracker, db_url, tmp_path):
    seed(tracker)
    tracker("student", "add", "s1234568", "--name", "Ada Jansen-Twee", "--start", "2024-09")
    lines = ["*S1234567*",          # Code 39 start/stop, upper case
             "\x027654321\x03\r",   # STX ... ETX CR around seven digits
             "  abc  ",             # garbage
             "s1234576",            # unregistered, two digits swapped
             "s7777777",            # unregistered, nothing near
             "s1234567",            # again
             "",                    # ends the session
             "s2000001"]            # never read
    result = checkin(db_url, "1", "--by", "door", input="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "✓ checked in s1234567 Ada Jansen (1 so far)",
        "✓ checked in s7654321 Bram de Vries (2 so far)",
        "✗ not recognised 'abc': not a student number",
        "✗ not recognised s1234576: not registered; did you mean s1234567, Ada Jansen?",
        "✗ not recognised s7777777: not registered",
        result.stdout.splitlines()[5],
        "checked in 2, already 1, not recognised 3",
        "not recognised:",
        "  'abc': not a student number",
        "  s1234576: not registered; did you mean s1234567, Ada Jansen?",
        "  s7777777: not registered"]
    assert result.stdout.splitlines()[5].startswith("= already checked in s1234567 Ada "
                                                    "Jansen at ")
    assert "\x1b[" not in result.stdout  # colour only on a terminal
    assert "Traceback" not in result.stderr
    assert checked_in(db_url) == [("s1234567", "attended", "checkin"),
                                  ("s7654321", "attended", "checkin")]
    by = query(db_url, "SELECT DISTINCT recorded_by FROM participation")
    assert by == [("door",)]


@needs_script
def test_each_answer_comes_before_the_next_line_is_read(sqlite_tracker, sqlite_url):
    seed(sqlite_tracker)
    door = subprocess.Popen([str(SCRIPT), "--db", sqlite_url, "checkin", "1"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environment())
    assert door.stdin is not None and door.stdout is not None
    try:
        for number, name in (("s1234567", "Ada Jansen"), ("s7654321", "Bram de Vries")):
            door.stdin.write(number + "\n")
            door.stdin.flush()  # the pipe stays open: the answer must come anyway
            ready, _, _ = select.select([door.stdout], [], [], 30)
            assert ready, f"no answer to {number}"
            assert door.stdout.readline().startswith(f"✓ checked in {number} {name}")
        out, err = door.communicate("", timeout=60)  # end of input
    finally:
        door.kill()
    assert door.returncode == 0, err
    assert out == "checked in 2, already 0, not recognised 0\n"


def test_a_student_excused_before_is_attended_once_checked_in(tracker, db_url):
    seed(tracker)
    tracker("attend", "1", "s2000001", "--excused")
    result = tracker("checkin", "1", input="s2000001\ns2000001\n")
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ checked in s2000001 Carla Visser (was excused; 1 so far)"
    assert lines[1].startswith("= already checked in s2000001 Carla Visser at ")
    assert checked_in(db_url) == [("s2000001", "attended", "checkin")]
    tracker("undo")  # the session goes; the excuse recorded before it stays
    assert checked_in(db_url) == [("s2000001", "excused", "typed")]


def test_recorded_before_by_any_means_is_already_checked_in(tracker):
    seed(tracker)
    tracker("attend", "2", "s1234567")
    result = tracker("checkin", "2", "--any-day", input="1234567\n")
    assert result.stdout.startswith("= already checked in s1234567 Ada Jansen at ")
    assert "checked in 0, already 1, not recognised 0" in result.stdout
    assert tracker.json("history")[0]["command"] == "attend"  # no empty change


def test_the_session_is_one_change_and_undo_takes_it_away(tracker, db_url):
    seed(tracker)
    tracker("attend", "1", "s7654321", "--note", "asked about assays")
    tracker("checkin", "1", "--by", "Dr. Smit",
            input="s1234567\ns7654321\nabc\ns2000001\ns1234567\n")
    history = tracker.json("history")
    checkins = [change for change in history if change["command"] == "checkin"]
    assert len(checkins) == 1
    assert checkins[0]["summary"] == "checked in 2 student(s) at #1 Peers today"
    assert checkins[0]["by"] == "Dr. Smit" and history[0] == checkins[0]
    for number in ("s1234567", "s2000001"):
        assert [c["id"] for c in tracker.json("history", number)
                if c["command"] == "checkin"] == [checkins[0]["id"]]
    assert "checked in 2 student(s)" in tracker("undo", "--by", "Dr. Smit").stdout
    assert checked_in(db_url) == [("s7654321", "attended", "typed")]
    assert query(db_url, "SELECT note FROM participation") == [("asked about assays",)]
    assert tracker.json("history")[0]["command"] == "undo"


def test_an_empty_session_writes_nothing(tracker):
    seed(tracker)
    before = tracker("history", "--all", "--format", "csv").stdout
    for given_input in ("", "\n", "abc\ns7777777\n"):
        result = tracker("checkin", "1", input=given_input)
        assert "checked in 0, already 0" in result.stdout
    assert tracker("history", "--all", "--format", "csv").stdout == before


def test_another_student_number_pattern_takes_numbers_as_typed(sqlite_tracker, tmp_path):
    rules = tmp_path / "rules.toml"
    shown = sqlite_tracker("rules", "show", "--toml").stdout
    assert 'student_number = "^s[0-9]{7}$"' in shown
    rules.write_text(shown.replace('student_number = "^s[0-9]{7}$"',
                                   'student_number = "^[0-9]{7}$"'))
    sqlite_tracker("rules", "load", str(rules))
    sqlite_tracker("student", "add", "1234567", "--name", "Ada Jansen", "--start", "2024-09")
    sqlite_tracker("activity", "add", "colloquium", "--date", TODAY.isoformat(),
                   "--title", "Peers")
    result = sqlite_tracker("checkin", "1", input="*1234567*\ns1234567\n")
    assert result.stdout.splitlines()[:2] == [
        "✓ checked in 1234567 Ada Jansen (1 so far)",
        "✗ not recognised 's1234567': not a student number"]


@pytest.fixture
def door(sqlite_tracker):
    seed(sqlite_tracker)
    return sqlite_tracker


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_any_input_gets_one_answer_per_line_and_no_traceback(door, data):
    result = door("checkin", "1", input=data)  # exit 0, no exception escapes
    lines = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    read = []
    for line in lines.split("\n")[:-1] if lines.endswith("\n") else lines.split("\n"):
        if not line.strip():
            break
        read.append(line)
    answers = result.stdout.splitlines()
    assert len(answers) >= len(read) + 1
    assert all(answer[:2] in ("✓ ", "= ", "✗ ") for answer in answers[:len(read)])
    assert answers[len(read)].startswith("checked in ")


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("args, problem", [
    (["2"], f"was on {YESTERDAY}, not today ({TODAY}): add --any-day"),
    (["3"], f"is on {TOMORROW}, in the future: check-in opens on that day"),
    (["3", "--any-day"], "in the future"),
    (["9", "--any-day"], "no activity #9"),
    (["1", "--unknown-to", "missing/unknown.csv"], "the folder missing does not exist"),
    (["1", "--by", "two\nlines"], "by contains a control character"),
])
def test_refused_before_anything_is_read_or_written(tracker, tmp_path, monkeypatch, args,
                                                    problem):
    seed(tracker)
    monkeypatch.chdir(tmp_path)
    before = tracker("history", "--all", "--format", "csv").stdout
    if "--unknown-to" not in args:
        args = [*args, "--unknown-to", "unknown.csv"]
    result = tracker("checkin", *args, input="s1234567\n", expect=2)
    assert problem in result.output
    assert "checked in" not in result.output
    assert tracker("history", "--all", "--format", "csv").stdout == before
    assert not (tmp_path / "unknown.csv").exists()


