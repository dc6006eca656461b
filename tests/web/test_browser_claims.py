"""Claims in Debian's Chromium (Playwright): a student on a phone claims an outside
activity with a photo of the certificate, and is told in words when a file is not
one; a coordinator on a laptop works the queue: the evidence one click away, approve
with a note, reject with a reason; the student then sees both. Screenshots go to
test-artefacts/portal/ (git-ignored), to be looked at."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tracker.db.engine import Database, resolve_url
from tracker.db.models import Coordinator, Student

from .claim_files import HTML, png
from .test_browser import LAPTOP, PHONE, Visit, chromium, site  # noqa: F401 (fixtures)


def signed_in(chromium: Any, site: dict[str, Any], role: str, who: int,  # noqa: F811
              **options: Any) -> Visit:
    """A browser with a session of ``who`` (the sign-in itself is test_browser's)."""
    from tracker.service.portal import sessions
    from tracker.web.here import utc_now

    db = Database.from_url(resolve_url(site["url"]))
    with db.transaction() as session:
        key = sessions.start(session, role, who, utc_now())
    db.dispose()
    visit = Visit(chromium, **options)
    visit.context.add_cookies([{"name": "tracker", "value": key, "url": site["base"]}])
    return visit


def people(url: str) -> tuple[int, str, int]:
    """A demo student who started a year or more ago (id, name), and the coordinator."""
    db = Database.from_url(resolve_url(url))
    with db.transaction(read_only=True) as session:
        student, name = session.execute(
            select(Student.id, Student.name).where(
                Student.start <= date.today() - timedelta(days=400))
            .order_by(Student.start.desc())).first()
        coordinator = session.scalar(select(Coordinator.id))
    db.dispose()
    return student, name, coordinator


def test_a_student_claims_on_a_phone_and_the_coordinator_decides_on_a_laptop(
        chromium, site, tmp_path):  # noqa: F811
    student, name, coordinator = people(site["url"])
    day = (date.today() - timedelta(days=10)).isoformat()
    photo, renamed = tmp_path / "certificate.png", tmp_path / "certificate.pdf"
    photo.write_bytes(png(40, 30))
    renamed.write_bytes(HTML)

    phone = signed_in(chromium, site, "student", student, **PHONE)
    page = phone.page
    page.goto(site["base"] + "/claims")
    page.get_by_role("heading", name="Claim an activity").wait_for()
    phone.shot("c1-claim-form-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways
    page.get_by_label("What kind of activity").select_option("career-event")
    page.get_by_label("When").fill(day)
    page.get_by_label("Its title").fill("KNPSV Profession Day")
    page.get_by_label("Organised by").fill("KNPSV")
    page.get_by_label("What you did there").fill("Talked to three companies about jobs.")
    page.get_by_label("Evidence").set_input_files(str(renamed))
    page.get_by_role("button", name="Send my claim").click()
    page.get_by_role("alert").wait_for()
    assert "PDF, PNG or JPEG" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Its title").input_value() == "KNPSV Profession Day"  # kept
    phone.shot("c2-claim-refused-phone.png", whole=False)
    assert phone.problems == ["console error: Failed to load resource: the server "
                              "responded with a status of 400 (BAD REQUEST)"]
    phone.problems.clear()
    page.get_by_label("Evidence").set_input_files(str(photo))
    page.get_by_role("button", name="Send my claim").click()
    page.get_by_role("status").wait_for()
    assert "Waiting" in page.locator("ul.claims").inner_text()
    page.get_by_label("Its title").fill("CV clinic")
    page.get_by_label("What kind of activity").select_option("career-workshop")
    page.get_by_label("When").fill(day)
    page.get_by_role("button", name="Send my claim").click()
    page.get_by_role("status").wait_for()
    phone.shot("c3-claim-sent-phone.png")

    laptop = signed_in(chromium, site, "coordinator", coordinator, **LAPTOP)
    admin = laptop.page
    admin.goto(site["base"] + "/admin/claims")
    admin.get_by_role("heading", name="Claims waiting: 2").wait_for()
    first = admin.locator("article.claim").first
    assert "KNPSV Profession Day" in first.inner_text() and name in first.inner_text()
    laptop.shot("c4-queue-laptop.png")
    with admin.expect_download() as download:
        first.get_by_role("link", name="Evidence: certificate.png").click()
    assert download.value.suggested_filename == "certificate.png"
    assert Path(download.value.path()).read_bytes() == png(40, 30)
    # A link that downloads ends its navigation there: Chromium reports it as failed.
    assert [p for p in laptop.problems if "/evidence" not in p] == []
    laptop.problems.clear()
    first.get_by_label("Note").fill("Thanks, counted as a career event.")
    first.get_by_role("button", name="Approve").click()
    admin.get_by_role("status").wait_for()
    assert "approved" in admin.get_by_role("status").inner_text()
    second = admin.locator("article.claim").first
    second.get_by_label("Reason").fill("A CV clinic of a company is not a Career College.")
    second.get_by_role("button", name="Reject").click()
    admin.get_by_role("heading", name="Claims waiting: 0").wait_for()
    laptop.shot("c5-queue-decided-laptop.png")
    laptop.close()

    page.goto(site["base"] + "/claims")
    listed = page.locator("ul.claims").inner_text()
    assert "Approved" in listed and "Not approved" in listed
    assert "A CV clinic of a company is not a Career College." in listed
    page.locator("ul.claims").scroll_into_view_if_needed()
    phone.shot("c6-claims-decided-phone.png", whole=False)
    page.goto(site["base"] + "/me")
    phone.close()
