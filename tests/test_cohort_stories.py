"""A cohort's whole story (a reminder run, the Brightspace text grade) is read with the
participations grouped per student by the database: one row per student, however many
activities each was at, and every story as a student's own page tells it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.db import explanations
from tracker.db.engine import Database, resolve_url
from tracker.db.which import Which
from tracker.service import assessment
from tracker.service.report import cohort_students
from tracker.service.rules import rules_in_force

STUDENTS = 60  # more than assessment.FEW: read as a cohort


@pytest.fixture
def cohort(tracker, tmp_path: Path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{2000000 + i},Student {i},s{i}@example.org,{('2023-09', '2024-09')[i % 2]}\n"
        for i in range(STUDENTS)))
    tracker("student", "import", str(roster))
    schedule = tmp_path / "schedule.csv"
    schedule.write_text("kind,date,title\ncolloquium,2023-08-01,Before\n"
                        "colloquium,2024-10-01,Peers\nmentor-meeting,2024-10-02,Mentor\n"
                        "lacdr-seminar,2025-03-01,Seminar\ncolloquium,2026-11-01,Later\n")
    tracker("activity", "import", str(schedule))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("student_number,activity_id,status\n" + "".join(
        f"s{2000000 + i},{activity},{'excused' if (i + activity) % 7 == 0 else 'attended'}\n"
        for i in range(STUDENTS) for activity in range(1, 6) if (i + activity) % 5))
    tracker("attend", "--import", str(sheet))
    tracker("assignment", "s2000003", "1", "rejected", "--date", "2024-10-05",
            "--feedback", "say more")
    return tracker


def stories_of(url: str, few: int, monkeypatch) -> tuple[list[object], int, int]:
    """Every student's story as of a day, read as a cohort or (``few`` large) student by
    student's way; and the rows the grouped read gave, and the participations."""
    monkeypatch.setattr(assessment, "FEW", few)
    rows = []
    grouped = explanations.participations_grouped

    def counted(*args):
        for row in grouped(*args):
            rows.append(row)
            yield row

    monkeypatch.setattr(explanations, "participations_grouped", counted)
    db = Database.from_url(resolve_url(url))
    try:
        with db.transaction(read_only=True) as session:
            in_force = rules_in_force(session)
            which = Which(cohort_students(None))
            assessed = [one for one in assessment.assess(session, in_force, which,
                                                         date(2025, 6, 1))
                        if one.progress is not None]
            told = list(assessment.told(session, in_force, assessed, which))
            seen = sum(1 for _ in explanations.participations(
                session, which, assessment.counting_kinds(in_force.book)))
    finally:
        db.dispose()
    return told, len(rows), seen


def test_a_cohort_is_told_as_each_student_alone_from_one_row_per_student(
        cohort, monkeypatch):
    as_a_cohort, rows, participations = stories_of(cohort.url, 0, monkeypatch)
    one_by_one, none, _ = stories_of(cohort.url, 1_000_000, monkeypatch)
    assert len(as_a_cohort) == STUDENTS and none == 0
    assert as_a_cohort == one_by_one
    assert any(n.why == "excused" for s in as_a_cohort for r in s.requirements
               for n in r.not_counted)
    assert rows == STUDENTS < participations  # grouped by the database


def test_requirements_with_nothing_of_their_own_are_one_record_and_one_row(
        cohort, monkeypatch):
    """Students who stand the same on a requirement that counted nothing for them share
    its record (and the page its row); a requirement with what counted is their own."""
    from tracker.pages import student

    told, _, _ = stories_of(cohort.url, 0, monkeypatch)
    bare = [r for s in told for r in s.requirements if not r.counted and not r.not_counted]
    assert len({id(r) for r in bare}) < len(bare) // 4
    pages = [student.student_page(s) for s in told]
    monkeypatch.setattr(student, "_ROWS_OF", {})
    monkeypatch.setattr(student, "_SHARED_ROWS", {})
    monkeypatch.setattr(student, "_UPCOMING_ROWS", {})
    assert [student.student_page(s) for s in told] == pages  # as made afresh
    assert len(student._ROWS_OF) == len({id(r) for r in bare})


