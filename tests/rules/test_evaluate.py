"""The rules decide over aggregated numbers: no database needed."""

from __future__ import annotations

from datetime import date

from tracker.months import Month
from tracker.rules import StudentRecord, evaluate, parse_rules
from tracker.service.rules import default_rules_text

BOOK = parse_rules(default_rules_text())


def record(start: str, tallies=(), approved=None) -> StudentRecord:
    return StudentRecord.from_tallies(Month.parse(start), ((y, k, c) for k, y, c in tallies),
                                      approved or {})


def by_id(progress):
    return {r.requirement.id: r for r in progress.requirements}


def test_points_are_capped_per_kind_and_together():
    old = BOOK.set_by_id("alc")
    assert old is not None
    student = record("2016-09", [("colloquium", 1, 9), ("lacdr-symposium", 1, 2),
                                 ("aesculapius-symposium", 2, 3), ("lacdr-seminar", 1, 9)])
    points = by_id(evaluate(old, student, date(2018, 1, 1)))["alc-points"]
    assert points.done == 9 + 6 + 4
    assert points.remaining == 1 and points.status == "open"


def test_year_limited_requirement_counts_only_that_programme_year():
    aasco = BOOK.set_by_id("aasco")
    assert aasco is not None
    in_year_two = record("2024-02", [("mentor-meeting", 2, 1), ("career-symposium", 1, 1)])
    results = by_id(evaluate(aasco, in_year_two, date(2025, 3, 1)))
    assert results["mentorship"].done == 0 and results["mentorship"].status == "overdue"
    assert results["mentorship"].due == date(2025, 1, 31)
    assert results["career-symposium"].status == "done"


def test_assignment_overdue_only_after_its_deadline():
    aasco = BOOK.set_by_id("aasco")
    assert aasco is not None
    student = record("2024-09")
    due = by_id(evaluate(aasco, student, date(2024, 11, 30)))["reflection-1"]
    assert (due.status, due.due) == ("open", date(2024, 11, 30))
    assert by_id(evaluate(aasco, student, date(2024, 12, 1)))["reflection-1"].status == "overdue"
    approved = record("2024-09", approved={1: date(2025, 1, 5)})
    assert by_id(evaluate(aasco, approved, date(2025, 2, 1)))["reflection-1"].status == "done"


def test_optional_requirements_never_block_completion():
    aasco = BOOK.set_by_id("aasco")
    assert aasco is not None
    everything = [(k, 1, 10) for k in BOOK.kinds]
    student = record("2024-09", everything, {1: date(2024, 10, 1), 2: date(2024, 10, 1),
                                             3: date(2024, 10, 1)})
    progress = evaluate(aasco, student, date(2025, 1, 1))
    assert progress.complete
    assert by_id(progress)["reflection-4"].status == "open"


def test_set_is_chosen_by_start_month():
    assert BOOK.set_for_start(Month(2018, 8)).id == "alc"  # type: ignore[union-attr]
    assert BOOK.set_for_start(Month(2018, 9)).id == "aasco"  # type: ignore[union-attr]
    assert BOOK.set_for_start(Month(2022, 2)).id == "aasco"  # type: ignore[union-attr]
