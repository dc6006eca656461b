"""The rules in force: load a rules file as a new version, read the newest one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.db.engine import Database
from tracker.db.models import ActivityKind, RequirementSetRow, RulesVersion, Student
from tracker.months import Month
from tracker.rules import RuleBook, parse_rules
from tracker.service.changes import open_change, record, snapshot

DEFAULT_SOURCE = "built-in default rules"


def default_rules_text() -> str:
    return resources.files("tracker").joinpath("default_rules.toml").read_text("utf-8")


@dataclass(frozen=True)
class RulesInForce:
    version: int
    book: RuleBook
    content: str
    source: str
    loaded_by: str
    loaded_at: datetime


def rules_in_force(session: Session) -> RulesInForce:
    """The newest loaded rules; a database without any gets the built-in default first."""
    row = session.scalars(select(RulesVersion).order_by(RulesVersion.id.desc()).limit(1)).first()
    if row is None:
        row = _store(session, default_rules_text(), DEFAULT_SOURCE, "tracker")
    book = parse_rules(row.content, f"rules version {row.id}")
    return RulesInForce(row.id, book, row.content, row.source, row.loaded_by, row.loaded_at)


@dataclass(frozen=True)
class LoadOutcome:
    version: int
    created: bool
    book: RuleBook
    uncovered: list[str]  # registered students the new rules give no requirement set


def load_rules(db: Database, text: str, source: str, by: str | None) -> LoadOutcome:
    """Validate ``text`` and make it the rules in force (a new version unless unchanged)."""
    book = parse_rules(text, source)  # refuses before anything is written
    with db.transaction() as session:
        current = session.scalars(
            select(RulesVersion).order_by(RulesVersion.id.desc()).limit(1)).first()
        if current is not None and current.digest == _digest(text):
            return LoadOutcome(current.id, False, book, [])
        row = _store(session, text, source, by)
        return LoadOutcome(row.id, True, book, _uncovered(session, book))


def _uncovered(session: Session, book: RuleBook) -> list[str]:
    """Groups of registered students for whom ``book`` chooses no requirement set."""
    groups = session.execute(
        select(Student.start, Student.rules_override, func.count())
        .where(Student.forgotten_at.is_(None))
        .group_by(Student.start, Student.rules_override)).all()
    problems = []
    for start, override, count in groups:
        if override is not None and book.set_by_id(override) is None:
            problems.append(f"{count} student(s) follow requirement set {override!r}, which "
                            "these rules do not have")
        elif override is None and book.set_for_start(Month.of(start)) is None:
            problems.append(f"{count} student(s) who started {Month.of(start)} match no "
                            "requirement set")
    return problems


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store(session: Session, text: str, source: str, by: str | None) -> RulesVersion:
    book = parse_rules(text, source)
    change = open_change(session, "rules load", by)
    row = RulesVersion(content=text, digest=_digest(text), source=source[:500],
                       loaded_by=change.actor, loaded_at=change.at)
    session.add(row)
    record(session, change, row, None)
    for requirement_set in book.sets:
        set_row = RequirementSetRow(
            version_id=row.id, code=requirement_set.id, label=requirement_set.label,
            started_from=requirement_set.started_from.first_day()
            if requirement_set.started_from else None,
            started_before=requirement_set.started_before.first_day()
            if requirement_set.started_before else None,
            requirement_count=len(requirement_set.requirements))
        session.add(set_row)
        record(session, change, set_row, None)
    existing = {k.code: k for k in session.scalars(select(ActivityKind))}
    for code, label in book.kinds.items():
        kind = existing.get(code)
        if kind is None:
            kind = ActivityKind(code=code, label=label[:300])
            session.add(kind)
            record(session, change, kind, None)
        elif kind.label != label[:300]:
            before = snapshot(kind)
            kind.label = label[:300]
            record(session, change, kind, before)
    change.summary = f"rules version {row.id} from {source} ({len(book.sets)} sets)"[:1000]
    return row


def current_rules(db: Database) -> RulesInForce:
    with db.transaction(read_only=True) as session:
        return rules_in_force(session)