def test_students_of_other_starts_and_sets_are_told_their_own_words(cohort, monkeypatch):
    """The words of why an activity did not count are worked out once per requirement
    set, start month and day, and each student is told those of theirs."""
    cohort("student", "override", "s2000008", "alc", "--reason", "as the old programme")
    told, _, _ = stories_of(cohort.url, 0, monkeypatch)
    words = {(s.start, s.requirement_set): {(r.id, n.activity): n.why for r in s.requirements
                                            for n in r.not_counted}
             for s in told if s.student in ("s2000001", "s2000008", "s2000010")}
    assert words[("2023-09", "aasco")] == {
        ("colloquia", 1): "before the start month (2023-09)",
        ("mentorship", 3): "outside programme year 1 (2023-09 to 2024-08): in year 2"}
    assert words[("2024-09", "aasco")] == {  # the mentor meeting counted
        ("colloquia", 1): "before the start month (2024-09)",
        ("colloquia", 5): "after 2025-06-01, the day judged"}
    assert words[("2023-09", "alc")] == {  # a mentor meeting is not one of alc's kinds
        ("alc-points", 1): "before the start month (2023-09)",
        ("alc-colloquia", 1): "before the start month (2023-09)",
        ("alc-points", 5): "after 2025-06-01, the day judged",
        ("alc-colloquia", 5): "after 2025-06-01, the day judged"}


def test_a_cohort_s_ids_are_put_in_date_order_with_their_status_and_shared():
    """The ids of each status, as the database wrote them in no order, come back in the
    activities' date order (by id on one day), one record per activity and status for
    every student."""
    activity = {3: ("colloquium", date(2024, 3, 1), "C"), 1: ("colloquium", date(2024, 5, 1), "A"),
                2: ("mentor-meeting", date(2024, 3, 1), "B")}
    grouped = assessment._Grouped({10: ("1,3", "2"), 11: (None, "3,02"), 12: ("1", None)},
                                  activity)
    told = {student: [(p.activity, p.status, p.held_on) for p in grouped[student]]
            for student in (10, 11, 12)}
    assert told == {
        10: [(2, "excused", date(2024, 3, 1)), (3, "attended", date(2024, 3, 1)),
             (1, "attended", date(2024, 5, 1))],
        11: [(2, "excused", date(2024, 3, 1)), (3, "excused", date(2024, 3, 1))],
        12: [(1, "attended", date(2024, 5, 1))]}
    assert grouped[10][2] is grouped[12][0] and grouped[10][0] is grouped[11][0]
    assert grouped[10][0].title == "B" and len(grouped) == 3 and set(grouped) == {10, 11, 12}


def test_a_cohort_read_alongside_is_what_its_transaction_reads_or_nothing(cohort):
    """A reminder run reads its cohort's participations on a connection of its own while
    it judges the students (on SQLite): what it reads is what the transaction itself
    reads, and tells the same stories; a commit by anyone in between makes it give
    nothing, and the transaction reads them itself. PostgreSQL reads in the transaction."""
    db = Database.from_url(resolve_url(cohort.url))
    try:
        for someone_writes in (False, True):
            with db.read_alongside() as alongside, \
                    db.transaction(read_only=True) as session:
                in_force = rules_in_force(session)  # (this transaction's snapshot)
                if someone_writes:
                    cohort("student", "edit", "s2000001", "--name", f"Ada {someone_writes}")
                which = Which(cohort_students(None))
                assessment.read_cohort_alongside(alongside, in_force, which)
                assessed = [one for one in assessment.assess(
                    session, in_force, which, date(2025, 6, 1)) if one.progress is not None]
                read = alongside.result()
                kinds = assessment.counting_kinds(in_force.book)
                own = {row[0]: tuple(row[1:]) for row in
                       explanations.participations_grouped(session, which, kinds)}
                told = [assessment.stories(session, in_force, assessed, which, read).of(one)
                        for one in assessed]
                alone = list(assessment.told(session, in_force, assessed, which))
            assert told == alone and len(told) == STUDENTS
            if db.engine.dialect.name == "sqlite" and not someone_writes:
                assert read == own and len(read) == STUDENTS
            else:
                assert read is None
    finally:
        db.dispose()
