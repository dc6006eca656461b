"""Check-in by QR code: the network flag, one record whichever way came first, the
door's run in the history, the command line."""

from __future__ import annotations

import ipaddress
import json
import re

from conftest import Tracker

from .test_door import add_activity, check_in, code_now, open_door, records, student


def test_outside_the_networks_is_flagged_or_refused(portal):
    activity = add_activity(portal)
    open_door(portal, activity)
    extra = portal.app.extensions["tracker"].extra
    extra["networks"] = [ipaddress.ip_network("10.0.0.0/8")]  # the test client is 127.0.0.1
    check_in(student(portal), activity, code_now(portal, activity))
    shown = json.loads(Tracker(portal.url)("activity", "show", str(activity), "--format",
                                           "json").output)
    assert [(a["student"], a["source"], a["flags"]) for a in shown["attendees"]] == [
        ("s1234567", "qr", ["outside-network"])]
    extra["refuse_outside_network"] = True
    bram = student(portal, "s7654321")
    refused = bram.get(f"/c/{activity}/{code_now(portal, activity)}")
    assert refused.status_code == 400 and "network" in refused.get_data(as_text=True)
    extra["networks"] = [ipaddress.ip_network("127.0.0.0/8")]
    assert check_in(bram, activity, code_now(portal, activity)).status_code == 303
    assert records(portal, activity) == [("s1234567", "qr"), ("s7654321", "qr")]


def test_a_kiosk_check_in_and_a_qr_check_in_are_one_record(portal):
    activity = add_activity(portal)
    open_door(portal, activity)
    tracker = Tracker(portal.url)
    tracker("attend", str(activity), "s1234567")
    answer = check_in(student(portal), activity, code_now(portal, activity))
    assert answer.status_code == 200 and "already" in answer.get_data(as_text=True)
    assert records(portal, activity) == [("s1234567", "typed")]
    check_in(student(portal, "s7654321"), activity, code_now(portal, activity))
    kiosk = tracker("checkin", str(activity), "--any-day", input="s7654321\n")
    assert "already" in kiosk.output
    assert records(portal, activity) == [("s1234567", "typed"), ("s7654321", "qr")]


def test_the_doors_check_ins_are_one_run_undone_once_the_door_closed(portal):
    from datetime import UTC, datetime

    from tracker.service.portal.doors import close_door

    from .conftest import Clock, make_portal

    # On the real clock: undo judges whether the run is open by the real time.
    portal = make_portal(portal.url, clock=Clock(datetime.now(UTC)))
    activity = add_activity(portal, date=portal.clock().astimezone().date().isoformat())
    open_door(portal, activity)
    check_in(student(portal), activity, code_now(portal, activity))
    check_in(student(portal, "s7654321"), activity, code_now(portal, activity))
    tracker = Tracker(portal.url)
    shown = tracker("history").output
    assert "checked in 2 student(s)" in shown and "by QR code" in shown
    refused = tracker("undo", "--by", "Dr. C", expect=2)
    assert f"its door is still open: close it first (`tracker door close {activity}`" \
        in refused.output  # not the kiosk's "an empty line, Ctrl-D or Ctrl-C"
    close_door(portal.db, activity, now=portal.clock())
    tracker("undo", "--by", "Dr. C")
    assert records(portal, activity) == []


def test_door_open_and_close_on_the_command_line(portal, monkeypatch):
    from datetime import date

    tracker = Tracker(portal.url)
    today = add_activity(portal, date=date.today().isoformat())
    monkeypatch.setenv("TRACKER_BASE_URL", "https://tracker.example.org")
    opened = tracker("door", "open", str(today), "--minutes", "30").output
    link = re.search(r"https://tracker\.example\.org/door/[0-9a-f]{64}", opened)
    assert link and "is open until" in opened
    again = tracker("door", "open", str(today)).output
    assert "open already" in again and link.group(0) in again
    assert "is closed" in tracker("door", "close", str(today)).output
    assert "was not open" in tracker("door", "close", str(today)).output
    other = add_activity(portal, date="2020-01-06")
    refused = tracker("door", "open", str(other), expect=2).output
    assert "not today" in refused
    assert "1 to 720" in tracker("door", "open", str(today), "--minutes", "0", expect=2).output
    assert "no activity #999" in tracker("door", "close", "999", expect=2).output


def test_a_reopened_doors_run_counts_the_check_ins_of_its_own_window(portal):
    """Each window of a door is a run of its own in the history: the window opened again
    counts only its own check-ins (it counted every check-in the door ever had), and the
    first window's count stays as it was."""
    from sqlalchemy import select

    from tracker.db.models import Student
    from tracker.service.portal import sessions
    from tracker.service.portal.doors import close_door

    tracker = Tracker(portal.url)
    activity = add_activity(portal)

    def browser(number: str):  # a student signed in on a phone of their own
        tracker("student", "add", number, "--name", f"Student {number}", "--start", "2025-09")
        with portal.db.transaction() as session:
            person = session.scalar(select(Student.id).where(Student.number == number))
            key = sessions.start(session, "student", int(person), portal.clock())
        phone = portal.browser()
        phone.client.set_cookie("tracker", key)
        return phone

    def runs() -> list[str]:
        return [h["summary"] for h in tracker.json("history")
                if h["command"] == "checkin" and "by QR code" in h["summary"]]

    ada, carla, daan = student(portal), browser("s7700001"), browser("s7700002")
    open_door(portal, activity)
    for phone in (ada, student(portal, "s7654321")):
        assert check_in(phone, activity, code_now(portal, activity)).status_code == 303
    assert [run.split(" at ")[0] for run in runs()] == ["checked in 2 student(s)"]
    close_door(portal.db, activity, now=portal.clock())
    tracker("attend", str(activity), "s1234567", "--remove")  # she comes back at the second

    portal.clock.advance(minutes=30)
    open_door(portal, activity)
    for phone in (ada, carla, daan):
        assert check_in(phone, activity, code_now(portal, activity)).status_code == 303
    assert [run.split(" at ")[0] for run in runs()] == ["checked in 3 student(s)",
                                                        "checked in 2 student(s)"]
