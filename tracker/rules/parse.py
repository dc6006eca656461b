"""Read and validate a rules file (SPEC §3). All problems are reported, each with its line.

The tables of a file are read here; one requirement in :mod:`.parse_requirement`; the
bounds every value is held to in :mod:`.checks`.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from tracker.errors import InvalidInput, RulesError
from tracker.months import Month
from tracker.rules.checks import (
    ID,
    ID_WORDS,
    MAX_BYTES,
    MAX_NESTING,
    MOST,
    nesting,
    quoted,
    readable,
)
from tracker.rules.model import (
    DEFAULT_STUDENT_NUMBER,
    DEFAULT_STUDENT_NUMBER_FORM,
    Requirement,
    RequirementSet,
    RuleBook,
)
from tracker.rules.parse_requirement import requirement
from tracker.rules.source_map import Problems, SourceMap

_SET_KEYS = {"id", "label", "started_from", "started_before", "override_only", "requirement"}
_PROGRAMME_KEYS = {"name", "student_number", "student_number_form"}
_KIND_KEYS = {"label", "claimable"}


def parse_rules(text: str, source: str = "rules") -> RuleBook:
    """Parse and validate a rules file; raise :class:`RulesError` listing every problem."""
    if len(text) > MAX_BYTES:
        raise RulesError(source, [f"the file is {len(text):,} characters long; a rules file "
                                  f"has at most {MAX_BYTES:,}"])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(source, [f"not valid TOML: {error}"]) from None
    except RecursionError:
        data = None
    if data is None or nesting(data) > MAX_NESTING:
        raise RulesError(source, [f"tables and lists are nested more than {MAX_NESTING} "
                                  "deep; the rules format needs 8 at most"])
    where = SourceMap(text)
    problems = Problems([])
    book = _build(data, where, problems)
    if problems.items:
        raise RulesError(
            source,
            [f"line {line}: {message}" if line else message for line, message in sorted(
                problems.items, key=lambda item: item[0])],
        )
    assert book is not None
    return book


def _build(data: dict[str, Any], where: SourceMap, problems: Problems) -> RuleBook | None:
    for key in data:
        if key not in ("programme", "kinds", "assignments", "set"):
            problems.add(where.table(key) or _top_key_line(where, key),
                         f"unknown section {quoted(key)}")

    programme = data.get("programme", {})
    programme_line = where.table("programme")
    if not isinstance(programme, dict):
        problems.add(programme_line, "[programme] must be a table")
        programme = {}
    for key in programme:
        if key not in _PROGRAMME_KEYS:
            problems.add(where.key(programme_line, key),
                         f"unknown key {quoted(key)} in [programme]")
    name = programme.get("name", "")
    pattern = programme.get("student_number", DEFAULT_STUDENT_NUMBER)
    form = programme.get("student_number_form")
    if not isinstance(name, str):
        problems.add(where.key(programme_line, "name"), "programme name must be text")
        name = ""
    name = readable(name, where.key(programme_line, "name"), "programme name", problems)
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
    if form is not None:
        form = readable(form, where.key(programme_line, "student_number_form"),
                        "student_number_form", problems)
    if form is None:
        form = (DEFAULT_STUDENT_NUMBER_FORM if pattern == DEFAULT_STUDENT_NUMBER
                else "the programme's student-number form")

    kinds, claimable = _kinds(data.get("kinds", {}), where, problems)
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
                             f"set id {quoted(built.id)} is used twice")
            sets.append(built)
    _check_overlaps(sets, where, problems)
    return RuleBook(name, pattern, kinds, assignments, tuple(sets), form.strip(),
                    frozenset(claimable))


def _top_key_line(where: SourceMap, key: str) -> int:
    return where.key(0, key)


def _kinds(raw: Any, where: SourceMap,
           problems: Problems) -> tuple[dict[str, str], list[str]]:
    """The kinds by code with their labels, and the codes a student may claim."""
    kinds: dict[str, str] = {}
    claimable: list[str] = []
    if not isinstance(raw, dict):
        problems.add(_top_key_line(where, "kinds"), "kinds must be tables like [kinds.colloquium]")
        return kinds, claimable
    for kind_id, body in raw.items():
        line = where.table(f"kinds.{kind_id}") or where.table("kinds")
        if not ID.match(kind_id):
            problems.add(line, f"kind id {quoted(kind_id)}: use {ID_WORDS}")
        for key in body if isinstance(body, dict) else ():
            if key not in _KIND_KEYS:
                problems.add(where.key(line, key),
                             f"unknown key {quoted(key)} in [kinds.{kind_id}]")
        said = body.get("claimable", False) if isinstance(body, dict) else False
        if not isinstance(said, bool):
            problems.add(where.key(line, "claimable"),
                         f"kind {quoted(kind_id)}: claimable is true or false")
        elif said:
            claimable.append(kind_id)
        label = body.get("label") if isinstance(body, dict) else None
        if not isinstance(label, str) or not label.strip():
            problems.add(line, f"kind {quoted(kind_id)} needs a label")
            label = kind_id
        kinds[kind_id] = readable(label.strip(), line, f"kind {quoted(kind_id)}: label",
                                  problems)
    return kinds, claimable


def _assignments(raw: Any, where: SourceMap, problems: Problems) -> dict[int, str]:
    assignments: dict[int, str] = {}
    line = where.table("assignments")
    if not isinstance(raw, dict):
        problems.add(_top_key_line(where, "assignments"), "assignments must be a table")
        return assignments
    for number, title in raw.items():
        key_line = where.key(line, number)
        if not (number.isascii() and number.isdigit()) or not \
                1 <= int(number) <= MOST["assignment"]:
            problems.add(key_line, f"assignment {quoted(number)}: numbers are whole numbers "
                         f"from 1 to {MOST['assignment']:,}")
            continue
        if not isinstance(title, str) or not title.strip():
            problems.add(key_line, f"assignment {number} needs a title")
            continue
        assignments[int(number)] = readable(title.strip(), key_line,
                                            f"assignment {number}: title", problems)
    return assignments


def _month(value: Any, line: int, what: str, problems: Problems) -> Month | None:
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
    where: SourceMap,
    problems: Problems,
) -> RequirementSet | None:
    line = where.set_line(index)
    if not isinstance(raw, dict):
        problems.add(line, "[[set]] must be a table")
        return None
    for key in raw:
        if key not in _SET_KEYS:
            problems.add(where.key(line, key), f"unknown key {quoted(key)} in [[set]]")
    set_id = raw.get("id")
    if not isinstance(set_id, str) or not ID.match(set_id):
        problems.add(where.key(line, "id"), f"every [[set]] needs an id of {ID_WORDS}")
        set_id = f"set-{index + 1}"
    label = raw.get("label", set_id)
    if not isinstance(label, str):
        problems.add(where.key(line, "label"), f"set {quoted(set_id)}: label must be text")
        label = set_id
    label = readable(label, where.key(line, "label"), f"set {quoted(set_id)}: label", problems)
    started_from = _month(raw.get("started_from"), where.key(line, "started_from"),
                          "started_from", problems)
    started_before = _month(raw.get("started_before"), where.key(line, "started_before"),
                            "started_before", problems)
    if started_from and started_before and started_from >= started_before:
        problems.add(where.key(line, "started_before"),
                     f"set {quoted(set_id)}: started_before must come after started_from")
    override_only = raw.get("override_only", False)
    if not isinstance(override_only, bool):
        problems.add(where.key(line, "override_only"),
                     f"set {quoted(set_id)}: override_only must be true or false")
        override_only = False
    if override_only and (started_from or started_before):
        problems.add(where.key(line, "override_only"),
                     f"set {quoted(set_id)}: an override_only set has no start months "
                     "(started_from, started_before): only `tracker student override` "
                     "puts students on it")
    requirements: list[Requirement] = []
    raw_requirements = raw.get("requirement", [])
    if not isinstance(raw_requirements, list) or not raw_requirements:
        problems.add(line, f"set {quoted(set_id)} has no [[set.requirement]]")
        raw_requirements = []
    for position, body in enumerate(raw_requirements):
        req_line = where.requirement_line(index, position)
        found = requirement(body, req_line, set_id, kinds, assignments, where, problems)
        if found is None:
            continue
        if any(r.id == found.id for r in requirements):
            problems.add(where.key(req_line, "id"), f"set {quoted(set_id)}: requirement id "
                         f"{quoted(found.id)} is used twice")
        requirements.append(found)
    return RequirementSet(set_id, label, started_from, started_before, tuple(requirements),
                          override_only)


def _check_overlaps(sets: list[RequirementSet], where: SourceMap, problems: Problems) -> None:
    for later_index, later in enumerate(sets):
        if later.override_only:
            continue  # no start months: it overlaps nothing
        for earlier in sets[:later_index]:
            if earlier.override_only:
                continue
            low = max(_bound(later.started_from, low=True), _bound(earlier.started_from, low=True))
            high = min(_bound(later.started_before, low=False),
                       _bound(earlier.started_before, low=False))
            if low < high:
                problems.add(where.set_line(later_index),
                             f"set {quoted(later.id)} ({later.describe_range()}) overlaps "
                             f"set {quoted(earlier.id)} ({earlier.describe_range()}): a start "
                             "month "
                             "must select one set")


def _bound(month: Month | None, *, low: bool) -> Month:
    if month is not None:
        return month
    return Month(1, 1) if low else Month(9999, 12)
