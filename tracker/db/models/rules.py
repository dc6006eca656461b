from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
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


class RequirementSetRow(Base):
    """A requirement set of one rules version, with the start months it applies to."""

    __tablename__ = "requirement_set"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rules_version.id"))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300))
    started_from: Mapped[date | None] = mapped_column(Date)
    started_before: Mapped[date | None] = mapped_column(Date)
    requirement_count: Mapped[int]
