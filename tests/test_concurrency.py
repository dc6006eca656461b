"""Several coordinators at once: four processes log overlapping sign-in sheets."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from tracker.db.engine import resolve_url

WORKERS = 4
COMMANDS = 24  # per worker
STUDENTS = 30
ACTIVITIES = 6

WORKER = """
import json, sys
from click.testing import CliRunner
from tracker.cli import main

url, plan = sys.argv[1], json.loads(sys.argv[2])
runner = CliRunner()
codes = []
for args in plan:
    result = runner.invoke(main, ["--db", url, *args])
    codes.append([result.exit_code, result.output[-300:]])
print(json.dumps(codes))
"""


def plans(seed: int) -> tuple[list[list[list[str]]], set[tuple[str, int]]]:
    """Per worker, attend commands over overlapping students; and every pair logged."""
    rng = random.Random(seed)
    expected: set[tuple[str, int]] = set()
    all_plans = []
    for _ in range(WORKERS):
        plan = []
        for _ in range(COMMANDS):
            activity = rng.randint(1, ACTIVITIES)
            students = rng.sample(range(STUDENTS), 5)
            numbers = [f"s{3000000 + s}" for s in students]
            expected.update((n, activity) for n in numbers)
            plan.append(["attend", str(activity), *numbers, "--by", "worker"])
        all_plans.append(plan)
    return all_plans, expected


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_four_writers_record_every_participation_exactly_once(engine, new_database, tmp_path):
    from conftest import Tracker

    url = new_database(engine)
    tracker = Tracker(url)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{3000000 + i},Student {i},,2024-09\n" for i in range(STUDENTS)))
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\n" + "".join(
        f"colloquium,2024-10-{i + 1:02d},Colloquium {i}\n" for i in range(ACTIVITIES)))
    tracker("student", "import", str(roster))
    tracker("activity", "import", str(schedule))

    worker_plans, expected = plans(seed=7)
    processes = [subprocess.Popen([sys.executable, "-c", WORKER, url, json.dumps(plan)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for plan in worker_plans]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        results.extend(json.loads(out))
    failed = [output for code, output in results if code != 0]
    assert not failed, failed[:3]
    assert len(results) == WORKERS * COMMANDS

    database = create_engine(resolve_url(url))
    with database.connect() as connection:
        rows = connection.execute(text(
            "SELECT s.number, p.activity_id FROM participation p "
            "JOIN student s ON s.id = p.student_id")).all()
    database.dispose()
    recorded = [(number, activity) for number, activity in rows]
    assert len(recorded) == len(set(recorded)) == len(expected)
    assert set(recorded) == expected


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_undo_beside_a_colleagues_import_undoes_your_change_not_theirs(engine, new_database,
                                                                      tmp_path):
    """Undo chooses inside the write lock, and only among your own changes: a colleague's
    import that commits while your undo waits (or runs) is never the one undone."""
    from conftest import Tracker
    from test_crash import read_position

    url = new_database(engine)
    tracker = Tracker(url)
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{3000000 + i},Student {i},,2024-09\n" for i in range(STUDENTS)))
    tracker("student", "import", str(roster), "--by", "Colleague")
    tracker("activity", "add", "colloquium", "--date", "2024-10-01", "--title", "Mine")
    many = 400
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\n" + "".join(
        f"colloquium,2024-11-{1 + i % 28:02d},Theirs {i}\n" for i in range(many)))
    sheet = tmp_path / "sheet.csv"
    tracker("activity", "import", str(schedule), "--by", "Colleague")
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s{3000000 + s},{2 + a}\n" for s in range(STUDENTS) for a in range(many)))
    tracker("attend", "1", "s3000000")  # yours: the one to undo
    theirs = subprocess.Popen([sys.executable, "-m", "tracker", "--db", url, "attend",
                               "--import", str(sheet), "--by", "Colleague"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while theirs.poll() is None and not read_position(theirs.pid, sheet):
        time.sleep(0.001)  # until the import is under way
    mine = subprocess.run([sys.executable, "-m", "tracker", "--db", url, "undo"],
                          capture_output=True, text=True, timeout=300)
    _, err = theirs.communicate(timeout=300)
    assert theirs.returncode == 0, err
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout.startswith("undid change #") and "attended #1 Mine" in mine.stdout
    database = create_engine(resolve_url(url))
    with database.connect() as connection:
        counted = connection.execute(text(
            "SELECT activity_id = 1, count(*) FROM participation GROUP BY activity_id = 1"
        )).all()
    database.dispose()
    assert sorted((bool(mine_), n) for mine_, n in counted) == [(False, STUDENTS * many)]
