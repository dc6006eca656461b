from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db.models.base import Base, utcnow


class RulesVersion(Base):
    """One loaded rules file. The highest id is in force; progress names the id used."""

    __tablename__ = "rules_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[str] = mapped_column(Text)  # the TOML, as loaded
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of content
    source: Mapped[str] = mapped_column(String(500))
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)
