"""The pages (SPEC §9): /me is the page `progress --format html` writes, judged now;
/me/progress.json is `progress --format json`; /admin is `report --format html`, with the
report's filters."""

from __future__ import annotations

import re

from conftest import Tracker

from .conftest import sign_in_coordinator


def main_of(html: str) -> str:
    return html[html.index("<main>"):html.index("</main>")]


def test_me_is_the_students_own_page_as_the_command_line_writes_it(portal):
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    page = browser.get("/me").get_data(as_text=True)
    day = portal.clock().astimezone().date()
    written = Tracker(portal.url)("progress", "s1234567", "--as-of", str(day), "--format",
                                  "html").stdout
    assert main_of(page) == main_of(written)
    assert "Peer colloquium: organoids" in page  # counted, with the reason shown
    assert "Coming up that counts" in page and "Science Career Event" in page
    assert "Signed in as Ada Jansen (s1234567)" in page and 'action="/logout"' in page


def test_me_progress_json_is_progress_format_json_byte_for_byte(portal):
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    served = browser.get("/me/progress.json")
    assert served.mimetype == "application/json"
    day = portal.clock().astimezone().date()
    printed = Tracker(portal.url)("progress", "s1234567", "--as-of", str(day), "--format",
                                  "json").stdout
    assert served.get_data(as_text=True) == printed


def test_a_student_sees_only_their_own_page(portal):
    ada, bram = portal.browser(), portal.browser()
    ada.sign_in(portal, "s1234567")
    bram.sign_in(portal, "s7654321")
    assert "Bram" not in ada.get("/me").get_data(as_text=True)
    assert '"student": "s7654321"' in bram.get("/me/progress.json").get_data(as_text=True)
    assert "s1234567" not in bram.get("/me/progress.json").get_data(as_text=True)


def test_admin_is_the_cohort_page_with_the_reports_filters(portal):
    browser = sign_in_coordinator(portal)
    day = str(portal.clock().astimezone().date())
    tracker = Tracker(portal.url)
    for query, options in (("", []), ("?cohort=2025&incomplete=1", ["--cohort", "2025",
                                                                     "--incomplete"]),
                           ("?at-risk=on&as-of=2026-06-30", ["--at-risk"]),
                           ("?standing=overdue&standing=on-track&status=all",
                            ["--standing", "overdue", "--standing", "on-track",
                             "--status", "all"])):
        as_of = "2026-06-30" if "as-of" in query else day
        page = browser.get(f"/admin{query}")
        assert page.status_code == 200, query
        written = tracker("report", *options, "--as-of", as_of, "--format", "html").stdout
        served = re.sub(r'<script nonce="[^"]+">', "<script>", page.get_data(as_text=True))
        assert main_of(served) == main_of(written), query
    checked = browser.get("/admin?cohort=2025&incomplete=1").get_data(as_text=True)
    assert 'name="incomplete" value="1" checked' in checked
    assert 'value="2025"' in checked
    chosen = browser.get("/admin?standing=at-risk&status=withdrawn").get_data(as_text=True)
    assert 'name="standing" value="at risk" checked' in chosen
    assert '<option value="withdrawn" selected>' in chosen
    assert browser.get("/admin?standing=late").status_code == 400
    assert browser.get("/admin?status=gone").status_code == 400


def test_a_student_no_requirement_set_applies_to_is_told_in_words(portal, monkeypatch):
    from tracker.errors import NoRequirementSet
    from tracker.web import pages

    def no_set(*_args):
        raise NoRequirementSet("s1234567 started 2025-09, and no requirement set of rules "
                               "version 3 covers that start month")

    monkeypatch.setattr(pages, "student_progress", no_set)
    browser = portal.browser()
    browser.sign_in(portal, "s1234567")
    page = browser.get("/me")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your progress cannot be shown yet: s1234567 started 2025-09" in text
    assert "Signed in as Ada Jansen" in text
