"""The portal's use cases: sign-in, sessions, coordinators, calendar feeds.

Each function runs in one transaction on the same database as every command, and takes
the moment it judges (``now``) from its caller, so that tests can move the clock.
"""

from __future__ import annotations

from tracker.errors import TrackerError


class TooManyRequests(TrackerError):
    """A limit of the portal was reached (the web answers 429)."""
