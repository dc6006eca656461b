"""Excel workbooks, read as they are: the first sheet, its first row the header.

openpyxl reads the workbook in read-only mode (streamed, one row at a time) and is
imported only here, when a workbook is read. A cell that holds a date is a date: it
reaches the import as ``2025-10-03``, however Excel shows it (``3-10-2025``, ``okt-25``);
a whole number is written without a decimal point (a student number of seven digits, an
activity id); a formula gives the value Excel saved with it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput
from tracker.sheets import MAX_FIELD, MAX_FILE_BYTES, trimmed_header

# Compressed, a workbook is small; a part that unpacks to more than this is not a class
# list (or is built to fill the memory).
MAX_UNPACKED = 4 * MAX_FILE_BYTES


def cell_text(value: Any) -> str:
    """A cell's value as the text an import reads."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):  # a date cell; its time of day says nothing here
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class XlsxSheet:
    """The first sheet of an open workbook: its header and its records."""

    def __init__(self, name: str, rows: Iterator[tuple[Any, ...]]) -> None:
        self.name = name
        self._rows = rows
        with self._reading(1):
            first = next(self._rows, None)
        header = [cell_text(v) for v in first] if first is not None else []
        if not "".join(header).strip():
            raise InvalidInput(f"{name}: row 1: the first sheet has no header row; expected "
                               "the column names in row 1")
        self.header = trimmed_header(header, name)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        line = 1
        while True:
            line += 1
            with self._reading(line):
                row = next(self._rows, None)
            if row is None:
                return
            values = [cell_text(v) for v in row]
            while values and not values[-1]:
                values.pop()  # cells formatted, but empty, after the last column
            if not "".join(values).strip():
                continue
            if any(len(v) > MAX_FIELD for v in values):
                raise InvalidInput(f"{self.name}: line {line}: a cell is longer than "
                                   f"{MAX_FIELD:,} characters")
            yield line, values

    @contextmanager
    def _reading(self, line: int) -> Iterator[None]:
        try:
            yield
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError,
                SyntaxError) as error:  # SyntaxError: the XML parser's ParseError
            raise InvalidInput(f"{self.name}: line {line}: the workbook is damaged "
                               f"({type(error).__name__}); save it again from Excel, or "
                               "as CSV UTF-8") from None


@contextmanager
def open_workbook(path: Path, name: str) -> Iterator[XlsxSheet]:
    refused = InvalidInput(f"{name} is not an Excel workbook that can be read: save it "
                           "again from Excel (.xlsx), or as CSV UTF-8")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise refused from None
    if unpacked > MAX_UNPACKED:
        raise InvalidInput(f"{name}: the workbook unpacks to more than "
                           f"{MAX_UNPACKED >> 30} GB, more than the tracker reads")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises what its parts raise: the file is not a workbook
        raise refused from None
    try:
        if not workbook.worksheets:
            raise InvalidInput(f"{name}: the workbook has no sheet")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the saved dimensions may be wrong: read every row
        yield XlsxSheet(name, sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
