"""CSV files as spreadsheets save them, streamed row by row with their line numbers.

Accepted: UTF-8 with or without a byte-order mark, ``,`` or ``;`` between fields (taken
from the header line), CRLF or LF line ends, header names in any case with stray spaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tracker.errors import InvalidInput

MAX_FIELD = 100_000
csv.field_size_limit(MAX_FIELD)  # a longer field is an error (csv.Error), with its line


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, so a progress bar can follow a text stream."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "").strip()


def normalise_header(name: str) -> str:
    """``Student_Number ``, ``student number`` and ``STUDENT-NUMBER`` are one column."""
    cleaned = name.replace("\ufeff", "").replace("_", " ").strip().lower()
    if cleaned != "end-of-line indicator":
        cleaned = cleaned.replace("-", " ")
    return " ".join(cleaned.split())


class CsvFile:
    """One pass over a CSV file; ``header`` is known after :meth:`open`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = path.stat().st_size if path.exists() else 0
        self.header: list[str] = []
        self._counter: _CountingReader | None = None

    @property
    def bytes_read(self) -> int:
        return self._counter.count if self._counter else 0

    def records(self, on_progress: Callable[[int], None] | None = None) \
            -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) of every non-blank record after the header."""
        try:
            raw = self.path.open("rb")
        except OSError as error:
            raise InvalidInput(f"{self.path}: {error.strerror}") from None
        with raw:
            self._counter = _CountingReader(raw)
            text = io.TextIOWrapper(io.BufferedReader(self._counter), encoding="utf-8-sig",
                                    newline="")
            yield from self._parse(text, on_progress)

    def rows(self, on_progress: Callable[[int], None] | None = None) -> Iterator[Row]:
        """Records as :class:`Row`, by header name; a record longer than the header keeps
        the rest under a key no header can have."""
        width = None
        for line, record in self.records(on_progress):
            width = width or len(self.header)
            values = dict(zip(self.header, record, strict=False))
            if len(record) > width:
                values["\x00extra"] = ",".join(record[width:])
            yield Row(line, values)

    def _parse(self, text: io.TextIOWrapper, on_progress: Callable[[int], None] | None) \
            -> Iterator[tuple[int, list[str]]]:
        line = 1
        name = self.path.name
        try:
            first = text.readline()
            if not first.strip():
                raise InvalidInput(f"{name}: line 1: the file is empty; expected a header line")
            delimiter = ";" if first.count(";") > first.count(",") else ","
            header = next(csv.reader([first], delimiter=delimiter))
            self.header = [normalise_header(h) for h in header]
            if "\x00" in "".join(self.header):
                raise InvalidInput(f"{name}: line 1: the header has a NUL character")
            reader = csv.reader(text, delimiter=delimiter, strict=False)
            line = 2
            for record in reader:
                start = line
                line = reader.line_num + 2
                if not any(record) or "".join(record).isspace():
                    continue  # a blank line, or one of empty cells
                yield start, record
                if on_progress is not None and start % 2048 == 0:
                    on_progress(self.bytes_read)
        except UnicodeDecodeError:
            raise InvalidInput(f"{name}: line {line}: not UTF-8 text; save the file as "
                               "CSV UTF-8") from None
        except csv.Error as error:
            raise InvalidInput(f"{name}: line {line}: {error}") from None
