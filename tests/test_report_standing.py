"""Who is in a report, and where each stands: active students unless --status says
otherwise, a standing in every format, --standing and --at-risk that mean what the
cohort page means, and the words of the progress table."""

from __future__ import annotations

import csv
import io
import json

import pytest

AS_OF = "2025-12-01"


@pytest.fixture
def term(tracker):
    """Judged on 2025-12-01: Ada (2024-09) is overdue (year 1's meeting with the study
    advisor), Bram (2025-09) at risk (five colloquia scheduled of the six he needs),
    Céline (2025-09, one colloquium done) on track; Carla withdrawn, Daan graduated."""
    for number, name, start in [("s1234567", "Ada Jansen", "2024-09"),
                                ("s2345678", "Bram de Vries", "2025-09"),
                                ("s3456789", "Carla Visser", "2024-09"),
                                ("s4567890", "Daan Bakker", "2024-09"),
                                ("s5678901", "Céline Dubois", "2025-09")]:
        tracker("student", "add", number, "--name", name, "--start", start)
    tracker("student", "status", "s3456789", "withdrawn")
    tracker("student", "status", "s4567890", "graduated")
    tracker("activity", "add", "colloquium", "--date", "2025-10-02", "--title", "Peers")
    for when in ("2026-02-05", "2026-03-05", "2026-04-02", "2026-05-07", "2026-06-04"):
        tracker("activity", "add", "colloquium", "--date", when, "--title", f"Peers {when}")
    for kind in ("study-advisor-meeting", "mentor-meeting", "career-symposium",
                 "career-workshop", "career-workshop", "career-event", "career-event",
                 "lacdr-symposium", "bsp-excursion"):
        tracker("activity", "add", kind, "--date", "2026-03-10", "--title", kind)
    tracker("attend", "1", "s1234567", "s5678901")
    for number in ("s2345678", "s5678901"):
        tracker("assignment", number, "1", "approved", "--date", "2025-11-20")
    return tracker


def report(term, *args: str) -> list[dict]:
    return json.loads(term("report", "--as-of", AS_OF, "--format", "json", *args).stdout)


def test_active_students_by_default_and_every_status_on_request(term):
    assert [r["student"] for r in report(term)] == ["s1234567", "s2345678", "s5678901"]
    everyone = report(term, "--status", "all")
    assert {r["student"]: r["status"] for r in everyone}["s3456789"] == "withdrawn"
    assert [r["student"] for r in report(term, "--status", "graduated")] == ["s4567890"]
    table = term("report", "--as-of", AS_OF, "--status", "all", "--format", "table").stdout
    assert "withdrawn" in table and "graduated" in table  # marked, in the table too


def test_every_format_has_the_standing_and_filters_on_it(term, tmp_path):
    standings = {r["student"]: r["standing"] for r in report(term)}
    assert standings["s1234567"] == "overdue"
    assert set(standings.values()) <= {"complete", "on track", "at risk", "overdue"}
    lines = list(csv.DictReader(io.StringIO(term("report", "--as-of", AS_OF, "--format",
                                                 "csv").stdout)))
    assert {line["student"]: line["standing"] for line in lines} == standings
    table = term("report", "--as-of", AS_OF, "--format", "table").stdout.splitlines()
    assert table[1].split()[:4] == ["student", "name", "start", "standing"]
    assert "overdue" in next(line for line in table if line.startswith("s1234567"))
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "report.xlsx"
    term("report", "--as-of", AS_OF, "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    assert {row[0]: row[header.index("standing")]
            for row in sheet.iter_rows(min_row=2, values_only=True)} == standings
    # the workbook says what it is: its day and rules version
    assert sheet.title == f"report {AS_OF} rules v1"
    assert workbook.properties.title.startswith(f"report as of {AS_OF}, rules version 1")
    for standing in ("overdue", "at-risk", "on-track", "complete", "on track"):
        wanted = standing.replace("-", " ")
        assert [r["student"] for r in report(term, "--standing", standing)] == [
            n for n, s in standings.items() if s == wanted]
    both = report(term, "--standing", "overdue", "--standing", "at-risk")
    assert {r["standing"] for r in both} == {"overdue", "at risk"} & set(standings.values())
    assert "is not a standing" in term("report", "--standing", "late", expect=2).output


def test_at_risk_means_at_risk_not_overdue(term):
    at_risk = report(term, "--at-risk")
    assert at_risk and {r["standing"] for r in at_risk} == {"at risk"}
    assert "s1234567" not in {r["student"] for r in at_risk}  # overdue: its own standing


def test_the_progress_table_says_what_is_left_in_words(term):
    def verdict(day: str) -> str:
        shown = term("progress", "s1234567", "--as-of", day, "--format", "table").stdout
        return next(line for line in shown.splitlines() if "COMPLETE" in line)

    assert verdict(AS_OF) == "NOT COMPLETE: 11 required items to do: 5 overdue, 2 at risk, 4 open."
    # every one overdue: said so, not "open"
    assert verdict("2026-12-01") == "NOT COMPLETE: 11 required items overdue."
    progress = term.json("progress", "s1234567", "--as-of", AS_OF)
    assert (progress["standing"], progress["status"]) == ("overdue", "active")
    assert progress["attention"].startswith("study-advisor overdue")
    assert progress["activities"] == [{"id": 1, "kind": "colloquium", "date": "2025-10-02",
                                       "title": "Peers"}]
    colloquia = next(r for r in progress["requirements"] if r["id"] == "colloquia")
    assert (colloquia["blocking"], colloquia["behind"], colloquia["counted"]) == (
        True, False, [1])
    assert colloquia["sentence"] == "5 more needed by 2026-08-31; 5 scheduled"


def test_one_more_point_is_singular(term, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(term("rules", "show", "--toml").stdout.replace("min = 20", "min = 1"))
    term("rules", "load", str(rules))
    term("student", "add", "s1111111", "--name", "Old Timer", "--start", "2017-09")
    requirement = next(r for r in term.json("progress", "s1111111", "--as-of", "2017-10-30")
                       ["requirements"] if r["kind"] == "points")
    assert requirement["remaining"] == 1
    assert requirement["sentence"].startswith("1 more point needed")


def test_an_activity_workbook_says_which_activity(term, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "activity.xlsx"
    term("activity", "show", "1", "--format", "xlsx", "-o", str(path))
    workbook = openpyxl.load_workbook(path)
    assert workbook.active.title == "#1 2025-10-02 Peers"
    assert workbook.properties.title == "activity #1, colloquium on 2025-10-02: Peers"
