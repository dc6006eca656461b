"""What counted toward each requirement and why the rest did not, from a student's
activities alone: no database needed. (That it adds up to what the rules count is
tests/service/test_progress_and_report.py's.)"""

from __future__ import annotations

from datetime import date

from tracker.months import Month
from tracker.rules import parse_rules
from tracker.rules.explain import Explainer, Explanation, Participated, explain
from tracker.service.rules import default_rules_text

BOOK = parse_rules(default_rules_text())
AASCO, ALC = BOOK.set_by_id("aasco"), BOOK.set_by_id("alc")
assert AASCO is not None and ALC is not None


def at(activity: int, kind: str, held_on: str, status: str = "attended") -> Participated:
    return Participated(activity, kind, date.fromisoformat(held_on), f"#{activity}", status)


def by_id(requirement_set, explanations) -> dict[str, Explanation]:
    return {r.id: e for r, e in zip(requirement_set.requirements, explanations, strict=True)}


def test_each_activity_is_explained_to_each_requirement_of_its_kind_in_date_order():
    before, later, excused, in_year_one, judged_after, peers = (
        at(1, "mentor-meeting", "2024-01-15"), at(2, "mentor-meeting", "2025-03-01"),
        at(3, "mentor-meeting", "2024-05-01", "excused"), at(4, "mentor-meeting", "2024-06-01"),
        at(5, "colloquium", "2025-07-01"), at(6, "colloquium", "2024-03-01"))
    told = by_id(AASCO, explain(AASCO, Month(2024, 2), date(2025, 6, 1),
                                [judged_after, later, peers, before, excused, in_year_one]))
    assert told["mentorship"] == Explanation((in_year_one,), (
        (before, "before the start month (2024-02)"), (excused, "excused"),
        (later, "outside programme year 1 (2024-02 to 2025-01): in year 2")))
    assert told["colloquia"] == Explanation(
        (peers,), ((judged_after, "after 2025-06-01, the day judged"),))
    assert told["career-events"] == told["reflection-1"] == Explanation((), ())


def test_points_stop_at_a_kinds_cap_and_at_the_cap_kinds_share():
    seminars = [at(n, "lacdr-seminar", f"2017-0{n}-01") for n in range(1, 6)]
    symposia = [at(10 + n, kind, f"2017-0{n}-15") for n, kind in enumerate(
        ("lacdr-symposium", "aesculapius-symposium", "lacdr-symposium",
         "aesculapius-symposium"), start=1)]
    peers = at(20, "colloquium", "2017-06-20")
    told = by_id(ALC, explain(ALC, Month(2016, 9), date(2018, 1, 1),
                              [*seminars, *symposia, peers]))
    points = told["alc-points"]
    assert [p.activity for p in points.counted] == [1, 11, 2, 12, 3, 13, 4, 20]
    assert points.not_counted == (
        (symposia[3], "over the cap of 6 points shared by lacdr-symposium and "
                      "aesculapius-symposium"),
        (seminars[4], "over the cap of 4 points for lacdr-seminar"))
    assert told["alc-colloquia"] == Explanation((peers,), ())  # one activity, two requirements


def test_one_explainer_tells_each_student_their_own_caps_and_lists():
    explainer = Explainer(ALC, Month(2016, 9), date(2018, 1, 1))
    many = [at(n, "lacdr-seminar", f"2017-0{n}-01") for n in range(1, 7)]
    few = [at(n, "lacdr-seminar", f"2017-0{n}-01") for n in range(1, 3)]
    first = explainer.explain(many)
    assert len(first.requirements[0].not_counted) == 2
    assert explainer.explain(few).requirements[0] == Explanation(tuple(few), ())
    assert explainer.explain(many) == first
    assert first.named == tuple(many)


def test_the_activities_named_are_those_of_kinds_the_set_counts_in_date_order():
    other = at(1, "career-event", "2017-03-01")  # a kind that only aasco counts
    peers, seminar = at(2, "colloquium", "2017-05-01"), at(3, "lacdr-seminar", "2017-04-01")
    explained = Explainer(ALC, Month(2016, 9), date(2018, 1, 1)).explain(
        [other, seminar, peers])
    assert explained.named == (seminar, peers)


def test_students_at_the_same_activities_in_other_records_are_told_alike():
    """Where an activity goes is kept per record: records of the same activity made
    afresh for each student (a student's page) are told as a shared one."""
    explainer = Explainer(AASCO, Month(2024, 2), date(2025, 6, 1))

    def activities() -> list[Participated]:
        return [at(1, "mentor-meeting", "2024-01-15"), at(2, "colloquium", "2024-03-01"),
                at(3, "colloquium", "2024-04-01", "excused"), at(4, "mentor-meeting", "2025-07-01")]

    first = explainer.explain(activities())
    assert [explainer.explain(activities()) for _ in range(3)] == [first] * 3
    assert first == Explainer(AASCO, Month(2024, 2), date(2025, 6, 1)).explain(activities())
    assert first.requirements == explain(AASCO, Month(2024, 2), date(2025, 6, 1), activities())
