"""Coordinators importing at once: imports take turns instead of deadlocking, a lost race
is run again, and a database held too long is "busy" (exit 1), never bad input (exit 2)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tracker.db.engine import resolve_url

STUDENTS = 4000
ACTIVITIES = 4  # 16,000 lines a sheet: four batches of the attendance import


def sheets(folder: Path, count: int) -> list[Path]:
    """``count`` sign-in sheets of the same lines, each in another order."""
    pairs = [(f"s{2000000 + s}", a) for s in range(STUDENTS) for a in range(1, ACTIVITIES + 1)]
    paths = []
    for k in range(count):
        random.Random(k).shuffle(pairs)
        path = folder / f"sheet-{k}.csv"
        path.write_text("student_number,activity_id\n" + "".join(f"{n},{a}\n" for n, a in pairs))
        paths.append(path)
    return paths


def test_overlapping_imports_of_many_batches_all_succeed(tracker, db_url, tmp_path):
    url = db_url
    for command, header, lines in (
            ("student", "student_number,name,start",
             [f"s{2000000 + i},Student {i},2024-09" for i in range(STUDENTS)]),
            ("activity", "kind,date,title",
             [f"colloquium,2024-10-{i + 1:02d},Colloquium {i}" for i in range(ACTIVITIES)])):
        listing = tmp_path / f"{command}.csv"
        listing.write_text("\n".join([header, *lines]) + "\n")
        tracker(command, "import", str(listing))
    processes = [subprocess.Popen([sys.executable, "-m", "tracker", "--db", url, "attend",
                                   "--import", str(sheet)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for sheet in sheets(tmp_path, 4)]
    outcomes = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    assert [code for code, _, _ in outcomes] == [0] * 4, outcomes
    added = [out for _, out, _ in outcomes if out.startswith("added 16000 attendances")]
    assert len(added) == 1, outcomes  # one did the work; the others found it done
    database = create_engine(resolve_url(url))
    with database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM participation")).scalar() == \
            STUDENTS * ACTIVITIES
    database.dispose()


@pytest.fixture
def small_programme(tracker, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,start\ns2000001,Ada,2024-09\n")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2024-10-01,Peers\n")
    tracker("student", "import", str(roster))
    tracker("activity", "import", str(schedule))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id\ns2000001,1\n")
    return tracker, sheet


def test_a_lock_held_too_long_is_busy_not_bad_input(small_programme, db_url, monkeypatch):
    tracker, sheet = small_programme
    database = create_engine(resolve_url(db_url))
    with database.connect() as holder:
        monkeypatch.setattr("tracker.db.engine.BUSY_TIMEOUT_MS", 200)
        if holder.dialect.name == "sqlite":
            holder.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, as a writer holds it
        else:
            holder.execute(text(  # the same row, written and not yet committed
                "INSERT INTO participation (student_id, activity_id, status, recorded_by, "
                "recorded_at, source, change_id) SELECT s.id, 1, 'attended', 'x', now(), "
                "'typed', c.id FROM student s, change c LIMIT 1"))
        result = tracker("attend", "--import", str(sheet), expect=1)
        holder.rollback()
    database.dispose()
    assert "the database is busy: try again" in result.output
    assert "added 1 attendance" in tracker("attend", "--import", str(sheet)).stdout


def test_an_import_that_lost_a_race_is_run_again(small_programme, monkeypatch):
    tracker, sheet = small_programme

    class Deadlock(Exception):
        sqlstate = "40P01"

    from tracker.db import contention

    real = contention.take_turns_with_other_imports
    raised = []

    def lose_the_first_race(session):
        if not raised:
            raised.append(True)
            raise OperationalError("INSERT ...", {}, Deadlock("deadlock detected"))
        real(session)

    monkeypatch.setattr("tracker.service.import_driver.take_turns_with_other_imports",
                        lose_the_first_race)
    assert "added 1 attendance" in tracker("attend", "--import", str(sheet)).stdout
    assert raised == [True]
