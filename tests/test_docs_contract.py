"""docs/json.md is the JSON contract: every field each `--format json` prints is a row
there, with its type, and every row is a field some output prints. docs/rules.md names
every key the rules file takes. Adding a field is adding its row; the test says which row
is missing and where."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "date": lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v))
    and bool(date.fromisoformat(v)),
    "month": lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v)),
    "datetime": lambda v: isinstance(v, str) and "T" in v
    and datetime.fromisoformat(v).tzinfo is not None,
}

# How the test runs each documented command on the scenario below (``{}``: nothing more).
INVOCATIONS = {
    "activity list": [],
    "activity show": ["1"],
    "claim list": [],
    "coordinator list": [],
    "history": ["--all"],
    "progress": ["s1234567", "--as-of", "2025-03-20"],
    "report": ["--as-of", "2025-03-20"],
    "rules show": [],
    "student list": [],
    "student show": ["s1234567"],
}


def documented(path: Path) -> dict[str, dict[str, tuple[str, int]]]:
    """Per section (a heading ``## `command ...` ``): field -> (type, line)."""
    sections: dict[str, dict[str, tuple[str, int]]] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        heading = re.match(r"## `([a-z ]+?)(?: [A-Z].*)?`", line)
        if heading:
            current = sections.setdefault(heading.group(1), {})
            continue
        row = re.match(r"\| `([^`]+)` \| ([a-z ]+) \|", line)
        if row and current is not None:
            current[row.group(1)] = (row.group(2), number)
    return sections


def json_commands() -> set[str]:
    """Every command whose --format offers json."""
    from tracker.cli import main

    found = set()

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                assert sub is not None
                walk(sub, [*path, name])
        elif any(p.name == "fmt" and "json" in getattr(p.type, "choices", ())
                 for p in command.params):
            found.add(" ".join(path))

    walk(main, [])
    return found


def fields(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of everything in a JSON value: ``requirements[].counted``."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            yield path, item
            yield from fields(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from fields(item, f"{prefix}[]")


def has_type(value: Any, kind: str) -> bool:
    if kind.endswith(" or null"):
        return value is None or has_type(value, kind.removesuffix(" or null"))
    if kind.startswith("array of "):
        return isinstance(value, list) and all(has_type(v, kind[9:]) for v in value)
    return TYPES[kind](value)


def field_name(path: str, requirement_ids: set[str]) -> str:
    """A report's column per requirement is documented once, as ``[].<requirement>``."""
    head, _, last = path.rpartition(".")
    return f"{head}.<requirement>" if last in requirement_ids else path


SCENARIO = [  # commands, their words apart by |
    "student|add|s1234567|--name|Ada Jansen|--start|2024-09|--email|ada@example.org"
    "|--specialisation|Biopharmaceutics",
    "student|add|s7654321|--name|Bram de Vries|--start|2017-09",
    "activity|add|colloquium|--date|2025-03-13|--title|Peers|--location|Gorlaeus"
    "|--organiser|BPS",
    "activity|add|colloquium|--date|2024-08-13|--title|Early",  # before her start
    "activity|add|career-event|--date|2025-04-10|--title|Careers",  # to come
    "attend|1|s1234567|--note|asked about assays",
    "attend|2|s1234567",
    "attend|1|s7654321|--excused",
    "assignment|s1234567|1|approved|--date|2024-11-20|--feedback|Clear and honest.",
    "student|override|s7654321|aasco|--reason|individual programme",
    "student|waive|s1234567|career-symposium|--reason|make-up essay",
    "coordinator|add|c.oordinator@example.org|--name|Dr. C. Oordinator",
]


@pytest.fixture
def scenario(tracker, tmp_path):
    """Something in every field: an upcoming activity, what counted and what did not,
    an assignment with feedback, an individual programme, a reminder sent."""
    from smtp_servers import smtp_server

    for command in SCENARIO:
        tracker(*command.split("|"))
    with smtp_server() as server:
        tracker("remind", "s1234567", "--send", "--smtp", server.url, "--from",
                "coordinator@example.org", "--as-of", "2025-03-20")
    tracker("undo")  # the reminder stays; the undo is in the history (`undone_by`)
    claim(tracker.url)
    return tracker


def claim(url: str) -> None:
    """A claim with evidence, approved with a note, and one waiting without."""
    from web.claim_files import PDF

    from tracker.db.engine import Database, resolve_url
    from tracker.service import claims
    from tracker.service.evidence import Upload

    db = Database.from_url(resolve_url(url))
    try:
        now = datetime.now().astimezone()
        first = claims.submit(db, 1, claims.ClaimForm(
            "career-event", "2025-01-15", "Pharma career day", "KNPSV", "Met three firms."),
            Upload("day.pdf", PDF), now)
        claims.approve(db, first.id, note="Thanks", by="coordinator")
        claims.submit(db, 1, claims.ClaimForm("career-event", "2025-02-15", "CV clinic"),
                      None, now)
    finally:
        db.dispose()


def test_every_json_output_is_documented_field_by_field(scenario):
    from tracker.rules.parse import parse_rules
    from tracker.service.rules import default_rules_text

    doc = DOCS / "json.md"
    sections = documented(doc)
    assert set(sections) == json_commands(), "a `## `command`` section per json command"
    assert set(INVOCATIONS) == set(sections), "INVOCATIONS: how to run each section"
    ids = {r.id for s in parse_rules(default_rules_text()).sets for r in s.requirements}
    for command, rows in sections.items():
        output = json.loads(scenario(*command.split(), *INVOCATIONS[command],
                                     "--format", "json").stdout)
        seen: set[str] = set()
        for path, value in fields(output):
            name = field_name(path, ids)
            assert name in rows, (f"{command} prints `{name}`: add the row "
                                  f"| `{name}` | type | meaning | to docs/json.md under "
                                  f"## `{command}`")
            kind, line = rows[name]
            assert has_type(value, kind), f"docs/json.md:{line}: {name} is {value!r}"
            seen.add(name)
        unseen = set(rows) - seen
        assert not unseen, f"{command}: documented but never printed here: {sorted(unseen)}"


RULES_TABLES = {"[programme]": "_PROGRAMME_KEYS", "[[set]]": "_SET_KEYS",
                "[kinds.<code>]": "_KIND_KEYS"}


def test_the_rules_file_format_names_every_key_the_parser_takes():
    from tracker.rules import parse, parse_requirement

    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    keys: dict[str, set[str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.match(r"### `(\[.+\])`(?: \((\w+)\))?", line)
        if heading:
            current = heading.group(1) + (f" {heading.group(2)}" if heading.group(2) else "")
            keys[current] = set()
        row = re.match(r"\| `([a-z_]+)` \|", line)
        if row and current is not None:
            keys[current].add(row.group(1))
    for table, name in RULES_TABLES.items():
        assert keys[table] == getattr(parse, name), table
    for kind, allowed in parse_requirement.KEYS.items():
        assert keys[f"[[set.requirement]] {kind}"] == allowed, kind
    example = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert example is not None
    book = parse.parse_rules(example.group(1), "docs/rules.md")
    assert {r.type for s in book.sets for r in s.requirements} == set(parse_requirement.KEYS)
