"""CSV files as spreadsheets save them, streamed row by row with their line numbers.

Accepted: UTF-8 with or without a byte-order mark, ``,`` or ``;`` between fields (taken
from the header line), CRLF, LF or CR line ends. A byte that is not UTF-8 is named with
the line it is on: the text is decoded ahead of the reader, so each line is checked as
it is read rather than trusting where the decoder happened to be.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tracker.errors import InvalidInput
from tracker.sheets import (
    MAX_FIELD,
    MAX_FILE_BYTES,
    MAX_LINE,
    Progress,
    size_limit_problem,
    trimmed_header,
)

csv.field_size_limit(MAX_FIELD)  # a longer field is an error (csv.Error), with its line
PROGRESS_EVERY = 2048  # records between two reports to a progress bar
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


class _CountingReader(io.RawIOBase):
    """Counts the bytes read, so a progress bar can follow a text stream, and stops a
    stream (a pipe) that goes on past the size any real sheet has."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self.raw, self.name = raw, name
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        if self.count > MAX_FILE_BYTES:
            raise size_limit_problem(self.name)
        return len(data)


class CsvSheet:
    """An open CSV file: its header and its records."""

    def __init__(self, name: str, counter: _CountingReader, text: io.TextIOWrapper,
                 on_progress: Progress | None) -> None:
        self.name = name
        self._counter = counter
        self._text = text
        self._on_progress = on_progress
        self._line = 1  # the line being read
        first = self._read_line()
        if not first.strip():
            raise InvalidInput(f"{name}: line 1: the file is empty; expected a header line")
        self.delimiter = ";" if first.count(";") > first.count(",") else ","
        with self._reading():
            header = next(csv.reader([first], delimiter=self.delimiter))
        if "\x00" in "".join(header):
            raise InvalidInput(f"{name}: line 1: the header has a NUL character")
        self.header = trimmed_header(header, name)

    def _read_line(self) -> str:
        """The next physical line, checked: not too long, and all of it UTF-8."""
        try:
            line = self._text.readline(MAX_LINE + 1)
        except UnicodeDecodeError:  # a byte-order mark half there, at the very start
            raise self._not_utf8() from None
        return self._checked(line)

    def _checked(self, line: str) -> str:
        if len(line) > MAX_LINE:
            raise InvalidInput(f"{self.name}: line {self._line} is longer than "
                               f"{MAX_LINE:,} characters, more than the tracker reads")
        if not line.isascii():
            try:
                line.encode("utf-8")
            except UnicodeEncodeError:  # a byte that was not UTF-8, kept as a surrogate
                raise self._not_utf8() from None
        return line

    def _not_utf8(self) -> InvalidInput:
        return InvalidInput(f"{self.name}: line {self._line}: not UTF-8 text; save the file "
                            "as CSV UTF-8")

    def _lines(self) -> Iterator[str]:
        readline, limit = self._text.readline, MAX_LINE + 1  # (runs once per line)
        while True:
            self._line += 1
            line = readline(limit)
            if len(line) == limit or not line.isascii():
                self._checked(line)
            if not line:
                return
            yield line

    def records(self) -> Iterator[tuple[int, list[str]]]:
        reader = csv.reader(self._lines(), delimiter=self.delimiter, strict=False)
        on_progress = self._on_progress
        line = 2
        with self._reading():
            for record in reader:
                start = line
                line = reader.line_num + 2
                if not (record and record[0] and not record[0].isspace()) and (
                        not any(record) or "".join(record).isspace()):
                    continue  # a blank line, or one of empty cells
                yield start, record
                if on_progress is not None and start % PROGRESS_EVERY == 0:
                    on_progress(self._counter.count)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A CSV error as a problem of the line being read."""
        try:
            yield
        except csv.Error as error:
            said = str(error)
            if "field limit" in said:
                said = f"a field is longer than {MAX_FIELD:,} characters"
            raise InvalidInput(f"{self.name}: line {self._line}: {said}") from None


@contextmanager
def open_csv(path: Path, name: str, on_progress: Progress | None) -> Iterator[CsvSheet]:
    try:
        raw = path.open("rb")
    except OSError as error:
        raise InvalidInput(f"{name}: {error.strerror}") from None
    with raw:
        if raw.seekable() and raw.read(2) in _UTF16:
            raise InvalidInput(f"{name} is UTF-16 text (Excel's 'Unicode text'): save it as "
                               "CSV UTF-8")
        if raw.seekable():
            raw.seek(0)
        counter = _CountingReader(raw, name)
        text = io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8-sig",
                                errors="surrogateescape", newline="")
        yield CsvSheet(name, counter, text, on_progress)
