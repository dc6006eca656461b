"""``tracker progress``: one student's whole story on a day (see :mod:`tracker.standing`)."""

from __future__ import annotations

from datetime import date

from tracker import fields
from tracker.db import claims, students
from tracker.db.engine import Database
from tracker.db.which import one_student
from tracker.errors import NoRequirementSet, NotFound
from tracker.service.assessment import assess, told
from tracker.service.rules import rules_in_force
from tracker.standing import StudentProgress, with_pending_claims


def student_progress(db: Database, number: str, as_of: date | None = None) -> StudentProgress:
    """What student ``number`` has done on ``as_of`` (default today), what remains, why,
    and what is coming up that counts."""
    day = as_of or date.today()
    with db.transaction(read_only=True) as session:
        in_force = rules_in_force(session)
        normal = fields.student_number(number, in_force.book)
        which = one_student(normal)
        found = list(assess(session, in_force, which, day))
        if not found:  # why, in words (erased, or no students at all, or not registered)
            students.require(session, normal)
            raise NotFound(f"no student {normal}")
        [assessed] = found
        if assessed.progress is None:
            raise NoRequirementSet(assessed.problem or "no requirement set applies")
        [progress] = told(session, in_force, [assessed], which)
        waiting = [kind for kind, _day in claims.pending_kinds(session, assessed.student.id)]
        counts = {r.id: getattr(r, "kinds", ())
                  for r in assessed.progress.requirement_set.requirements}
        return with_pending_claims(progress, counts, waiting)
