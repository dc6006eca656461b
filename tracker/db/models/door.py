"""Check-in by QR code: an activity's door, the scans waiting for a sign-in, the web
check-ins with their flags, and the bad codes a browser tried (SPEC §9).

Nothing is stored per code: a code is derived from the door's ``code_key`` and a
10-second step (see :mod:`tracker.service.portal.doorcode`). The projector's link is
kept only as a SHA-256 hash (``link_hash``) and found by it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.activity import Activity
from tracker.db.models.base import Base
from tracker.db.models.student import Student


class Door(Base):
    """An activity's check-in window: open from ``opened_at`` until ``closes_at`` (or
    ``closed_at``, when closed early). Opening it again makes a new link and key."""

    __tablename__ = "door"
    history_key = ("activity_id",)

    activity_id: Mapped[int] = mapped_column(
        ForeignKey(Activity.id, ondelete="CASCADE"), primary_key=True, autoincrement=False)
    link_nonce: Mapped[str] = mapped_column(String(64))  # the link is keyed from it
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_key: Mapped[str] = mapped_column(String(64))  # hex: the HMAC key of the codes
    opened_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    opened_by: Mapped[str] = mapped_column(String(200))
    # The first change of this window's check-ins (a run: see tracker.db.runs).
    run_head: Mapped[int | None] = mapped_column()


class DoorScan(Base):
    """A scan by a browser not signed in: kept 10 minutes, completed after sign-in in
    the same browser (found by its device cookie's hash), judged by ``scanned_at``."""

    __tablename__ = "door_scan"
    history_key = ("id",)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey(Activity.id, ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64))
    scanned_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    done_at: Mapped[datetime | None] = mapped_column()


class DoorCheckin(Base):
    """A check-in made at the door by web: from which browser, and its flags (words
    separated by spaces: ``shared-device``, ``outside-network``)."""

    __tablename__ = "door_checkin"
    history_key = ("activity_id", "student_id")
    __table_args__ = (Index("ix_door_checkin_activity_device", "activity_id", "device_hash"),)

    activity_id: Mapped[int] = mapped_column(
        ForeignKey(Activity.id, ondelete="CASCADE"), primary_key=True, autoincrement=False)
    student_id: Mapped[int] = mapped_column(
        ForeignKey(Student.id, ondelete="CASCADE"), primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column()
    device_hash: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    flags: Mapped[str] = mapped_column(String(100), default="")


class DoorMiss(Base):
    """A bad check-in code a browser tried: 10 a minute per browser, then 429."""

    __tablename__ = "door_miss"
    history_key = ("id",)
    __table_args__ = (Index("ix_door_miss_browser_at", "browser_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    browser_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()
