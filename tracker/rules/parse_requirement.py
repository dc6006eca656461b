"""One ``[[set.requirement]]`` table of a rules file: attendance, an assignment, or points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.rules.checks import (
    ID,
    ID_WORDS,
    MOST,
    number,
    quoted,
    readable,
    whole,
    whole_words,
)
from tracker.rules.model import (
    AssignmentRequirement,
    AttendanceRequirement,
    PointsRequirement,
    Requirement,
    SharedCap,
)
from tracker.rules.source_map import Problems, SourceMap

TYPES = ("attendance", "assignment", "points")
KEYS = {
    "attendance": {"id", "label", "attendance", "min", "year", "optional"},
    "assignment": {"id", "label", "assignment", "due_months", "optional"},
    "points": {"id", "label", "points", "cap", "cap_together", "min", "year", "optional"},
}


def requirement(body: Any, line: int, set_id: str, kinds: Mapping[str, str],
                assignments: Mapping[int, str], where: SourceMap,
                problems: Problems) -> Requirement | None:
    if not isinstance(body, dict):
        problems.add(line, f"set {quoted(set_id)}: a requirement must be a table")
        return None
    req_id = body.get("id")
    if not isinstance(req_id, str) or not ID.match(req_id):
        problems.add(where.key(line, "id"), f"set {quoted(set_id)}: every requirement needs "
                     f"an id of {ID_WORDS}")
        return None
    what = f"requirement {quoted(req_id)}"
    present = [t for t in TYPES if t in body]
    if len(present) != 1:
        problems.add(line, f"{what}: give exactly one of attendance, assignment or points")
        return None
    kind = present[0]
    for key in body:
        if key not in KEYS[kind]:
            problems.add(where.key(line, key), f"{what}: unknown key {quoted(key)} for a "
                         f"{kind} requirement")
    label = body.get("label", req_id)
    if not isinstance(label, str):
        problems.add(where.key(line, "label"), f"{what}: label must be text")
        label = req_id
    label = readable(label, where.key(line, "label"), f"{what}: label", problems)
    optional = body.get("optional", False)
    if not isinstance(optional, bool):
        problems.add(where.key(line, "optional"), f"{what}: optional must be true or false")
        optional = False
    year = number(body, "year", where.key(line, "year"), what, problems, required=False)

    def known_kind(kind_id: Any, key: str) -> bool:
        if not isinstance(kind_id, str) or kind_id not in kinds:
            problems.add(where.key(line, key), f"{what}: unknown kind {quoted(kind_id)} "
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
        minimum = number(body, "min", where.key(line, "min"), what, problems, required=True)
        return AttendanceRequirement(req_id, label, tuple(valid), minimum or 1, year, optional)

    if kind == "assignment":
        assignment = body["assignment"]
        if not whole(assignment, MOST["assignment"]) or assignment not in assignments:
            problems.add(where.key(line, "assignment"), f"{what}: unknown assignment "
                         f"{quoted(assignment)} (known: "
                         f"{', '.join(map(str, sorted(assignments))) or 'none'})")
            return None
        due = number(body, "due_months", where.key(line, "due_months"), what, problems,
                     required=False)
        return AssignmentRequirement(req_id, label, assignment, due, optional)

    points_line = where.key(line, "points")
    raw_points = body["points"]
    points: dict[str, int] = {}
    if not isinstance(raw_points, dict) or not raw_points:
        problems.add(points_line, f"{what}: points is a table of kind = points")
    else:
        for kind_id, value in raw_points.items():
            if known_kind(kind_id, "points"):
                if not whole(value, MOST["points"]):
                    problems.add(points_line, f"{what}: points of {quoted(kind_id)} "
                                 f"{whole_words('points')}")
                else:
                    points[kind_id] = value
    caps = _caps(body.get("cap", {}), points, where.key(line, "cap"), what, problems)
    shared = _shared_caps(body.get("cap_together", []), points,
                          where.key(line, "cap_together"), what, problems)
    minimum = number(body, "min", where.key(line, "min"), what, problems, required=True)
    return PointsRequirement(req_id, label, points, minimum or 1, caps, shared, year, optional)


def _caps(raw: Any, points: dict[str, int], line: int, what: str,
          problems: Problems) -> dict[str, int]:
    caps: dict[str, int] = {}
    if not isinstance(raw, dict):
        problems.add(line, f"{what}: cap is a table of kind = maximum points")
        return caps
    for kind_id, value in raw.items():
        if kind_id not in points:
            problems.add(line, f"{what}: cap names {quoted(kind_id)}, which earns no points "
                         "here")
        elif not whole(value, MOST["cap"]):
            problems.add(line, f"{what}: cap of {quoted(kind_id)} {whole_words('cap')}")
        else:
            caps[kind_id] = value
    return caps


def _shared_caps(raw: Any, points: dict[str, int], line: int, what: str,
                 problems: Problems) -> tuple[SharedCap, ...]:
    shared: list[SharedCap] = []
    if not isinstance(raw, list):
        problems.add(line, f"{what}: cap_together is a list like "
                     "[{ kinds = [\"a\", \"b\"], max = 6 }]")
        return ()
    seen: set[str] = set()
    for entry in raw:
        group = entry.get("kinds") if isinstance(entry, dict) else None
        maximum = entry.get("max") if isinstance(entry, dict) else None
        if not isinstance(group, list) or len(group) < 2 or not whole(maximum, MOST["max"]):
            problems.add(line, f"{what}: each cap_together entry needs kinds (two or more) "
                         f"and max (from 1 to {MOST['max']:,})")
            continue
        for kind_id in group:
            if not isinstance(kind_id, str) or kind_id not in points:
                problems.add(line, f"{what}: cap_together names {quoted(kind_id)}, which "
                             "earns no points here")
            elif kind_id in seen:
                problems.add(line, f"{what}: {quoted(kind_id)} is in two cap_together groups")
            seen.add(kind_id)
        assert isinstance(maximum, int)
        shared.append(SharedCap(tuple(group), maximum))
    return tuple(shared)
