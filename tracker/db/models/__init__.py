"""All models, imported here so that ``Base.metadata`` is complete."""

from tracker.db.models.activity import Activity, ActivityKind
from tracker.db.models.assignment import ASSIGNMENT_STATUSES, AssignmentRecord
from tracker.db.models.base import Base, utcnow
from tracker.db.models.history import Change, ChangeEntry
from tracker.db.models.participation import PARTICIPATION_STATUSES, Participation
from tracker.db.models.rules import RequirementSetRow, RulesVersion
from tracker.db.models.student import STUDENT_STATUSES, Student

__all__ = [
    "ASSIGNMENT_STATUSES",
    "PARTICIPATION_STATUSES",
    "STUDENT_STATUSES",
    "Activity",
    "ActivityKind",
    "AssignmentRecord",
    "Base",
    "Change",
    "ChangeEntry",
    "Participation",
    "RequirementSetRow",
    "RulesVersion",
    "Student",
    "utcnow",
]
