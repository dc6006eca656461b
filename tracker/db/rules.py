"""The stored rules versions and the catalogue of activity kinds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import ActivityKind, RulesVersion


def newest(session: Session) -> RulesVersion | None:
    return session.scalars(
        select(RulesVersion).order_by(RulesVersion.id.desc()).limit(1)).first()


def newest_key(session: Session) -> tuple[int, str] | None:
    """The newest version's id and digest (not its text: what a cached parse needs); a
    request of the portal asks, so it is built once and runs on the connection."""
    row = session.connection().execute(_NEWEST_KEY).first()
    return (int(row[0]), str(row[1])) if row is not None else None


_NEWEST_KEY = select(RulesVersion.id, RulesVersion.digest).order_by(
    RulesVersion.id.desc()).limit(1)


def content_of(session: Session, version: int) -> str:
    return str(session.scalar(select(RulesVersion.content).where(RulesVersion.id == version)))


def kinds(session: Session) -> dict[str, ActivityKind]:
    return {kind.code: kind for kind in session.scalars(select(ActivityKind))}


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RulesVersion)) or 0)
