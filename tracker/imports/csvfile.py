"""CSV files as spreadsheets save them, streamed row by row with their line numbers.

Accepted: UTF-8 with or without a byte-order mark, ``,`` or ``;`` between fields (taken
from the header line), CRLF or LF line ends, header names in any case with stray spaces.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tracker.errors import InvalidInput

MAX_FIELD = 100_000
csv.field_size_limit(MAX_FIELD)  # a longer field is an error (csv.Error), with its line
PROGRESS_EVERY = 2048  # records between two reports to a progress bar


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


def normalise_header(name: str) -> str:
    """``Student_Number ``, ``student number`` and ``STUDENT-NUMBER`` are one column."""
    cleaned = name.replace("\ufeff", "").replace("_", " ").strip().lower()
    if cleaned != "end-of-line indicator":
        cleaned = cleaned.replace("-", " ")
    return " ".join(cleaned.split())


class Sheet:
    """An open CSV file: its ``header`` (normalised names) and its records."""

    def __init__(self, name: str, counter: _CountingReader, text: io.TextIOWrapper,
                 on_progress: Callable[[int], None] | None) -> None:
        self.name = name
        self._counter = counter
        self._text = text
        self._on_progress = on_progress
        self._line = 1
        self.header: list[str] = []
        self.delimiter = ","
        with self._reading():
            first = text.readline()
            if not first.strip():
                raise InvalidInput(f"{name}: line 1: the file is empty; expected a header line")
            self.delimiter = ";" if first.count(";") > first.count(",") else ","
            raw_header = next(csv.reader([first], delimiter=self.delimiter))
            self.header = [normalise_header(h) for h in raw_header]
            if "\x00" in "".join(self.header):
                raise InvalidInput(f"{name}: line 1: the header has a NUL character")

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, fields) of every record after the header that is not blank."""
        reader = csv.reader(self._text, delimiter=self.delimiter, strict=False)
        on_progress = self._on_progress
        self._line = line = 2
        with self._reading():
            for record in reader:
                start = line
                self._line = line = reader.line_num + 2
                if not (record and record[0] and not record[0].isspace()) and (
                        not any(record) or "".join(record).isspace()):
                    continue  # a blank line, or one of empty cells
                yield start, record
                if on_progress is not None and start % PROGRESS_EVERY == 0:
                    on_progress(self._counter.count)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Decoding and CSV errors as a problem of the line being read."""
        try:
            yield
        except UnicodeDecodeError:
            raise InvalidInput(f"{self.name}: line {self._line}: not UTF-8 text; save the "
                               "file as CSV UTF-8") from None
        except csv.Error as error:
            raise InvalidInput(f"{self.name}: line {self._line}: {error}") from None


@contextmanager
def open_sheet(path: Path, on_progress: Callable[[int], None] | None = None) \
        -> Iterator[Sheet]:
    """Open a CSV file and read its header line."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror}") from None
    with raw:
        counter = _CountingReader(raw)
        text = io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8-sig", newline="")
        yield Sheet(path.name, counter, text, on_progress)
