"""How the tracker says where a student stands, in words: the same sentence in a
table, on a page, in an e-mail and in the grade book."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from tracker.vocabulary import RequirementStatus

STATUS_WORDS = {RequirementStatus.DONE: "done", RequirementStatus.OPEN: "open",
                RequirementStatus.AT_RISK: "at risk", RequirementStatus.OVERDUE: "overdue"}
ICONS = {RequirementStatus.DONE: "✓", RequirementStatus.OPEN: "○",
         RequirementStatus.AT_RISK: "⚠", RequirementStatus.OVERDUE: "✗"}


class Standing(Protocol):
    """A requirement's standing: a progress view, or the rules' own result."""

    @property
    def kind(self) -> str: ...
    @property
    def optional(self) -> bool: ...
    @property
    def status(self) -> RequirementStatus: ...
    @property
    def remaining(self) -> int: ...
    @property
    def scheduled(self) -> int: ...
    @property
    def due(self) -> date: ...


def in_words(item: Standing) -> str:
    """Why a requirement stands where it does ('' when done), for a student to read:
    "4 more needed, 2 scheduled before 2026-08-31"."""
    status, due, scheduled = item.status, item.due, item.scheduled
    voluntary = " (voluntary)" if item.optional else ""
    if status == RequirementStatus.DONE:
        return ""
    if item.kind == "assignment":
        if status == RequirementStatus.OVERDUE:
            return f"not approved by {due}"
        return "completion does not wait for it" if item.optional else \
            f"to be approved by {due}"
    more = f"{item.remaining} more{' points' if item.kind == 'points' else ''}"
    if status == RequirementStatus.OVERDUE:
        return f"{more} needed; the deadline was {due}"
    if status == RequirementStatus.AT_RISK:
        return f"{more} needed, {scheduled} scheduled before {due}"
    if not scheduled:
        return f"{more} needed by {due}; nothing scheduled yet{voluntary}"
    return f"{more} needed by {due}; {scheduled} scheduled{voluntary}"
