"""The wording of a reminder: a Jinja2 text template with the blocks ``subject``,
``message`` and ``closing`` (and ``body`` around all of it). A coordinator's own template
extends the built-in one and replaces the blocks it wants::

    {% extends "reminder.txt.j2" %}
    {% block message %}Dear {{ first_name }}, the summer is near: ...{% endblock %}

The HTML part is the student's own progress page, with the message block on top.

A coordinator's template is not trusted: it runs in a sandbox (:mod:`.sandbox`) that
knows only the built-in reminder template, in a process of its own with bounded memory
and processor time, and every message is worded before the first one leaves, so a
template that fails for one student stops the run with one line and nothing sent.
"""

from __future__ import annotations

import functools
import signal
import stat
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from tracker import forked
from tracker.errors import InvalidInput
from tracker.pages import ICONS
from tracker.pages.sandbox import BoundedSandbox, DictKeys, render_bounded
from tracker.pages.student import student_page
from tracker.service.mail import Letter
from tracker.service.reminders import Recipient, Worded
from tracker.standing import (
    STATUS_WORDS,
    ActivityRef,
    NotCounted,
    StudentProgress,
    decision_in_words,
)
from tracker.vocabulary import RequirementStatus

R = TypeVar("R")
DEFAULT_TEMPLATE = "reminder.txt.j2"
NAMES = {"student", "name", "first_name", "email", "programme", "requirement_set", "as_of",
         "items", "overdue", "at_risk", "still_open", "upcoming", "coordinator", "gist",
         "next_deadline", "done_items", "portal"}
SECONDS_A_MESSAGE = 2  # to word one message, at most
IN_PARALLEL_FROM = 1000  # messages: fewer are worded by one process
LIMITS_MB = 512
# The three parts of a reminder in one rendering: subject, message and body, apart.
_SEPARATOR = "\x00"
_PARTS = ("{% extends reminder %}"
          "{% block subject %}{{ super() }}\x00{{ self.message() }}\x00{% endblock %}")


