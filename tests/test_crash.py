"""A laptop dies mid-import: the database holds none or all of it, and stays sound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tracker.db.engine import resolve_url

STUDENTS, ACTIVITIES = 2000, 50
ROWS = STUDENTS * ACTIVITIES
KILL_AT = (0.1, 0.3, 0.5, 0.7, 0.9)  # fractions of the sheet read when the kill lands


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


def read_position(pid: int, path: Path) -> int | None:
    """How far process ``pid`` has read ``path`` (from /proc), or None if it has not
    opened it (yet, or any more)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                    info = Path(f"/proc/{pid}/fdinfo/{fd}").read_text()
                    return int(info.split("pos:", 1)[1].split()[0])
            except (FileNotFoundError, ProcessLookupError):
                continue
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def kill_when_read(command: list[str], sheet: Path, fraction: float) -> int:
    """Start the import and SIGKILL it once it has read ``fraction`` of the sheet: the
    position it had reached when killed."""
    target = sheet.stat().st_size * fraction
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    position = 0
    while process.poll() is None:
        position = read_position(process.pid, sheet) or position
        if position >= target:
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the import ended before the kill"
    return position


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux's /proc")
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
    size = sheet.stat().st_size

    url = new_database(engine)
    Tracker(url)("student", "import", str(roster))
    Tracker(url)("activity", "import", str(schedule))
    for fraction in KILL_AT:
        position = kill_when_read(import_command(url, str(sheet)), sheet, fraction)
        # Killed while reading the sheet: rows before this point were written to the
        # import's transaction, the rest not yet read.
        assert 0 < position < size, (fraction, position, size)
        count, integrity = participations(url)
        assert integrity in (None, "ok")
        assert count == 0, f"killed at {position} of {size} bytes: {count} rows kept"

    finished = subprocess.run(import_command(url, str(sheet)), capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert participations(url)[0] == ROWS
