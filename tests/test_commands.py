"""Coordinator commands end to end: idempotence, undo, history, bad input."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def seeded(tracker):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
            "--email", "ada@example.org")
    tracker("student", "add", "s7654321", "--name", "Bram de Vries", "--start", "2024-09")
    activity = tracker("activity", "add", "colloquium", "--date", "2024-10-03",
                       "--title", "Peer colloquium").stdout.strip()
    assert activity == "1"
    return tracker


def test_attend_twice_changes_nothing_and_says_so(seeded):
    first = seeded("attend", "1", "s1234567", "S7654321", "--by", "Dr. Smit")
    assert "attended: 2 student(s)" in first.stdout
    again = seeded("attend", "1", "s1234567", "s7654321")
    assert again.stdout == ""
    assert "already recorded, nothing changed: s1234567, s7654321" in again.stderr
    history = seeded.json("history")
    assert [h["command"] for h in history].count("attend") == 1
    assert history[0]["by"] == "Dr. Smit"
    activities = seeded.json("activity", "list")
    assert activities[0]["attended"] == 2


def test_excused_then_attended_is_an_update(seeded):
    seeded("attend", "1", "s1234567", "--excused")
    assert seeded.json("activity", "list")[0]["attended"] == 0
    result = seeded("attend", "1", "s1234567", "--note", "asked about assay design")
    assert "updated: s1234567 (attended, with the new note)" in result.stdout
    assert seeded.json("activity", "list")[0]["attended"] == 1
    only_the_note = seeded("attend", "1", "s1234567", "--note", "and about careers")
    assert "updated: s1234567 (attended, with the new note)" in only_the_note.stdout
    assert seeded.json("activity", "show", "1")["attendees"][0]["note"] == "and about careers"


def test_undo_reverts_the_last_change_and_is_in_history(seeded):
    seeded("attend", "1", "s1234567")
    result = seeded("undo")
    assert "undid change" in result.stdout
    assert seeded.json("activity", "list")[0]["attended"] == 0
    history = seeded.json("history")
    assert history[0]["command"] == "undo"
    assert history[1]["command"] == "attend" and history[1]["undone_by"] == history[0]["id"]
    seeded("undo")  # next: the activity
    assert seeded.json("activity", "list") == []
    assert "s1234567" in seeded("student", "show", "s1234567").stdout


def test_undo_an_update_restores_the_old_values(seeded):
    seeded("assignment", "s1234567", "1", "submitted", "--date", "2024-10-01")
    seeded("assignment", "s1234567", "1", "approved", "--date", "2024-10-20")
    seeded("undo")
    progress = seeded.json("progress", "s1234567", "--as-of", "2024-11-01")
    reflection = next(r for r in progress["requirements"] if r["id"] == "reflection-1")
    assert reflection["status"] == "open"
    seeded("assignment", "s1234567", "1", "approved", "--date", "2024-10-20")
    again = seeded("assignment", "s1234567", "1", "approved")
    assert "nothing changed" in again.stdout


def test_history_of_one_student(seeded):
    seeded("attend", "1", "s1234567")
    seeded("attend", "1", "s7654321")
    rows = seeded.json("history", "s7654321")
    assert [r["command"] for r in rows] == ["attend", "student add"]


def test_unknown_student_among_several_records_nobody(seeded):
    result = seeded("attend", "1", "s1234567", "s9999999", expect=2)
    assert "s9999999" in result.output
    assert seeded.json("activity", "list")[0]["attended"] == 0
    assert seeded.json("history")[0]["command"] == "activity add"


@pytest.mark.parametrize("args, problem", [
    (["attend", "99", "s1234567"], "no activity #99"),
    (["attend", "1", "x123"], "'x123' is not a student number: expected a Leiden student "
                               "number: s followed by 7 digits"),
    (["activity", "add", "party", "--date", "2024-01-01", "--title", "x"],
     "unknown activity kind 'party'"),
    (["activity", "add", "colloquium", "--date", "2024-13-01", "--title", "x"],
     "'2024-13-01': there is no month 13"),
    (["student", "add", "s1", "--name", "X", "--start", "2024-09"], "is not a student number"),
    (["student", "add", "s1111111", "--name", "X", "--start", "24-09"], "YYYY-MM"),
    (["student", "add", "s1111111", "--name", " ", "--start", "2024-09"], "name must not be"),
    (["student", "add", "s1111111", "--name", "X", "--start", "2024-09", "--email", "nope"],
     "is not an e-mail address"),
    (["student", "add", "s1234567", "--name", "Someone Else", "--start", "2024-09"],
     "already registered as 'Ada Jansen'"),
    (["progress", "s5555555"], "no student s5555555"),
    (["assignment", "s1234567", "9", "approved"], "no reflection assignment 9"),
    (["attend", "1"], "at least one student number"),
    (["student", "override", "s1234567", "nope", "--reason", "x"], "no requirement set 'nope'"),
])
def test_bad_input_is_one_clear_line_exit_2_nothing_written(seeded, args, problem):
    before = seeded.json("history", "--all")
    result = seeded(*args, expect=2)
    assert problem in result.output
    assert seeded.json("history", "--all") == before


def test_attendance_in_the_future_is_refused_but_excused_is_fine(seeded):
    future = seeded("activity", "add", "colloquium", "--date", "2199-01-01",
                    "--title", "Far away").stdout.strip()
    assert "in the future" in seeded("attend", future, "s1234567", expect=2).output
    seeded("attend", future, "s1234567", "--excused")


def test_student_add_again_with_the_same_details_is_idempotent(seeded):
    result = seeded("student", "add", "S1234567", "--name", "Ada Jansen", "--start", "2024-09",
                    "--email", "ada@example.org")
    assert "nothing changed" in result.stdout


def test_override_is_recorded_and_used(seeded):
    seeded("student", "add", "s1000000", "--name", "Late Starter", "--start", "2017-09")
    assert seeded.json("progress", "s1000000")["requirement_set"] == "alc"
    seeded("student", "override", "s1000000", "aasco", "--reason", "individual programme")
    assert seeded.json("progress", "s1000000")["requirement_set"] == "aasco"
    shown = seeded.json("student", "show", "s1000000")
    assert shown["override"] == "aasco" and shown["override_reason"] == "individual programme"
    assert seeded.json("history")[0]["command"] == "student override"
    seeded("student", "override", "s1000000", "none")
    assert seeded.json("progress", "s1000000")["requirement_set"] == "alc"


def test_listings_in_every_format(seeded):
    students = seeded.json("student", "list")
    assert students[0] == {"student": "s1234567", "name": "Ada Jansen", "start": "2024-09",
                           "email": "ada@example.org", "specialisation": None,
                           "status": "active"}
    assert seeded.json("student", "list", "--cohort", "2023") == []
    csv_text = seeded("student", "list", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "student,name,start,status,email,specialisation"
    table = seeded("student", "list", "--format", "table").stdout
    assert "Bram de Vries" in table and all(len(line) <= 80 for line in table.splitlines())
    activity = seeded.json("activity", "list", "--kind", "colloquium", "--from", "2024-10-01",
                           "--to", "2024-10-31")[0]
    assert {"id", "kind", "date", "title"} <= set(activity)
    assert seeded.json("activity", "list", "--from", "2024-10-04") == []


def test_progress_table_for_a_student(seeded):
    seeded("attend", "1", "s1234567")
    out = seeded("progress", "s1234567", "--as-of", "2024-12-01", "--format", "table").stdout
    assert "Colloquia by peers" in out and "1/6" in out
    assert "NOT COMPLETE" in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_no_requirement_set_is_a_clear_error(tracker, tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[kinds.colloquium]\nlabel = "Colloquium"\n[assignments]\n1 = "One"\n'
        '[[set]]\nid = "new"\nstarted_from = "2020-09"\n'
        '[[set.requirement]]\nid = "c"\nattendance = ["colloquium"]\nmin = 1\n')
    tracker("student", "add", "s1000000", "--name", "Early", "--start", "2019-09")
    loaded = tracker("rules", "load", str(rules))
    assert "warning: 1 student(s) who started 2019-09 match no requirement set" in loaded.stderr
    result = tracker("progress", "s1000000", expect=2)
    assert "no requirement set of rules version 2 covers that start month" in result.output
    report = tracker("report", "--format", "json")
    assert "warning: s1000000 started 2019-09" in report.stderr


def test_rules_whose_number_form_strands_registered_students_say_so(tracker, tmp_path):
    """A new number form that does not read the numbers on record would leave those
    students unnamed by every command and sign-in: the load says how many, with one."""
    from tracker.service.rules import default_rules_text

    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2025-09")
    rules = tmp_path / "rules.toml"
    rules.write_text(default_rules_text().replace('student_number = "^s[0-9]{7}$"',
                                                  'student_number = "^[0-9]{7}$"', 1))
    loaded = tracker("rules", "load", str(rules))
    assert ("warning: 1 registered student number(s) do not fit these rules' "
            "student_number (^[0-9]{7}$), e.g. s1234567" in loaded.stderr), loaded.stderr


def test_student_edit_corrects_details_and_can_be_undone(seeded):
    result = seeded("student", "edit", "s1234567", "--name", "Ada Jansen-Smit", "--email", "",
                    "--start", "2024-02")
    assert "updated s1234567 Ada Jansen-Smit, started 2024-02" in result.stdout
    shown = seeded.json("student", "show", "s1234567")
    assert (shown["name"], shown["email"], shown["start"]) == ("Ada Jansen-Smit", None,
                                                                "2024-02")
    again = seeded("student", "edit", "s1234567", "--name", "Ada Jansen-Smit")
    assert "nothing changed" in again.stdout
    assert "say what to change" in seeded("student", "edit", "s1234567", expect=2).output
    seeded("undo")
    assert seeded.json("student", "show", "s1234567")["email"] == "ada@example.org"


def test_attend_remove_takes_a_mistake_off_and_undo_puts_it_back(seeded):
    seeded("attend", "1", "s1234567", "s7654321", "--note", "asked a question")
    seeded("activity", "add", "colloquium", "--date", "2024-10-10", "--title", "Later")
    result = seeded("attend", "1", "s7654321", "--remove")
    assert "removed from #1 Peer colloquium: s7654321" in result.stdout
    assert seeded.json("activity", "list")[0]["attended"] == 1
    again = seeded("attend", "1", "s7654321", "--remove")
    assert "not recorded there, nothing changed: s7654321" in again.stderr
    seeded("undo")
    assert seeded.json("activity", "list")[0]["attended"] == 2
    exported = json.loads(seeded("student", "export", "s7654321").stdout)
    assert exported["participations"][0]["note"] == "asked a question"
