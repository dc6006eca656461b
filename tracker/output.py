"""Render what a command prints: one :class:`Document`, in every format. The one place
that knows the output formats."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tracker.vocabulary import Format

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """Rows (mappings or records with attributes) shown as ``columns``."""

    rows: Sequence[Any]
    columns: Sequence[str]


@dataclass(frozen=True)
class Document:
    """What one command prints.

    ``data`` is the JSON (the stable machine contract); ``main`` is the table that CSV
    writes; ``text``, when given, is the table format: lines and tables in order
    (otherwise ``main`` alone); ``page`` makes the HTML page, for the commands that
    have one. A workbook says what it holds: ``title`` in its properties, ``sheet`` as
    its sheet's name (cut to what Excel allows).
    """

    data: Any
    main: Table
    text: Sequence[str | Table] | None = None
    page: Callable[[], str] | None = None
    title: str | None = None
    sheet: str | None = None


def listing(rows: Sequence[Any], columns: Sequence[str]) -> Document:
    """The usual document: a list of records, as JSON objects or as table rows."""
    return Document(rows, Table(rows, columns))


def render(document: Document, fmt: Format) -> str | bytes:
    """``document`` in ``fmt``: text, or for a workbook bytes."""
    if fmt == Format.XLSX:
        return to_xlsx(document.main.rows, document.main.columns,
                       document.sheet or "tracker", document.title)
    if fmt == Format.HTML:
        assert document.page is not None, "this command has no page"
        return document.page()
    if fmt == Format.JSON:
        return to_json(document.data) + "\n"
    if fmt == Format.CSV:
        return to_csv(document.main.rows, document.main.columns)
    if document.text is None:
        return to_table(document.main.rows, document.main.columns)
    return "".join(to_table(part.rows, part.columns) if isinstance(part, Table)
                   else part + "\n" for part in document.text)


# --- cells ---------------------------------------------------------------------------


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


def cell(row: Any, column: str) -> Any:
    if isinstance(row, Mapping):
        return row.get(column)
    return getattr(row, column, None)


def text(value: Any) -> str:
    """A value as a table or CSV cell shows it."""
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
        return ", ".join(text(v) for v in value)
    return str(value)


# --- JSON ----------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "to_json"):  # a record that shapes its own JSON
        return value.to_json()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    """JSON of plain data and records (dataclasses: their fields, in order)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


# --- CSV -----------------------------------------------------------------------------


def to_csv_lines(lines: Iterable[Sequence[Any]], line_end: str = "\n") -> str:
    """Lines of cells as CSV; no cell runs as a formula in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    for line in lines:
        writer.writerow([spreadsheet_safe(text(value)) for value in line])
    return buffer.getvalue()


def to_csv(rows: Sequence[Any], columns: Sequence[str]) -> str:
    """``rows`` (mappings or records) as CSV; a report writes ten thousand of them, so a
    cell is looked up and made safe in as few steps as it takes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([spreadsheet_safe(column) for column in columns])
    mappings = bool(rows) and isinstance(rows[0], Mapping)
    safe, shown = spreadsheet_safe, text
    for row in rows:
        values = ([row.get(c) for c in columns] if mappings
                  else [getattr(row, c, None) for c in columns])
        writer.writerow([value if type(value) is int else safe(shown(value))
                         for value in values])  # a number is never a formula
    return buffer.getvalue()


# --- tables for people ---------------------------------------------------------------


def width_of(value: str) -> int:
    """How many terminal columns ``value`` takes: 张伟 takes four, é one."""
    if value.isascii():
        return len(value)
    from wcwidth import wcswidth

    measured = wcswidth(value)
    return measured if measured >= 0 else len(value)


def _cut(value: str, width: int) -> str:
    """``value`` cut to at most ``width`` columns, ending in … when cut."""
    if width_of(value) <= width:
        return value
    kept = value
    while kept and width_of(kept) > width - 1:
        kept = kept[:-1]
    return kept + "…"


def to_table(rows: Sequence[Any], columns: Sequence[str], width: int | None = None) -> str:
    """Aligned columns that fit ``width`` (by default the terminal's): long cells are
    cut. Going to a file or another program, every cell is whole."""
    if not rows:
        return "(none)\n"
    width = width or terminal_width()
    cells = [[text(cell(row, column)).replace("\n", " ") for column in columns]
             for row in rows]
    widths = [max(width_of(column), *(width_of(line[i]) for line in cells))
              for i, column in enumerate(columns)]
    if width is not None:
        _fit(widths, [width_of(c) for c in columns], width - 2 * (len(columns) - 1))
    lines = [_line(list(columns), widths), _line(["-" * w for w in widths], widths)]
    lines.extend(_line(line, widths) for line in cells)
    return "\n".join(lines) + "\n"


def terminal_width() -> int | None:
    """The terminal's width (or $COLUMNS); None when the output is not a terminal."""
    if not os.environ.get("COLUMNS") and not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size((80, 24)).columns


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
        shown = _cut(value, w)
        out.append(shown + " " * (w - width_of(shown)))
    return "  ".join(out).rstrip()


# --- Excel ---------------------------------------------------------------------------


_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(text: str) -> str:
    """A sheet's name as Excel takes it: none of ``[]:*?/\\``, at most 31 characters,
    not starting or ending with an apostrophe."""
    name = " ".join(text.translate(_NOT_IN_SHEET_NAMES).split())[:31].strip("' ")
    return name or "tracker"


def to_xlsx(rows: Sequence[Any], columns: Sequence[str], sheet: str = "tracker",
            title: str | None = None) -> bytes:
    """An Excel workbook of one sheet: real dates and numbers, a frozen header row, an
    autofilter, and no cell that runs as a formula (text that starts like one keeps
    Excel's quote prefix, as CSV cells keep a quote). ``title`` goes in the workbook's
    properties (File > Info in Excel)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "remove_timezone": True})
    worksheet = workbook.add_worksheet(sheet_name(sheet))
    if title:
        workbook.set_properties({"title": title, "subject": title})
    header = workbook.add_format({"bold": True, "bg_color": "#F6F8FA", "bottom": 1})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    quoted = workbook.add_format({"quote_prefix": True})
    widths = [len(column) for column in columns]
    for c, column in enumerate(columns):
        worksheet.write_string(0, c, column, header)
    for r, row in enumerate(rows, start=1):
        for c, column in enumerate(columns):
            value = cell(row, column)
            if value is None:
                continue
            if isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                worksheet.write_number(r, c, value)
            elif isinstance(value, datetime):
                worksheet.write_datetime(r, c, value.astimezone().replace(tzinfo=None), moment)
                widths[c] = max(widths[c], 16)
            elif isinstance(value, date):
                worksheet.write_datetime(r, c, datetime(value.year, value.month, value.day),
                                         day)
                widths[c] = max(widths[c], 10)
            else:
                shown = text(value)
                worksheet.write_string(r, c, shown,
                                       quoted if shown.startswith(_FORMULA_START) else None)
                widths[c] = max(widths[c], min(len(shown), 60))
    for c, width in enumerate(widths):
        worksheet.set_column(c, c, width + 2)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    workbook.close()
    return buffer.getvalue()
