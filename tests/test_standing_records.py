"""The records of a story made by setting their slots are the dataclasses' own, and
students told the same of a requirement share its record."""

from __future__ import annotations

import dataclasses
from datetime import date

from tracker.standing import (
    ActivityRef,
    NotCounted,
    RequirementStanding,
    StudentProgress,
    UpcomingActivity,
    _story,
    _with_lists,
)
from tracker.vocabulary import RequirementStatus


def standing(**changed: object) -> RequirementStanding:
    every = RequirementStanding(
        "colloquia", "Colloquia", "attendance", 8, 3, 5, True, RequirementStatus.AT_RISK,
        date(2026, 8, 31), 2, False, True, "5 more needed", (1,), (NotCounted(2, "excused"),),
        "submitted", "fine", 4, "moved")
    return dataclasses.replace(every, **changed)


def test_a_standing_with_other_lists_keeps_every_other_field():
    shared = standing()
    counted, not_counted = (7, 9), (NotCounted(8, "over the cap"),)
    made = _with_lists(shared, counted, not_counted)
    assert type(made) is RequirementStanding
    assert made == dataclasses.replace(shared, counted=counted, not_counted=not_counted)
    assert made != shared


def test_a_story_made_by_its_slots_is_the_dataclass_s():
    values = ("s1", "Student One", "2024-09", "active", "aasco", 3, False, None, "1 open",
              (standing(),), date(2026, 1, 5),
              (UpcomingActivity(4, "colloquium", date(2026, 2, 1), "Talk", ("colloquia",)),),
              "MSc", "AASCO", (ActivityRef(1, "colloquium", date(2025, 1, 1), "One"),))
    assert len(values) == len(dataclasses.fields(StudentProgress))
    made = _story(values)
    assert type(made) is StudentProgress and made == StudentProgress(*values)
