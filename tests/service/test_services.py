"""The services called directly, as the CLI calls them: typed results, one transaction
each, refusals as the project's own errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.errors import CannotUndo, ImportRefused, InvalidInput, NotFound
from tracker.months import Month
from tracker.service.activities import add_activity, list_activities
from tracker.service.attendance import attend, remove_attendance
from tracker.service.history import list_history, undo
from tracker.service.imports import import_attendance, import_students
from tracker.service.students import add_student, edit_student, set_status, show_student
from tracker.vocabulary import ParticipationStatus, StudentStatus


@pytest.fixture
def term(db):
    add_student(db, "s1234567", "Ada Jansen", Month(2024, 9), "ada@example.org")
    add_student(db, "s7654321", "Bram de Vries", Month(2024, 9))
    add_activity(db, "colloquium", date(2024, 10, 3), "Peers")
    return db


def test_writes_say_whether_they_changed_anything(term):
    again = add_student(term, "S1234567", "Ada Jansen", Month(2024, 9), "ada@example.org")
    assert (again.changed, again.record.student, again.record.email) == (
        False, "s1234567", "ada@example.org")
    edited = edit_student(term, "s1234567", email="")
    assert edited.changed and edited.record.email is None
    assert set_status(term, "s1234567", StudentStatus.GRADUATED).record.status == "graduated"
    assert not set_status(term, "s1234567", StudentStatus.GRADUATED).changed


def test_attendance_outcome_names_every_student(term):
    first = attend(term, 1, ["s1234567", "s7654321"])
    assert first.added == ("s1234567", "s7654321") and first.activity.title == "Peers"
    excused = attend(term, 1, ["s1234567"], status=ParticipationStatus.EXCUSED)
    assert excused.updated == excused.downgraded == ("s1234567",)
    repeat = attend(term, 1, ["s1234567", "s7654321"], status=ParticipationStatus.EXCUSED)
    assert repeat.added == () and repeat.unchanged == ("s1234567",)
    assert repeat.updated == ("s7654321",)
    removed = remove_attendance(term, 1, ["s7654321", "s1234567"])
    assert removed.removed == ("s7654321", "s1234567") and removed.absent == ()
    assert list_activities(term)[0].attended == 0


def test_refusals_are_the_projects_errors_and_write_nothing(term):
    before = list_history(term, limit=None)
    with pytest.raises(NotFound, match="no student s9999999"):
        attend(term, 1, ["s1234567", "s9999999"])
    with pytest.raises(InvalidInput, match="in the future"):
        attend(term, 1, ["s1234567"], today=date(2024, 10, 2))
    with pytest.raises(InvalidInput, match="is not a student number"):
        show_student(term, "x1")
    assert list_history(term, limit=None) == before


def test_undo_returns_what_it_undid(term):
    attend(term, 1, ["s1234567"])
    outcome = undo(term)
    entries = list_history(term, limit=2)
    assert (entries[0].id, entries[1].id) == (outcome.change, outcome.undone)
    assert entries[1].undone_by == outcome.change
    for _ in range(3):
        undo(term)  # the activity, both students
    with pytest.raises(CannotUndo, match="nothing of yours to undo"):
        undo(term)  # the built-in rules were loaded by the tracker, not by you
    with pytest.raises(CannotUndo, match="loaded the only rules version"):
        undo(term, change=1)


def test_imports_summarise_and_refuse_whole(term, tmp_path: Path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\ns1234567,1,\ns7654321,1,excused\n")
    summary = import_attendance(term, sheet, dry_run=True)
    assert (summary.added, summary.dry_run, summary.examples[0]) == (
        2, True, "line 2: add s1234567 attended #1 Peers")
    assert list_activities(term)[0].attended == 0
    assert import_attendance(term, sheet).added == 2
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,start\ns1234567,Ada Smit,2024-09\n")
    with pytest.raises(ImportRefused, match="name 'Ada Jansen' registered, 'Ada Smit' here"):
        import_students(term, roster)
    assert import_students(term, roster, update=True).updated == 1


def test_an_activitys_turnout_counts_students_who_were_forgotten(term):
    """An erased student attended all the same: the cohort page's chart says what the
    activity list says."""
    from tracker.service.overview import cohort_overview
    from tracker.service.privacy import forget_student
    from tracker.service.report import Selection

    attend(term, 1, ["s1234567", "s7654321"])
    forget_student(term, "s7654321")
    listed = {a.id: a.attended for a in list_activities(term)}
    for cohort in (None, 2024):
        overview = cohort_overview(term, Selection(cohort))
        assert {t.id: t.attended for t in overview.turnout} == listed == {1: 2}
        assert [row.student for row in overview.report.rows] == ["s1234567"]
    assert cohort_overview(term, Selection(2023)).turnout == ()
