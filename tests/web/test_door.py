"""Check-in by QR code over HTTP: the projector, the scan, the button, every refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tracker.db.models import Participation, Student

from .conftest import Browser, Portal, sign_in_coordinator

TODAY = "2026-12-01"  # the portal's clock starts on it (conftest.START)
QR_PATH = re.compile(r"/c/(\d+)/([a-z2-7]{8})")


def add_activity(portal: Portal, date: str = TODAY, title: str = "Peer colloquium: QR") -> int:
    from conftest import Tracker

    result = Tracker(portal.url)("activity", "add", "colloquium", "--date", date, "--title",
                                 title)
    return int(result.output.strip().splitlines()[-1])


def open_door(portal: Portal, activity: int, minutes: int = 120) -> str:
    """Opens the door at the portal's clock; the projector's path."""
    from tracker.service.portal.doors import open_door as opening

    opened = opening(portal.db, activity, minutes=minutes, by="Dr. C", now=portal.clock(),
                     today=portal.clock().astimezone().date())
    assert opened.state.link is not None
    return opened.state.link


def code_now(portal: Portal, activity: int) -> str:
    from tracker.service.portal.doors import code_now as code

    return code(portal.db, activity, portal.clock())


def student(portal: Portal, number: str = "s1234567") -> Browser:
    from .test_access import browser_of

    return browser_of(portal, "student" if number == "s1234567" else "other student")


def records(portal: Portal, activity: int) -> list[tuple[str, str]]:
    with portal.db.transaction(read_only=True) as session:
        return [(n, s) for n, s in session.execute(
            select(Student.number, Participation.source)
            .join(Student, Student.id == Participation.student_id)
            .where(Participation.activity_id == activity).order_by(Student.number))]


def check_in(browser: Browser, activity: int, code: str) -> Any:
    page = browser.get(f"/c/{activity}/{code}")
    assert page.status_code == 200, page.get_data(as_text=True)
    return browser.post(f"/c/{activity}/{code}", sealed(page))


def sealed(page: Any) -> dict[str, str]:
    """The scan page's hidden fields: when it was scanned, and the server's seal."""
    return dict(re.findall(r'name="(scanned_at|seal)" value="([^"]+)"',
                           page.get_data(as_text=True)))


@pytest.fixture
def door(portal: Portal) -> tuple[Portal, int, str]:
    activity = add_activity(portal)
    return portal, activity, open_door(portal, activity)


def test_the_projector_shows_a_qr_code_the_title_and_the_count_and_no_names(door):
    portal, _activity, link = door
    page = portal.browser().get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in text and "Peer colloquium: QR" in text
    assert "Ada" not in text and "s1234567" not in text
    assert 'http-equiv="refresh"' in text and "nonce-" in page.headers["Content-Security-Policy"]
    now = portal.browser().get(link + "/now.json").get_json()
    assert now["count"] == 0 and "<svg" in now["svg"]
    assert portal.browser().get("/door/made-up").status_code == 404
    assert portal.browser().get("/door/made-up/now.json").status_code == 404


def test_a_signed_in_student_checks_in_once_with_source_qr(door):
    portal, activity, _link = door
    ada = student(portal)
    page = ada.get(f"/c/{activity}/{code_now(portal, activity)}")
    assert "Check in as Ada Jansen" in page.get_data(as_text=True)
    assert records(portal, activity) == []  # the scan alone records nothing
    answer = check_in(ada, activity, code_now(portal, activity))
    assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.headers["Location"] == f"/me?checked-in={activity}"
    assert records(portal, activity) == [("s1234567", "qr")]
    me = ada.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You are checked in at Peer colloquium: QR (" in me
    again = check_in(ada, activity, code_now(portal, activity))
    assert again.status_code == 200
    assert "already, at 10:00" in again.get_data(as_text=True) or \
        "already, at" in again.get_data(as_text=True)
    assert records(portal, activity) == [("s1234567", "qr")]
    assert portal.browser().get(_link + "/now.json").get_json()["count"] == 1


def test_the_previous_code_works_and_an_older_one_is_refused(door):
    portal, activity, _ = door
    ada = student(portal)
    code = code_now(portal, activity)
    portal.clock.advance(seconds=10)
    assert ada.get(f"/c/{activity}/{code}").status_code == 200
    portal.clock.advance(seconds=10)
    refused = ada.get(f"/c/{activity}/{code}")
    assert refused.status_code == 400 and "expired" in refused.get_data(as_text=True)
    assert records(portal, activity) == []


def test_refusals_in_words_and_nothing_recorded(door):
    portal, activity, _ = door
    other = add_activity(portal, title="Another room")
    open_door(portal, other)
    future = add_activity(portal, date="2026-12-02", title="Tomorrow's")
    closed = add_activity(portal, title="Not opened")
    ada = student(portal)
    cases = {
        f"/c/{activity}/{code_now(portal, other)}": "another activity",
        f"/c/{activity}/aaaaaaaa": "not a check-in code",
        f"/c/{future}/aaaaaaaa": "not held today",
        f"/c/{closed}/aaaaaaaa": "not open",
        "/c/999/aaaaaaaa": "not open",
    }
    for url, words in cases.items():
        answer = ada.get(url)
        assert answer.status_code == 400, url
        assert words in answer.get_data(as_text=True), (url, answer.get_data(as_text=True))
    assert records(portal, activity) == [] and records(portal, other) == []


def test_a_closed_door_kills_the_link_and_the_codes(door):
    from tracker.service.portal.doors import close_door

    portal, activity, link = door
    code = code_now(portal, activity)
    ada = student(portal)
    page = ada.get(f"/c/{activity}/{code}")
    form = sealed(page)
    portal.clock.advance(seconds=1)
    close_door(portal.db, activity, now=portal.clock())
    assert portal.browser().get(link).status_code == 404
    refused = ada.get(f"/c/{activity}/{code}")
    assert refused.status_code == 400 and "closed at" in refused.get_data(as_text=True)
    assert ada.post(f"/c/{activity}/{code}", form).status_code == 303  # scanned while open
    assert records(portal, activity) == [("s1234567", "qr")]


def test_the_window_runs_out(door):
    portal, activity, link = door
    code = code_now(portal, activity)
    portal.clock.advance(minutes=121)
    assert portal.browser().get(link).status_code == 404
    assert student(portal).get(f"/c/{activity}/{code}").status_code == 400


def test_a_forged_or_foreign_seal_is_refused(door):
    portal, activity, _ = door
    code = code_now(portal, activity)
    ada, bram = student(portal), student(portal, "s7654321")
    page = ada.get(f"/c/{activity}/{code}")
    form = sealed(page)
    bram.get(f"/c/{activity}/{code}")
    assert bram.post(f"/c/{activity}/{code}", form).status_code == 400  # Ada's page
    later = {**form, "scanned_at": "2026-12-01T09:30:00+00:00"}
    assert ada.post(f"/c/{activity}/{code}", later).status_code == 400
    assert records(portal, activity) == []
    assert ada.post(f"/c/{activity}/{code}", form,
                    origin="http://evil.example").status_code == 403
    assert ada.post(f"/c/{activity}/{code}", form, token="forged").status_code == 403
    assert records(portal, activity) == []


def test_ten_bad_codes_a_minute_then_429(door):
    portal, activity, _ = door
    ada = student(portal)
    for _ in range(10):
        assert ada.get(f"/c/{activity}/bbbbbbbb").status_code == 400
    assert ada.get(f"/c/{activity}/{code_now(portal, activity)}").status_code == 429
    portal.clock.advance(seconds=61)
    assert ada.get(f"/c/{activity}/{code_now(portal, activity)}").status_code == 200


def test_a_client_that_keeps_no_cookies_is_throttled_by_its_address(door):
    """The browser's limit is its cookie's: a client that never keeps one is a new
    browser at every scan. Its address has a limit too, generous for a lecture hall
    behind one NAT address (each of 200 phones may scan an expired code twice in the
    same minute), counted in the database like the browser's."""
    from tracker.service.portal.door_checkin import MOST_MISSES_PER_CLIENT

    portal, activity, _ = door
    assert MOST_MISSES_PER_CLIENT >= 2 * 200
    bot = portal.app.test_client(use_cookies=False)
    bot.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for _ in range(MOST_MISSES_PER_CLIENT):
        assert bot.get(f"/c/{activity}/bbbbbbbb").status_code == 400
    refused = bot.get(f"/c/{activity}/{code_now(portal, activity)}")
    assert refused.status_code == 429
    assert "from your network" in refused.get_data(as_text=True)
    elsewhere = portal.app.test_client(use_cookies=False)
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert elsewhere.get(f"/c/{activity}/{code_now(portal, activity)}").status_code == 200
    portal.clock.advance(seconds=61)
    assert bot.get(f"/c/{activity}/{code_now(portal, activity)}").status_code == 200


