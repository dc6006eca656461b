"""The stored rules versions and the catalogue of activity kinds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from tracker.db import statements
from tracker.db.models import ActivityKind, RulesVersion


def newest(session: Session) -> RulesVersion | None:
    return session.scalars(
        select(RulesVersion).order_by(RulesVersion.id.desc()).limit(1)).first()


_NEWEST_FACTS = select(RulesVersion.id, RulesVersion.digest, RulesVersion.source,
                       RulesVersion.loaded_by, RulesVersion.loaded_at).order_by(
    RulesVersion.id.desc()).limit(1)


def content_of(session: Session, version: int) -> str:
    return str(session.scalar(select(RulesVersion.content).where(RulesVersion.id == version)))


def newest_facts(session: Session) -> Row[int, str, str, str, datetime] | None:
    """The newest version's id, digest, source, who loaded it and when: not its text
    (what a process that parsed that version already needs; built once, on the
    connection: a portal's every request asks)."""
    return statements.rows(session, _NEWEST_FACTS).first()


def kinds(session: Session) -> dict[str, ActivityKind]:
    return {kind.code: kind for kind in session.scalars(select(ActivityKind))}


def count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RulesVersion)) or 0)