class ReminderWriter:
    """Words reminders with the built-in template or a coordinator's file (a
    :class:`tracker.service.reminders.ReminderWriter`). A template with a syntax error,
    an unknown name or another template's name is refused when it is read."""

    def __init__(self, template: Path | None = None, coordinator: str = "",
                 portal: str = "") -> None:
        from jinja2 import TemplateSyntaxError, meta

        self.coordinator = coordinator
        self.portal = portal  # the portal's address (`<base>/`), '' when none is set
        self.where = f"--template {template}" if template else "the reminder template"
        builtin = resources.files("tracker.pages").joinpath("templates", DEFAULT_TEMPLATE)
        sources = {DEFAULT_TEMPLATE: builtin.read_text("utf-8"), "parts": _PARTS}
        self.template = DEFAULT_TEMPLATE
        if template is not None:
            source = _read(template)
            env = BoundedSandbox(sources)
            try:
                parsed = env.parse(source)
            except TemplateSyntaxError as error:
                raise InvalidInput(f"{template}: line {error.lineno}: {error.message}") \
                    from None
            unknown = meta.find_undeclared_variables(parsed) - NAMES
            if unknown:
                raise InvalidInput(f"{template}: unknown name(s) {', '.join(sorted(unknown))}"
                                   f" (a reminder knows: {', '.join(sorted(NAMES))})")
            named = list(meta.find_referenced_templates(parsed))
            others = [name for name in named if name != DEFAULT_TEMPLATE]
            if others:
                what = "a template named by a variable" if None in others else \
                    ", ".join(f'"{name}"' for name in others)
                raise InvalidInput(f"{template}: a reminder template may use only "
                                   f"\"{DEFAULT_TEMPLATE}\", not {what}")
            if not named:
                blocks = {block.name for block in parsed.find_all(_block_node())}
                if not {"subject", "body"} <= blocks:
                    raise InvalidInput(f"{template}: a reminder template extends "
                                       f"\"{DEFAULT_TEMPLATE}\" or has the blocks subject "
                                       "and body")
            sources["coordinator"] = source
            self.template = "coordinator"
        self.sources = sources

    # --- the words, for every recipient before anything leaves -----------------------

    def word(self, recipients: Sequence[Recipient]) -> list[Worded]:
        if not recipients:
            return []
        if not forked.can_fork():  # bounded by the sandbox alone (Windows)
            return self._checked(self._word(recipients, range(len(recipients)), False))
        global _WORDING
        count = min(forked.cores(), 4) if len(recipients) >= IN_PARALLEL_FROM else 1
        _WORDING = (self, recipients)
        parts = forked.slices(len(recipients), count)
        try:
            shares = forked.in_workers(_word_part, parts, _limits(len(recipients)))
        except forked.WorkerFailed as failure:
            raise InvalidInput(f"{self.where}: the wording stopped: {failure}") from None
        finally:
            _WORDING = None
        failed = _first_failure(parts, [worded for worded, _ in shares])
        if failed is not None:
            raise InvalidInput(f"{self.where}: {failed[1]}")
        # The stories told in the children come back, so nobody tells them again.
        for recipient, story in zip(recipients, forked.merged(parts, [t for _, t in shares]),
                                    strict=True):
            recipient.__dict__["progress"] = story  # (what cached_property keeps)
        return self._checked(forked.merged(parts, [worded for worded, _ in shares]))

    def word_then(self, recipients: Sequence[Recipient],
                  then: Callable[[range, Sequence[Worded]], R],
                  parts: Sequence[range]) -> list[R]:
        """Every recipient worded by a forked process per part of ``parts``, within the
        sandbox's limits; each hands its part's words, once all are made, to
        ``then(part, worded)`` and sends back what that returns, nothing more.
        A template that fails anywhere raises (one line) once every process is done."""
        if not recipients:
            return []

        def word_part(part: range) -> tuple[tuple[int, str] | None, R | None]:
            signal.signal(signal.SIGALRM, _alarm)
            worded = self._word(recipients, part, timed=True)
            failed = _first_failure([part], [worded])
            if failed is not None:
                return failed, None
            return None, then(part, worded)  # type: ignore[arg-type]  # (no str)

        try:
            done = forked.in_workers(word_part, parts, _limits(len(recipients)))
        except forked.WorkerFailed as failure:
            raise InvalidInput(f"{self.where}: the wording stopped: {failure}") from None
        problems = [failed for failed, _ in done if failed is not None]
        if problems:
            raise InvalidInput(f"{self.where}: {min(problems)[1]}")
        return [then_said for _, then_said in done]  # type: ignore[misc]  # (none failed)

    def _checked(self, worded: list[Worded | str]) -> list[Worded]:
        problems = [w for w in worded if isinstance(w, str)]
        if problems:
            raise InvalidInput(f"{self.where}: {problems[0]}")
        return worded  # type: ignore[return-value]  # (none is a problem)

    def _word(self, recipients: Sequence[Recipient], part: range,
              timed: bool) -> list[Worded | str]:
        """The words of the recipients ``part`` takes; at the first that fails, why (in
        words, naming the student) instead."""
        render = self._renderer()
        worded: list[Worded | str] = []
        for recipient in forked.pick(recipients, part):
            context = reminder_context(recipient.progress, recipient.email, self.coordinator,
                                       self.portal)
            try:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, SECONDS_A_MESSAGE)
                subject, message, text = render(context)
            except RecursionError:
                return [*worded, f"for {recipient.student}: the template calls "
                                 "itself without end"]
            except Exception as error:
                return [*worded, _failure(recipient, error)]
            finally:
                if timed:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            worded.append(Worded(" ".join(subject.split()), text.strip() + "\n",
                                 message.strip(), tuple(i["id"] for i in context["items"])))
        return worded

    def _renderer(self) -> Callable[[dict[str, Any]], tuple[str, str, str]]:
        """The subject, message and body of a reminder from its context: the built-in
        template's own road when it is the one in use, else the sandbox's."""
        return _built_in_parts() if self.template == DEFAULT_TEMPLATE else \
            self._sandboxed_parts()

    def _sandboxed_parts(self) -> Callable[[dict[str, Any]], tuple[str, str, str]]:
        """The subject, message and body of a reminder as the template (a coordinator's,
        or the built-in one as a coordinator's template sees it) words them: in the
        sandbox, bounded, in one rendering."""
        parts = BoundedSandbox(self.sources).get_template("parts")
        template = self.template

        def render(context: dict[str, Any]) -> tuple[str, str, str]:
            context["reminder"] = template
            pieces = render_bounded(parts, context).split(_SEPARATOR)
            if len(pieces) != 3:  # (it would move words from one part into another)
                raise ValueError("the template writes a NUL character, which no part of "
                                 "a message may hold")
            subject, message, text = pieces
            return subject, message, text

        return render

    # --- the message -------------------------------------------------------------------

    def letter(self, recipient: Recipient, worded: Worded) -> Letter:
        return Letter(recipient.name, recipient.email, worded.subject, worded.text,
                      student_page(recipient.progress, worded.message, self.portal),
                      recipient.student)


