"""Every closed set of words the tracker uses, declared once.

The models build their CHECK constraints from these, the command line its choices, and
the JSON writes their values: a new word is added here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class ParticipationStatus(StrEnum):
    """A student at an activity. Only ``attended`` counts towards requirements."""

    ATTENDED = "attended"
    EXCUSED = "excused"


class AssignmentStatus(StrEnum):
    """The latest decision on a reflection assignment."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ClaimStatus(StrEnum):
    """A claim of an activity done elsewhere: waiting for the coordinator, or decided."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class StudentStatus(StrEnum):
    ACTIVE = "active"
    GRADUATED = "graduated"
    WITHDRAWN = "withdrawn"


class ReminderState(StrEnum):
    """A reminder e-mail: claimed by a run (on its way to the server), sent (the server
    took it) or refused (the server said no, for good)."""

    CLAIMED = "claimed"
    SENT = "sent"
    REFUSED = "refused"


class RequirementStatus(StrEnum):
    """Where a student stands on one requirement (SPEC §7)."""

    DONE = "done"
    OPEN = "open"
    AT_RISK = "at-risk"
    OVERDUE = "overdue"
    WAIVED = "waived"  # marked met for this student (`tracker student waive`)


class Format(StrEnum):
    """Output formats. Not every command offers every one (see ``format_option``)."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"  # a self-contained page: progress and report
    XLSX = "xlsx"  # an Excel workbook, written to a file


class ChangeKind(StrEnum):
    """What a change in the history did; ``undo`` dispatches on it."""

    RULES_LOAD = "rules load"
    STUDENT_ADD = "student add"
    STUDENT_EDIT = "student edit"
    STUDENT_STATUS = "student status"
    STUDENT_OVERRIDE = "student override"
    STUDENT_IMPORT = "student import"
    STUDENT_FORGET = "student forget"
    STUDENT_WAIVE = "student waive"
    STUDENT_UNWAIVE = "student unwaive"
    ACTIVITY_ADD = "activity add"
    ACTIVITY_IMPORT = "activity import"
    ATTEND = "attend"
    ATTEND_REMOVE = "attend remove"
    ATTEND_IMPORT = "attend import"
    CHECKIN = "checkin"  # a session at an activity's door: every check-in of it
    ASSIGNMENT = "assignment"
    ASSIGNMENT_IMPORT = "assignment import"
    ACTIVITY_EDIT = "activity edit"
    ACTIVITY_DELETE = "activity delete"
    REMIND = "remind"
    CLAIM_APPROVE = "claim approve"
    CLAIM_REJECT = "claim reject"
    UNDO = "undo"


def words(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)


def sql_check(column: str, vocabulary: type[StrEnum]) -> str:
    """The CHECK expression that keeps ``column`` inside ``vocabulary``."""
    return f"{column} IN ({', '.join(repr(word) for word in words(vocabulary))})"


def one_of(vocabulary: type[StrEnum]) -> str:
    """``attended or excused``, ``submitted, approved or rejected``: for messages."""
    listed = words(vocabulary)
    return listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} or {listed[-1]}"
