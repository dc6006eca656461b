"""The history in words: which row a change wrote, and what went from what to what.

``history`` shows, for every change that updated rows, the values before and after
("s1234567: start month 2024-09 → 2025-02"), never a column's name; undo names the
rows it cannot revert the same way. Only the columns a person records are shown: ids,
bookkeeping (who recorded a row, when, in which change) and derived numbers are not.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Activity, ChangeEntry, Student
from tracker.vocabulary import ChangeKind, ClaimStatus

LABELS: dict[str, dict[str, str]] = {
    "student": {"number": "student number", "name": "name", "email": "e-mail",
                "start": "start month", "specialisation": "specialisation",
                "status": "status", "rules_override": "requirement set",
                "override_reason": "reason"},
    "activity": {"kind": "kind", "held_on": "date", "title": "title",
                 "location": "location", "organiser": "organiser"},
    "participation": {"status": "status", "note": "note"},
    "assignment_record": {"status": "status", "submitted_on": "submitted",
                          "decided_on": "decided", "graded_by": "graded by",
                          "feedback": "feedback"},
    "claim": {"status": "status", "reason": "reason"},
    "waiver": {"requirement": "requirement", "reason": "reason"},
}
BY_STATUS: dict[tuple[str, str], dict[str, str]] = {
    ("claim", "reason"): {ClaimStatus.APPROVED.value: "note"},
}
"""A column whose words depend on the row's status: a claim's ``reason`` column holds
the reason of a rejection, and the coordinator's note of an approval."""
MONTHS = {("student", "start")}  # dates that stand for their month
LONGEST_VALUE = 40
NONE = "(none)"

ERASED = "(details erased with the student's personal data)"


@dataclass(frozen=True)
class Names:
    """Student numbers and activity titles by id, for naming rows."""

    numbers: dict[int, str]
    titles: dict[int, str]

    @classmethod
    def load(cls, session: Session, entries: Iterable[ChangeEntry]) -> Names:
        student_ids: set[int] = set()
        activity_ids: set[int] = set()
        for entry in entries:
            values = entry.after or entry.before or {}
            if entry.student_id is not None:
                student_ids.add(entry.student_id)
            if "activity_id" in values:
                activity_ids.add(values["activity_id"])
        return cls(_lookup(session, Student.id, Student.number, student_ids),
                   _lookup(session, Activity.id, Activity.title, activity_ids))

    def row(self, table: str, values: dict[str, Any], student_id: int | None) -> str:
        """How a person names a row: ``s1234567``, ``#3 Peers``, ``s1234567 at #3
        Peers``, ``s1234567 assignment 1``."""
        number = self.numbers.get(student_id or -1, "a student")
        if table == "student":
            return str(values.get("number", number))
        if table == "activity":
            return f"#{values['id']} {values['title']}"
        if table == "participation":
            activity = values["activity_id"]
            return f"{number} at #{activity} {self.titles.get(activity, '')}".rstrip()
        if table == "claim":
            return f"claim #{values['id']}"
        if table == "assignment_record":
            return f"{number} assignment {values['number']}"
        if table == "waiver":
            return f"{number} waiver of {values['requirement']}"
        return f"{table.replace('_', ' ')} {values.get('id', '')}".rstrip()


def _lookup(session: Session, key: Any, value: Any, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {k: v for k, v in session.execute(select(key, value).where(key.in_(list(ids))))}


def changed_values(table: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """``start month 2024-09 → 2025-02, name Ada → Ada J.``: what differs, in words."""
    said = []
    for column, label in LABELS.get(table, {}).items():
        old, new = before.get(column), after.get(column)
        if old != new:
            label = _label(table, column, label, before if new in (None, "") else after)
            said.append(f"{label} {_value(table, column, old)} → "
                        f"{_value(table, column, new)}")
    return ", ".join(said)


def _label(table: str, column: str, label: str, holding: dict[str, Any]) -> str:
    """The column's words for the row as it stands on the side that holds the value
    (an approval's note is a note, undone or made; a rejection's reason a reason)."""
    return BY_STATUS.get((table, column), {}).get(holding.get("status", ""), label)


def _value(table: str, column: str, value: Any) -> str:
    if value is None or value == "":
        return NONE
    text = str(value)
    if (table, column) in MONTHS:
        text = text[:7]
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_VALUE else text[:LONGEST_VALUE - 1] + "…"


def update_words(entry: ChangeEntry, names: Names, summary: str) -> str | None:
    """One update in words, its row named unless ``summary`` names it already."""
    if not entry.before or not entry.after:
        return None
    changed = changed_values(entry.table_name, entry.before, entry.after)
    if not changed:
        return None
    row = names.row(entry.table_name, entry.after, entry.student_id)
    named = row in summary or names.row(entry.table_name, entry.before,
                                         entry.student_id) in summary
    return changed if named else f"{row}: {changed}"


def summary(kind: str, stored: str, words: list[str], more: bool) -> str:
    """What a change did, as ``history`` says it: its summary, with what it updated in
    words; a summary that ends in the names of the columns it set (``s1234567: name,
    start``) says the values instead."""
    said = "; ".join(words) + ("; …" if more else "")
    subject, _, tail = stored.rpartition(": ")
    if subject and set(tail.split(", ")) <= _COLUMNS:
        return f"{subject}: {said or ERASED}"
    if kind == ChangeKind.UNDO or not said:  # an undo's summary says what it undid
        return stored
    return f"{stored} ({said})"


_COLUMNS = {column for labels in LABELS.values() for column in labels}
