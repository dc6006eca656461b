"""Sessions (SPEC §9): rows behind a random cookie, its attributes, a new id at every
sign-in, their lifetimes, signing out here and everywhere, and what ends them."""

from __future__ import annotations

from sqlalchemy import select

from tracker.db.models import WebSession
from tracker.service.portal.secrets import digest

from .conftest import Portal, enrol, make_portal, otp_now, populate


def set_cookie(response) -> str:
    [header] = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    return header


def test_the_cookie_holds_a_random_id_only_httponly_lax_path_root_no_domain(portal):
    browser = portal.browser()
    first = browser.get("/")
    anonymous = set_cookie(first)
    assert anonymous.startswith("tracker=") and "Domain" not in anonymous
    assert "; HttpOnly" in anonymous and "; Path=/" in anonymous and "SameSite=Lax" in anonymous
    assert "Secure" not in anonymous  # an http:// base URL (one machine, no TLS)
    signed_in = set_cookie(browser.sign_in(portal, "s1234567"))
    value = signed_in.split(";")[0].split("=", 1)[1]
    assert len(value) >= 43 and "Ada" not in signed_in and "s1234567" not in signed_in
    assert "Max-Age=10368000" in signed_in  # 120 days
    with portal.db.transaction(read_only=True) as session:
        [row] = session.scalars(select(WebSession))
        assert row.key_hash == digest(value)  # the database keeps its hash only


def test_under_https_the_cookie_is_secure_host_prefixed_and_hsts_is_sent(db_url):
    populate(db_url)
    portal = make_portal(db_url, "https://tracker.example.org")
    browser = portal.browser()
    first = browser.get("/")
    assert first.headers["Strict-Transport-Security"].startswith("max-age=")
    header = set_cookie(first)
    assert header.startswith("__Host-tracker=") and "; Secure" in header
    assert "Domain" not in header and "; Path=/" in header


def test_a_new_id_at_every_sign_in(portal):
    """Session fixation: a value planted before sign-in (or the browser's own) is never
    the session's."""
    browser = portal.browser()
    browser.client.set_cookie("tracker", "planted-by-someone-else-0123456789")
    browser.get("/login/code")
    planted = browser.cookie()
    browser.sign_in(portal, "s1234567")
    first = browser.cookie()
    assert first != planted
    intruder = portal.browser()
    intruder.client.set_cookie("tracker", planted)
    assert intruder.get("/me").status_code == 303
    browser.sign_in(portal, "s1234567")  # again, in the same browser
    assert browser.cookie() != first
    stale = portal.browser()
    stale.client.set_cookie("tracker", first)
    assert stale.get("/me").status_code == 303


def test_sign_out_ends_this_session_and_the_old_cookie_is_worth_nothing(portal):
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    old = browser.cookie()
    out = browser.post("/logout")
    assert out.status_code == 200 and "You are signed out." in out.get_data(as_text=True)
    assert browser.cookie() != old
    assert browser.get("/me").status_code == 303
    replay = portal.browser()
    replay.client.set_cookie("tracker", old)
    assert replay.get("/me").status_code == 303


def test_sign_out_everywhere_ends_every_session_of_the_person_only(portal):
    phone, laptop, bram = portal.browser(), portal.browser(), portal.browser()
    phone.sign_in(portal, "s1234567")
    laptop.sign_in(portal, "ada.jansen@example.org")
    bram.sign_in(portal, "s7654321")
    out = laptop.post("/logout/everywhere")
    assert "every browser (2 sessions ended)" in out.get_data(as_text=True)
    assert phone.get("/me").status_code == 303
    assert laptop.get("/me").status_code == 303
    assert bram.get("/me").status_code == 200


def test_a_students_session_ends_after_30_idle_days_or_120_days_at_most(portal):
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    portal.clock.advance(days=29)
    assert browser.get("/me").status_code == 200
    for _ in range(3):  # in use every 29 days, it still ends at 120
        portal.clock.advance(days=29)
        assert browser.get("/me").status_code == 200
    portal.clock.advance(days=5)  # 121 days after signing in
    assert browser.get("/me").status_code == 303
    other = portal.browser()
    other.sign_in(portal, "s1234567")
    portal.clock.advance(days=30, seconds=1)
    assert other.get("/me").status_code == 303


def test_a_coordinators_session_ends_after_8_idle_hours_or_7_days(portal):
    coordinator_secret = enrol(portal)
    browser = portal.browser()
    browser.sign_in(portal, "coordinator@example.org",
                    otp_now(coordinator_secret, portal.clock))
    portal.clock.advance(hours=7, minutes=59)
    assert browser.get("/admin").status_code == 200
    portal.clock.advance(hours=8, seconds=1)
    assert browser.get("/admin").status_code == 303
    again = portal.browser()
    portal.clock.advance(seconds=31)
    again.sign_in(portal, "coordinator@example.org", otp_now(coordinator_secret, portal.clock))
    for _ in range(24):  # busy all week
        portal.clock.advance(hours=7)
        assert again.get("/admin").status_code == 200
    portal.clock.advance(hours=1)
    assert again.get("/admin").status_code == 303


def test_student_forget_ends_their_sessions_at_once(portal):
    from conftest import Tracker

    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    browser.post("/me/calendar")
    assert browser.get("/me").status_code == 200
    Tracker(portal.url)("student", "forget", "s1234567", "--yes")
    assert browser.get("/me").status_code == 303
    with portal.db.transaction(read_only=True) as session:
        assert list(session.scalars(select(WebSession))) == []


def test_coordinator_remove_ends_their_sessions_at_once(portal: Portal):
    coordinator_secret = enrol(portal)
    from conftest import Tracker

    browser = portal.browser()
    browser.sign_in(portal, "coordinator@example.org",
                    otp_now(coordinator_secret, portal.clock))
    assert browser.get("/admin").status_code == 200
    said = Tracker(portal.url)("coordinator", "remove", "COORDINATOR@example.org").output
    assert "1 session ended" in said
    assert browser.get("/admin").status_code == 303
    assert browser.get("/").status_code == 200  # the sign-in page, as anyone's


def test_the_favicon_never_disturbs_a_session(portal):
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    cookie = browser.cookie()
    icon = browser.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/x-icon"
    assert icon.get_data()[:4] == b"\x00\x00\x01\x00"
    assert "Set-Cookie" not in icon.headers
    anonymous = portal.browser().get("/favicon.ico")
    assert "Set-Cookie" not in anonymous.headers
    assert browser.cookie() == cookie and browser.get("/me").status_code == 200
