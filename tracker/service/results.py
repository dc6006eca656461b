"""The result types every service shares. Each service module declares its own records
(frozen dataclasses whose fields are the JSON keys); a write returns them in a
:class:`Written`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Written(Generic[T]):
    """What a write did: the record as it now stands, and whether anything changed
    (False: it was so already, and nothing was written)."""

    record: T
    changed: bool
