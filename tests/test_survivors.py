"""Safety nets that mutations of the code once slipped through (issue 17): each test here
failed with its mutation applied (see the note at each)."""

from __future__ import annotations

import csv
from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

# --- an import with a good line before a bad one ---------------------------------------
# Mutation: `tally.problem_count` taken out of the rollback condition at the end of
# service/import_driver.run_import. A file of decisions is applied line by line (each
# checked against the ones before it), so its good first line was committed while the
# tool said "nothing imported".


def test_a_good_line_before_a_bad_one_is_not_committed_either(tracker, tmp_path):
    tracker("student", "add", "s2000001", "--name", "Ada Jansen", "--start", "2024-09")
    before = tracker("history", "--all", "--format", "csv").stdout
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("student_number,assignment,status,date,feedback\n"
                         "s2000001,1,submitted,2024-10-01,\n"
                         "s2000001,1,approved,2024-09-01,before its submission\n")
    refused = tracker("assignment", "--import", str(decisions), expect=2)
    assert "line 3" in refused.output
    assert tracker("history", "--all", "--format", "csv").stdout == before
    progress = tracker.json("progress", "s2000001", "--as-of", "2024-10-15")
    reflection = next(r for r in progress["requirements"] if r["id"] == "reflection-1")
    assert reflection["assignment_status"] == "none"  # the first line is not there


# --- export brightspace --complete-points ----------------------------------------------
# Mutation: `complete_points=1` passed in place of the option's value (cli/exports.py).
# No student of the old test had completed, so the option could do nothing unseen.

OLD_RULES_COMPLETE = (  # the `alc` set: 20 points and 10 colloquia
    [("colloquium", f"2017-10-{day:02d}") for day in range(1, 11)]
    + [("lacdr-symposium", f"2017-11-{day:02d}") for day in range(1, 4)]  # 6 points
    + [("lacdr-seminar", f"2017-12-{day:02d}") for day in range(1, 5)])  # 4 points


def grades(path: Path) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8-sig") as sheet:
        return {row["OrgDefinedId"]: row["X Points Grade"] for row in csv.DictReader(sheet)}


@pytest.mark.parametrize("option", ["--complete-points", "--incomplete-points"])
def test_grade_points_of_complete_and_incomplete_students(tracker, tmp_path, option):
    tracker("student", "add", "s1000001", "--name", "Done Long Ago", "--start", "2017-09")
    tracker("student", "add", "s2000002", "--name", "Not Yet", "--start", "2024-09")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\n" + "".join(
        f"{kind},{day},{kind} {day}\n" for kind, day in OLD_RULES_COMPLETE))
    tracker("activity", "import", str(schedule))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id\n" + "".join(
        f"s1000001,{i}\n" for i in range(1, len(OLD_RULES_COMPLETE) + 1)))
    tracker("attend", "--import", str(sheet))
    assert [r["complete"] for r in tracker.json("report")] == [True, False]
    out = tmp_path / "grades.csv"
    tracker("export", "brightspace", "--item", "X", option, "2.5", "-o", str(out))
    complete, incomplete = ("2.5", "0") if option == "--complete-points" else ("1", "2.5")
    assert grades(out) == {"#s1000001": complete, "#s2000002": incomplete}


# --- the reminder's subject -------------------------------------------------------------
# Mutations: any word of the subject's gist changed (mail/compose._gist: "overdue",
# "at risk", "still to do", "next deadline", "item"/"items"), or its parts reordered.

SCHEDULE = [("study-advisor-meeting", "2025-10-01"), ("mentor-meeting", "2025-11-05"),
            ("career-symposium", "2026-05-20"), ("lacdr-symposium", "2026-03-10"),
            ("bsp-excursion", "2026-04-15")] \
    + [("colloquium", f"2025-{month:02d}-02") for month in (10, 11, 12)] \
    + [("colloquium", f"2026-{month:02d}-02") for month in (1, 2, 3)] \
    + [(kind, f"2026-0{month}-07") for kind in ("career-workshop", "career-event")
       for month in (2, 6)]


def gist_by_hand(progress: dict[str, Any]) -> str:
    """The subject a coordinator would write from the student's progress."""
    blocking = [r for r in progress["requirements"]
                if r["status"] != "done" and not r["optional"]]
    overdue = sum(r["status"] == "overdue" for r in blocking)
    at_risk = sum(r["status"] == "at-risk" for r in blocking)
    still_open = sum(r["status"] == "open" for r in blocking)
    deadline = min((r["due"] for r in blocking if r["status"] in ("open", "at-risk")),
                   default=None)

    def items(n: int) -> str:
        return f"{n} item" if n == 1 else f"{n} items"

    if overdue:
        return f"{items(overdue)} overdue" + (f", {at_risk} at risk" if at_risk else "")
    if at_risk:
        return f"{items(at_risk)} at risk, next deadline {deadline}"
    return f"{items(still_open)} still to do, next deadline {deadline}"


def test_the_reminders_subject_says_what_is_overdue_at_risk_or_still_to_do(
        sqlite_tracker, tmp_path):
    tracker = sqlite_tracker
    tracker("student", "add", "s2000001", "--name", "Ada Jansen", "--start", "2025-09",
            "--email", "ada@example.org")
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\n" + "".join(
        f"{kind},{day},{kind} {day}\n" for kind, day in SCHEDULE))
    tracker("activity", "import", str(schedule))
    tracker("assignment", "s2000001", "1", "approved", "--date", "2025-11-10")
    tracker("attend", "6", "s2000001")  # the colloquium of 2025-10-02
    subjects = {}
    for as_of in ("2025-09-20", "2025-10-15", "2026-01-15", "2026-09-15", "2027-09-15"):
        outbox = tmp_path / f"outbox-{as_of}"
        tracker("remind", "--as-of", as_of, "--outbox", str(outbox), "--from",
                "Coordinator <aasco@example.org>", "--skip-reminded-days", "0")
        [message] = [message_from_bytes(path.read_bytes(), policy=default)
                     for path in outbox.iterdir()]
        progress = tracker.json("progress", "s2000001", "--as-of", as_of)
        subjects[as_of] = message["Subject"]
        assert message["Subject"] == f"Career orientation: {gist_by_hand(progress)}", as_of
    assert subjects == {
        "2025-09-20": "Career orientation: 11 items still to do, next deadline 2025-11-30",
        "2025-10-15": "Career orientation: 1 item at risk, next deadline 2025-11-30",
        "2026-01-15": "Career orientation: 3 items at risk, next deadline 2026-08-31",
        "2026-09-15": "Career orientation: 4 items overdue, 5 at risk",
        "2027-09-15": "Career orientation: 10 items overdue"}
