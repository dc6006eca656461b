"""Check-in at the door: the numbers nobody registered, kept as a class list to complete
and import; students registered during the session found."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from checkin_at_door import (
    query,
    seed,
)
from sqlalchemy import event

from tracker.service.checkin import Door

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