class _TooLong(Exception):
    def __str__(self) -> str:
        return f"it took longer than {SECONDS_A_MESSAGE} s to word one message"


def _alarm(_signal: int, _frame: Any) -> None:
    raise _TooLong


def _limits(messages: int) -> forked.Limits:
    """What the processes that word ``messages`` messages may each use."""
    seconds = 30 + messages * SECONDS_A_MESSAGE // 100
    return forked.Limits(LIMITS_MB, seconds, wall_seconds=2 * seconds)


# What the processes that word a run share: set before they fork.
_WORDING: tuple[ReminderWriter, Sequence[Recipient]] | None = None


def _word_part(part: range) -> tuple[list[Worded | str], list[StudentProgress]]:
    """The words of a part of the recipients, and the stories told to make them."""
    assert _WORDING is not None
    writer, recipients = _WORDING
    signal.signal(signal.SIGALRM, _alarm)
    worded = writer._word(recipients, part, timed=True)
    return worded, [r.progress for r in forked.pick(recipients, part)[:len(worded)]]


def _first_failure(parts: Sequence[range], shares: Sequence[list[Worded | str]]) \
        -> tuple[int, str] | None:
    """Where the first student in the recipients' order failed, and why: each part
    stops at its first failure (its last entry, then why in words), and the parts
    interleave, so the first of a part need not be the first of all."""
    failed = [(part[len(worded) - 1], worded[-1]) for part, worded in zip(parts, shares,
                                                                            strict=True)
              if worded and isinstance(worded[-1], str)]
    return min(failed) if failed else None


def _failure(recipient: Recipient, error: Exception) -> str:
    """A template's failure for one student, in words, with its line when known."""
    line = None
    traceback = error.__traceback__
    while traceback is not None:  # Jinja2 puts the template's lines in the traceback
        if traceback.tb_frame.f_code.co_filename in ("<template>", "coordinator"):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    what = str(error) or type(error).__name__
    if isinstance(error, MemoryError):
        what = "it needs more memory than a message may use"
    where = f", line {line}" if line else ""
    return f"for {recipient.student}{where}: {what}"


@functools.cache
def _built_in_parts() -> Callable[[dict[str, Any]], tuple[str, str, str]]:
    """The subject, message and body of a reminder in the built-in wording, the same
    text as :meth:`ReminderWriter._sandboxed_parts` makes of it (a test holds them
    equal), each block rendered by itself. The template is ours, so it needs neither
    the sandbox's checks nor its bounds (the process's limits still hold); a rendering
    of the sandbox's ``parts`` cost a context of its own, two calls through the sandbox
    (``super()`` and ``self.message()``) and a check of every filter's result, which
    was most of a reminder's wording."""
    from jinja2 import DictLoader, Environment, StrictUndefined

    class Trusted(DictKeys, Environment):
        pass

    source = resources.files("tracker.pages").joinpath("templates", DEFAULT_TEMPLATE)
    env = Trusted(loader=DictLoader({DEFAULT_TEMPLATE: source.read_text("utf-8")}),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                  autoescape=False, auto_reload=False)
    template = env.get_template(DEFAULT_TEMPLATE)
    subject, message, body = (template.blocks[name] for name in ("subject", "message",
                                                                  "body"))
    join = "".join

    def render(context: dict[str, Any]) -> tuple[str, str, str]:
        blocks = template.new_context(context, shared=True)  # (no globals: none is used)
        return join(subject(blocks)), join(message(blocks)), join(body(blocks))

    return render


