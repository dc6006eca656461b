"""The calendar (SPEC §9): /me/calendar makes a personal address (a new one kills the
old), /feed/<token>.ics is iCalendar, read here by the icalendar library."""

from __future__ import annotations

import re
from datetime import date

from conftest import Tracker
from icalendar import Calendar
from sqlalchemy import select

from tracker.db.models import CalendarFeed
from tracker.service.portal.secrets import digest

ADDRESS = re.compile(r'<code class="address">http://127\.0\.0\.1:8000/feed/([A-Za-z0-9_-]+)'
                     r"\.ics</code>")


def subscribe(portal, identity: str):
    browser = portal.browser()
    browser.sign_in(portal, identity)
    made = browser.post("/me/calendar")
    assert made.status_code == 200
    found = ADDRESS.search(made.get_data(as_text=True))
    assert found, made.get_data(as_text=True)
    return browser, found.group(1)


def events(portal, token: str) -> dict[str, object]:
    response = portal.app.test_client().get(f"/feed/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = Calendar.from_ical(response.get_data())
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_holds_the_upcoming_activities_that_count_as_all_day_events(portal):
    _, token = subscribe(portal, "s1234567")
    found = events(portal, token)
    assert set(found) == {"Peer colloquium: PK/PD", "Science Career Event"}
    event = found["Science Career Event"]
    assert event.decoded("DTSTART") == date(2027, 2, 8)  # a date: all day
    assert event.decoded("DTEND") == date(2027, 2, 9)
    assert "Counts for:" in str(event["DESCRIPTION"])
    assert "Career events: 0 of 2 done" in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == 0
    assert str(event["UID"]) == "activity-3@127.0.0.1"
    with portal.db.transaction(read_only=True) as session:  # the token is kept hashed
        [row] = session.scalars(select(CalendarFeed))
        assert row.token_hash == digest(token) and token not in row.token_hash


def test_only_the_students_own_activities(portal):
    _, token = subscribe(portal, "s7654321")  # Bram: colloquia count for him, not events
    assert set(events(portal, token)) == {"Peer colloquium: PK/PD"}


def test_an_edit_raises_the_sequence_and_keeps_the_uid_and_a_deleted_one_is_gone(portal):
    _, token = subscribe(portal, "s1234567")
    before = events(portal, token)["Peer colloquium: PK/PD"]
    tracker = Tracker(portal.url)
    tracker("activity", "edit", "2", "--date", "2027-01-21")
    tracker("activity", "edit", "2", "--title", "Peer colloquium: PK/PD modelling")
    after = events(portal, token)["Peer colloquium: PK/PD modelling"]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 2
    assert after.decoded("DTSTART") == date(2027, 1, 21)
    tracker("undo")  # the title again as it was: one more edit to a calendar, never back
    undone = events(portal, token)["Peer colloquium: PK/PD"]
    assert str(undone["UID"]) == str(before["UID"])
    assert int(undone["SEQUENCE"]) == 3
    tracker("activity", "delete", "3")
    assert set(events(portal, token)) == {"Peer colloquium: PK/PD"}


def test_an_edit_made_before_the_upgrade_can_still_be_undone(portal):
    """The history's snapshots of activities carry the revision (migration 0010)."""
    tracker = Tracker(portal.url)
    tracker("activity", "edit", "2", "--title", "Peer colloquium: PK/PD, moved")
    portal.db.dispose()
    tracker("db", "downgrade", "0007", "--yes")  # as the tracker before the portal kept it
    tracker("db", "upgrade")
    tracker("undo")
    assert tracker.json("activity", "show", "2")["title"] == "Peer colloquium: PK/PD"


def test_a_new_address_kills_the_old_and_a_wrong_one_is_404(portal):
    browser, first = subscribe(portal, "s1234567")
    page = browser.get("/me/calendar").get_data(as_text=True)
    assert "cannot show it again" in page and first not in page
    second = ADDRESS.search(browser.post("/me/calendar").get_data(as_text=True)).group(1)
    client = portal.app.test_client()
    assert client.get(f"/feed/{first}.ics").status_code == 404
    assert client.get(f"/feed/{second}.ics").status_code == 200
    assert client.get("/feed/made-up-token.ics").status_code == 404
    assert client.get(f"/feed/{second[:-1]}.ics").status_code == 404


def test_a_forgotten_students_feed_is_gone(portal):
    _, token = subscribe(portal, "s1234567")
    Tracker(portal.url)("student", "forget", "s1234567", "--yes")
    assert portal.app.test_client().get(f"/feed/{token}.ics").status_code == 404
