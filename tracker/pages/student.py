"""A student's own progress page: printable, and the HTML part of a reminder."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from tracker.pages import environment, render
from tracker.service.progress import RequirementView, StudentProgress
from tracker.vocabulary import RequirementStatus
from tracker.wording import ICONS, STATUS_WORDS, in_words


def student_page(progress: StudentProgress, message: str | None = None) -> str:
    labels = {r.id: r.label for r in progress.requirements}
    rows = [_row(r) for r in progress.requirements]
    blocking = [r for r in progress.requirements
                if r.status != RequirementStatus.DONE and not r.optional]
    behind = [r for r in blocking if r.status in (RequirementStatus.AT_RISK,
                                                  RequirementStatus.OVERDUE)]
    upcoming = [{"date": a.date, "title": a.title, "kind": a.kind,
                 "counts_for": ", ".join(labels[i] for i in a.requirements)}
                for a in progress.upcoming]
    return render("progress.html.j2", p=progress, rows=rows, blocking=len(blocking),
                  behind=len(behind), upcoming=upcoming, message=message)


@lru_cache(maxsize=8192)
def _row(r: RequirementView) -> Markup:
    """A requirement's row; students with the same standing share it (a reminder run
    over a whole programme renders each distinct row once)."""
    return Markup(environment().get_template("progress_row.html.j2").render(r={
        "id": r.id, "label": r.label, "optional": r.optional, "kind": r.kind,
        "done": r.done, "required": r.required, "due": r.due, "status": r.status.value,
        "icon": ICONS[r.status], "word": STATUS_WORDS[r.status], "why": in_words(r),
        "percent": min(100, round(100 * r.done / r.required)) if r.required else 100,
        "counted": r.counted, "not_counted": r.not_counted,
        "decision": (f"{r.assignment_status}" + (f", feedback: {r.feedback}" if r.feedback
                                                  else ""))
        if r.assignment_status not in (None, "none") else ""}))
