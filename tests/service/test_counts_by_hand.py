"""progress and report against a count by hand of the participations, requirement by
requirement, for today (which reads the attendance tallies) and for a past day (which
counts the participations up to that day): on attendance before the start month,
excused, outside the programme year a requirement asks for, and points after caps."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest

from tracker.months import Month
from tracker.rules.model import AttendanceRequirement, PointsRequirement, RequirementSet
from tracker.rules.parse import parse_rules
from tracker.service.activities import add_activity
from tracker.service.attendance import attend
from tracker.service.progress import student_progress
from tracker.service.report import cohort_report
from tracker.service.rules import default_rules_text
from tracker.service.students import add_student
from tracker.vocabulary import ParticipationStatus

TODAY = date.today()
PAST_DAY = TODAY - timedelta(days=200)
KINDS = ["colloquium", "lacdr-symposium", "lacdr-seminar", "aesculapius-symposium",
         "career-event", "career-workshop", "career-symposium", "bsp-excursion",
         "study-advisor-meeting", "mentor-meeting"]


def months_ago(months: int) -> Month:
    return Month.of(TODAY).plus(-months)


# In year 1 today, in year 2, done with both years, and of the old (points) rules.
STUDENTS = {"s4000001": months_ago(5), "s4000002": months_ago(17),
            "s4000003": months_ago(30), "s4000004": Month(2017, 9)}


def programme(db, seed: int = 17) -> list[tuple[str, str, date]]:
    """The students above and two years and more of activities (some before anyone's
    start, a few still to come); each student attended or was excused at random, also
    before their start month. Returns (student, kind, day) of every attendance."""
    rng = random.Random(seed)
    for number, start in STUDENTS.items():
        add_student(db, number, f"Student {number}", start)
    days = [TODAY - timedelta(days=14 * i + rng.randrange(7)) for i in range(75)]
    days += [date(2017, 10, 1) + timedelta(days=23 * i) for i in range(30)]  # old rules
    days += [TODAY + timedelta(days=5), TODAY + timedelta(days=40)]  # to come
    attended = []
    for i, day in enumerate(sorted(days)):
        kind = KINDS[i % len(KINDS)] if rng.random() < 0.6 else rng.choice(KINDS)
        activity = add_activity(db, kind, day, f"Activity {i}").record.id
        if day > TODAY:
            continue
        here = [n for n in STUDENTS if rng.random() < 0.55]
        excused = [n for n in here if rng.random() < 0.2]
        present = [n for n in here if n not in excused]
        if present:
            attend(db, activity, present)
            attended += [(n, kind, day) for n in present]
        if excused:
            attend(db, activity, excused, status=ParticipationStatus.EXCUSED)
    return attended


def programme_year(start: Month, day: date) -> int:
    months = (day.year * 12 + day.month) - (start.year * 12 + start.month)
    return 0 if months < 0 else months // 12 + 1


def counted_by_hand(requirement: AttendanceRequirement | PointsRequirement, start: Month,
                    attended: list[tuple[str, date]], as_of: date) -> int:
    """What a coordinator counting the sign-in sheets would say is done."""
    counts: Counter[str] = Counter()
    for kind, day in attended:
        year = programme_year(start, day)
        in_scope = year >= 1 if requirement.year is None else year == requirement.year
        if day <= as_of and in_scope:
            counts[kind] += 1
    if isinstance(requirement, AttendanceRequirement):
        return sum(counts[kind] for kind in requirement.kinds)
    earned = {kind: min(counts[kind] * points, requirement.caps.get(kind, 10**9))
              for kind, points in requirement.points.items()}
    total = 0
    for shared in requirement.shared_caps:
        total += min(sum(earned.pop(kind) for kind in shared.kinds), shared.maximum)
    return total + sum(earned.values())


def requirement_set_of(start: Month) -> RequirementSet:
    book = parse_rules(default_rules_text(), "default rules")
    chosen = book.set_for_start(start)
    assert chosen is not None
    return chosen


@pytest.mark.parametrize("as_of", [TODAY, PAST_DAY], ids=["today", "a past day"])
def test_progress_and_report_count_what_a_coordinator_counts_by_hand(db, as_of):
    attended = programme(db)
    report = {row.student: row for row in cohort_report(db, as_of=as_of).rows}
    compared = Counter()
    for number, start in STUDENTS.items():
        own = [(kind, day) for n, kind, day in attended if n == number]
        progress = {r.id: r.done for r in student_progress(db, number, as_of).requirements}
        reported = {r.id: r.done for r in report[number].requirements}
        for requirement in requirement_set_of(start).requirements:
            if not isinstance(requirement, AttendanceRequirement | PointsRequirement):
                continue
            expected = counted_by_hand(requirement, start, own, as_of)
            assert progress[requirement.id] == expected, (number, requirement.id, as_of)
            assert reported[requirement.id] == expected, (number, requirement.id, as_of)
            compared["year" if requirement.year else "all years"] += 1
            compared["something done"] += expected > 0
    # the data holds what the counts must leave out, and the comparison had substance
    assert compared["year"] and compared["all years"] and compared["something done"] >= 8
    starts = {number: start.first_day() for number, start in STUDENTS.items()}
    assert any(day < starts[n] for n, _kind, day in attended)  # before the start month
    assert any(programme_year(STUDENTS[n], day) == 2 and kind == "mentor-meeting"
               for n, kind, day in attended)  # outside the year a requirement asks for
