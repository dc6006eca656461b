"""A student's own progress page: printable on one sheet, the HTML part of their
reminder, and (in the portal) ``/me``."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

from markupsafe import Markup, escape

from tracker.pages import ICONS, environment
from tracker.standing import (
    STATUS_WORDS,
    ActivityRef,
    NotCounted,
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
    requirements = progress.requirements
    # The rows as one piece each, every row a line (the template's loop was most of
    # the page's time in a reminder run).
    rows = Markup("".join([_row(r, activities) for r in requirements]))
    upcoming = _upcoming(progress) if progress.upcoming else Markup()
    page = _Page(progress, rows, upcoming, message, _summary(progress),
                 tuple([r for r in requirements if r.behind]), portal)
    template = _template()
    key = (template, page.shape())
    try:
        skeleton = _SKELETONS[key]
    except KeyError:
        if len(_SKELETONS) >= MOST_SKELETONS:
            _SKELETONS.clear()
        return _first_of_its_shape(template, page, key)
    if skeleton is None:  # the template does more with a value than print it
        return str(template.render(page.context()))
    return _filled(skeleton, page)


def _filled(skeleton: _Skeleton, page: _Page) -> str:
    return skeleton.filled([escaped(value(page)) for value, escaped in skeleton.values])


def _first_of_its_shape(template: Any, page: _Page, key: tuple[Any, ...]) -> str:
    """The first page of a shape, rendered whole; its skeleton is kept only when it
    makes exactly that page. A stand-in raises when the template compares it, loops
    over it or makes it a string, but a filter on a block, a captured block or a test
    of its type would see the stand-in and say something else of it without raising:
    such a template's pages are all rendered whole."""
    whole = str(template.render(page.context()))
    skeleton = _skeleton(template, page)
    _SKELETONS[key] = skeleton if skeleton is not None and \
        _filled(skeleton, page) == whole else None
    return whole


def _upcoming(progress: StudentProgress) -> Markup:
    labels = {r.id: r.label for r in progress.requirements}
    return Markup("".join([
        f"{_upcoming_row(a, ', '.join([labels[i] for i in a.requirements]))}\n"
        for a in progress.upcoming]))


# The page's template, with the environment it came from: asked of the environment at
# every page it was a seventh of the page's own time. (A test's environment of its own
# is another environment, so its template is asked for.)
_TEMPLATE: list[Any] = [None, None]


def _template() -> Any:
    env = environment()
    if _TEMPLATE[0] is not env:
        _TEMPLATE[:] = env, env.get_template(PAGE)
    return _TEMPLATE[1]


# What is left to do in words depends only on whether the student is complete and on
# each requirement's status and whether it blocks: students share a few dozen.
_WHAT_SUMMARY_SAYS = operator.attrgetter("status", "blocking")
_SUMMARIES: dict[tuple[Any, ...], str] = {}
MOST_SUMMARIES = 4096


def _summary(progress: StudentProgress) -> str:
    key = (progress.complete, *map(_WHAT_SUMMARY_SAYS, progress.requirements))
    summary = _SUMMARIES.get(key)
    if summary is None:
        if len(_SUMMARIES) >= MOST_SUMMARIES:
            _SUMMARIES.clear()
        summary = _SUMMARIES[key] = to_do_in_words(progress)
    return summary


PAGE = "progress.html.j2"


class _Page(NamedTuple):  # (a frozen dataclass took three times as long to make)
    """What the page's template is given of one student, before it is a context."""

    p: StudentProgress
    rows: Markup
    upcoming: Markup
    message: str | None
    summary: str
    behind: tuple[RequirementStanding, ...]
    portal: str

    def shape(self) -> tuple[Any, ...]:
        """What the template decides on: two pages of one shape differ only in the
        values they print (:func:`_skeleton` holds it to that)."""
        p = self.p
        return (p.active, p.complete, tuple([r.status for r in self.behind]),
                self.message is None, bool(self.message), bool(self.upcoming),
                bool(self.portal))

    def context(self) -> dict[str, Any]:
        return {"p": self.p, "rows": self.rows, "upcoming": self.upcoming,
                "message": self.message, "summary": self.summary,
                "behind": [_behind(r.status, r.label) for r in self.behind],
                "portal": self.portal}


def _behind(status: Any, label: Any) -> dict[str, Any]:
    return {"icon": ICONS[status], "word": STATUS_WORDS[status], "label": label}


# --- the page's skeleton -----------------------------------------------------------------
# Rendering the template was most of a page's time: a new context, and an attribute
# look-up and an escape per value, for pages that differ from one another only in a
# dozen values. So the template is rendered once per shape of page (_Page.shape) with
# a stand-in for each of those values, and a student's page is that text with their
# values, escaped as {{ }} escapes them, where the stand-ins were. The text still comes
# from the template: what it says is what every page says.


