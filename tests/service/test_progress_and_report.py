"""progress, report and reminders decide from one code path: for every student of a
random cohort they agree, requirement by requirement, and so do the read model's
verdicts (blocking, behind, standing, attention)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from tracker.months import Month
from tracker.service.activities import add_activity
from tracker.service.assignments import record_assignment
from tracker.service.attendance import attend
from tracker.service.progress import student_progress
from tracker.service.report import cohort_report
from tracker.service.students import add_student, set_override
from tracker.standing import Standing
from tracker.vocabulary import AssignmentStatus, ParticipationStatus

STARTS = ["2017-09", "2018-02", "2023-09", "2024-02", "2024-09", "2025-02"]
KINDS = ["colloquium", "lacdr-symposium", "lacdr-seminar", "aesculapius-symposium",
         "career-event", "career-workshop", "career-symposium", "bsp-excursion",
         "study-advisor-meeting", "mentor-meeting"]
AS_OF = date(2025, 12, 1)


def random_cohort(db, seed: int, students: int = 40, activities: int = 40) -> list[str]:
    rng = random.Random(seed)
    numbers = [f"s{5000000 + i}" for i in range(students)]
    for number in numbers:
        email = f"{number}@example.org" if rng.random() < 0.5 else None
        add_student(db, number, f"Student {number}", Month.parse(rng.choice(STARTS)), email)
    if rng.random() < 0.9:
        set_override(db, numbers[0], "aasco", "individual programme")
    first = date(2017, 9, 1)
    for i in range(activities):
        held_on = first + timedelta(days=rng.randrange((AS_OF - first).days + 200))
        activity = add_activity(db, rng.choice(KINDS), held_on, f"Activity {i}").record
        if held_on > AS_OF:
            continue  # scheduled: nobody attended yet
        present = rng.sample(numbers, rng.randrange(len(numbers) // 2))
        excused = [n for n in present if rng.random() < 0.15]
        attended = [n for n in present if n not in excused]
        if attended:
            attend(db, activity.id, attended, today=AS_OF)
        if excused:
            attend(db, activity.id, excused, status=ParticipationStatus.EXCUSED, today=AS_OF)
    for number in numbers:
        for k in (1, 2, 3, 4):
            if rng.random() < 0.5:
                status = rng.choice(list(AssignmentStatus))
                record_assignment(db, number, k, status,
                                  on=first + timedelta(days=rng.randrange(3000)))
    return numbers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_progress_and_report_agree_for_every_student(db, seed):
    numbers = random_cohort(db, seed)
    report = {row.student: row for row in cohort_report(db, as_of=AS_OF).rows}
    assert set(report) == set(numbers)
    for number in numbers:
        progress = student_progress(db, number, AS_OF)
        row = report[number]
        assert row.complete == progress.complete, number
        assert row.requirement_set == progress.requirement_set
        assert [(r.id, r.done, r.status, r.due, r.scheduled, r.blocking, r.behind)
                for r in row.requirements] == [
            (r.id, r.done, r.status, r.due, r.scheduled, r.blocking, r.behind)
            for r in progress.requirements], number
        assert (row.standing, row.attention) == (progress.standing, progress.attention)
    statuses = {r.status for row in report.values() for r in row.requirements}
    assert {"done", "open", "at-risk", "overdue"} <= statuses  # the cohort shows them all


@pytest.mark.parametrize("seed", [4, 5])
def test_progress_report_and_reminders_agree_on_what_is_at_risk(db, seed):
    from tracker.service.reminders import select

    numbers = random_cohort(db, seed)
    report = {row.student: row for row in cohort_report(db, as_of=AS_OF).rows}
    behind = {number for number, row in report.items()
              if row.standing in (Standing.AT_RISK, Standing.OVERDUE)}
    selection = select(db, as_of=AS_OF, at_risk=True, skip_days=0)
    reminded = {r.progress.student for r in selection.recipients} | {
        s.student for s in selection.skipped if s.why == "no e-mail address"}
    assert reminded == behind and selection.recipients  # those without an address: listed
    for number in numbers:
        progress = student_progress(db, number, AS_OF)
        at_risk = {r.id for r in progress.requirements if r.status == "at-risk"}
        assert at_risk == {r.id for r in report[number].requirements
                           if r.status == "at-risk"}, number
        assert (number in behind) == any(
            r.status in ("at-risk", "overdue") and not r.optional
            for r in progress.requirements)


@pytest.mark.parametrize("seed", [6, 7])
def test_what_counted_adds_up_to_what_is_done(db, seed):
    from collections import Counter

    from tracker.rules.evaluate import points_earned
    from tracker.service.rules import current_rules

    numbers = random_cohort(db, seed)
    book = current_rules(db).book
    requirements = {r.id: r for s in book.sets for r in s.requirements}
    kinds_seen, reasons = set(), 0
    for number in numbers:
        progress = student_progress(db, number, AS_OF)
        kind_of = {a.id: a.kind for a in progress.activities}
        for view in progress.requirements:
            kinds_seen.add(view.kind)
            if view.kind == "attendance":
                assert len(view.counted) == view.done, (number, view.id)
            elif view.kind == "points":
                earned = Counter(kind_of[c] for c in view.counted)
                assert points_earned(requirements[view.id], earned) == view.done, number
            reasons += len(view.not_counted)
            assert all(n.why for n in view.not_counted)
    assert kinds_seen == {"attendance", "points", "assignment"} and reasons
