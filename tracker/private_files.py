"""What the tracker writes holds personal data (names, numbers, progress): a file it
creates is readable by its owner only, as the database is. A file that exists keeps
the permissions its owner gave it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TextIO

_PRIVATE = 0o600


def write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def open_private(path: Path, append: bool = False, encoding: str = "utf-8",
                 newline: str | None = None) -> TextIO:
    """``path`` opened for writing text, replaced or added to."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    descriptor = os.open(path, flags, _PRIVATE)
    return open(descriptor, "a" if append else "w", encoding=encoding,
                newline=newline)
