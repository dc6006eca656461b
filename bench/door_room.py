"""The check-in room: 200 phones at one door, 20 at a time, each signed in with a session
of its own, scan the code (GET /c/<activity>/<code>) and press the button (POST, the
kiosk's write path, a committed and synced write); against the same room at the least
Flask app under the same waitress (``minimal_web.py``: its GET reads one row, its POST
inserts one row with a synced commit). Every check-in must be recorded once.

It runs only when this build has the door's check-in (``tracker.service.portal.doors``
and the ``/c/`` routes); otherwise it says so and measures nothing.

    python door_room.py setup URL N    # (the tracker's side, run by the benchmark)
    python door_room.py count URL ACTIVITY
"""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import web

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
ROOM, AT_ONCE, ROUNDS = 200, 20, 3
FIELDS = re.compile(r'name="(csrf_token|scanned_at|seal)" value="([^"]+)"')
PROBE = ("from tracker.service.portal.doors import open_door, code_now\n"
         "from tracker.service.portal.doorcode import current_code\n"
         "from tracker.web.routes import ROUTES\n"
         "assert any(r.rule.startswith('/c/') and 'POST' in r.methods for r in ROUTES)\n")


def has_door(env: dict[str, str]) -> bool:
    return subprocess.run([PYTHON, "-c", PROBE], env=env, capture_output=True).returncode == 0


def setup(url: str, count: int) -> dict[str, Any]:
    """A new activity today (as `tracker activity add` makes it) with its door open, and
    ``count`` students signed in."""
    from sqlalchemy import select

    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Door, Student
    from tracker.service.portal import sessions
    from tracker.service.portal.doors import open_door

    now = datetime.now(UTC)
    added = subprocess.run([str(Path(PYTHON).with_name("tracker")), "--db", url, "activity",
                            "add", "colloquium", "--date", date.today().isoformat(),
                            "--title", f"Bench room {now:%H%M%S%f}"],
                           capture_output=True, text=True, check=True)
    activity = int(added.stdout.strip().splitlines()[-1])
    db = Database.from_url(resolve_url(url))
    open_door(db, activity, minutes=30, by="bench", now=now, today=date.today())
    with db.transaction() as session:
        key = session.get(Door, activity).code_key
        ids = session.scalars(select(Student.id).order_by(Student.id).limit(count)).all()
        cookies = [sessions.start(session, "student", int(i), now) for i in ids]
    db.engine.dispose()
    return {"activity": activity, "key": key, "cookies": cookies}


def count(url: str, activity: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Participation

    db = Database.from_url(resolve_url(url))
    with db.transaction(read_only=True) as session:
        rows, students = session.execute(
            select(func.count(), func.count(func.distinct(Participation.student_id)))
            .where(Participation.activity_id == activity, Participation.source == "qr")).one()
    db.engine.dispose()
    return {"rows": int(rows), "students": int(students)}


def _helper(*args: str, env: dict[str, str]) -> Any:
    done = subprocess.run([PYTHON, str(Path(__file__)), *args], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"door room: {' '.join(args[:2])} failed: {done.stderr}")
    return json.loads(done.stdout)


def tool_phone(made: dict[str, Any], base: str) -> Any:
    from tracker.service.portal.doorcode import current_code  # a pure function

    key, activity = bytes.fromhex(made["key"]), made["activity"]

    def phone(connection: http.client.HTTPConnection, n: int) -> None:
        code = current_code(key, activity, datetime.now(UTC))  # read off the screen
        path = f"/c/{activity}/{code}"
        cookie = {"Cookie": f"tracker={made['cookies'][n]}"}
        page, _ = web.answer(connection, "GET", path, cookie)
        form = dict(FIELDS.findall(page))
        web.answer(connection, "POST", path, {**cookie, "Origin": base,
               "Content-Type": "application/x-www-form-urlencoded"}, urlencode(form),
               expect=303)

    return phone


def minimal_phone(activity: int, numbers: list[str]) -> Any:
    def phone(connection: http.client.HTTPConnection, n: int) -> None:
        web.answer(connection, "GET", f"/room/{activity}")
        web.answer(connection, "POST", f"/room/{activity}",
               {"Content-Type": "application/x-www-form-urlencoded"},
               urlencode({"number": numbers[n]}))

    return phone


def room_figures(table: Any, engine: str, url: str, baseline_db: str, numbers: list[str],
                 folder: Path, env: dict[str, str]) -> None:
    figure = f"{engine}: check-in room, {ROOM} phones, {AT_ONCE} at a time"
    if not has_door(env):
        table.note(figure, "skipped: no door check-in in this build")
        return
    count_servers = 2 if engine == "PostgreSQL" else 1
    tools, baselines = [], []
    tool = web.tracker_servers(url, folder, env, count_servers)
    minimal = web.minimal_servers(baseline_db, count_servers)
    with web.servers(tool, env) as tool_ports, web.servers(minimal, env) as minimal_ports:
        base = web.BASE
        for turn in range(ROUNDS):
            made = _helper("setup", url, str(ROOM), env=env)
            tools.append(web.load(tool_ports, AT_ONCE, ROOM, tool_phone(made, base)))
            recorded = _helper("count", url, str(made["activity"]), env=env)
            if recorded != {"rows": ROOM, "students": ROOM}:
                raise SystemExit(f"door room: recorded {recorded}, not {ROOM} once each")
            baselines.append(web.load(minimal_ports, AT_ONCE, ROOM, minimal_phone(
                1_000_000 + turn, numbers)))
    tool_run, minimal_run = web.median_load(tools), web.median_load(baselines)
    table.add(f"{figure}, scan + button, all recorded once, vs a minimal Flask app (GET "
              "reads a row, POST inserts one, synced), per phone",
              tool_run.per_request * 1000, minimal_run.per_request * 1000, 3.0, "ms")
    table.note(f"{figure}: latency of a phone (scan + button)",
               f"{tool_run.said()} (minimal: {minimal_run.said()})")


if __name__ == "__main__":
    job, target, *rest = sys.argv[1:]
    if job == "setup":
        print(json.dumps(setup(target, int(rest[0]))))
    else:
        print(json.dumps(count(target, int(rest[0]))))