@dataclasses.dataclass(frozen=True, slots=True)
class _Skeleton:
    pieces: tuple[str, ...]  # the page's text around the values it prints
    # each value once (a name shows twice), and how it is escaped
    values: tuple[tuple[Callable[[_Page], Any], Callable[[Any], Markup]], ...]
    printed: tuple[int, ...]  # which value goes between each two pieces

    def filled(self, values: list[Markup]) -> str:
        # (str.format of the whole text took as long as the template's render)
        text: list[Any] = [*self.pieces, *self.printed]
        text[::2] = self.pieces
        text[1::2] = map(values.__getitem__, self.printed)
        return "".join(text)


class _NotJustPrinted(Exception):
    """The template did more with a student's value than print it."""


class _Slot:
    """Where a student's value goes in the skeleton. It can be printed, and tested when
    the shape holds its truth (``truth``); most else, a filter on it, a comparison, a
    loop, raises. What does not raise (a filter on a whole block, a test of its type)
    is caught by :func:`_first_of_its_shape`, which keeps a skeleton only when it makes
    its first page exactly as the template does."""

    __slots__ = ("at", "truth")

    def __init__(self, at: int, truth: bool | None) -> None:
        self.at, self.truth = at, truth

    def __html__(self) -> str:  # how {{ }} prints it, escaped
        return f"\x00{self.at}\x00"

    def __bool__(self) -> bool:
        if self.truth is None:
            raise _NotJustPrinted
        return self.truth

    def __str__(self) -> str:
        raise _NotJustPrinted

    def __eq__(self, other: object) -> bool:
        raise _NotJustPrinted

    __hash__ = None  # type: ignore[assignment]


class _Slots:
    def __init__(self) -> None:
        self.values: list[tuple[Callable[[_Page], Any], Callable[[Any], Markup]]] = []
        self._at: dict[str, int] = {}

    def slot(self, value: str, truth: bool | None = None) -> _Slot:
        """The slot of ``value``, a dotted path in a _Page: one for all its places."""
        at = self._at.get(value)
        if at is None:
            at = self._at[value] = len(self.values)
            self.values.append((_value(value), _ESCAPED.get(value, _escaped_value)))
        return _Slot(at, truth)


# Most of what a page prints, the programme, the date, the summary, a label, is what the
# page before printed: escaped once each (an escape was a tenth of a page). The rows are
# escaped already (Markup: an escape would only copy them), and far too many to keep.
_escaped_value = lru_cache(maxsize=4096, typed=True)(escape)
_ESCAPED: dict[str, Callable[[Any], Markup]] = {"rows": Markup.__html__,
                                                "upcoming": Markup.__html__}


def _value(path: str) -> Callable[[_Page], Any]:
    attribute, _, place = path.partition("#")  # behind#0.label: behind[0].label
    if not place:
        return operator.attrgetter(attribute)
    at, name = place.split(".")
    of = operator.attrgetter(name)
    return lambda page: of(getattr(page, attribute)[int(at)])


class _Record:
    """The student in the skeleton: the fields the shape holds (``held``) as they are,
    every other a slot."""

    __slots__ = ("_held", "_real", "_slots")

    def __init__(self, real: StudentProgress, held: tuple[str, ...], slots: _Slots) -> None:
        self._real, self._held, self._slots = real, held, slots

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._real, name)  # a field it has not is undefined, as on a page
        if name in self._held:
            return value
        return self._slots.slot(f"p.{name}")


_SHAPE_OF_P = ("active", "complete")  # the fields of p in _Page.shape


def _skeleton(template: Any, page: _Page) -> _Skeleton | None:
    """The page of ``page``'s shape around the values it prints; None when the template
    does more with one of them than print it (then each page of that shape is rendered
    whole)."""
    slots = _Slots()
    stand_in = {
        "p": _Record(page.p, _SHAPE_OF_P, slots),
        "rows": slots.slot("rows"),
        "upcoming": slots.slot("upcoming", bool(page.upcoming)),
        "message": slots.slot("message", bool(page.message)),
        "summary": slots.slot("summary"),
        "behind": [_behind(r.status, slots.slot(f"behind#{at}.label"))
                   for at, r in enumerate(page.behind)],
        "portal": slots.slot("portal", bool(page.portal)),
    }
    try:
        text = template.render(stand_in)
    except Exception:  # whatever a stand-in could not stand for
        return None
    pieces = text.split("\x00")
    printed = pieces[1::2]
    if len(pieces) % 2 == 0 or not all(at.isdigit() and int(at) < len(slots.values)
                                       for at in printed):
        return None  # a NUL of the template's own
    return _Skeleton(tuple(pieces[::2]), tuple(slots.values), tuple(map(int, printed)))


_SKELETONS: dict[tuple[Any, ...], _Skeleton | None] = {}
MOST_SKELETONS = 1024


# A row's shared parts depend on every field of its requirement but the lists of what
# counted: those fields, read in one step, are the key of the rows made already.
_SHARED_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(RequirementStanding)
                                       if f.name not in ("counted", "not_counted")))
