"""Waivers (issue 19): one requirement marked met for one student, with who, when and
why; shown as waived everywhere, in the history, undone by undo, ended by unwaive."""

from __future__ import annotations

import csv
import email
import io
import json
from email import policy

import pytest

REASON = "exam board 2025-14: make-up essay approved"


@pytest.fixture
def waived(tracker):
    """Ada (2024-09) missed the year-1 Career Symposium; it is waived for her."""
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    tracker("student", "add", "s2345678", "--name", "Bram de Vries", "--start", "2024-09")
    said = tracker("student", "waive", "s1234567", "Career-Symposium", "--reason", REASON,
                   "--by", "coordinator").stdout
    assert "career-symposium" in said and REASON in said
    return tracker


def requirement(tracker, number: str, requirement_id: str) -> dict:
    progress = json.loads(tracker("progress", number, "--format",
                                  "json").stdout)
    [found] = [r for r in progress["requirements"] if r["id"] == requirement_id]
    return found


def test_a_waiver_counts_from_the_day_it_was_made(waived):
    """A report of an earlier day shows how things stood then."""
    before = json.loads(waived("progress", "s1234567", "--as-of", "2025-12-01",
                               "--format", "json").stdout)["requirements"]
    assert {r["id"]: r["status"] for r in before}["career-symposium"] == "overdue"


def test_a_waived_requirement_is_met_with_its_reason(waived):
    shown = requirement(waived, "s1234567", "career-symposium")
    assert shown["status"] == "waived" and shown["waived_reason"] == REASON
    assert not shown["blocking"] and not shown["behind"] and shown["remaining"] == 0
    assert REASON in shown["sentence"]
    other = requirement(waived, "s2345678", "career-symposium")
    assert other["status"] == "overdue" and other["waived_reason"] is None
    table = waived("progress", "s1234567", "--format", "table").stdout
    assert "waived" in table and REASON in table
    assert "career-symposium overdue" not in json.loads(waived(
        "report", "--format", "json").stdout)[0]["attention"]


def test_a_waiver_counts_for_completion(tracker):
    """A student with everything but one requirement is complete once it is waived."""
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    tracker("student", "override", "s1234567", "alc", "--reason", "individual programme")
    points = json.loads(tracker("progress", "s1234567", "--format", "json").stdout)
    assert not points["complete"]
    for requirement_id in ("alc-points", "alc-colloquia"):
        tracker("student", "waive", "s1234567", requirement_id, "--reason", "credited")
    progress = json.loads(tracker("progress", "s1234567", "--format", "json").stdout)
    assert progress["complete"] and progress["standing"] == "complete"
    table = tracker("progress", "s1234567", "--format", "table").stdout
    assert "COMPLETE: every required item is done (2 waived)" in table


def test_waiving_twice_changes_nothing_and_says_so(waived):
    said = waived("student", "waive", "s1234567", "career-symposium", "--reason",
                  "another").stdout
    assert "waived already" in said and "nothing changed" in said and REASON in said
    assert requirement(waived, "s1234567", "career-symposium")["waived_reason"] == REASON
    assert sum(h["command"] == "student waive" for h in json.loads(
        waived("history", "--format", "json").stdout)) == 1


@pytest.mark.parametrize(("args", "problem"), [
    (["career-symposia", "--reason", "x"], "has no requirement 'career-symposia' "
                                            "(requirements: study-advisor"),
    (["career-symposium"], "give the --reason"),
    (["career-symposium", "--reason", "  "], "give the --reason"),
])
def test_a_waiver_is_refused_in_words(sqlite_tracker, args, problem):
    sqlite_tracker("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09")
    result = sqlite_tracker("student", "waive", "s1234567", *args, expect=2)
    assert problem in result.output
    assert "student waive" not in sqlite_tracker("history").stdout


