"""The models, each imported when it is first named.

``from tracker.db.models import Student`` imports the module that defines ``Student``
and nothing else: building a mapped class is most of a short command's start-up, and
``tracker progress`` needs half of the tables the portal does. A model's foreign keys
name the classes they refer to, so importing a model imports the tables it depends on.
What needs every table (the schema compared with the migrations, the history's lookup
by table name) calls :func:`all_models` first.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.db.models.activity import Activity, ActivityKind
    from tracker.db.models.assignment import AssignmentRecord
    from tracker.db.models.base import Base, utcnow
    from tracker.db.models.change_entry import ChangeEntry
    from tracker.db.models.claim import Claim
    from tracker.db.models.claim_evidence import ClaimEvidence
    from tracker.db.models.door import Door, DoorCheckin, DoorMiss, DoorScan
    from tracker.db.models.erasure import ErasedNumber, Setting
    from tracker.db.models.history import Change
    from tracker.db.models.participation import Participation
    from tracker.db.models.portal import CalendarFeed, Coordinator, SignInRequest, WebSession
    from tracker.db.models.reminder import Reminder
    from tracker.db.models.rules import RulesVersion
    from tracker.db.models.student import Student
    from tracker.db.models.tally import AttendanceTally
    from tracker.db.models.waiver import Waiver

# Where each name lives: the module under tracker.db.models.
_HOMES = {
    "Activity": "activity", "ActivityKind": "activity",
    "AssignmentRecord": "assignment",
    "Base": "base", "utcnow": "base",
    "Claim": "claim", "ClaimEvidence": "claim_evidence",
    "Door": "door", "DoorCheckin": "door", "DoorMiss": "door", "DoorScan": "door",
    "ErasedNumber": "erasure", "Setting": "erasure",
    "Change": "history", "ChangeEntry": "change_entry",
    "Participation": "participation",
    "CalendarFeed": "portal", "Coordinator": "portal", "SignInRequest": "portal",
    "WebSession": "portal",
    "Reminder": "reminder",
    "RulesVersion": "rules",
    "Student": "student",
    "AttendanceTally": "tally",
    "Waiver": "waiver",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def all_models() -> type[Base]:
    """Every model imported (``Base.metadata`` complete); returns ``Base``."""
    for home in sorted(set(_HOMES.values())):
        import_module(f"{__name__}.{home}")
    from tracker.db.models.base import Base

    return Base