def test_one_device_flooding_the_halls_address_does_not_lock_signed_in_students_out(door):
    """The address's limit is for phones not signed in: a signed-in student is a known
    person counted by their own browser, so a prankster's flood of wrong codes from the
    lecture hall's address leaves them checking in (found by an attack: the whole room
    met a 429). A phone not signed in is told to sign in and scan again."""
    from tracker.service.portal.door_checkin import MOST_MISSES_PER_CLIENT

    portal, activity, _ = door
    hall = "192.0.2.9"
    student = portal.browser()
    student.client.environ_base["REMOTE_ADDR"] = hall
    student.sign_in(portal, "s1234567")
    prankster = portal.app.test_client(use_cookies=False)
    prankster.environ_base["REMOTE_ADDR"] = hall
    for _ in range(MOST_MISSES_PER_CLIENT):
        prankster.get(f"/c/{activity}/bbbbbbbb")
    scanned = student.get(f"/c/{activity}/{code_now(portal, activity)}")
    assert scanned.status_code == 200, scanned.get_data(as_text=True)
    newcomer = portal.app.test_client()
    newcomer.environ_base["REMOTE_ADDR"] = hall
    refused = newcomer.get(f"/c/{activity}/{code_now(portal, activity)}")
    assert refused.status_code == 429 and "Sign in" in refused.get_data(as_text=True)
    assert student.get(f"/c/{activity}/bbbbbbbb").status_code == 400  # (its own count)


