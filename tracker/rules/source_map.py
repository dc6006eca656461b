"""Where a table or key is in a rules file's text: the line a problem is reported on."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


class SourceMap:
    """Finds the line of a table or key in the TOML text, for error messages.

    ``tomllib`` keeps no positions, so tables are located by their headers: the n-th
    ``[[set]]``, the m-th ``[[set.requirement]]`` after it, ``[kinds.x]``, and a key as
    the first ``key =`` line inside a table's span.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # (line number, header name, is array) for every table header
        self.headers: list[tuple[int, str, bool]] = []
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match and not line.lstrip().startswith("#"):
                name = re.sub(r"\s*\.\s*", ".", match.group(2).replace('"', ""))
                self.headers.append((number, name, match.group(1) == "[["))

    def table(self, name: str, occurrence: int = 0, after: int = 0) -> int:
        found = [n for n, header, _ in self.headers if header == name and n > after]
        return found[occurrence] if occurrence < len(found) else 0

    def set_line(self, index: int) -> int:
        return self.table("set", index)

    def requirement_line(self, set_index: int, index: int) -> int:
        return self.table("set.requirement", index, after=self.set_line(set_index))

    def key(self, table_line: int, key: str) -> int:
        """The line of ``key = ...`` in the table starting at ``table_line``."""
        end = next((n for n, _, _ in self.headers if n > table_line), len(self.lines) + 1)
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number in range(table_line + 1, end):
            if pattern.match(self.lines[number - 1]):
                return number
        return table_line


@dataclass
class Problems:
    """Every problem found, with its line (0: no line; the file as a whole)."""

    items: list[tuple[int, str]]

    def add(self, line: int, message: str) -> None:
        self.items.append((line, message))

