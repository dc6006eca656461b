"""Whose rows a read wants: :class:`Which`, a condition on students and the values it binds.

The reads behind progress and reports keep the statement they build for a condition
(:func:`tracker.db.statements.kept`): the same condition object again, as
:func:`one_student` gives at every request of a student's page, builds nothing and
computes no cache key, which for one student's few rows costs several times what
running the statement does. A condition made for one report is simply built once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, bindparam

from tracker.db.models import Student

NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class Which(NamedTuple):
    """``condition`` on :class:`Student` (joined by every read), and the values of the
    parameters it leaves unbound."""

    condition: ColumnElement[bool]
    values: Mapping[str, Any] = NO_VALUES

    def bound(self, **more: Any) -> dict[str, Any]:
        """The values for a statement over this condition, with the statement's own."""
        return {**self.values, **more}


# Built once: the reads over it are built once too.
_ONE_STUDENT = Student.number == bindparam("which_number")
_ONE_STUDENT_ID = Student.id == bindparam("which_id")


def one_student(number: str) -> Which:
    """The student of this (normalised) number: one, or nobody."""
    return Which(_ONE_STUDENT, {"which_number": number})


def one_student_id(student_id: int) -> Which:
    return Which(_ONE_STUDENT_ID, {"which_id": student_id})
