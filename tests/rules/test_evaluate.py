"""The rules decide over aggregated numbers: no database needed. Records and their
evaluation are made as tracker.service.progress.assess makes them: a StudentRecord of
counts from the start month on (``attended``) and per programme year (``by_year``), one
Evaluator per requirement set and day. (That attendance before the start month, or
outside a requirement's year, stays out of those counts is the database's part: see
tests/service/test_counts_by_hand.py.)"""

from __future__ import annotations

from datetime import date

from tracker.months import Month
from tracker.rules import Evaluator, Progress, RequirementSet, StudentRecord, parse_rules
from tracker.rules.evaluate import Upcoming
from tracker.service.rules import default_rules_text

BOOK = parse_rules(default_rules_text())


def record(start: str, counts=(), approved=None) -> StudentRecord:
    """From (kind, programme year, attended) counts, year 1 or later."""
    attended: dict[str, int] = {}
    by_year: dict[int, dict[str, int]] = {}
    for kind, year, count in counts:
        assert year >= 1, "before the start month is the database's to leave out"
        attended[kind] = attended.get(kind, 0) + count
        by_year.setdefault(year, {})[kind] = by_year.get(year, {}).get(kind, 0) + count
    return StudentRecord(Month.parse(start), attended, by_year, approved or {})


def evaluate(requirement_set: RequirementSet, student: StudentRecord, as_of: date,
             upcoming: list[Upcoming] | None = None) -> Progress:
    return Evaluator(requirement_set, as_of, upcoming or []).evaluate(student)


def by_id(progress):
    return {r.requirement.id: r for r in progress.requirements}


def test_points_are_capped_per_kind_and_together():
    old = BOOK.set_by_id("alc")
    assert old is not None
    student = record("2016-09", [("colloquium", 1, 9), ("lacdr-symposium", 1, 2),
                                 ("aesculapius-symposium", 2, 3), ("lacdr-seminar", 1, 9)])
    points = by_id(evaluate(old, student, date(2018, 1, 1)))["alc-points"]
    assert points.done == 9 + 6 + 4
    assert points.remaining == 1
    assert points.status == "at-risk"  # nothing is scheduled that could close the gap


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


AASCO = BOOK.set_by_id("aasco")
ALC = BOOK.set_by_id("alc")


def coming(*activities: tuple[int, str, str]) -> list[Upcoming]:
    return [Upcoming(id_, kind, date.fromisoformat(day)) for id_, kind, day in activities]


def test_at_risk_when_what_is_scheduled_cannot_close_the_gap():
    assert AASCO is not None
    student = record("2024-09", [("colloquium", 1, 2)])
    scheduled = coming((1, "colloquium", "2025-03-01"), (2, "colloquium", "2026-03-01"),
                       (3, "colloquium", "2026-09-01"),  # after the end of year 2
                       (4, "career-event", "2025-03-01"))
    colloquia = by_id(evaluate(AASCO, student, date(2025, 1, 1), scheduled))["colloquia"]
    assert (colloquia.done, colloquia.scheduled, colloquia.due) == (2, 2, date(2026, 8, 31))
    assert colloquia.status == "at-risk"  # 2 + 2 < 6
    enough = coming(*[(i, "colloquium", f"2025-{i:02d}-01") for i in range(1, 5)])
    colloquia = by_id(evaluate(AASCO, student, date(2025, 1, 1), enough))["colloquia"]
    assert (colloquia.scheduled, colloquia.status) == (4, "open")
    taken = StudentRecord(student.start, student.attended, student.by_year, {},
                          frozenset({4}))  # excused ahead from one of them
    colloquia = by_id(evaluate(AASCO, taken, date(2025, 1, 1), enough))["colloquia"]
    assert (colloquia.scheduled, colloquia.status) == (3, "at-risk")


def test_a_year_limited_requirement_counts_only_what_is_scheduled_in_its_year():
    assert AASCO is not None
    student = record("2024-09")
    scheduled = coming((1, "mentor-meeting", "2025-08-31"), (2, "mentor-meeting", "2025-09-01"))
    mentorship = by_id(evaluate(AASCO, student, date(2025, 6, 1), scheduled))["mentorship"]
    assert (mentorship.scheduled, mentorship.status) == (1, "open")
    later = coming((2, "mentor-meeting", "2025-09-01"))
    mentorship = by_id(evaluate(AASCO, student, date(2025, 6, 1), later))["mentorship"]
    assert (mentorship.scheduled, mentorship.status, mentorship.due) == (
        0, "at-risk", date(2025, 8, 31))


def test_scheduled_points_count_after_caps():
    assert ALC is not None
    student = record("2016-09", [("colloquium", 1, 12), ("lacdr-symposium", 1, 3)])
    scheduled = coming((1, "lacdr-symposium", "2017-03-01"), (2, "lacdr-seminar", "2017-03-02"),
                       (3, "lacdr-seminar", "2017-03-03"))
    points = by_id(evaluate(ALC, student, date(2017, 1, 1), scheduled))["alc-points"]
    assert points.done == 12 + 6  # symposia capped at 6 together
    assert points.scheduled == 2  # a further symposium adds nothing; two seminars add 2
    assert points.status == "open"


def test_assignments_are_never_at_risk_and_voluntary_items_never_behind():
    assert AASCO is not None
    progress = by_id(evaluate(AASCO, record("2024-09"), date(2027, 1, 1)))
    assert progress["reflection-3"].status == "overdue"
    assert progress["reflection-4"].status == "open"  # voluntary
    progress = by_id(evaluate(AASCO, record("2024-09"), date(2024, 10, 1)))
    assert progress["reflection-1"].status == "open"
