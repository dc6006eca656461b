"""A requirement's standing with other lists of what counted keeps every other field."""

from __future__ import annotations

import dataclasses
from datetime import date

from tracker.standing import (
    NotCounted,
    RequirementStanding,
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
