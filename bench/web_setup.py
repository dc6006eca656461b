"""Helpers of the web figures that need the tracker itself (run with its Python).

    python web_setup.py sessions URL NUMBER [COUNT]   # JSON: cookies of signed-in sessions
    python web_setup.py admin URL                     # /admin vs report --format html

``sessions`` signs in COUNT browsers of the student NUMBER and one coordinator, as the
sign-in flow would end (a session row each), so the figures time the pages, not the
mail. ``admin`` times, in one process and after a first run of each, the coordinator's
``/admin`` (Flask's test client, no server) against ``report --format html`` (the
command's own function, no interpreter start): the median of five runs each, in turns.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

COORDINATOR = ("bench-coordinator@example.org", "Bench Coordinator")


def sessions(url: str, number: str, count: int = 1) -> dict[str, object]:
    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Coordinator, Student
    from tracker.service.portal import sessions as web_sessions
    from tracker.service.portal.coordinators import add_coordinator

    db = Database.from_url(resolve_url(url))
    with db.transaction(read_only=True) as session:
        known = session.scalar(select(Coordinator.id).where(
            Coordinator.email == COORDINATOR[0]))
    if known is None:
        add_coordinator(db, *COORDINATOR)
    now = datetime.now(UTC)
    with db.transaction() as session:
        student = session.scalars(select(Student).where(Student.number == number)).one()
        coordinator = session.scalars(select(Coordinator).where(
            Coordinator.email == COORDINATOR[0])).one()
        students = [web_sessions.start(session, "student", student.id, now)
                    for _ in range(count)]
        admin = web_sessions.start(session, "coordinator", coordinator.id, now)
    db.engine.dispose()
    return {"students": students, "coordinator": admin}


def admin(url: str) -> dict[str, float]:
    from click.testing import CliRunner

    from tracker.cli import main
    from tracker.cli.context import AppContext
    from tracker.web import create_app
    from tracker.web.mail import MemoryPostbox

    cookie = sessions(url, _any_student(url))["coordinator"]
    app = create_app(url, postbox=MemoryPostbox(), background_mail=False)
    client = app.test_client()
    client.set_cookie("tracker", str(cookie))
    context = AppContext(url)
    runner = CliRunner()
    page = Path(tempfile.mkdtemp(prefix="tracker-admin-")) / "cohort.html"

    def web() -> None:
        answer = client.get("/admin")
        assert answer.status_code == 200, answer.status_code

    def command() -> None:
        done = runner.invoke(main, ["report", "--format", "html", "-o", str(page)],
                             obj=context)
        assert done.exit_code == 0, done.output

    webs, commands = [], []
    web(), command()
    for _ in range(5):
        for job, times in ((web, webs), (command, commands)):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
    context.close()
    return {"admin": statistics.median(webs), "report": statistics.median(commands)}


def _any_student(url: str) -> str:
    from tracker.db.engine import Database, resolve_url
    from tracker.db.models import Student

    db = Database.from_url(resolve_url(url))
    with db.transaction(read_only=True) as session:
        number = session.scalars(select(Student.number).limit(1)).one()
    db.engine.dispose()
    return number


if __name__ == "__main__":
    job, url, *rest = sys.argv[1:]
    if job == "sessions":
        print(json.dumps(sessions(url, rest[0], int(rest[1]) if len(rest) > 1 else 1)))
    else:
        print(json.dumps(admin(url)))