_SHARED_ROWS: dict[Any, tuple[str, str, str]] = {}
MOST_SHARED_ROWS = 8192


# The rows of requirements with nothing of their own, by record: students who stand
# the same share one (tracker.standing.Judged.story); the entry keeps it, so its id
# is not reused.
_ROWS_OF: dict[int, tuple[RequirementStanding, str]] = {}


def _row(r: RequirementStanding, activities: dict[int, ActivityRef]) -> str:
    """The row of ``r``, escaped, and its line's end."""
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
        shared = _SHARED_ROWS[key] = (str(before), f"{after}\n", f"{before}{after}\n")
    if not r.counted and not r.not_counted:  # nothing of its own: the row as it is
        if len(_ROWS_OF) >= MOST_SHARED_ROWS:
            _ROWS_OF.clear()
        _ROWS_OF[id(r)] = (r, shared[2])
        return shared[2]
    return f"{shared[0]}{_explained(r, activities)}{shared[1]}"


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
    get = activities.__getitem__
    counted = ""
    if r.counted:
        named = tuple(map(get, r.counted))
        key = tuple(map(id, named))
        known = _COUNTED_LINES.get(key)
        if known is None:
            if len(_COUNTED_LINES) >= MOST_LINES:
                _COUNTED_LINES.clear()
            known = _COUNTED_LINES[key] = (
                named, _line("Counted", [_said_of(a) for a in named], ""))
        counted = known[1]
    if not r.not_counted:
        return counted
    not_counted = r.not_counted
    named = tuple(map(get, map(_ACTIVITY, not_counted)))
    key = (*map(id, not_counted), *map(id, named))
    known_not = _NOT_COUNTED_LINES.get(key)
    if known_not is None:
        if len(_NOT_COUNTED_LINES) >= MOST_LINES:
            _NOT_COUNTED_LINES.clear()
        reasons: dict[str, list[_Said]] = {}
        for n, a in zip(not_counted, named, strict=True):
            said = _said_of(a)
            held = reasons.get(n.why)
            if held is None:
                reasons[n.why] = [said]
            else:
                held.append(said)
        known_not = _NOT_COUNTED_LINES[key] = (
            not_counted, named,
            "".join([_line("Not counted", held, why) for why, held in reasons.items()]))
    return f"{counted}{known_not[2]}"


# A requirement's lines, by the records they name: the same few hundred reasons and
# groups of activities come back student after student (the records are one per
# activity and reason in a run, tracker.standing.Judged). Keyed by the records' ids,
# each entry keeping its records so that no id of its key is reused while it is kept.
_ACTIVITY = operator.attrgetter("activity")
_COUNTED_LINES: dict[tuple[int, ...], tuple[tuple[ActivityRef, ...], str]] = {}
_NOT_COUNTED_LINES: dict[tuple[int, ...], tuple[tuple[NotCounted, ...],
                                                tuple[ActivityRef, ...], str]] = {}
MOST_LINES = 32768


def _line(what: str, held: list[_Said], why: str) -> str:
    if len(held) <= NAMED_UP_TO:
        said = "; ".join([a[1] for a in held])
        said = f"{what}: {said}: {_escaped(why)}" if why else f"{what}: {said}"
    else:
        dates = ", ".join([a[2] for a in held])
        said = f"{what} ({len(held)}, {_escaped(why)}): {dates}" if why else \
            f"{what} ({len(held)}): {dates}"
    return f'<div class="why">{said}</div>'


@lru_cache(maxsize=4096)
def _escaped(why: str) -> str:
    return str(escape(why))


_Said = tuple[ActivityRef, str, str]
"""An activity, and how a page names it: by title (and date), by date (the title on
hover); escaped."""

# By record: a run's stories share one record per activity (tracker.standing.Judged),
# and the entry keeps it, so its id is not reused. (An lru_cache hashed every field of
# the activity at each of its mentions.)
_SAID: dict[int, _Said] = {}
MOST_SAID = 8192


def _said_of(a: ActivityRef) -> _Said:
    said = _SAID.get(id(a))
    if said is None or said[0] is not a:
        if len(_SAID) >= MOST_SAID:
            _SAID.clear()
        title = escape(a.title)
        said = _SAID[id(a)] = (a, f"{title} (<span>{a.date}</span>)",
                               f'<span title="{title}">{a.date}</span>')
    return said


def _shared_row(r: RequirementStanding) -> tuple[Markup, Markup]:
    """A requirement's row around its own lines; students who stand the same share it
    (a reminder run over a whole programme renders each distinct row once)."""
    row = environment().get_template("progress_row.html.j2").render(
        r=r, icon=ICONS[r.status], word=STATUS_WORDS[r.status], explained=_EXPLAINED,
        percent=min(100, round(100 * r.done / r.required)) if r.required and not r.met
        else 100)
    before, after = row.split(_EXPLAINED)
    return Markup(before), Markup(after)

