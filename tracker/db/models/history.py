from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow


class Change(Base):
    """One command's writes, as the user sees them in ``history``. Append-only.

    A run of writes made one at a time (a kiosk session at the door: one change per
    check-in, each committed before it is answered) is a *unit*: its first change heads
    it, every later one is ``part_of`` it, and ``history`` and ``undo`` show and revert
    the unit as one change.
    """

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(String(1000))
    # Set on an undo: the change it reverted. A change is undone when one points at it.
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("change.id"), unique=True)
    # Set on every change of a run but its first: the first, which stands for the run.
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("change.id"), index=True)
    # On the first change of a run still going (a kiosk that is open): until when its
    # process promised to be there; it renews the promise while it runs. Undo leaves an
    # open run alone, and a kiosk killed outright stops renewing it.
    open_until: Mapped[datetime | None]
