"""A room of 200 phones at one door (SPEC §9's design load): 200 students, each with a
session of their own, 20 at a time, scan the code and press the button; every one is
recorded once, no answer is an error. On SQLite one `tracker serve`; on PostgreSQL two,
the phones taking turns between them."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

from conftest import Tracker
from sqlalchemy import func, select

from tracker.db.engine import Database, resolve_url
from tracker.db.models import Door, Participation, Student

from .conftest import HttpBrowser, populate
from .test_served import start_serving

ROOM = 200
AT_ONCE = 20


def test_a_room_of_200_phones_checks_in_each_once(db_url, tmp_path):
    from smtp_servers import free_port

    from tracker.service.portal import sessions
    from tracker.service.portal.doorcode import current_code
    from tracker.service.portal.doors import open_door

    populate(db_url)
    roster = tmp_path / "room.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s30{i:05d},Student {i},s{i}@example.org,2025-09\n" for i in range(ROOM)))
    tracker = Tracker(db_url)
    tracker("student", "import", str(roster))
    added = tracker("activity", "add", "colloquium", "--date", date.today().isoformat(),
                    "--title", "Peer colloquium: a full room")
    activity = int(added.output.strip().splitlines()[-1])
    db = Database.from_url(resolve_url(db_url))
    open_door(db, activity, minutes=30, by="Dr. C", now=datetime.now(UTC), today=date.today())
    with db.transaction() as session:
        key = bytes.fromhex(session.get(Door, activity).code_key)
        ids = session.scalars(select(Student.id).where(Student.number.like("s30%"))
                              .order_by(Student.number)).all()
        keys = [sessions.start(session, "student", int(i), datetime.now(UTC)) for i in ids]
    assert len(keys) == ROOM
    servers = 2 if db.engine.dialect.name == "postgresql" else 1
    ports = [free_port() for _ in range(servers)]
    processes = [start_serving(db_url, tmp_path / f"outbox{n}", port)
                 for n, port in enumerate(ports)]
    bases = [f"http://127.0.0.1:{port}" for port in ports]

    def phone(n: int) -> tuple[int, int, str | None]:
        browser = HttpBrowser(bases[n % servers], cookie=keys[n])
        code = current_code(key, activity, datetime.now(UTC))  # read off the screen
        page = browser.get(f"/c/{activity}/{code}")
        if page.status != 200:
            return page.status, 0, page.body[-300:]
        form = dict(re.findall(r'name="(scanned_at|seal)" value="([^"]+)"', page.body))
        pressed = browser.post(f"/c/{activity}/{code}", form)
        return page.status, pressed.status, pressed.header("Location")

    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(AT_ONCE) as pool:
            answers = list(pool.map(phone, range(ROOM)))
        took = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
    assert [p.wait(timeout=20) for p in processes] == [0] * servers
    wrong = [a for a in answers if a[:2] != (200, 303)]
    assert not wrong, wrong[:3]
    assert {a[2] for a in answers} == {f"/me?checked-in={activity}"}
    with db.transaction(read_only=True) as session:
        recorded = session.execute(
            select(func.count(), func.count(func.distinct(Participation.student_id)))
            .where(Participation.activity_id == activity, Participation.source == "qr")).one()
    db.dispose()
    assert tuple(recorded) == (ROOM, ROOM)
    print(f"\n{ROOM} phones, {AT_ONCE} at a time, {servers} serve process(es) on "
          f"{db.engine.dialect.name}: {took:.1f} s ({2 * ROOM / took:.0f} requests/s)")
