"""The flows in Debian's Chromium (Playwright): a student on a phone signs in from the
mailed link (aiosmtpd catches it), sees their page and subscribes to the calendar; a
coordinator on a laptop signs in with the link and a one-time password and sees the
cohort page's charts run under the CSP. No request leaves 127.0.0.1, no console error.
Screenshots go to test-artefacts/portal/ (git-ignored), to be looked at."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyotp
import pytest
from browsers import chromium_browser
from conftest import Tracker
from icalendar import Calendar
from smtp_servers import free_port, smtp_server

from .conftest import CODE, LINK, stop_serving

ARTEFACTS = Path(os.environ.get("TRACKER_TEST_ARTEFACTS")
                 or Path(__file__).resolve().parents[2] / "test-artefacts") / "portal"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1440, "height": 900}}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[dict[str, Any]]:
    """The demo programme served by waitress, its mail caught by aiosmtpd."""
    from waitress.server import create_server

    from tracker.cli.context import AppContext
    from tracker.mail.smtp import SmtpSettings
    from tracker.service.demo import fill_demo
    from tracker.service.portal.coordinators import add_coordinator
    from tracker.web import create_app
    from tracker.web.mail import SmtpPostbox

    url = str(tmp_path_factory.mktemp("portal") / "demo.db")
    context = AppContext(url)
    fill_demo(context.database(), date.today())
    secret = add_coordinator(context.database(), "coordinator@example.org",
                             "Dr. C. Oordinator").secret
    context.close()
    with smtp_server() as mail:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        app = create_app(url, base_url=base, postbox=SmtpPostbox(
            SmtpSettings.parse(mail.url), "AASCO coordinator <aasco@example.org>"))
        server = create_server(app, host="127.0.0.1", port=port, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        yield {"url": url, "base": base, "mail": mail, "secret": secret, "app": app}
        stop_serving(server, thread)
        app.extensions["tracker"].mail.stop()


class Visit:
    """A browser context with everything that went wrong recorded."""

    def __init__(self, chromium: Any, **options: Any) -> None:
        self.problems: list[str] = []
        self.hosts: set[str] = set()
        self.context = chromium.new_context(**options)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: self.hosts.add(urlsplit(r.url).hostname or ""))

    def shot(self, name: str, *, whole: bool = True) -> None:
        """The page (whole, or what the screen shows first) as test-artefacts/portal/NAME."""
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTEFACTS / name), full_page=whole)

    def close(self) -> None:
        self.context.close()
        assert self.problems == []
        assert self.hosts <= {"127.0.0.1"}, self.hosts


def mailed_link(site: dict[str, Any], to: str) -> str:
    for _ in range(200):  # the mail leaves in the background
        for message in site["mail"].inbox.messages:
            if message["To"].addresses[0].addr_spec.lower() == to.lower():
                found = LINK.search(message.get_content())
                assert found is not None
                site["mail"].inbox.messages.remove(message)
                return f"{found.group(1)}/login/{found.group(2)}"
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to}")


def mailed_code(site: dict[str, Any], to: str) -> str:
    for _ in range(200):
        for message in site["mail"].inbox.messages:
            if message["To"].addresses[0].addr_spec.lower() == to.lower():
                found = CODE.search(message.get_content())
                assert found is not None
                site["mail"].inbox.messages.remove(message)
                return found.group(1) + "-" + found.group(2)
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to}")


def a_student_at_risk(url: str) -> tuple[str, str, str]:
    tracker = Tracker(url)
    # the newest intake: much still ahead
    row = tracker.json("report", "--standing", "at-risk", "--standing", "overdue")[-1]
    shown = tracker.json("student", "show", row["student"])
    return row["student"], shown["name"], shown["email"]


def test_a_student_on_a_phone_signs_in_sees_their_page_and_subscribes(chromium, site):
    number, name, email = a_student_at_risk(site["url"])
    visit = Visit(chromium, **PHONE)
    page = visit.page
    page.goto(site["base"] + "/")
    visit.shot("1-sign-in-phone.png")
    page.get_by_label("Your e-mail address or student number").fill(email)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_role("heading", name="Check your mail").wait_for()
    visit.shot("2-check-your-mail-phone.png")
    page.goto(mailed_link(site, email))
    page.get_by_role("heading", name=f"Sign in as {name}?").wait_for()
    visit.shot("3-confirm-phone.png")
    page.get_by_role("button", name=f"Sign in as {name}").click()
    page.wait_for_url(site["base"] + "/me")
    assert page.get_by_text(f"Signed in as {name} ({number})").is_visible()
    assert page.get_by_role("heading", name="Your requirements").is_visible()
    assert page.locator("tr.at-risk, tr.overdue").count() >= 1
    visit.shot("4-me-phone.png")
    visit.shot("4-me-phone-first-screen.png", whole=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways
    page.get_by_role("heading", name="Coming up that counts").scroll_into_view_if_needed()
    visit.shot("4-me-phone-coming-up.png", whole=False)

    page.get_by_role("link", name="Calendar").click()
    page.get_by_role("button", name="Make my calendar address").click()
    address = page.locator("code.address").inner_text()
    assert page.get_by_role("link", name="Subscribe in my calendar app").get_attribute(
        "href") == "webcal://" + address.split("://", 1)[1]
    visit.shot("5-calendar-phone.png")
    feed = visit.context.request.get(address)
    assert feed.status == 200
    events = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert events and all("Counts for:" in str(e["DESCRIPTION"]) for e in events)
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_text("You are signed out.").wait_for()
    page.goto(site["base"] + "/me")
    assert page.url == site["base"] + "/"
    visit.close()


def test_a_student_whose_mail_is_on_another_device_types_the_code(chromium, site):
    number, name, email = a_student_at_risk(site["url"])
    visit = Visit(chromium, **PHONE)
    page = visit.page
    page.goto(site["base"] + "/")
    page.get_by_label("Your e-mail address or student number").fill(number)
    page.get_by_role("button", name="Send me a sign-in link").click()
    page.get_by_label("The code from the mail").fill("WRONG1")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("alert").wait_for()
    visit.shot("6-wrong-code-phone.png")
    code = mailed_code(site, email)
    page.get_by_label("The code from the mail").fill(code.lower())
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(site["base"] + "/me")
    assert page.get_by_text(f"Signed in as {name} ({number})").is_visible()
    # The wrong code was answered 400, as it should; Chromium reports every such answer.
    assert visit.problems == ["console error: Failed to load resource: the server responded "
                              "with a status of 400 (BAD REQUEST)"]
    visit.problems.clear()
    visit.close()


def test_a_coordinator_on_a_laptop_sees_the_cohort_page_run_under_the_csp(chromium, site):
    visit = Visit(chromium, **LAPTOP)
    page = visit.page
    page.goto(site["base"] + "/")
    page.get_by_label("Your e-mail address or student number").fill("coordinator@example.org")
    page.get_by_role("button", name="Send me a sign-in link").click()
    # (the mail can arrive before the browser has the answer: going on then aborts it)
    page.get_by_role("heading", name="Check your mail").wait_for()
    page.goto(mailed_link(site, "coordinator@example.org"))
    visit.shot("7-confirm-coordinator-laptop.png")
    page.get_by_label("The 6-digit code from your authenticator app").fill(
        pyotp.TOTP(site["secret"]).now())
    page.get_by_role("button", name="Sign in as Dr. C. Oordinator").click()
    page.wait_for_url(site["base"] + "/admin")
    for chart in ("chart-completion", "chart-distribution", "chart-turnout"):
        page.wait_for_selector(f"#{chart} svg .mark-group", state="attached")
    assert page.locator("#students tbody tr").count() > 10  # the page's own script ran
    visit.shot("8-admin-laptop.png")
    page.get_by_label("at risk", exact=True).check()
    page.get_by_label("overdue", exact=True).check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/admin?*standing=at+risk*")
    page.wait_for_selector("#chart-completion svg .mark-group", state="attached")
    assert "only overdue or at risk" in page.content()
    visit.shot("9-admin-at-risk-laptop.png")
    visit.close()