def test_the_history_says_who_waived_what_and_why_and_undo_reverts_it(waived):
    [latest] = json.loads(waived("history", "--format", "json").stdout)[:1]
    assert latest["command"] == "student waive" and latest["by"] == "coordinator"
    assert "career-symposium" in latest["summary"] and REASON in latest["summary"]
    waived("undo", "--by", "coordinator")
    assert requirement(waived, "s1234567", "career-symposium")["status"] == "overdue"


def test_unwaive_ends_it_and_undo_brings_it_back(waived):
    assert "ended" in waived("student", "unwaive", "s1234567", "career-symposium").stdout
    assert requirement(waived, "s1234567", "career-symposium")["status"] == "overdue"
    said = waived("student", "unwaive", "s1234567", "career-symposium").stdout
    assert "not waived" in said and "nothing changed" in said
    waived("undo")
    assert requirement(waived, "s1234567", "career-symposium")["status"] == "waived"
    history = waived("history", "s1234567").stdout
    assert "end the waiver of career-symposium" in history


def test_every_output_says_waived(waived, tmp_path):
    rows = list(csv.DictReader(io.StringIO(waived("report", "--format",
                                                  "csv").stdout)))
    assert [r["waived"] for r in rows] == ["career-symposium", ""]
    assert "waived" in waived("report", "--format", "table").stdout
    shown = json.loads(waived("student", "show", "s1234567", "--format", "json").stdout)
    assert shown["waived"] == [f"career-symposium: {REASON}"]
    waived("report", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "r.xlsx").active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "waived" in cells and "career-symposium" in cells
    waived("progress", "s1234567", "--format", "html", "-o",
           str(tmp_path / "p.html"))
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "waived" in page and REASON in page
    waived("report", "--format", "html", "-o", str(tmp_path / "c.html"))
    assert '"waived"' in (tmp_path / "c.html").read_text(encoding="utf-8")
    grades = waived("export", "brightspace", "--item", "AASCO", "--per-requirement").stdout
    assert f"Waived: Career Symposium (alumni) ({REASON})" in grades


def test_the_reminder_says_waived_with_the_reason(waived, tmp_path):
    outbox = tmp_path / "outbox"
    waived("remind", "s1234567", "--outbox", str(outbox), "--from", "c@example.org")
    message = email.message_from_bytes((outbox / "s1234567.eml").read_bytes(),
                                       policy=policy.default)
    parts = {p.get_content_type(): p.get_content() for p in message.walk()
             if not p.is_multipart()}
    assert f"Career Symposium (alumni) (waived — {REASON})" in parts["text/plain"]
    assert "waived" in parts["text/html"] and REASON in parts["text/html"]


def test_the_export_holds_the_waiver_and_forgetting_erases_it(waived):
    held = json.loads(waived("student", "export", "s1234567").stdout)
    [waiver] = held["waivers"]
    assert waiver["requirement"] == "career-symposium" and waiver["reason"] == REASON
    assert waiver["waived_by"] == "coordinator"
    assert {"sessions", "sign_in_requests", "calendar_made"} <= set(held["portal"])
    waived("student", "forget", "s1234567", "--yes")
    from sqlalchemy import create_engine, func, select

    from tracker.db.engine import resolve_url
    from tracker.db.models import Waiver

    engine = create_engine(resolve_url(waived.url))
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Waiver)).scalar() == 0
    engine.dispose()


def test_the_export_holds_reminder_states_and_the_portal_rows(waived):
    from smtp_servers import smtp_server
    from web.rows import fill_portal_tables

    with smtp_server() as server:
        waived("remind", "s1234567", "--send", "--smtp", server.url, "--from",
               "c@example.org")
    fill_portal_tables(waived.url)
    held = json.loads(waived("student", "export", "s1234567").stdout)
    [reminder] = held["reminders"]
    assert reminder["state"] == "sent" and reminder["problem"] is None
    portal = held["portal"]
    assert len(portal["sessions"]) == 1 and portal["sessions"][0]["seen_at"]
    assert len(portal["sign_in_requests"]) == 1 and portal["calendar_made"]
    assert "hash" not in json.dumps(portal)
