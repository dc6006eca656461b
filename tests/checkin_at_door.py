"""What the check-in tests share: the console script, a seeded programme, and reading
what the door recorded straight from the database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest
from sqlalchemy import create_engine, text

from tracker.db.engine import resolve_url

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


def spawn(url: str, *args: str) -> pexpect.spawn:
    child = pexpect.spawn(str(SCRIPT), ["--db", url, "checkin", *args], env=environment(),
                          encoding="utf-8", timeout=30, dimensions=(24, 120))
    child.expect("Ctrl-C ends")  # the header, on stderr
    return child
