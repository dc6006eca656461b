"""Read and validate a rules file (SPEC §3). All problems are reported, each with its line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any, TypeGuard

from tracker.errors import InvalidInput, RulesError
from tracker.months import Month
from tracker.rules.model import (
    DEFAULT_STUDENT_NUMBER,
    DEFAULT_STUDENT_NUMBER_FORM,
    AssignmentRequirement,
    AttendanceRequirement,
    PointsRequirement,
    Requirement,
    RequirementSet,
    RuleBook,
    SharedCap,
)

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_REQUIREMENT_TYPES = ("attendance", "assignment", "points")
_REQUIREMENT_KEYS = {
    "attendance": {"id", "label", "attendance", "min", "year", "optional"},
    "assignment": {"id", "label", "assignment", "due_months", "optional"},
    "points": {"id", "label", "points", "cap", "cap_together", "min", "year", "optional"},
}
_SET_KEYS = {"id", "label", "started_from", "started_before", "requirement"}
_PROGRAMME_KEYS = {"name", "student_number", "student_number_form"}


class _SourceMap:
    """Finds the line of a table or key in the TOML text, for error messages.

    ``tomllib`` keeps no positions, so tables are located by their headers: the n-th
    ``[[set]]``, the m-th ``[[set.requirement]]`` after it, ``[kinds.x]``, and a key as
    the first ``key =`` line inside a table's span.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (line number, header name, is array) for every table header
        self.headers: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match and not line.lstrip().startswith("#"):
                name = re.sub(r"\s*\.\s*", ".", match.group(2).replace('"', ""))
                self.headers.append((number, name, match.group(1) == "[["))

    def table(self, name: str, occurrence: int = 0, after: int = 0) -> int:
        found = [n for n, header, _ in self.headers if header == name and n > after]
        return found[occurrence] if occurrence < len(found) else 0

    def set_line(self, index: int) -> int:
        return self.table("set", index)

    def requirement_line(self, set_index: int, index: int) -> int:
        return self.table("set.requirement", index, after=self.set_line(set_index))

    def key(self, table_line: int, key: str) -> int:
        """The line of ``key = ...`` in the table starting at ``table_line``."""
        end = next((n for n, _, _ in self.headers if n > table_line), len(self.lines) + 1)
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number in range(table_line + 1, end):
            if pattern.match(self.lines[number - 1]):
                return number
        return table_line


@dataclass
class _Problems:
    items: list[tuple[int, str]]

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))


