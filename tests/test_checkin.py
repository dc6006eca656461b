"""Check-in at the door: typed at a terminal, scanned, piped; two laptops at one door;
a crash loses nothing that was answered; one change in the history per session."""

from __future__ import annotations

import csv
import os
import select
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, text

from tracker.db.engine import resolve_url
from tracker.fields import door_number
from tracker.service.checkin import Door, one_typo_away

SCRIPT = Path(sys.executable).with_name("tracker")
TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
needs_script = pytest.mark.skipif(not SCRIPT.exists(),
                                  reason="the tracker console script is not installed")


def seed(tracker) -> None:
    """Three students; activity 1 today, 2 yesterday, 3 tomorrow."""
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("student", "add", "s2000001", "--name", "Carla Visser", "--start", "2024-09")
    for day, title in ((TODAY, "Peers today"), (YESTERDAY, "Peers yesterday"),
                       (TOMORROW, "Peers tomorrow")):
        tracker("activity", "add", "colloquium", "--date", day.isoformat(), "--title", title)


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL"}
    env["PATH"] = f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def checkin(url: str, *args: str, input: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), "--db", url, "checkin", *args], input=input,
                          capture_output=True, text=True, timeout=120, env=environment())


def query(url: str, sql: str) -> list[tuple]:
    engine = create_engine(resolve_url(url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def checked_in(url: str, activity: int = 1) -> list[tuple[str, str, str]]:
    """(number, status, source) of everyone recorded at the activity, by number."""
    return query(url, "SELECT s.number, p.status, p.source FROM participation p "
                      "JOIN student s ON s.id = p.student_id "
                      f"WHERE p.activity_id = {activity} ORDER BY s.number")


# --- reading a line: pure ------------------------------------------------------------

numbers = st.from_regex(r"s[0-9]{7}", fullmatch=True)
seven_digits = st.from_regex(r"[0-9]{7}", fullmatch=True)
wrapping = st.text(st.sampled_from(" \t\r\n\x02\x03\x00\x1b\x7f\x85\ufeff\u200b*"),
                   max_size=6)


@given(number=numbers, before=wrapping, after=wrapping, upper=st.booleans())
def test_a_scanned_or_typed_number_reads_as_itself(number, before, after, upper):
    typed = before + (number.upper() if upper else number) + after
    assert door_number(typed, leiden=True) == number
    assert door_number(typed, leiden=False) == number


@given(digits=seven_digits, before=wrapping, after=wrapping)
def test_seven_digits_alone_are_a_leiden_number_only_under_the_leiden_pattern(
        digits, before, after):
    assert door_number(before + digits + after, leiden=True) == "s" + digits
    assert door_number(before + digits + after, leiden=False) == digits


@given(line=st.text())
def test_reading_never_fails_and_reading_again_changes_nothing(line):
    for leiden in (True, False):
        once = door_number(line, leiden=leiden)
        assert door_number(once, leiden=leiden) == once
        assert not any(character.isspace() for character in once)


def test_scanner_forms():
    assert door_number("\x02*S1234567*\x03\r\n", leiden=True) == "s1234567"
    assert door_number("  1234567\t", leiden=True) == "s1234567"
    assert door_number("12345678", leiden=True) == "12345678"  # not 7 digits: as typed
    assert door_number("s12 34567", leiden=True) == "s1234567"  # as `attend` reads it


def mutate(number: str, position: int, digit: str) -> str:
    return number[:position] + digit + number[position + 1:]


@given(number=numbers, position=st.integers(1, 7), digit=st.sampled_from("0123456789"))
def test_one_digit_different_is_suggested(number, position, digit):
    typo = mutate(number, position, digit)
    assert list(one_typo_away(typo, {number, "s0000000x"})) == ([] if typo == number
                                                                 else [number])


@given(number=numbers, position=st.integers(1, 6))
def test_two_adjacent_digits_swapped_are_suggested(number, position):
    swapped = (number[:position] + number[position + 1] + number[position]
               + number[position + 2:])
    assert list(one_typo_away(swapped, {number})) == ([] if swapped == number else [number])


@given(number=numbers, first=st.integers(1, 5), shifts=st.tuples(st.integers(1, 9),
                                                                    st.integers(1, 9)))
def test_two_typos_are_not_suggested(number, first, shifts):
    def shifted(digit: str, by: int) -> str:
        return str((int(digit) + by) % 10)

    typo = mutate(number, first, shifted(number[first], shifts[0]))
    typo = mutate(typo, first + 2, shifted(number[first + 2], shifts[1]))
    assert list(one_typo_away(typo, {number})) == []


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


# --- the numbers nobody registered ------------------------------------------------------


def test_unknown_numbers_become_a_class_list_to_complete_and_import(tracker, tmp_path):
    seed(tracker)
    unknown = tmp_path / "unknown.csv"
    tracker("checkin", "1", "--unknown-to", str(unknown),
            input="s7777777\nabc\n*S8888888*\ns1234567\ns7777777\n")
    # a second session at the door adds to the list, without repeating a number
    tracker("checkin", "1", "--unknown-to", str(unknown), input="s8888888\n9999999\n")
    with unknown.open(newline="") as file:
        rows = list(csv.reader(file))
    assert rows == [["student_number", "name", "email", "start"], ["s7777777", "", "", ""],
                    ["s8888888", "", "", ""], ["s9999999", "", "", ""]]
    names = {"s7777777": "Dirk Laat", "s8888888": "Eva de Wit", "s9999999": "Fleur Jong"}
    with unknown.open("w", newline="") as file:  # the coordinator fills in the names
        writer = csv.writer(file)
        writer.writerow(rows[0])
        writer.writerows([number, names[number], "", ""] for number, *_ in rows[1:])
    result = tracker("student", "import", str(unknown), "--start", "2025-09")
    assert "added 3 students" in result.stdout
    assert tracker.json("student", "show", "s8888888")["name"] == "Eva de Wit"
    result = tracker("checkin", "1", input="s7777777\n")
    assert result.stdout.startswith("✓ checked in s7777777 Dirk Laat (1 so far)")


def test_unknown_numbers_are_added_to_a_class_list_in_its_own_form(tracker, tmp_path):
    seed(tracker)
    listed = tmp_path / "list.csv"
    listed.write_bytes("\ufeffStudent_Number;Name;E-mail;Start;Remark\r\n"
                       "s7777777;Dirk Laat;;2025-09;late\r\n".encode())
    result = tracker("checkin", "1", "--unknown-to", str(listed),
                     input="s7777777\ns8888888\ns1234576\n")
    assert "did you mean s1234567, Ada Jansen?" in result.stdout
    assert listed.read_bytes().decode() == (  # a typo of a registered number is not added
        "\ufeffStudent_Number;Name;E-mail;Start;Remark\r\n"
        "s7777777;Dirk Laat;;2025-09;late\r\n"
        "s8888888;;;;\r\n")
    assert "added 1 unregistered student number(s)" in result.output


@pytest.mark.parametrize("content", [
    b"OrgDefinedId,Username,Points\n#s1,#s1,3\n",  # another file entirely
    b"student,complete\ns1234567,true\n",  # a report: no name column
    b"student_number,name\n\xff\xfe not text\n",  # not UTF-8
])
def test_unknown_to_refuses_a_file_that_is_no_class_list_and_leaves_it(tracker, tmp_path,
                                                                         content):
    seed(tracker)
    target = tmp_path / "other.csv"
    target.write_bytes(content)
    result = tracker("checkin", "1", "--unknown-to", str(target), input="s7777777\n",
                     expect=2)
    assert f"--unknown-to {target} is not a class list" in result.output
    assert "checked in" not in result.output  # refused before a line is read
    assert target.read_bytes() == content


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_unknown_to_on_a_full_disk_is_one_line_before_the_session(tracker):
    seed(tracker)
    result = tracker("checkin", "1", "--unknown-to", "/dev/full", input="s7777777\n",
                     expect=2)
    assert "cannot write /dev/full: it is not a plain file" in result.output
    assert "checked in" not in result.output


def test_unknown_to_never_writes_the_database(sqlite_tracker, sqlite_url):
    seed(sqlite_tracker)
    for target in (sqlite_url, f"{sqlite_url}-wal", f"{sqlite_url}-shm"):
        result = sqlite_tracker("checkin", "1", "--unknown-to", target,
                                input="s7777777\n", expect=2)
        assert f"cannot write {target}: it " in result.output  # is (or belongs to) the database
    assert query(sqlite_url, "PRAGMA integrity_check") == [("ok",)]
    assert len(sqlite_tracker.json("student", "list")) == 3


def test_a_student_registered_during_the_session_is_found(db, tracker):
    seed(tracker)
    with Door.open(db, 1, by="door") as door:
        assert door.check_in("s5555555").why == "not registered"
        tracker("student", "add", "s5555555", "--name", "Late Comer", "--start", "2024-09")
        assert door.check_in("s5555555").answer == "checked in"


def test_students_are_read_once_not_per_check_in(db, tracker):
    seed(tracker)
    door = Door.open(db, 2, by="door", any_day=True)
    statements: list[str] = []

    def roster_reads() -> list[str]:
        return [s for s in statements if "FROM student" in s and "student.id =" not in s]

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for number in ("s1234567", "s7654321", "s2000001", "s1234567"):
            door.check_in(number)
        assert roster_reads() == []  # (each scan looks up its one student, by id)
        door.check_in("s7777777")  # a miss: read again before calling it unknown
        assert len(roster_reads()) == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        door.close()
    assert door.tally().checked_in == 3 and door.tally().already == 1


# --- two laptops at one door ------------------------------------------------------------


@needs_script
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_two_laptops_at_one_door_record_each_student_once(engine, new_database, tmp_path):
    from conftest import Tracker

    url = new_database(engine)
    tracker = Tracker(url)
    students = 120
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{3000000 + i},Student {i},,2024-09\n" for i in range(students)))
    tracker("student", "import", str(roster))
    tracker("activity", "add", "colloquium", "--date", TODAY.isoformat(), "--title", "Door")
    left = [f"s{3000000 + i}" for i in range(0, 90)]
    right = [f"{3000000 + i}" for i in range(30, students)]  # 60 the same, as 7 digits
    lanes = []
    for name, lane in (("left", left), ("right", right)):
        path = tmp_path / f"{name}.txt"
        path.write_text("\n".join(lane) + "\n")
        lanes.append(path)
    processes = []
    for lane in lanes:
        with lane.open() as lane_input:
            processes.append(subprocess.Popen(
                [str(SCRIPT), "--db", url, "checkin", "1", "--by", lane.stem],
                stdin=lane_input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, env=environment()))
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert err == ""
        outputs.append(out.splitlines())
    for lane, lines in zip((left, right), outputs, strict=True):
        answers = lines[:len(lane)]
        assert all(a.startswith(("✓ checked in", "= already checked in")) for a in answers)
    totals = [lines[-1] for lines in outputs]
    checked = [int(total.split(",")[0].split()[-1]) for total in totals]
    already = [int(total.split(",")[1].split()[-1]) for total in totals]
    assert sum(checked) == students and sum(already) == 60, totals
    rows = query(url, "SELECT student_id, count(*) FROM participation GROUP BY student_id")
    assert len(rows) == students and {count for _, count in rows} == {1}
    sessions = query(url, "SELECT count(*) FROM change WHERE command = 'checkin' "
                          "AND part_of_id IS NULL")
    assert sessions == [(2,)]
    each = query(url, "SELECT count(*) FROM change WHERE command = 'checkin'")
    assert each == [(students,)]  # one change per check-in, grouped by session


# --- at a real terminal ------------------------------------------------------------------


def spawn(url: str, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(str(SCRIPT), ["--db", url, "checkin", *args], env=environment(),
                          encoding="utf-8", timeout=30, dimensions=(24, 120))
    child.expect("Ctrl-C ends")  # the header, on stderr
    return child


@needs_script
def test_typed_at_a_terminal_answered_line_by_line_and_ended_with_ctrl_c(
        sqlite_tracker, sqlite_url):
    seed(sqlite_tracker)
    child = spawn(sqlite_url, "1")
    seen: list[str] = []
    try:
        child.sendline("s1234567")
        child.expect(r"✓ checked in s1234567 Ada Jansen \(1 so far\)")
        seen.append(child.before + child.after)
        child.sendline("S1234567")
        child.expect(r"= already checked in s1234567 Ada Jansen at \d\d:\d\d")
        child.sendline("s7654312")
        child.expect(r"✗ not recognised s7654312: not registered; did you mean s7654321, "
                     r"Bram de Vries\?")
        seen.append(child.before + child.after)
        assert "\x1b[" in seen[-1]  # in colour, on a terminal
        child.sendline("*7654321*")
        child.expect(r"✓ checked in s7654321 Bram de Vries \(2 so far\)")
        child.sendintr()
        child.expect("checked in 2, already 1, not recognised 1")
        child.expect(pexpect.EOF)
        seen.append(child.before)
    finally:
        child.close()
    assert child.exitstatus == 0, seen
    assert "Traceback" not in "".join(seen) and "Aborted" not in "".join(seen)
    assert [n for n, *_ in checked_in(sqlite_url)] == ["s1234567", "s7654321"]


@needs_script
def test_ctrl_d_and_an_empty_line_end_it_too(sqlite_tracker, sqlite_url):
    seed(sqlite_tracker)
    for ending in ("", None):
        child = spawn(sqlite_url, "1")
        child.sendline("s2000001")
        child.expect("checked in s2000001")
        if ending is None:
            child.sendeof()
        else:
            child.sendline(ending)
        child.expect("checked in [01], already [01], not recognised 0")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0


@needs_script
@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_killed_after_three_answers_the_three_are_recorded(engine, new_database):
    from conftest import Tracker

    url = new_database(engine)
    seed(Tracker(url))
    child = spawn(url, "1", "--by", "door")
    for number in ("s1234567", "s7654321", "s2000001"):
        child.sendline(number)
        child.expect(f"✓ checked in {number}")
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert child.signalstatus == signal.SIGKILL
    assert checked_in(url) == [("s1234567", "attended", "checkin"),
                               ("s2000001", "attended", "checkin"),
                               ("s7654321", "attended", "checkin")]
    assert query(url, "SELECT summary FROM change WHERE command = 'checkin' "
                      "AND part_of_id IS NULL") == [
        ("checked in 3 student(s) at #1 Peers today",)]
    if engine == "sqlite":
        assert query(url, "PRAGMA integrity_check") == [("ok",)]


def test_check_ins_are_synced_to_disk_before_they_are_answered(sqlite_tracker, sqlite_url):
    from tracker.cli.context import AppContext

    seed(sqlite_tracker)
    context = AppContext(sqlite_url)
    try:
        db = context.database()
        with Door.open(db, 1) as door:
            door.check_in("s1234567")
            with db.transaction(read_only=True) as session:
                level = session.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        assert level == 2  # FULL: WAL mode's NORMAL survives a crash, not a power cut
    finally:
        context.close()