def _block_node() -> Any:
    from jinja2 import nodes

    return nodes.Block


# A template is a few kilobytes; a device or a runaway file is refused before it is read.
TEMPLATE_MAX_BYTES = 1_000_000


def _read(path: Path) -> str:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise InvalidInput(f"{path}: not a file (a reminder template is a text file)")
        with path.open("rb") as file:
            data = file.read(TEMPLATE_MAX_BYTES + 1)
        if len(data) > TEMPLATE_MAX_BYTES:
            raise InvalidInput(f"{path}: a reminder template has at most "
                               f"{TEMPLATE_MAX_BYTES:,} bytes; this one has more")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror}") from None


def reminder_context(progress: StudentProgress, email: str, coordinator: str,
                     portal: str = "") -> dict[str, Any]:
    """What a reminder template can use (see :data:`NAMES`): plain strings, numbers,
    dates, lists and dicts, nothing with methods of its own."""
    told = {a.id: _told(a) for a in progress.activities}

    def not_counted(n: NotCounted) -> str:
        lines = told[n.activity][1]
        line = lines.get(n.why)
        if line is None:
            line = lines[n.why] = f"{told[n.activity][0]}: {n.why}"
        return line

    items = [{"id": r.id, "label": r.label, "status": STATUS_WORDS[r.status],
              "icon": ICONS[r.status], "done": r.done, "required": r.required,
              "remaining": r.remaining, "due": r.due, "scheduled": r.scheduled,
              "why": r.sentence, "decision": decision_in_words(r.assignment_status,
                                                               r.feedback),
              "counted": [told[i][0] for i in r.counted],
              "not_counted": [not_counted(n) for n in r.not_counted]}
             for r in progress.requirements if r.blocking]
    labels = {r.id: r.label for r in progress.requirements}
    overdue = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.OVERDUE]]
    at_risk = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.AT_RISK]]
    still_open = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.OPEN]]
    coming = [r.due for r in progress.requirements
              if r.blocking and r.status != RequirementStatus.OVERDUE]
    next_deadline = min(coming) if coming else None
    return {
        "student": progress.student, "name": progress.name,
        "first_name": progress.name.split()[0], "email": email,
        "programme": progress.programme, "requirement_set": progress.requirement_set_label,
        "as_of": progress.as_of, "items": items, "overdue": overdue, "at_risk": at_risk,
        "still_open": still_open, "coordinator": coordinator, "portal": portal,
        "next_deadline": next_deadline,
        "done_items": [r.label if r.status == RequirementStatus.DONE else
                       f"{r.label} ({r.sentence})"
                       for r in progress.requirements if r.met],
        "upcoming": [{"date": a.date, "title": a.title, "kind": a.kind,
                      "counts_for": ", ".join(labels[i] for i in a.requirements)}
                     for a in progress.upcoming],
        "gist": _gist(len(overdue), len(at_risk), len(still_open), next_deadline),
    }


# An activity as a reminder names it, "title (date)", and its lines "title (date): why"
# by why; by the activity's record (the same for every student of a run, see
# tracker.standing.Judged), which the entry keeps so that its id is not reused.
_TOLD: dict[int, tuple[ActivityRef, tuple[str, dict[str, str]]]] = {}
MOST_TOLD = 8192


def _told(activity: ActivityRef) -> tuple[str, dict[str, str]]:
    entry = _TOLD.get(id(activity))
    if entry is None or entry[0] is not activity:
        if len(_TOLD) >= MOST_TOLD:
            _TOLD.clear()
        entry = _TOLD[id(activity)] = (activity, (f"{activity.title} ({activity.date})", {}))
    return entry[1]


def _gist(overdue: int, at_risk: int, still_open: int, next_deadline: Any) -> str:
    """The subject's point, in a few words."""
    def items(n: int) -> str:
        return f"{n} item{'s' if n != 1 else ''}"

    if overdue:
        return f"{items(overdue)} overdue" + (f", {at_risk} at risk" if at_risk else "")
    if at_risk:
        return f"{items(at_risk)} at risk, next deadline {next_deadline}"
    return f"{items(still_open)} still to do, next deadline {next_deadline}"
