"""The rules in force: load a rules file as a new version, read the newest one."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources

from sqlalchemy.orm import Session

from tracker.db import rules as stored_rules
from tracker.db import students
from tracker.db.engine import Database
from tracker.db.models import ActivityKind, RulesVersion
from tracker.errors import NotFound
from tracker.months import Month
from tracker.rules import (
    AssignmentRequirement,
    PointsRequirement,
    Requirement,
    RuleBook,
    parse_rules,
)
from tracker.vocabulary import ChangeKind

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
    """The newest loaded rules, in one small read (the newest version's row, but its
    text) when this process has parsed that version before, as a portal's every request
    has: a version's text never changes once stored (its digest says so all the same)."""
    newest = stored_rules.newest_facts(session)
    if newest is None:  # only a database made by hand at an older tracker's schema
        raise NotFound("no rules are loaded in this database: load some with "
                       "`tracker rules load FILE`")
    version, digest, source, loaded_by, loaded_at = newest
    parsed = _PARSED.get((version, digest))
    if parsed is None:
        content = stored_rules.content_of(session, version)
        parsed = (content, parsed_version(version, digest, content))
        if len(_PARSED) >= 8:
            _PARSED.clear()
        _PARSED[version, digest] = parsed
    content, book = parsed
    global _LAST_IN_FORCE
    _LAST_IN_FORCE = LastInForce((version, digest), book)
    return RulesInForce(version, book, content, source, loaded_by, loaded_at)


@dataclass(frozen=True)
class LastInForce:
    """A version this process found in force: its (id, digest), and its parse."""

    version: tuple[int, str]
    book: RuleBook


def last_in_force() -> LastInForce | None:
    """The version and book this process last found in force (in whichever database):
    a guess, for a request that checks it against the newest in a statement it runs
    anyway (``POST /login``: :func:`tracker.db.portal.serialise_asking`). None: none
    found yet."""
    return _LAST_IN_FORCE


# Per process, by (version, digest): a stored version's text and its parse.
_PARSED: dict[tuple[int, str], tuple[str, RuleBook]] = {}
_LAST_IN_FORCE: LastInForce | None = None


@lru_cache(maxsize=8)
def parsed_version(version: int, digest: str, content: str) -> RuleBook:
    """A stored version's rules, parsed once per process: a version never changes (its
    digest is part of the key all the same), and a portal process would otherwise parse
    the rules at every request (a few milliseconds each). A RuleBook is frozen."""
    return parse_rules(content, f"rules version {version}")


def ensure_default_rules(db: Database) -> None:
    """Give a database without rules the built-in ones, as version 1."""
    with db.transaction() as session:
        if stored_rules.newest(session) is None:
            _store(session, default_rules_text(), DEFAULT_SOURCE, "tracker")


@dataclass(frozen=True)
class LoadOutcome:
    version: int
    created: bool
    book: RuleBook
    # What the new rules leave registered students without, in sentences: no requirement
    # set, or a number the new form does not read.
    uncovered: tuple[str, ...]


def load_rules(db: Database, text: str, source: str, by: str | None) -> LoadOutcome:
    """Validate ``text`` and make it the rules in force (a new version unless unchanged)."""
    book = parse_rules(text, source)  # refuses before anything is written
    with db.transaction() as session:
        current = stored_rules.newest(session)
        if current is not None and current.digest == _digest(text):
            return LoadOutcome(current.id, False, book, ())
        row = _store(session, text, source, by)
        return LoadOutcome(row.id, True, book, _uncovered(session, book))


