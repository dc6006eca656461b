"""What a value in a rules file must be: the bounds ``rules check`` holds every number
and text to, so that rules it accepts can never break a report later (a programme year
of 8000 would put a deadline past any calendar; a label with a right-to-left override
would print as something else on every page)."""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from tracker.characters import invisible, shown
from tracker.months import FIRST_YEAR, LAST_YEAR
from tracker.rules.source_map import Problems

MAX_BYTES = 1_000_000  # a rules file is a few kilobytes
MAX_NESTING = 10  # tables and lists within each other: the format needs 8
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # as stored: 64 characters at most
ID_WORDS = "lower-case letters, digits and '-', at most 64 characters"
LABEL_LENGTH = 300
# The largest number each key may hold.
MOST = {"year": 10, "due_months": 120, "min": 1_000, "points": 100, "cap": 10_000,
        "max": 10_000, "assignment": 10_000}
YEARS = f"from {FIRST_YEAR} to {LAST_YEAR}"


def quoted(value: Any) -> str:
    """A value of the file as a message quotes it: escaped, and cut if long."""
    return f"'{shown(value)}'" if isinstance(value, str) else shown(repr(value))


def whole(value: Any, most: int) -> TypeGuard[int]:
    """A whole number from 1 to ``most`` (TOML's true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most


def whole_words(key: str) -> str:
    return f"must be a whole number from 1 to {MOST[key]:,}"


def number(body: dict[str, Any], key: str, line: int, what: str, problems: Problems, *,
           required: bool) -> int | None:
    """``body[key]`` checked against its bound; None (and a problem) if it is wrong."""
    value = body.get(key)
    if value is None:
        if required:
            problems.add(line, f"{what}: '{key}' is missing")
        return None
    if not whole(value, MOST[key]):
        problems.add(line, f"{what}: '{key}' {whole_words(key)}")
        return None
    return int(value)


def readable(value: str, line: int, what: str, problems: Problems,
             limit: int = LABEL_LENGTH) -> str:
    """A label or title: refused (and replaced by its first characters, escaped) when it
    holds a character that cannot be seen or is too long."""
    hidden = invisible(value)
    if hidden is not None or "\n" in value or "\t" in value:
        problems.add(line, f"{what} contains a control or invisible character "
                     f"({hidden or 'a line break or tab'}): '{shown(value)}'")
        return shown(value)
    if len(value) > limit:
        problems.add(line, f"{what} is {len(value):,} characters long; at most {limit} are "
                     "allowed")
        return value[:limit]
    return value


def nesting(data: Any) -> int:
    """How deep tables and lists lie within each other, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                children = value.values() if isinstance(value, dict) else value
                stack.extend((child, depth + 1) for child in children)
    return deepest