def parse_rules(text: str, source: str = "rules") -> RuleBook:
    """Parse and validate a rules file; raise :class:`RulesError` listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(source, [f"not valid TOML: {error}"]) from None
    where = _SourceMap(text)
    problems = _Problems([])
    book = _build(data, where, problems)
    if problems.items:
        raise RulesError(
            source,
            [f"line {line}: {message}" if line else message for line, message in sorted(
                problems.items, key=lambda item: item[0])],
        )
    assert book is not None
    return book


def _build(data: dict[str, Any], where: _SourceMap, problems: _Problems) -> RuleBook | None:
    for key in data:
        if key not in ("programme", "kinds", "assignments", "set"):
            problems.add(where.table(key) or _top_key_line(where, key),
                         f"unknown section {key!r}")

    programme = data.get("programme", {})
    programme_line = where.table("programme")
    if not isinstance(programme, dict):
        problems.add(programme_line, "[programme] must be a table")
        programme = {}
    for key in programme:
        if key not in _PROGRAMME_KEYS:
            problems.add(where.key(programme_line, key), f"unknown key {key!r} in [programme]")
    name = programme.get("name", "")
    pattern = programme.get("student_number", DEFAULT_STUDENT_NUMBER)
    form = programme.get("student_number_form")
    if not isinstance(name, str):
        problems.add(where.key(programme_line, "name"), "programme name must be text")
        name = ""
    if not isinstance(pattern, str):
        problems.add(where.key(programme_line, "student_number"),
                     "student_number must be a regular expression in quotes")
        pattern = DEFAULT_STUDENT_NUMBER
    else:
        try:
            re.compile(pattern)
        except re.error as error:
            problems.add(where.key(programme_line, "student_number"),
                         f"student_number is not a valid regular expression: {error}")
            pattern = DEFAULT_STUDENT_NUMBER
    if form is not None and (not isinstance(form, str) or not form.strip()):
        problems.add(where.key(programme_line, "student_number_form"),
                     "student_number_form describes the number in words, e.g. "
                     "\"s followed by 7 digits\"")
        form = None
    if form is None:
        form = (DEFAULT_STUDENT_NUMBER_FORM if pattern == DEFAULT_STUDENT_NUMBER
                else "the programme's student-number form")

    kinds = _kinds(data.get("kinds", {}), where, problems)
    assignments = _assignments(data.get("assignments", {}), where, problems)

    raw_sets = data.get("set", [])
    if not isinstance(raw_sets, list) or not raw_sets:
        problems.add(0, "no requirement set: add at least one [[set]]")
        raw_sets = []
    sets: list[RequirementSet] = []
    for index, raw in enumerate(raw_sets):
        built = _requirement_set(index, raw, kinds, assignments, where, problems)
        if built is not None:
            if any(s.id == built.id for s in sets):
                problems.add(where.key(where.set_line(index), "id"),
                             f"set id {built.id!r} is used twice")
            sets.append(built)
    _check_overlaps(sets, where, problems)
    return RuleBook(name, pattern, kinds, assignments, tuple(sets), form.strip())


def _top_key_line(where: _SourceMap, key: str) -> int:
    return where.key(0, key)


def _kinds(raw: Any, where: _SourceMap, problems: _Problems) -> dict[str, str]:
    kinds: dict[str, str] = {}
    if not isinstance(raw, dict):
        problems.add(_top_key_line(where, "kinds"), "kinds must be tables like [kinds.colloquium]")
        return kinds
    for kind_id, body in raw.items():
        line = where.table(f"kinds.{kind_id}") or where.table("kinds")
        if not _ID.match(kind_id):
            problems.add(line, f"kind id {kind_id!r}: use lower-case letters, digits and '-'")
        label = body.get("label") if isinstance(body, dict) else None
        if not isinstance(label, str) or not label.strip():
            problems.add(line, f"kind {kind_id!r} needs a label")
            label = kind_id
        kinds[kind_id] = label.strip()
    return kinds


def _assignments(raw: Any, where: _SourceMap, problems: _Problems) -> dict[int, str]:
    assignments: dict[int, str] = {}
    line = where.table("assignments")
    if not isinstance(raw, dict):
        problems.add(_top_key_line(where, "assignments"), "assignments must be a table")
        return assignments
    for number, title in raw.items():
        key_line = where.key(line, number)
        if not number.isdigit() or int(number) < 1:
            problems.add(key_line, f"assignment {number!r}: numbers are positive whole numbers")
            continue
        if not isinstance(title, str) or not title.strip():
            problems.add(key_line, f"assignment {number} needs a title")
            continue
        assignments[int(number)] = title.strip()
    return assignments


def _month(value: Any, line: int, what: str, problems: _Problems) -> Month | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(line, f"{what} must be a month in quotes, like \"2018-09\"")
        return None
    try:
        return Month.parse(value, what=what)
    except InvalidInput as error:
        problems.add(line, str(error))
        return None


def _requirement_set(
    index: int,
    raw: Any,
    kinds: dict[str, str],
    assignments: dict[int, str],
    where: _SourceMap,
    problems: _Problems,
) -> RequirementSet | None:
    line = where.set_line(index)
    if not isinstance(raw, dict):
        problems.add(line, "[[set]] must be a table")
        return None
    for key in raw:
        if key not in _SET_KEYS:
            problems.add(where.key(line, key), f"unknown key {key!r} in [[set]]")
    set_id = raw.get("id")
    if not isinstance(set_id, str) or not _ID.match(set_id):
        problems.add(where.key(line, "id"), "every [[set]] needs an id of lower-case letters, "
                     "digits and '-'")
        set_id = f"set-{index + 1}"
    label = raw.get("label", set_id)
    if not isinstance(label, str):
        problems.add(where.key(line, "label"), f"set {set_id!r}: label must be text")
        label = set_id
    started_from = _month(raw.get("started_from"), where.key(line, "started_from"),
                          "started_from", problems)
    started_before = _month(raw.get("started_before"), where.key(line, "started_before"),
                            "started_before", problems)
    if started_from and started_before and started_from >= started_before:
        problems.add(where.key(line, "started_before"),
                     f"set {set_id!r}: started_before must come after started_from")
    requirements: list[Requirement] = []
    raw_requirements = raw.get("requirement", [])
    if not isinstance(raw_requirements, list) or not raw_requirements:
        problems.add(line, f"set {set_id!r} has no [[set.requirement]]")
        raw_requirements = []
    for position, body in enumerate(raw_requirements):
        req_line = where.requirement_line(index, position)
        requirement = _requirement(body, req_line, set_id, kinds, assignments, where, problems)
        if requirement is None:
            continue
        if any(r.id == requirement.id for r in requirements):
            problems.add(where.key(req_line, "id"),
                         f"set {set_id!r}: requirement id {requirement.id!r} is used twice")
        requirements.append(requirement)
    return RequirementSet(set_id, label, started_from, started_before, tuple(requirements))


def _whole(value: Any) -> TypeGuard[int]:
    """A whole number of at least 1 (TOML's true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


_WHOLE = "must be a whole number of at least 1"


def _positive(body: dict[str, Any], key: str, line: int, what: str,
              problems: _Problems, *, required: bool) -> int | None:
    value = body.get(key)
    if value is None:
        if required:
            problems.add(line, f"{what}: '{key}' is missing")
        return None
    if not _whole(value):
        problems.add(line, f"{what}: '{key}' {_WHOLE}")
        return None
    return int(value)


def _requirement(
    body: Any,
    line: int,
    set_id: str,
    kinds: dict[str, str],
    assignments: dict[int, str],
    where: _SourceMap,
    problems: _Problems,
) -> Requirement | None:
    if not isinstance(body, dict):
        problems.add(line, f"set {set_id!r}: a requirement must be a table")
        return None
    req_id = body.get("id")
    if not isinstance(req_id, str) or not _ID.match(req_id):
        problems.add(where.key(line, "id"), f"set {set_id!r}: every requirement needs an id "
                     "of lower-case letters, digits and '-'")
        return None
    what = f"requirement {req_id!r}"
    present = [t for t in _REQUIREMENT_TYPES if t in body]
    if len(present) != 1:
        problems.add(line, f"{what}: give exactly one of attendance, assignment or points")
        return None
    kind = present[0]
    for key in body:
        if key not in _REQUIREMENT_KEYS[kind]:
            problems.add(where.key(line, key), f"{what}: unknown key {key!r} for a {kind} "
                         "requirement")
    label = body.get("label", req_id)
    if not isinstance(label, str):
        problems.add(where.key(line, "label"), f"{what}: label must be text")
        label = req_id
    optional = body.get("optional", False)
    if not isinstance(optional, bool):
        problems.add(where.key(line, "optional"), f"{what}: optional must be true or false")
        optional = False
    year = _positive(body, "year", where.key(line, "year"), what, problems, required=False)

    def known_kind(kind_id: Any, key: str) -> bool:
        if not isinstance(kind_id, str) or kind_id not in kinds:
            problems.add(where.key(line, key), f"{what}: unknown kind {kind_id!r} "
                         f"(known: {', '.join(sorted(kinds)) or 'none'})")
            return False
        return True

    if kind == "attendance":
        listed = body["attendance"]
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list) or not listed:
            problems.add(where.key(line, "attendance"), f"{what}: attendance lists the kinds "
                         "that count, like [\"colloquium\"]")
            listed = []
        valid = [k for k in listed if known_kind(k, "attendance")]
        minimum = _positive(body, "min", where.key(line, "min"), what, problems, required=True)
        return AttendanceRequirement(req_id, label, tuple(valid), minimum or 1, year, optional)

    if kind == "assignment":
        number = body["assignment"]
        if not _whole(number) or number not in assignments:
            problems.add(where.key(line, "assignment"), f"{what}: unknown assignment {number!r} "
                         f"(known: {', '.join(map(str, sorted(assignments))) or 'none'})")
            return None
        due = _positive(body, "due_months", where.key(line, "due_months"), what, problems,
                        required=False)
        return AssignmentRequirement(req_id, label, number, due, optional)

    points_line = where.key(line, "points")
    raw_points = body["points"]
    points: dict[str, int] = {}
    if not isinstance(raw_points, dict) or not raw_points:
        problems.add(points_line, f"{what}: points is a table of kind = points")
    else:
        for kind_id, value in raw_points.items():
            if known_kind(kind_id, "points"):
                if not _whole(value):
                    problems.add(points_line, f"{what}: points of {kind_id!r} {_WHOLE}")
                else:
                    points[kind_id] = value
    caps = _caps(body.get("cap", {}), points, where.key(line, "cap"), what, problems)
    shared = _shared_caps(body.get("cap_together", []), points,
                          where.key(line, "cap_together"), what, problems)
    minimum = _positive(body, "min", where.key(line, "min"), what, problems, required=True)
    return PointsRequirement(req_id, label, points, minimum or 1, caps, shared, year, optional)