def _uncovered(session: Session, book: RuleBook) -> tuple[str, ...]:
    """Groups of registered students for whom ``book`` chooses no requirement set, and
    those whose number its form does not read (no command could name them)."""
    problems = []
    for start, override, count in students.start_groups(session):
        if override is not None and book.set_by_id(override) is None:
            problems.append(f"{count} student(s) follow requirement set {override!r}, which "
                            "these rules do not have: their progress and reports will say so")
        elif override is None and book.set_for_start(Month.of(start)) is None:
            problems.append(f"{count} student(s) who started {Month.of(start)} match no "
                            "requirement set: their progress and reports will say so")
    misfits = [n for n in students.numbers(session) if not book.student_number_matches(n)]
    if misfits:
        problems.append(
            f"{len(misfits)} registered student number(s) do not fit these rules' "
            f"student_number ({book.student_number_pattern}), e.g. {misfits[0]}: no command "
            "or sign-in can name them until rules that read them are loaded "
            "(`tracker rules load`)")
    return tuple(problems)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _store(session: Session, text: str, source: str, by: str | None) -> RulesVersion:
    from tracker.db import history  # (only a load writes: every command reads the rules)

    book = parse_rules(text, source)
    change = history.open_change(session, ChangeKind.RULES_LOAD, by)
    row = RulesVersion(content=text, digest=_digest(text), source=source[:500],
                       loaded_by=change.actor, loaded_at=change.at)
    session.add(row)
    history.inserted(session, change, row)
    existing = stored_rules.kinds(session)
    for code, label in book.kinds.items():
        kind = existing.get(code)
        if kind is None:
            kind = ActivityKind(code=code, label=label[:300])
            session.add(kind)
            history.inserted(session, change, kind)
        elif kind.label != label[:300]:
            before = history.snapshot(kind)
            kind.label = label[:300]
            history.updated(session, change, kind, before)
    change.summary = f"rules version {row.id} from {source} ({len(book.sets)} sets)"[:1000]
    return row


def current_rules(db: Database) -> RulesInForce:
    with db.transaction(read_only=True) as session:
        return rules_in_force(session)


@dataclass(frozen=True)
class RuleLine:
    """One requirement of one set, as a coordinator reviews it."""

    set: str
    set_label: str
    starts: str  # which start months the set applies to, in words
    started_from: str | None
    started_before: str | None
    requirement: str
    label: str
    kind: str
    min: int
    counts: str  # what counts toward it, in words
    caps: str
    year: int | None
    due_months: int | None
    deadline: str  # in words
    optional: bool
    claimable: tuple[str, ...]  # the kinds it counts that a student may claim
    override_only: bool  # the set is an individual programme: `student override` only


def describe_rules(in_force: RulesInForce) -> list[RuleLine]:
    book = in_force.book
    lines = []
    for requirement_set in book.sets:
        for r in requirement_set.requirements:
            lines.append(RuleLine(
                requirement_set.id, requirement_set.label, requirement_set.describe_range(),
                str(requirement_set.started_from) if requirement_set.started_from else None,
                str(requirement_set.started_before) if requirement_set.started_before
                else None,
                r.id, r.label, r.type, getattr(r, "minimum", 1), _counts(r, book),
                _caps(r), getattr(r, "year", None), getattr(r, "due_months", None),
                _deadline(r), r.optional,
                tuple(k for k in getattr(r, "kinds", ()) if k in book.claimable),
                requirement_set.override_only))
    return lines


def _counts(requirement: Requirement, book: RuleBook) -> str:
    if isinstance(requirement, AssignmentRequirement):
        return f"assignment {requirement.number}: {book.assignments[requirement.number]}"
    if isinstance(requirement, PointsRequirement):
        return ", ".join(f"{kind} {points}" for kind, points in requirement.points.items())
    return ", ".join(requirement.kinds)


def _caps(requirement: Requirement) -> str:
    if not isinstance(requirement, PointsRequirement):
        return ""
    said = [f"{kind} at most {cap}" for kind, cap in requirement.caps.items()]
    said += [f"{' and '.join(group.kinds)} at most {group.maximum} together"
             for group in requirement.shared_caps]
    return "; ".join(said)


def _deadline(requirement: Requirement) -> str:
    if isinstance(requirement, AssignmentRequirement) and requirement.due_months:
        months = requirement.due_months
        return f"end of the start month{f' and {months - 1} more' if months > 1 else ''}"
    year = getattr(requirement, "year", None)
    return f"end of programme year {year or 2}"
