"""The HTML pages in a real browser: Debian's Chromium, driven by Playwright, with every
host name unresolvable so that a page that tried to fetch anything would show it.

Screenshots are kept in ``test-artefacts/`` (or ``$TRACKER_TEST_ARTEFACTS``) to look at.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browsers import chromium_browser

from tracker.cli.context import AppContext
from tracker.service.demo import fill_demo

AS_OF = "2026-11-26"
ARTEFACTS = Path(os.environ.get("TRACKER_TEST_ARTEFACTS")
                 or Path(__file__).resolve().parents[1] / "test-artefacts")
HOSTILE = "<script>alert('x')</script> \"O'Brien\" & <b>bold</b>"


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> str:
    """The demo programme on SQLite, with one student whose name is hostile markup."""
    url = str(tmp_path_factory.mktemp("pages") / "demo.db")
    context = AppContext(url)
    fill_demo(context.database(), date.fromisoformat(AS_OF))
    from tracker.months import Month
    from tracker.service.students import add_student

    add_student(context.database(), "s1999999", HOSTILE, Month(2025, 9))
    context.close()
    return url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as browser:
        yield browser


class Visit:
    """A page opened from a file, with everything it did wrong recorded."""

    def __init__(self, browser: Any, path: Path, width: int = 1400) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 1000})
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"),
                                          d.dismiss()))
        self.page.goto(path.as_uri())

    def shot(self, name: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTEFACTS / name
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def close(self) -> None:
        self.page.close()
        assert self.problems == []
        assert all(url.startswith(("file:", "data:", "about:")) for url in self.requests), \
            self.requests


def page_of(tracker, path: Path, *args: str) -> Path:
    tracker(*args, "--as-of", AS_OF, "--format", "html", "-o", str(path))
    return path


def test_the_cohort_page_shows_what_the_report_says(programme, browser, tmp_path):
    from conftest import Tracker

    tracker = Tracker(programme)
    visit = Visit(browser, page_of(tracker, tmp_path / "cohort.html", "report"))
    page = visit.page
    for chart in ("chart-completion", "chart-distribution", "chart-turnout"):
        page.wait_for_selector(f"#{chart} svg .mark-group", state="attached")
        marks = page.locator(f"#{chart} svg path, #{chart} svg text")
        assert marks.count() > 10, chart
    report = json.loads(tracker("report", "--as-of", AS_OF, "--format", "json").stdout)
    rows = page.eval_on_selector_all("#students tbody tr", """rows => rows.map(row =>
        Array.from(row.cells).map(cell => cell.textContent.trim()))""")
    headers = page.eval_on_selector_all("#students thead th", "ths => ths.map(th => "
                                        "th.textContent.trim())")
    assert [row[0] for row in rows] == [r["student"] for r in report]
    by_student = {r["student"]: r for r in report}
    for cells in rows:
        expected = by_student[cells[0]]
        assert (cells[4].endswith("complete")) == expected["complete"], cells
        for header, cell in zip(headers[6:], cells[6:], strict=True):
            if cell != "–":
                assert int(cell.split()[-1].split("/")[0]) == expected[header], (header, cell)
    figures = {kind: int(page.text_content(f"[data-figure='{kind}']"))
               for kind in ("students", "complete")}
    assert figures == {"students": len(report),
                       "complete": sum(1 for r in report if r["complete"])}
    assert page.locator("#students tbody td", has_text=HOSTILE).count() == 1
    visit.shot("cohort.png")
    visit.close()


def test_the_cohort_pages_intakes_read_on_a_phone_and_stay_a_table_on_a_desktop(
        programme, browser, tmp_path):
    """At 390 px the per-cohort table scrolled sideways (7 columns, 555 px): on a phone
    each intake is a block that says its numbers in words, and nothing is wider than the
    screen; on a desktop it is the table it was."""
    from conftest import Tracker

    path = page_of(Tracker(programme), tmp_path / "cohort.html", "report")
    visit = Visit(browser, path, width=390)
    page = visit.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways
    table = page.locator("#intakes").bounding_box()
    assert table is not None and table["x"] >= 0 and table["x"] + table["width"] <= 390
    assert page.locator("#intakes thead").bounding_box()["height"] <= 1  # a reader's only
    said = page.eval_on_selector_all("#intakes tbody tr", """rows => {
        const made = (cell, where) => {  // the words the style sheet adds
            const content = getComputedStyle(cell, where).content;
            return content === "none" || content === "normal" ? "" : JSON.parse(content);
        };
        return rows.map(row => Array.from(row.cells).filter(c => c.offsetParent !== null)
            .map(c => made(c, "::before") + c.textContent + made(c, "::after")));
    }""")
    assert said[0] == ["February (2024-02)", "6 students", "✓ 2 complete", "○ 0 on track",
                       "⚠ 0 at risk", "✗ 4 overdue"], said
    boxes = page.eval_on_selector_all("#intakes tbody td", """cells => cells.map(c => {
        const box = c.getBoundingClientRect(); return box.right; })""")
    assert max(boxes) <= 390
    visit.shot("cohort-phone.png")
    page.set_viewport_size({"width": 1280, "height": 1000})
    headers = page.eval_on_selector_all("#intakes thead th", "ths => ths.map(th => "
                                        "th.offsetParent !== null)")
    assert headers == [True] * 7
    assert page.evaluate("getComputedStyle(document.querySelector('#intakes tr'))"
                         ".display") == "table-row"
    first = page.eval_on_selector_all("#intakes tbody tr:first-child td",
                                      "cells => cells.map(c => c.innerText)")
    assert first == ["2024", "February (2024-02)", "6", "2", "0", "0", "4"]
    visit.shot("cohort-desktop.png")
    visit.close()


def test_the_cohort_page_searches_filters_and_sorts(programme, browser, tmp_path):
    from conftest import Tracker

    tracker = Tracker(programme)
    report = json.loads(tracker("report", "--as-of", AS_OF, "--format", "json").stdout)
    visit = Visit(browser, page_of(tracker, tmp_path / "cohort.html", "report"))
    page = visit.page
    visible = "#students tbody tr:not([hidden])"
    one = report[3]
    page.fill("#search", one["name"].split()[0].lower() + " " + one["student"][-3:])
    assert page.locator(visible).count() == 1
    assert page.text_content(f"{visible} td") == one["student"]
    page.fill("#search", "")
    page.select_option("#standing", "complete")
    complete = sum(1 for r in report if r["complete"])
    assert page.locator(visible).count() == complete
    assert f"{complete} of {len(report)} shown" == page.text_content("#shown")
    page.select_option("#standing", "")
    page.click("#students thead th:nth-child(2) button")  # by name
    names = page.eval_on_selector_all(f"{visible} td:nth-child(2)",
                                      "cells => cells.map(c => c.textContent)")
    assert names == sorted(names, key=str.lower)
    page.click("#students thead th:nth-child(2) button")
    descending = page.eval_on_selector_all(f"{visible} td:nth-child(2)",
                                           "cells => cells.map(c => c.textContent)")
    assert descending == names[::-1]
    visit.shot("cohort-filtered.png")
    visit.close()


def longest_story(url: str) -> str:
    """The student whose page has the most to say: activities counted or not, and
    activities coming up."""
    from tracker.service.progress import student_progress
    from tracker.service.report import Selection, cohort_report

    context = AppContext(url)
    db = context.database()
    day = date.fromisoformat(AS_OF)
    try:
        rows = cohort_report(db, Selection(status="all"), day).rows
        stories = [student_progress(db, row.student, day) for row in rows
                   if row.requirement_set is not None]
    finally:
        context.close()
    longest = max(stories, key=lambda p: len(p.activities) + 2 * len(p.upcoming) + sum(
        len(r.not_counted) for r in p.requirements))
    return longest.student


def test_the_student_page_prints_on_one_sheet(programme, browser, tmp_path):
    from conftest import Tracker

    tracker = Tracker(programme)
    at_risk = json.loads(tracker("report", "--as-of", AS_OF, "--format", "json",
                                 "--at-risk").stdout)[0]["student"]
    for student in (at_risk, longest_story(programme)):
        path = page_of(tracker, tmp_path / f"{student}.html", "progress", student)
        visit = Visit(browser, path, width=900)
        page = visit.page
        progress = json.loads(tracker("progress", student, "--as-of", AS_OF, "--format",
                                      "json").stdout)
        shown = page.eval_on_selector_all(
            "table.requirements tbody tr",
            "rows => rows.map(r => [r.dataset.requirement, r.cells[1].textContent.trim(), "
            "r.cells[2].textContent.trim()])")
        assert [row[0] for row in shown] == [r["id"] for r in progress["requirements"]]
        for (_, done, status), r in zip(shown, progress["requirements"], strict=True):
            assert done.startswith(f"{r['done']}/{r['required']}")
            assert status.endswith(r["status"].replace("-", " "))
        pdf = page.pdf(format="A4", print_background=True)
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / f"student-{student}.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, student
        visit.shot(f"student-{student}.png")
        visit.close()


def test_a_hostile_name_is_text_on_the_student_page(programme, browser, tmp_path):
    from conftest import Tracker

    visit = Visit(browser, page_of(Tracker(programme), tmp_path / "hostile.html", "progress",
                                   "s1999999"))
    assert visit.page.text_content("h1").startswith(HOSTILE)
    assert visit.page.locator("h1 b").count() == 0
    visit.close()


def test_pages_on_both_engines(tracker, tmp_path):
    tracker("student", "add", "s1234567", "--name", HOSTILE, "--start", "2025-09")
    tracker("activity", "add", "colloquium", "--date", "2025-10-02", "--title", "</script>")
    tracker("attend", "1", "s1234567")
    cohort = page_of(tracker, tmp_path / "c.html", "report").read_text()
    student = page_of(tracker, tmp_path / "s.html", "progress", "s1234567").read_text()
    for text in (cohort, student):
        assert "<script>alert" not in text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in student
    assert "\\u003cscript\\u003ealert" in cohort  # in the page's data, as JSON escapes it
    assert cohort.count("</script>") == cohort.count("<script")  # no data ends a script


def test_a_large_cohort_opens_with_a_page_of_rows_and_shows_all_on_request(browser,
                                                                           tmp_path):
    from conftest import Tracker

    tracker = Tracker(str(tmp_path / "large.db"))
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{3000000 + i},Student {i},,2025-09\n" for i in range(520)))
    tracker("student", "import", str(roster))
    visit = Visit(browser, page_of(tracker, tmp_path / "large.html", "report"))
    page = visit.page
    assert page.locator("#students tbody tr").count() == 500
    assert page.text_content("#shown").startswith("500 of 520 matching shown")
    page.click("#all")
    assert page.locator("#students tbody tr").count() == 520
    page.fill("#search", "student 51")
    expected = sum(1 for i in range(520) if "51" in f"s{3000000 + i} student {i}")
    assert page.locator("#students tbody tr").count() == expected
    visit.shot("cohort-large.png")
    visit.close()


def test_the_cohort_page_finds_names_without_accents_and_says_what_needs_a_look(
        browser, tmp_path):
    from conftest import Tracker

    tracker = Tracker(str(tmp_path / "accents.db"))
    for number, name in [("s3000001", "Céline Dubois"), ("s3000002", "Ömer Öztürk"),
                         ("s3000003", "Zoë Janssen"), ("s3000004", "Celia Smit")]:
        tracker("student", "add", number, "--name", name, "--start", "2025-09")
    tracker("student", "status", "s3000004", "withdrawn")
    visit = Visit(browser, page_of(tracker, tmp_path / "all.html", "report", "--status",
                                   "all"))
    page = visit.page
    visible = "#students tbody tr:not([hidden])"

    def found(text: str) -> list[str]:
        page.fill("#search", text)
        return page.eval_on_selector_all(f"{visible} td:first-child",
                                         "cells => cells.map(c => c.textContent)")

    assert found("celine") == ["s3000001"]
    assert found("CÉLINE dub") == ["s3000001"]
    assert found("ozturk") == ["s3000002"]
    assert found("zoe") == ["s3000003"]
    page.fill("#search", "")
    report = {r["student"]: r for r in json.loads(tracker(
        "report", "--as-of", AS_OF, "--status", "all", "--format", "json").stdout)}
    rows = page.eval_on_selector_all(
        "#students tbody tr", "rows => rows.map(r => [r.cells[0].textContent, "
        "r.cells[1].textContent, r.querySelector('td.attention').textContent])")
    assert rows and all(attention == report[number]["attention"] and attention
                        for number, _, attention in rows)
    withdrawn = next(name for number, name, _ in rows if number == "s3000004")
    assert withdrawn == "Celia Smit withdrawn"  # marked beside the name, in words
    visit.shot("cohort-accents.png")
    visit.close()
    active_only = page_of(tracker, tmp_path / "active.html", "report").read_text()
    assert "s3000004" not in active_only and "active students" in active_only


def test_a_reminder_read_on_a_phone(programme, browser, tmp_path):
    """The reminder's HTML part, as a phone shows it: the page of the student, their
    coordinator's words on top, nothing wider than the screen."""
    from email import message_from_bytes
    from email.policy import default

    from conftest import Tracker

    tracker = Tracker(programme)
    student = longest_story(programme)
    outbox = tmp_path / "outbox"
    tracker("remind", student, "--as-of", AS_OF, "--outbox", str(outbox), "--from",
            "AASCO coordinator <aasco@example.org>", "--skip-reminded-days", "0")
    message = message_from_bytes((outbox / f"{student}.eml").read_bytes(), policy=default)
    path = tmp_path / "reminder.html"
    path.write_text(message.get_body(("html",)).get_content())
    visit = Visit(browser, path, width=390)
    page = visit.page
    assert page.locator("section.message").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(visit.shot("reminder-phone.png").with_name(
        "reminder-phone-screen.png")))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    verdict = page.text_content("p.verdict")
    assert verdict.startswith(("Not complete: ", "✓ Complete: "))
    visit.close()
