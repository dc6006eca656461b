"""Completion for the Brightspace grade book."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.db.engine import Database
from tracker.db.which import Which
from tracker.errors import InvalidInput
from tracker.output import to_csv_lines
from tracker.service.assessment import assess, told
from tracker.service.report import EVERY_STATUS, Selection, cohort_report, cohort_students
from tracker.service.rules import rules_in_force
from tracker.standing import (
    ActivityRef,
    RequirementStanding,
    StudentProgress,
    decision_in_words,
)
from tracker.vocabulary import RequirementStatus, StudentStatus


@dataclass(frozen=True)
class GradeExport:
    text: str
    rows: int
    complete: int
    rules_version: int
    skipped: tuple[str, ...]  # students no requirement set applies to


def points_text(points: float) -> str:
    """Points as a grade book reads them: ``1``, ``0.5``."""
    if points < 0 or points != points or points in (float("inf"), float("-inf")):
        raise InvalidInput(f"points {points} must be a number of at least 0")
    return str(int(points)) if points.is_integer() else repr(points)


# Characters a Brightspace grade item's name cannot hold (its own form refuses them).
NOT_IN_NAMES = '/\\:*?"<>|\'#,%&'
_FORMULA_START = ("=", "+", "-", "@")
_NAME_LENGTH = 128


def grade_item(item: str) -> str:
    """``--item`` as Brightspace matches it: the grade item's name exactly, so a name
    Brightspace cannot hold, or one a spreadsheet would run as a formula (the header
    would then need a quote that Brightspace does not match), is refused in words."""
    if any(c in item for c in "\t\n\r\v\f"):
        raise InvalidInput(f"--item {item!r}: a Brightspace grade item's name is one line "
                           "without tabs; give the item's name as Brightspace shows it")
    name = " ".join(item.split())
    if not name:
        raise InvalidInput("--item: give the grade item's name as Brightspace shows it")
    held = sorted({c for c in name if c in NOT_IN_NAMES})
    if held:
        raise InvalidInput(f"--item {item!r}: a Brightspace grade item's name cannot hold "
                           f"{' '.join(held)}; give the item's name as Brightspace shows it")
    if name.startswith(_FORMULA_START):
        raise InvalidInput(f"--item {item!r}: a name that starts with {name[0]} would run as "
                           "a formula when the file is opened in a spreadsheet; rename the "
                           "grade item in Brightspace (e.g. \"AASCO completion\")")
    if len(name) > _NAME_LENGTH:
        raise InvalidInput(f"--item: a Brightspace grade item's name has at most "
                           f"{_NAME_LENGTH} characters ({len(name)} given)")
    return name


def grade_item_name(text: str) -> str:
    """A new grade item's name made from a requirement's label: the characters
    Brightspace refuses become spaces, and it never starts like a formula."""
    cleaned = " ".join(text.translate(_NOT_IN_NAMES_TABLE).split())
    return cleaned.lstrip("=+-@ ")[:_NAME_LENGTH]


_NOT_IN_NAMES_TABLE = str.maketrans({c: " " for c in NOT_IN_NAMES + "+=;"})


def _status(include_inactive: bool) -> str:
    return EVERY_STATUS if include_inactive else StudentStatus.ACTIVE.value


def brightspace_grades(db: Database, item: str, *, complete_points: float = 1,
                       incomplete_points: float | None = 0, cohort: int | None = None,
                       include_inactive: bool = False, as_of: date | None = None,
                       per_requirement: bool = False, portal: str = "") -> GradeExport:
    """Brightspace's grade import: ``OrgDefinedId,Username,<item> Points Grade,End-of-Line
    Indicator``; identifiers prefixed with ``#`` as Brightspace writes them.

    ``incomplete_points=None`` leaves students who have not completed out of the file.
    ``per_requirement`` writes a grade item per requirement instead (see
    :func:`requirement_grades`); ``portal``, the portal's address, ends each text grade.
    """
    name = grade_item(item)
    if per_requirement:
        return requirement_grades(db, name, cohort=cohort, include_inactive=include_inactive,
                                  as_of=as_of, only_incomplete=incomplete_points is None,
                                  portal=portal)
    complete_text = points_text(complete_points)
    incomplete_text = None if incomplete_points is None else points_text(incomplete_points)
    report = cohort_report(db, Selection(cohort, _status(include_inactive)), as_of)
    lines = [["OrgDefinedId", "Username", f"{name} Points Grade", "End-of-Line Indicator"]]
    complete = 0
    skipped = []
    for row in report.rows:
        if row.requirement_set is None:
            skipped.append(row.student)
            continue
        points = complete_text if row.complete else incomplete_text
        if points is None:
            continue
        lines.append([f"#{row.student}", f"#{row.student}", points, "#"])
        complete += row.complete
    return GradeExport(to_csv_lines(lines, line_end="\r\n"), len(lines) - 1, complete,
                       report.rules_version, tuple(skipped))


def requirement_grades(db: Database, item: str, *, cohort: int | None = None,
                       include_inactive: bool = False, as_of: date | None = None,
                       only_incomplete: bool = False, portal: str = "") -> GradeExport:
    """One grade item per requirement, ``<item> - <label> Points Grade``, worth what the
    student has done of it (at most what is required); and ``<item> Text Grade``, what
    remains, what counted and why other activities did not. Students see "Colloquia by
    peers 4/6" in their grades.

    Students of several requirement sets get the columns of every set; a column of
    another set than a student's stays empty for them (Brightspace leaves it alone).
    """
    day = as_of or date.today()
    which = Which(cohort_students(cohort, _status(include_inactive)))
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        assessed = list(assess(session, in_force, which, day))
        skipped = tuple(a.student.number for a in assessed if a.progress is None)
        exported = [a for a in assessed
                    if a.progress is not None and not (only_incomplete and a.complete)]
        stories = list(told(session, in_force, exported, which))
    columns: dict[str, str] = {}  # requirement id -> grade item name
    for story in stories:
        for r in story.requirements:
            columns.setdefault(r.id, grade_item_name(f"{item} - {r.label}"))
    lines: list[list[object]] = [["OrgDefinedId", "Username",
                                  *(f"{name} Points Grade" for name in columns.values()),
                                  f"{item} Text Grade", "End-of-Line Indicator"]]
    for story in stories:
        done = {r.id: min(r.done, r.required) for r in story.requirements}
        lines.append([f"#{story.student}", f"#{story.student}",
                      *(done.get(requirement_id, "") for requirement_id in columns),
                      what_remains(story, portal), "#"])
    return GradeExport(to_csv_lines(lines, line_end="\r\n"), len(stories),
                       sum(story.complete for story in stories), in_force.version, skipped)


def what_remains(story: StudentProgress, portal: str = "") -> str:
    """The text grade: what the student still has to do, then for each of those
    requirements what counted and what did not, and why; what was waived; and where
    the portal is, when there is one."""
    return " ".join([_what_remains(story), *([f"Your progress: {portal}"] if portal else [])])


def _what_remains(story: StudentProgress) -> str:
    waived = [r for r in story.requirements if r.status == RequirementStatus.WAIVED]
    said_waived = (["Waived: " + "; ".join(f"{r.label} ({r.waived_reason or 'waived'})"
                                           for r in waived) + "."] if waived else [])
    if story.complete:
        return " ".join(["Complete: every required item is done.", *said_waived])
    blocking = [r for r in story.requirements if r.blocking]
    activities = {a.id: a for a in story.activities}
    said = ["Still to do: " + "; ".join(_remaining(r) for r in blocking) + "."]
    said += [_explained(r, activities) for r in blocking if r.counted or r.not_counted]
    return " ".join(said + said_waived)


def _remaining(r: RequirementStanding) -> str:
    if r.kind == "assignment":
        decision = decision_in_words(r.assignment_status, r.feedback)
        what = f"{r.label} ({decision})" if decision else r.label
    else:
        unit = "" if r.kind != "points" else " point" if r.remaining == 1 else " points"
        what = f"{r.label} ({r.remaining}{unit} more)"
    if r.status == RequirementStatus.OVERDUE:
        return f"{what}, overdue since {r.due}"
    if r.status == RequirementStatus.AT_RISK:
        return f"{what}, at risk: {r.scheduled} scheduled before {r.due}"
    return f"{what}, by {r.due}"


def _explained(r: RequirementStanding, activities: dict[int, ActivityRef]) -> str:
    def named(ids: Sequence[int]) -> str:
        return ", ".join(f"{activities[i].title} ({activities[i].date})" for i in ids)

    parts = []
    if r.counted:
        parts.append(f"counted: {named(r.counted)}")
    parts += [f"not counted: {named([n.activity])}: {n.why}" for n in r.not_counted]
    return f"{r.label} — {'; '.join(parts)}."
