"""Everyday basics (SPEC §8): activities as records, assignments over time and in bulk,
progress that explains itself, rules in full, erased students kept out, Excel."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

TODAY = date.today()


@pytest.fixture
def term(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers",
            "--location", "Gorlaeus")
    tracker("attend", "1", "s1234567", "--note", "asked about organoids")
    tracker("attend", "1", "s7654321", "--excused")
    return tracker


def history(tracker) -> str:
    return tracker("history", "--all", "--format", "csv").stdout


# --- activities -------------------------------------------------------------------------


def test_activity_show_lists_who_was_there(term):
    shown = term.json("activity", "show", "1")
    assert shown == {"id": 1, "kind": "colloquium", "date": "2024-10-03", "title": "Peers",
                     "location": "Gorlaeus", "organiser": None, "attendees": [
                         {"student": "s1234567", "name": "Ada Jansen", "status": "attended",
                          "note": "asked about organoids", "source": "typed", "flags": []},
                         {"student": "s7654321", "name": "Bram de Vries",
                          "status": "excused", "note": None, "source": "typed",
                          "flags": []}]}
    table = term("activity", "show", "1", "--format", "table").stdout
    assert "1 attended, 1 excused" in table and "asked about organoids" in table
    assert "no activity #9" in term("activity", "show", "9", expect=2).output


def test_activity_edit_is_recorded_and_undoable(term):
    edited = term("activity", "edit", "1", "--date", "2024-10-10", "--title", "Peers II",
                  "--location", "")
    assert "updated #1: colloquium on 2024-10-10, Peers II" in edited.stdout
    shown = term.json("activity", "show", "1")
    assert (shown["date"], shown["title"], shown["location"]) == ("2024-10-10", "Peers II",
                                                                  None)
    assert len(shown["attendees"]) == 2  # attendance stays with it
    assert "nothing changed" in term("activity", "edit", "1", "--title", "Peers II").stdout
    term("undo")
    assert term.json("activity", "show", "1")["title"] == "Peers"


def test_activity_edit_refuses_what_would_be_wrong(term):
    term("activity", "add", "colloquium", "--date", "2024-11-07", "--title", "Later")
    before = history(term)
    assert "#2 is that activity already" in term(
        "activity", "edit", "1", "--date", "2024-11-07", "--title", "Later", expect=2).output
    future = (TODAY + timedelta(days=30)).isoformat()
    assert "in the future" in term("activity", "edit", "1", "--date", future,
                                   expect=2).output
    assert "say what to change" in term("activity", "edit", "1", expect=2).output
    assert "unknown activity kind" in term("activity", "edit", "1", "--kind", "party",
                                           expect=2).output
    assert history(term) == before


def test_activity_delete_needs_to_be_told_about_attendance(term):
    refused = term("activity", "delete", "1", expect=2)
    assert "has 2 attendance record(s): add --with-attendance" in refused.output
    deleted = term("activity", "delete", "1", "--with-attendance")
    assert "deleted #1 Peers (2024-10-03) and its 2 attendance record(s)" in deleted.stdout
    assert term.json("activity", "list") == []
    assert term.json("progress", "s1234567")["requirements"][5]["done"] == 0
    term("undo")
    assert term.json("activity", "show", "1")["attendees"][0]["note"] == \
        "asked about organoids"
    term("activity", "add", "colloquium", "--date", "2024-10-17", "--title", "Empty")
    assert "deleted #2 Empty" in term("activity", "delete", "2").stdout


def test_a_deleted_activitys_id_is_never_given_to_another(term, tmp_path):
    """A sign-in sheet naming a deleted activity must not land on a newer one."""
    term("activity", "add", "colloquium", "--date", "2024-10-17", "--title", "Mistake")
    term("activity", "delete", "2")
    assert term("activity", "add", "colloquium", "--date", "2024-10-18",
                "--title", "Right day").stdout.strip() == "3"
    term("undo")  # the adding of #3 undone: #3 is gone, and stays unused
    assert term("activity", "add", "colloquium", "--date", "2024-10-18",
                "--title", "Right day").stdout.strip() == "4"
    sheet = tmp_path / "old-sheet.csv"
    sheet.write_text("student_number,activity_id\ns1234567,2\n")
    refused = term("attend", "--import", str(sheet), expect=2)
    assert "line 2: no activity #2" in refused.output
    assert [a["id"] for a in term.json("activity", "list")] == [1, 4]


def test_a_new_students_history_is_their_own_after_an_undone_add(term):
    """The history names rows by id: a student added after an undone add must not take
    that id (and with it the undone student's history)."""
    term("student", "add", "s3000001", "--name", "Mis Typed", "--start", "2024-09")
    term("undo")
    term("student", "add", "s3000002", "--name", "Eva Smit", "--start", "2024-09")
    history = term.json("history", "s3000002")
    assert [entry["command"] for entry in history] == ["student add"]
    assert "s3000001" not in str(history)


# --- assignments ------------------------------------------------------------------------


def reflection(tracker, number: str, as_of: str | None = None) -> dict:
    progress = tracker.json("progress", number, *(["--as-of", as_of] if as_of else []))
    return next(r for r in progress["requirements"] if r["id"] == "reflection-1")


def test_assignments_make_sense_over_time(term):
    future = (TODAY + timedelta(days=1)).isoformat()
    assert "is in the future" in term("assignment", "s1234567", "1", "approved", "--date",
                                      future, expect=2).output
    term("assignment", "s1234567", "1", "submitted", "--date", "2024-11-10")
    early = term("assignment", "s1234567", "1", "approved", "--date", "2024-11-01", expect=2)
    assert "was submitted on 2024-11-10: a decision cannot be dated 2024-11-01" in \
        early.output
    term("assignment", "s1234567", "1", "rejected", "--date", "2024-11-20", "--feedback",
         "Say more about the colloquia.")
    assert (reflection(term, "s1234567")["assignment_status"],
            reflection(term, "s1234567")["feedback"]) == ("rejected",
                                                          "Say more about the colloquia.")
    term("assignment", "s1234567", "1", "submitted", "--date", "2024-11-25")
    term("assignment", "s1234567", "1", "approved", "--date", "2024-11-30", "--by",
         "Dr. Smit")
    approved = reflection(term, "s1234567")
    assert (approved["status"], approved["assignment_status"], approved["feedback"]) == (
        "done", "approved", None)  # the rejection's feedback stays with the rejection
    again = term("assignment", "s1234567", "1", "submitted", "--date", "2024-12-05",
                 expect=2)
    assert "was approved on 2024-11-30 by Dr. Smit" in again.output
    assert "--reopen" in again.output
    assert reflection(term, "s1234567")["status"] == "done"
    term("assignment", "s1234567", "1", "submitted", "--date", "2024-12-05", "--reopen")
    assert reflection(term, "s1234567")["assignment_status"] == "submitted"
    assert reflection(term, "s1234567", "2024-11-28")["assignment_status"] == "none"
    assert "feedback goes with a decision" in term(
        "assignment", "s7654321", "2", "submitted", "--feedback", "x", expect=2).output


def test_a_rejection_after_an_approval_needs_reopen_and_names_the_approval(term, tmp_path):
    term("assignment", "s1234567", "1", "submitted", "--date", "2024-11-10")
    term("assignment", "s1234567", "1", "approved", "--date", "2024-11-20", "--by",
         "Dr. Smit")
    before = history(term)
    refused = term("assignment", "s1234567", "1", "rejected", "--date", "2024-11-22",
                   "--feedback", "Too short", expect=2).output
    assert ("s1234567's assignment 1 (You are here!) was approved on 2024-11-20 by Dr. "
            "Smit: a rejection would take that approval back; add --reopen if that is "
            "meant") in refused
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("student_number,assignment,status,date,feedback\n"
                         "s1234567,1,rejected,2024-11-22,Too short\n")
    assert "add --reopen" in term("assignment", "--import", str(decisions), expect=2).output
    assert history(term) == before and reflection(term, "s1234567")["status"] == "done"
    term("assignment", "s1234567", "1", "rejected", "--date", "2024-11-22", "--feedback",
         "Too short", "--reopen")
    assert reflection(term, "s1234567")["assignment_status"] == "rejected"


def test_assignment_import_all_or_nothing_and_idempotent(term, tmp_path):
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("student_number,assignment,status,date,feedback\n"
                         "s1234567,1,submitted,2024-11-10,\n"
                         "s1234567,1,approved,2024-11-20,Clear and honest.\n"
                         "S7654321,1,Submitted,2024-11-12,\n")
    before = history(term)
    dry = term("assignment", "--import", str(decisions), "--dry-run")
    assert ("would record 3 assignment decisions (2 submitted, 1 approved), 0 already "
            "recorded") in dry.stdout
    assert history(term) == before
    done = term("assignment", "--import", str(decisions))
    assert ("recorded 3 assignment decisions (2 submitted, 1 approved), 0 already "
            "recorded") in done.stdout
    assert reflection(term, "s1234567")["feedback"] == "Clear and honest."
    assert "nothing changed" in term("assignment", "--import", str(decisions)).stdout
    bad = tmp_path / "bad.csv"
    future = (TODAY + timedelta(days=3)).isoformat()
    bad.write_text("student_number,assignment,status,date\n"
                   "s7654321,1,approved,2024-11-01\n"  # before its submission
                   f"s7654321,2,submitted,{future}\n"
                   "s9999999,1,approved,2024-11-01\n"
                   "s7654321,9,approved,2024-11-01\n"
                   "s7654321,2,maybe,2024-11-01\n"
                   "s7654321,2,approved,\n")
    before = history(term)
    refused = term("assignment", "--import", str(bad), expect=2)
    for line, problem in [(2, "was submitted on 2024-11-12"), (3, "is in the future"),
                          (4, "no student s9999999"), (5, "no reflection assignment 9"),
                          (6, "status 'maybe' is not submitted, approved or rejected"),
                          (7, "date is empty")]:
        assert f"line {line}: " in refused.output and problem in refused.output, problem
    assert history(term) == before


# --- progress explains itself -------------------------------------------------------------


def test_progress_says_what_counted_and_why_others_did_not(term):
    term("activity", "add", "colloquium", "--date", "2024-08-01", "--title", "Too early")
    term("activity", "add", "mentor-meeting", "--date", "2025-10-01", "--title", "Year two")
    term("attend", "2", "s1234567")
    term("attend", "3", "s1234567")
    progress = term.json("progress", "s1234567", "--as-of", "2025-12-01")
    by_id = {r["id"]: r for r in progress["requirements"]}
    assert by_id["colloquia"]["counted"] == [1]
    assert by_id["colloquia"]["not_counted"] == [
        {"activity": 2, "why": "before the start month (2024-09)"}]
    assert by_id["mentorship"]["not_counted"] == [
        {"activity": 3, "why": "outside programme year 1 (2024-09 to 2025-08): in year 2"}]
    bram = {r["id"]: r for r in term.json("progress", "s7654321")["requirements"]}
    assert bram["colloquia"]["not_counted"] == [{"activity": 1, "why": "excused"}]
    assert bram["reflection-1"]["assignment_status"] == "none"
    assert "assignment_status" not in bram["colloquia"]
    table = term("progress", "s1234567", "--as-of", "2025-12-01", "--format",
                 "table").stdout
    assert "not counted: Too early (2024-08-01): before the start month" in table
    assert "counted: Peers (2024-10-03)" in table
    assert "5 more needed, 0 scheduled before 2026-08-31" in table
    # overdue: what is still needed now (an activity after the deadline may have counted)
    assert "1 more needed; the deadline was 2025-08-31" in table
    assert "Science Career Service workshops and Career Colleges" in table  # in full


# --- rules in full ----------------------------------------------------------------------


def test_rules_show_deadlines_bounds_points_and_caps_in_every_format(term):
    rules = term.json("rules", "show")
    points = next(r for r in rules if r["requirement"] == "alc-points")
    assert points["started_before"] == "2018-09" and points["started_from"] is None
    assert points["counts"].startswith("colloquium 1, lacdr-symposium 2")
    assert "lacdr-seminar at most 4" in points["caps"]
    assert points["deadline"] == "end of programme year 2"
    mentorship = next(r for r in rules if r["requirement"] == "mentorship")
    assert (mentorship["year"], mentorship["deadline"]) == (1, "end of programme year 1")
    csv_text = term("rules", "show", "--format", "csv").stdout
    assert csv_text.splitlines()[0].split(",")[:3] == ["set", "starts", "requirement"]
    assert "deadline" in csv_text.splitlines()[0]
    table = term("rules", "show", "--format", "table").stdout
    assert "lacdr-symposium and aesculapius-symposium at most 6 together" in table
    assert "for students who started before 2018-09" in table


# --- messages a person understands --------------------------------------------------------


@pytest.mark.parametrize("args, said, unsaid", [
    (["attend", "abc", "s1234567"], "activity id: 'abc' is not an activity's number", "["),
    (["report", "--cohort", "24"], "--cohort: 24 is not a year such as 2024", "<="),
    (["history", "--limit", "0"], "--limit: 0 is not a whole number, 1 or more", "x>="),
    (["progress"], "give the student number", "NUMBER"),
    (["student", "add", "x1"], "give the --name", "[0-9]"),
    (["activity", "show", "x"], "activity id:", "ACTIVITY_ID"),
    (["assignment", "s1234567", "1", "done"], "status: 'done' is not one of", "STATUS"),
])
def test_messages_name_the_problem_in_words(term, args, said, unsaid):
    result = term(*args, expect=2)
    assert said.lower() in result.output.lower()
    assert unsaid not in result.output


# --- erased students stay erased ----------------------------------------------------------


def test_an_erased_student_does_not_come_back_with_an_old_class_list(term, tmp_path):
    roster = tmp_path / "class.csv"
    roster.write_text("student_number,name,email,start\n"
                      "s1234567,Ada Jansen,ada@example.org,2024-09\n"
                      "s2000001,Carla Visser,,2024-09\n")
    term("student", "forget", "s1234567", "--yes")
    refused = term("student", "import", str(roster), expect=2)
    assert "line 2: s1234567 asked to be forgotten: their data was erased on" in \
        refused.output and "--re-register" in refused.output
    assert "asked to be forgotten" in term("student", "add", "s1234567", "--name", "Ada",
                                           "--start", "2024-09", expect=2).output
    term("student", "import", str(roster), "--re-register")
    assert term.json("student", "show", "s1234567")["name"] == "Ada Jansen"
    term("undo")
    assert "asked to be forgotten" in term("student", "add", "s1234567", "--name", "Ada",
                                           "--start", "2024-09", expect=2).output
    term("student", "add", "s1234567", "--name", "Ada", "--start", "2024-09",
         "--re-register")
    from sqlalchemy import create_engine, text

    from tracker.db.engine import resolve_url

    engine = create_engine(resolve_url(term.url))
    with engine.connect() as connection:
        digests = connection.execute(text("SELECT digest FROM erased_number")).all()
    engine.dispose()
    assert digests == []  # registered again: nothing left to refuse


# --- Excel ------------------------------------------------------------------------------


def test_workbooks_have_real_types_a_frozen_header_and_a_filter(term, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    term("student", "add", "s2000002", "--name", '=HYPERLINK("http://x","y")', "--start",
         "2024-09")
    outputs = {}
    for name, args in {"report": ["report", "--as-of", "2025-01-01"],
                       "students": ["student", "list"], "activities": ["activity", "list"],
                       "activity": ["activity", "show", "1"], "history": ["history"]}.items():
        path = tmp_path / f"{name}.xlsx"
        term(*args, "--format", "xlsx", "-o", str(path))
        outputs[name] = openpyxl.load_workbook(path).active
    for sheet in outputs.values():
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    activities = outputs["activities"]
    assert [c.value for c in activities[1]] == ["id", "date", "kind", "title", "attended"]
    assert activities["A2"].value == 1 and isinstance(activities["B2"].value, datetime)
    assert activities["B2"].value.date() == date(2024, 10, 3) and activities["E2"].value == 1
    assert isinstance(outputs["history"]["B2"].value, datetime)
    report = outputs["report"]
    header = [c.value for c in report[1]]
    ada = next(row for row in report.iter_rows(min_row=2, values_only=True)
               if row[0] == "s1234567")
    assert ada[header.index("colloquia")] == 1 and ada[header.index("complete")] is False
    hostile = next(row for row in outputs["students"].iter_rows(min_row=2)
                   if row[0].value == "s2000002")[1]
    assert hostile.data_type == "s" and hostile.value.startswith("=HYPERLINK")
    assert hostile.quotePrefix  # text, and stays text when edited
    assert "--format xlsx writes a workbook" in term("report", "--format", "xlsx",
                                                     expect=2).output
    assert "does not exist" in term("report", "--format", "xlsx", "-o",
                                    str(tmp_path / "no" / "r.xlsx"), expect=2).output
    exported = json.loads(term("report", "--format", "json").stdout)
    assert len(exported) == report.max_row - 1


def test_the_report_says_what_needs_a_look_in_every_format(term):
    rows = term.json("report", "--standing", "overdue", "--as-of", "2025-12-01")
    assert rows and all(row["attention"] for row in rows)
    ada = next(row for row in rows if row["student"] == "s1234567")
    assert "study-advisor overdue" in ada["attention"] and " open" in ada["attention"]
    header, *lines = term("report", "--format", "csv", "--as-of", "2025-12-01").stdout \
        .splitlines()
    assert header.endswith(",attention") and "study-advisor overdue" in "\n".join(lines)
