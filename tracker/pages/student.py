"""A student's own progress page: printable on one sheet, the HTML part of their
reminder, and (in the portal) ``/me``."""

from __future__ import annotations

import dataclasses
import operator
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from tracker.pages import ICONS, environment, render
from tracker.standing import (
    STATUS_WORDS,
    ActivityRef,
    RequirementStanding,
    StudentProgress,
    UpcomingActivity,
    to_do_in_words,
)

_EXPLAINED = "\x00"  # where a row's own lines go between its shared parts


def student_page(progress: StudentProgress, message: str | None = None,
                 portal: str = "") -> str:
    """The page; ``message`` (a reminder's own words) on top when given, and a link to
    the portal (``portal``, its address) when there is one."""
    activities = {a.id: a for a in progress.activities}
    labels = {r.id: r.label for r in progress.requirements}
    # The rows as one piece each, every row a line (the template's loop was most of
    # the page's time in a reminder run).
    rows = Markup("".join([f"{_row(r, activities)}\n" for r in progress.requirements]))
    upcoming = Markup("".join([
        f"{_upcoming_row(a, ', '.join([labels[i] for i in a.requirements]))}\n"
        for a in progress.upcoming]))
    behind = [{"icon": ICONS[r.status], "word": STATUS_WORDS[r.status], "label": r.label}
              for r in progress.requirements if r.behind]
    return render("progress.html.j2", p=progress, rows=rows, upcoming=upcoming,
                  message=message, summary=to_do_in_words(progress), behind=behind,
                  portal=portal)


# A row's shared parts depend on every field of its requirement but the lists of what
# counted: those fields, read in one step, are the key of the rows made already.
_SHARED_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(RequirementStanding)
                                       if f.name not in ("counted", "not_counted")))
_SHARED_ROWS: dict[Any, tuple[str, str, Markup]] = {}
MOST_SHARED_ROWS = 8192


# The rows of requirements with nothing of their own, by record: students who stand
# the same share one (tracker.standing.Judged.story); the entry keeps it, so its id
# is not reused.
_ROWS_OF: dict[int, tuple[RequirementStanding, Markup]] = {}


def _row(r: RequirementStanding, activities: dict[int, ActivityRef]) -> Markup:
    if not r.counted and not r.not_counted:
        known = _ROWS_OF.get(id(r))
        if known is not None and known[0] is r:
            return known[1]
    key = _SHARED_FIELDS(r)
    shared = _SHARED_ROWS.get(key)
    if shared is None:  # (dataclasses.replace at every row took a reminder run seconds)
        if len(_SHARED_ROWS) >= MOST_SHARED_ROWS:
            _SHARED_ROWS.clear()
        before, after = _shared_row(dataclasses.replace(r, counted=(), not_counted=()))
        shared = _SHARED_ROWS[key] = (str(before), str(after), before + after)
    if not r.counted and not r.not_counted:  # nothing of its own: the row as it is
        if len(_ROWS_OF) >= MOST_SHARED_ROWS:
            _ROWS_OF.clear()
        _ROWS_OF[id(r)] = (r, shared[2])
        return shared[2]
    return Markup(f"{shared[0]}{_explained(r, activities)}{shared[1]}")


# An upcoming activity's row, by what it shows: students share them.
_UPCOMING_ROWS: dict[tuple[Any, ...], Markup] = {}


def _upcoming_row(a: UpcomingActivity, counts_for: str) -> Markup:
    """``<tr>`` of an activity coming up, as the page's template wrote it per activity."""
    key = (a.date, a.title, a.kind, counts_for)
    row = _UPCOMING_ROWS.get(key)
    if row is None:
        if len(_UPCOMING_ROWS) >= MOST_SHARED_ROWS:
            _UPCOMING_ROWS.clear()
        row = _UPCOMING_ROWS[key] = Markup(
            f'<tr><td class="date">{escape(a.date)}</td><td>{escape(a.title)} '
            f'<span class="muted">({escape(a.kind)})</span></td>'
            f"<td>{escape(counts_for)}</td></tr>")
    return row


NAMED_UP_TO = 3  # activities named with their titles; more are shown by date


def explained(r: RequirementStanding, activities: dict[int, ActivityRef]) -> Markup:
    """What counted toward a requirement, and why other activities did not: by title
    when a few, else by date (the title on hover), those not counted grouped by why, so
    that a page of twenty colloquia still prints on one sheet. (Built from escaped
    pieces rather than a template: a reminder run makes ten thousand of these.)"""
    return Markup(_explained(r, activities))


def _explained(r: RequirementStanding, activities: dict[int, ActivityRef]) -> str:
    lines = []
    if r.counted:
        lines.append(_line("Counted", [activities[i] for i in r.counted], ""))
    reasons: dict[str, list[ActivityRef]] = {}
    for n in r.not_counted:
        held = reasons.get(n.why)
        if held is None:
            reasons[n.why] = [activities[n.activity]]
        else:
            held.append(activities[n.activity])
    lines += [_line("Not counted", held, why) for why, held in reasons.items()]
    return "".join(lines)


def _line(what: str, held: list[ActivityRef], why: str) -> str:
    if len(held) <= NAMED_UP_TO:
        said = "; ".join([_named(a) for a in held])
        said = f"{what}: {said}: {_escaped(why)}" if why else f"{what}: {said}"
    else:
        dates = ", ".join([_dated(a) for a in held])
        said = f"{what} ({len(held)}, {_escaped(why)}): {dates}" if why else \
            f"{what} ({len(held)}): {dates}"
    return f'<div class="why">{said}</div>'


@lru_cache(maxsize=4096)
def _escaped(why: str) -> str:
    return str(escape(why))


@lru_cache(maxsize=4096)
def _named(a: ActivityRef) -> str:
    return f"{escape(a.title)} (<span>{a.date}</span>)"


@lru_cache(maxsize=4096)
def _dated(a: ActivityRef) -> str:
    return f'<span title="{escape(a.title)}">{a.date}</span>'


def _shared_row(r: RequirementStanding) -> tuple[Markup, Markup]:
    """A requirement's row around its own lines; students who stand the same share it
    (a reminder run over a whole programme renders each distinct row once)."""
    row = environment().get_template("progress_row.html.j2").render(
        r=r, icon=ICONS[r.status], word=STATUS_WORDS[r.status], explained=_EXPLAINED,
        percent=min(100, round(100 * r.done / r.required)) if r.required and not r.met
        else 100)
    before, after = row.split(_EXPLAINED)
    return Markup(before), Markup(after)