def test_an_address_counts_as_a_network_holds_it():
    """An IPv6 client changes its address within its /64 at will: the /64 is counted;
    an IPv4 address written as IPv6 is that IPv4 address; what is kept is keyed with the
    portal's key (a plain hash of an address is undone by hashing them all)."""
    from functools import partial

    from tracker.service.portal import door_checkin

    client_hash = partial(door_checkin.client_hash, b"k" * 32)
    assert client_hash("2001:db8:1:2::7") == client_hash("2001:db8:1:2:ffff::1")
    assert client_hash("2001:db8:1:2::7") != client_hash("2001:db8:1:3::7")
    assert client_hash("::ffff:192.0.2.7") == client_hash("192.0.2.7")
    assert client_hash("192.0.2.7") != client_hash("192.0.2.8")
    assert client_hash("192.0.2.7") != door_checkin.client_hash(b"l" * 32, "192.0.2.7")


def test_a_room_behind_one_address_is_not_throttled_by_each_phones_slip(door):
    """200 phones behind one address, each scanning an expired code once: every one of
    them then checks in (the address's limit is far off; each phone's own is 10)."""
    portal, activity, _ = door
    phones = [portal.app.test_client() for _ in range(200)]
    old = code_now(portal, activity)
    portal.clock.advance(seconds=25)  # (the code of two steps ago: expired)
    for phone in phones:
        assert phone.get(f"/c/{activity}/{old}").status_code == 400
    now = code_now(portal, activity)
    assert all(phone.get(f"/c/{activity}/{now}").status_code == 200 for phone in phones)


def test_a_browser_not_signed_in_is_checked_in_after_signing_in_by_the_mailed_link(door):
    portal, activity, _ = door
    phone = portal.browser()
    code = code_now(portal, activity)
    page = phone.get(f"/c/{activity}/{code}")
    assert page.status_code == 200 and "Send me a sign-in link" in page.get_data(as_text=True)
    form = sealed(page)
    portal.clock.advance(seconds=40)  # typing the address: the code has changed meanwhile
    kept = phone.post(f"/c/{activity}/{code}", {**form, "identity": "s1234567"})
    assert kept.status_code == 200 and "check your mail" in kept.get_data(as_text=True).lower()
    assert records(portal, activity) == []
    assert portal.deliver() == 1
    token, _ = portal.last_mail()
    portal.clock.advance(minutes=3)
    phone.get(f"/login/{token}")
    signed = phone.post(f"/login/{token}")
    assert signed.status_code == 303
    assert signed.headers["Location"] == f"/me?checked-in={activity}"
    assert records(portal, activity) == [("s1234567", "qr")]


