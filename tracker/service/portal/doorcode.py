"""The door's codes and window, as pure functions of a key and a moment.

A code is the HMAC-SHA256 of the door's key over the activity and a 10-second time
step, written in 8 characters a phone's camera and a person read alike. The current
step and the previous one are accepted (a code lives 10 to 20 seconds); a code is
compared in constant time; nothing is stored per step.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from enum import StrEnum

STEP_SECONDS = 10
CODE_LENGTH = 8  # 40 bits: guessing one within its 20 seconds, 10 tries a minute, is hopeless
RECENT_STEPS = 360  # an hour back: a code that old is "expired", older is "made up"


def step_of(moment: datetime) -> int:
    """The 10-second step ``moment`` falls in (steps count from the Unix epoch)."""
    return int(moment.timestamp()) // STEP_SECONDS


def step_starts(step: int) -> float:
    return float(step * STEP_SECONDS)


def seconds_to_next_step(moment: datetime) -> float:
    return STEP_SECONDS - (moment.timestamp() % STEP_SECONDS)


def code_at(key: bytes, activity_id: int, step: int) -> str:
    """The code of ``step`` at this activity's door."""
    mac = hmac.new(key, f"door\x00{activity_id}\x00{step}".encode(), hashlib.sha256).digest()
    return base64.b32encode(mac[:5]).decode("ascii").lower()  # 40 bits, 8 characters


def current_code(key: bytes, activity_id: int, moment: datetime) -> str:
    return code_at(key, activity_id, step_of(moment))


def clean_code(typed: str) -> str:
    """A code as it came in a URL: lower case, at most a little longer than a code."""
    return typed.strip().lower()[:CODE_LENGTH + 8]


class CodeAge(StrEnum):
    GOOD = "good"  # this step's or the previous one's
    EXPIRED = "expired"  # of this door, but older
    UNKNOWN = "unknown"  # not this door's (made up, of another door, or from the future)


def judge_code(key: bytes, activity_id: int, code: str, moment: datetime) -> CodeAge:
    """How ``code`` stands at ``moment``: the two accepted steps are compared in constant
    time (both, always); only a refused code is looked for further back."""
    given = clean_code(code).encode("ascii", "replace")
    step = step_of(moment)
    good = False
    for candidate in (step, step - 1):
        good |= hmac.compare_digest(given, code_at(key, activity_id, candidate).encode())
    if good:
        return CodeAge.GOOD
    for back in range(2, RECENT_STEPS + 1):
        if hmac.compare_digest(given, code_at(key, activity_id, step - back).encode()):
            return CodeAge.EXPIRED
    return CodeAge.UNKNOWN


class Window(StrEnum):
    NOT_OPEN = "not open"  # never opened
    OPEN = "open"
    CLOSED = "closed"  # closed by hand, or its time ran out


def window_at(opened_at: datetime | None, closes_at: datetime | None,
              closed_at: datetime | None, moment: datetime) -> Window:
    """Where a door's window stands at ``moment``."""
    if opened_at is None or closes_at is None:
        return Window.NOT_OPEN
    if moment < opened_at:
        return Window.NOT_OPEN
    if closed_at is not None and closed_at <= moment:
        return Window.CLOSED
    if moment >= closes_at:
        return Window.CLOSED
    return Window.OPEN


def ends_at(closes_at: datetime, closed_at: datetime | None) -> datetime:
    """When the window ends (or ended)."""
    return closed_at if closed_at is not None and closed_at < closes_at else closes_at


KEPT_SCAN = timedelta(minutes=10)  # a scan waits this long for its sign-in
