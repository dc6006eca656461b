"""Reading the files coordinators bring: CSV as spreadsheets save it, and Excel workbooks.

A sheet is its header (the names in its first line or row) and its records, each with
its line number (for a workbook, the row number Excel shows) and its fields as text.
What the fields mean is the import's business (:mod:`tracker.service.imports`); this
package only reads, within limits that a real class list or sign-in sheet never nears,
so that a wrong file (a disk image, ``/dev/zero``, a header of millions of columns) is
refused in one sentence instead of filling the memory or the screen.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from tracker.characters import shown
from tracker.errors import InvalidInput

MAX_FILE_BYTES = 1 << 30  # 1 GiB: four million sign-ins take 70 MB
MAX_LINE = 1_000_000  # characters in one line of a CSV file
MAX_FIELD = 100_000  # characters in one field
MAX_COLUMNS = 1_000
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
Progress = Callable[[int], None]  # told how many bytes of the file were read


class Sheet(Protocol):
    name: str  # the file's name, as messages show it
    header: list[str]  # as written, trailing empty names left out

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) of every record after the header that is not blank."""


def size_limit_problem(name: str) -> InvalidInput:
    return InvalidInput(f"{name}: the file is larger than {MAX_FILE_BYTES >> 20:,} MB, "
                        "more than the tracker reads; split it")


@contextmanager
def open_sheet(path: Path, on_progress: Progress | None = None) -> Iterator[Sheet]:
    """Open a CSV file or an Excel workbook (told apart by the name's ending) and read its
    header."""
    name = shown(path.name, 200)
    try:
        info = os.stat(path)
    except OSError as error:
        raise InvalidInput(f"{name}: {error.strerror}") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise InvalidInput(f"{name} is not a file of data (a device or a folder): give a "
                           "CSV file or an Excel workbook")
    if info.st_size > MAX_FILE_BYTES:
        raise size_limit_problem(name)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InvalidInput(f"{name} is an old-style Excel file (.xls): save it as an Excel "
                           "workbook (.xlsx) or as CSV UTF-8")
    if suffix in WORKBOOK_SUFFIXES:
        from tracker.sheets.xlsx_sheet import open_workbook

        with open_workbook(path, name) as workbook:
            yield workbook
        return
    from tracker.sheets.csv_sheet import open_csv

    with open_csv(path, name, on_progress) as csv_sheet:
        yield csv_sheet


def trimmed_header(names: list[str], name: str) -> list[str]:
    """The header without the empty names a spreadsheet leaves after the last column;
    refused when it has more columns than any real sheet."""
    end = len(names)
    while end and not names[end - 1].strip():
        end -= 1
    if end > MAX_COLUMNS:
        raise InvalidInput(f"{name}: line 1: the header has {end:,} columns; at most "
                           f"{MAX_COLUMNS:,} are read")
    return names[:end]
