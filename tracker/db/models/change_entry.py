"""What a change wrote, row by row: its own module, because only the history's writer and
its readers need it (every read of a participation brings :class:`Change`, not this)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base
from tracker.db.models.history import Change


class ChangeEntry(Base):
    """One row written by a change: its table, key and values before and after."""

    __tablename__ = "change_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey(Change.id), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))
    # Which student the row concerns, for `history NUMBER`; not a foreign key because
    # history outlives the rows it describes.
    student_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # For a row that names the change that wrote it last (a participation): that change,
    # whose version this entry wrote over. Undo of a change looks here for later writes
    # over its rows; `history NUMBER` for changes whose rows were taken away.
    replaces_change_id: Mapped[int | None] = mapped_column(ForeignKey(Change.id),
                                                           index=True)
