"""A laptop dies mid-import: the database holds none or all of it, and stays sound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from tracker.db.engine import resolve_url

STUDENTS, ACTIVITIES = 2000, 50
ROWS = STUDENTS * ACTIVITIES
KILL_AT = (0.15, 0.3, 0.45, 0.6, 0.75, 0.9)  # fractions of a whole import's duration


def import_command(url: str, sheet: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "--db", url, "attend", "--import", sheet]


def participations(url: str) -> tuple[int, str | None]:
    engine = create_engine(resolve_url(url))
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM participation")).scalar_one()
        integrity = (connection.execute(text("PRAGMA integrity_check")).scalar()
                     if engine.dialect.name == "sqlite" else None)
    engine.dispose()
    return count, integrity


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_killed_imports_leave_none_or_all(engine, new_database, tmp_path):
    from conftest import Tracker

    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{4000000 + i},Student {i},,2024-09\n" for i in range(STUDENTS)))
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\n" + "".join(
        f"colloquium,2024-{10 + i // 28:02d}-{i % 28 + 1:02d},Colloquium {i}\n"
        for i in range(ACTIVITIES)))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s{4000000 + s},{a + 1}\n" for s in range(STUDENTS) for a in range(ACTIVITIES)))

    def fresh() -> str:
        url = new_database(engine)
        Tracker(url)("student", "import", str(roster))
        Tracker(url)("activity", "import", str(schedule))
        return url

    timing_url = fresh()
    started = time.perf_counter()
    subprocess.run(import_command(timing_url, str(sheet)), check=True, capture_output=True)
    duration = time.perf_counter() - started
    assert participations(timing_url)[0] == ROWS

    url = fresh()
    outcomes = []
    for fraction in KILL_AT:
        process = subprocess.Popen(import_command(url, str(sheet)), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        count, integrity = participations(url)
        assert integrity in (None, "ok")
        assert count in (0, ROWS), f"killed at {fraction:.0%}: {count} rows"
        outcomes.append(count)
        if count:
            break  # the import finished before the kill; later kills would prove nothing
    assert outcomes.count(0) >= 3, outcomes  # most kills landed mid-import

    finished = subprocess.run(import_command(url, str(sheet)), capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert participations(url)[0] == ROWS
