"""The rules file: its model, its parser and the evaluation of progress.

Everything here is pure: plain data in, plain data out, no database.
"""

from tracker.rules.evaluate import (
    ByYear,
    Evaluator,
    Progress,
    RequirementProgress,
    StudentRecord,
)
from tracker.rules.model import (
    AssignmentRequirement,
    AttendanceRequirement,
    PointsRequirement,
    Requirement,
    RequirementSet,
    RuleBook,
    SharedCap,
)
from tracker.rules.parse import parse_rules

__all__ = [
    "AssignmentRequirement",
    "AttendanceRequirement",
    "ByYear",
    "Evaluator",
    "PointsRequirement",
    "Progress",
    "Requirement",
    "RequirementProgress",
    "RequirementSet",
    "RuleBook",
    "SharedCap",
    "StudentRecord",
    "parse_rules",
]
