"""Check-in at the door: two laptops at one door; typed at a real terminal; a crash loses
nothing that was answered."""

from __future__ import annotations

import signal
import subprocess

import pexpect
import pytest
from checkin_at_door import (
    SCRIPT,
    TODAY,
    checked_in,
    environment,
    needs_script,
    query,
    seed,
    spawn,
)

from tracker.service.checkin import Door

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
