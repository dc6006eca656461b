"""The stored rules versions and the catalogue of activity kinds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.models import ActivityKind, RulesVersion


def newest(session: Session) -> RulesVersion | None:
    return session.scalars(
        select(RulesVersion).order_by(RulesVersion.id.desc()).limit(1)).first()


def kinds(session: Session) -> dict[str, ActivityKind]:
    return {kind.code: kind for kind in session.scalars(select(ActivityKind))}


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RulesVersion)) or 0)