def _caps(raw: Any, points: dict[str, int], line: int, what: str,
          problems: _Problems) -> dict[str, int]:
    caps: dict[str, int] = {}
    if not isinstance(raw, dict):
        problems.add(line, f"{what}: cap is a table of kind = maximum points")
        return caps
    for kind_id, value in raw.items():
        if kind_id not in points:
            problems.add(line, f"{what}: cap names {kind_id!r}, which earns no points here")
        elif not _whole(value):
            problems.add(line, f"{what}: cap of {kind_id!r} {_WHOLE}")
        else:
            caps[kind_id] = value
    return caps


def _shared_caps(raw: Any, points: dict[str, int], line: int, what: str,
                 problems: _Problems) -> tuple[SharedCap, ...]:
    shared: list[SharedCap] = []
    if not isinstance(raw, list):
        problems.add(line, f"{what}: cap_together is a list like "
                     "[{ kinds = [\"a\", \"b\"], max = 6 }]")
        return ()
    seen: set[str] = set()
    for entry in raw:
        group = entry.get("kinds") if isinstance(entry, dict) else None
        maximum = entry.get("max") if isinstance(entry, dict) else None
        if not isinstance(group, list) or len(group) < 2 or not _whole(maximum):
            problems.add(line, f"{what}: each cap_together entry needs kinds (two or more) "
                         "and max (at least 1)")
            continue
        for kind_id in group:
            if kind_id not in points:
                problems.add(line, f"{what}: cap_together names {kind_id!r}, which earns no "
                             "points here")
            elif kind_id in seen:
                problems.add(line, f"{what}: {kind_id!r} is in two cap_together groups")
            seen.add(kind_id)
        shared.append(SharedCap(tuple(group), maximum))
    return tuple(shared)


def _check_overlaps(sets: list[RequirementSet], where: _SourceMap, problems: _Problems) -> None:
    for later_index, later in enumerate(sets):
        for earlier in sets[:later_index]:
            low = max(_bound(later.started_from, low=True), _bound(earlier.started_from, low=True))
            high = min(_bound(later.started_before, low=False),
                       _bound(earlier.started_before, low=False))
            if low < high:
                problems.add(where.set_line(later_index),
                             f"set {later.id!r} ({later.describe_range()}) overlaps set "
                             f"{earlier.id!r} ({earlier.describe_range()}): a start month "
                             "must select one set")


def _bound(month: Month | None, *, low: bool) -> Month:
    if month is not None:
        return month
    return Month(1, 1) if low else Month(9999, 12)
