"""Check-in by QR code in Debian's Chromium: the projector's screenshot decodes (zxing-cpp)
to a URL that checks a signed-in student in; 11 seconds later (on the portal's clock) the
projector shows another code without a reload; on the same phone, signed out, the next
student's scan waits for their sign-in by the mailed link, and the coordinator's list
shows that check-in flagged shared-device without a reload. Screenshots go to
test-artefacts/portal/ (git-ignored), to be looked at."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import Tracker

from .conftest import enrol
from .qr_reader import read_qr
from .test_browser import LAPTOP, PHONE, Visit, chromium  # noqa: F401  (the fixture)


@dataclass
class RunningClock:
    """The real time, moved on by the test."""

    offset: timedelta = field(default_factory=timedelta)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **span: float) -> None:
        self.offset += timedelta(**span)


@pytest.fixture
def door(served, db_url) -> Iterator[dict[str, Any]]:
    from tracker.service.portal import sessions
    from tracker.service.portal.doors import open_door

    clock = RunningClock()
    site = served(db_url, clock=clock)
    portal = site.portal
    today = clock().astimezone().date().isoformat()
    added = Tracker(db_url)("activity", "add", "colloquium", "--date", today, "--title",
                                "Peer colloquium: organoids on a chip")
    activity = int(added.output.strip().splitlines()[-1])
    link = open_door(portal.db, activity, minutes=60, by="Dr. C. Oordinator", now=clock(),
                     today=clock().astimezone().date()).state.link
    enrol(portal)

    def session_of(role: str, number: str | None = None) -> str:
        from sqlalchemy import select

        from tracker.db.models import Coordinator, Student

        with portal.db.transaction() as session:
            who = session.scalar(select(Coordinator.id) if number is None else
                                 select(Student.id).where(Student.number == number))
            return sessions.start(session, role, int(who), clock())

    yield {"base": site.base, "link": link, "activity": activity, "clock": clock,
           "portal": portal, "session_of": session_of}


def signed_in(visit: Visit, base: str, key: str) -> None:
    visit.context.add_cookies([{"name": "tracker", "value": key, "url": base}])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_room_checks_itself_in_by_the_projectors_code(chromium, door):  # noqa: F811
    base, clock, portal = door["base"], door["clock"], door["portal"]
    projector = Visit(chromium, viewport={"width": 1280, "height": 800})
    projector.page.goto(base + door["link"])
    projector.page.evaluate("window.notReloaded = true")
    projector.shot("door-1-projector.png")
    [scanned] = read_qr(projector.page.locator("#qr svg").screenshot())
    assert re.fullmatch(re.escape(base) + rf"/c/{door['activity']}/[a-z2-7]{{8}}", scanned)

    coordinator = Visit(chromium, **LAPTOP)
    signed_in(coordinator, base, door["session_of"]("coordinator"))
    coordinator.page.goto(f"{base}/admin/activities/{door['activity']}")

    phone = Visit(chromium, **PHONE)  # Ada's phone, signed in
    signed_in(phone, base, door["session_of"]("student", "s1234567"))
    phone.page.goto(scanned)
    phone.shot("door-2-scan-signed-in-phone.png")
    phone.page.get_by_role("button", name="Check in as Ada Jansen").click()
    phone.page.wait_for_url(f"{base}/me?checked-in={door['activity']}")
    assert phone.page.get_by_text("You are checked in at Peer colloquium: organoids on a "
                                  "chip").is_visible()
    phone.shot("door-3-checked-in-phone.png", whole=False)

    projector.page.locator("#count", has_text="1").wait_for(timeout=6000)  # no reload
    clock.advance(seconds=11)  # the projector shows a new code, without a reload
    time.sleep(3.5)  # the script asks at least every 3 seconds
    [later] = read_qr(projector.page.locator("#qr svg").screenshot())
    assert later != scanned and later.startswith(f"{base}/c/{door['activity']}/")
    assert projector.page.evaluate("window.notReloaded") is True

    # Ada signs out; Bram scans on her phone, not signed in, and signs in by the mail.
    phone.page.get_by_role("button", name="Sign out", exact=True).click()
    phone.page.get_by_text("You are signed out.").wait_for()  # (a goto now would cut it off)
    phone.page.goto(later)
    phone.shot("door-4-scan-not-signed-in-phone.png")
    phone.page.get_by_label("Your e-mail address or student number").fill("bram@example.org")
    phone.page.get_by_role("button", name="Send me a sign-in link").click()
    phone.page.get_by_role("heading", name="Almost there: check your mail").wait_for()
    phone.shot("door-5-kept-phone.png")
    assert portal.deliver() == 1
    token, _code = portal.last_mail()
    clock.advance(minutes=2)  # finding the mail takes a while: the scan waits
    phone.page.goto(f"{base}/login/{token}")
    phone.page.get_by_role("button", name="Sign in as Bram de Vries").click()
    phone.page.wait_for_url(f"{base}/me?checked-in={door['activity']}")
    assert phone.page.get_by_text("You are checked in at").is_visible()

    phone.page.goto(scanned)  # the first code, a photo of the screen a minute old
    assert phone.page.get_by_text("This code has expired").is_visible()
    phone.shot("door-7-expired-phone.png", whole=False)
    assert phone.problems == ["console error: Failed to load resource: the server responded "
                              "with a status of 400 (BAD REQUEST)"]
    phone.problems.clear()

    coordinator.page.get_by_text("shared-device").wait_for(timeout=6000)  # no reload
    assert coordinator.page.locator("#present tr").count() == 2
    assert coordinator.page.locator("#count").inner_text() == "2"
    coordinator.shot("door-6-coordinator-laptop.png")
    for visit in (projector, coordinator, phone):
        visit.close()
