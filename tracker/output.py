"""Render rows as a table, CSV or JSON. The one place that knows the output formats."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (prefix with a quote)."""
    if value.startswith(_FORMULA_START):
        if value[0] in "+-" and _is_number(value):
            return value
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):  # a moment: to the minute, in the reader's time zone
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(_text(row.get(column))) for column in columns])
    return buffer.getvalue()


def to_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
             width: int | None = None) -> str:
    """Aligned columns that fit ``width`` (the terminal's, else 80): long cells are cut."""
    if not rows:
        return "(none)\n"
    width = width or shutil.get_terminal_size((80, 24)).columns
    cells = [[_text(row.get(column)).replace("\n", " ") for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells))
              for i, column in enumerate(columns)]
    _fit(widths, [len(c) for c in columns], width - 2 * (len(columns) - 1))
    lines = [_line(list(columns), widths), _line(["-" * w for w in widths], widths)]
    lines.extend(_line(line, widths) for line in cells)
    return "\n".join(lines) + "\n"


def _fit(widths: list[int], minimums: list[int], room: int) -> None:
    """Shrink the widest columns, never below their header or 8, until they fit."""
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        floor = max(min(minimums[widest], 12), 8)
        if widths[widest] <= floor:
            return
        widths[widest] -= 1


def _line(values: list[str], widths: list[int]) -> str:
    out = []
    for value, w in zip(values, widths, strict=True):
        out.append(value if len(value) <= w else value[: w - 1] + "…")
    return "  ".join(v.ljust(w) for v, w in zip(out, widths, strict=True)).rstrip()


def render(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Rows as ``table``, ``csv`` or ``json``; JSON keeps every key, the others show
    ``columns``."""
    if fmt == "json":
        return to_json(list(rows)) + "\n"
    if fmt == "csv":
        return to_csv(rows, columns)
    return to_table(rows, columns)