def test_a_kept_scan_waits_ten_minutes_only(door):
    portal, activity, _ = door
    phone = portal.browser()
    code = code_now(portal, activity)
    page = phone.get(f"/c/{activity}/{code}")
    form = sealed(page)
    phone.post(f"/c/{activity}/{code}", {**form, "identity": "s1234567"})
    portal.deliver()
    token, _ = portal.last_mail()
    portal.clock.advance(minutes=9, seconds=59)  # the link lives 10 minutes from its mail
    portal.clock.advance(seconds=2)
    phone.get(f"/login/{token}")
    phone.post(f"/login/{token}")
    assert records(portal, activity) == []


def test_a_second_student_from_the_same_browser_is_flagged_shared_device(door):
    from tracker.service.portal.doors import present

    portal, activity, _ = door
    phone = student(portal)
    check_in(phone, activity, code_now(portal, activity))
    phone.post("/logout")
    from .test_access import browser_of

    bram = browser_of(portal, "other student")
    bram.client = phone.client  # the same phone, its device cookie, now Bram's session
    from tracker.service.portal import sessions

    with portal.db.transaction() as session:
        bram_id = session.scalar(select(Student.id).where(Student.number == "s7654321"))
        key = sessions.start(session, "student", int(bram_id), portal.clock())
    phone.client.set_cookie("tracker", key)
    check_in(phone, activity, code_now(portal, activity))
    flags = {p.number: p.flags for p in present(portal.db, activity)}
    assert flags == {"s1234567": (), "s7654321": ("shared-device",)}
    coordinator = sign_in_coordinator(portal)
    listing = coordinator.get(f"/admin/activities/{activity}/checkins.json").get_json()
    assert [p["flags"] for p in listing["present"] if p["number"] == "s7654321"] == [
        ["shared-device"]]
    page = coordinator.get(f"/admin/activities/{activity}").get_data(as_text=True)
    assert "shared-device" in page and "Close check-in now" in page


def test_a_coordinator_removes_a_check_in_and_undo_brings_it_back(door):
    from conftest import Tracker

    portal, activity, _ = door
    check_in(student(portal), activity, code_now(portal, activity))
    coordinator = sign_in_coordinator(portal)
    coordinator.get(f"/admin/activities/{activity}")
    answer = coordinator.post(f"/admin/activities/{activity}/remove", {"student": "s1234567"})
    assert answer.status_code == 200 and "Removed s1234567" in answer.get_data(as_text=True)
    assert records(portal, activity) == []
    again = coordinator.post(f"/admin/activities/{activity}/remove", {"student": "s1234567"})
    assert "nothing changed" in again.get_data(as_text=True)
    Tracker(portal.url)("undo", "--by", "Dr. C. Oordinator")
    assert records(portal, activity) == [("s1234567", "qr")]


def test_the_coordinator_opens_and_closes_the_door_on_the_page(portal):
    activity = add_activity(portal)
    coordinator = sign_in_coordinator(portal)
    cohort = coordinator.get("/admin").get_data(as_text=True)
    assert f'href="/admin/activities/{activity}"' in cohort  # held today: a way in
    page = coordinator.get(f"/admin/activities/{activity}").get_data(as_text=True)
    assert "Open check-in" in page
    opened = coordinator.post(f"/admin/activities/{activity}/open", {"minutes": "30"})
    assert opened.status_code == 303
    page = coordinator.get(f"/admin/activities/{activity}").get_data(as_text=True)
    link = re.search(r"http://127.0.0.1:8000(/door/[0-9a-f]{64})", page)
    assert link and portal.browser().get(link.group(1)).status_code == 200
    assert coordinator.post(f"/admin/activities/{activity}/close").status_code == 303
    assert portal.browser().get(link.group(1)).status_code == 404
    bad = coordinator.post(f"/admin/activities/{activity}/open", {"minutes": "lots"})
    assert bad.status_code == 400
    future = add_activity(portal, date="2026-12-02")
    refused = coordinator.post(f"/admin/activities/{future}/open", {"minutes": "30"})
    assert refused.status_code == 400 and "not today" in refused.get_data(as_text=True)
