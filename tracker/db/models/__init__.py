"""All models, imported here so that ``Base.metadata`` is complete."""

from tracker.db.models.activity import Activity, ActivityKind
from tracker.db.models.assignment import AssignmentRecord
from tracker.db.models.base import Base, utcnow
from tracker.db.models.claim import Claim, ClaimEvidence
from tracker.db.models.door import Door, DoorCheckin, DoorMiss, DoorScan
from tracker.db.models.erasure import ErasedNumber, Setting
from tracker.db.models.history import Change, ChangeEntry
from tracker.db.models.participation import Participation
from tracker.db.models.portal import CalendarFeed, Coordinator, SignInRequest, WebSession
from tracker.db.models.reminder import Reminder
from tracker.db.models.rules import RulesVersion
from tracker.db.models.student import Student
from tracker.db.models.tally import AttendanceTally
from tracker.db.models.waiver import Waiver

__all__ = [
    "Activity",
    "ActivityKind",
    "AssignmentRecord",
    "AttendanceTally",
    "Base",
    "CalendarFeed",
    "Change",
    "ChangeEntry",
    "Claim",
    "ClaimEvidence",
    "Coordinator",
    "Door",
    "DoorCheckin",
    "DoorMiss",
    "DoorScan",
    "ErasedNumber",
    "Participation",
    "Reminder",
    "RulesVersion",
    "Setting",
    "SignInRequest",
    "Student",
    "Waiver",
    "WebSession",
    "utcnow",
]
