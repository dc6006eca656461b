"""The wording of a reminder: a Jinja2 text template with the blocks ``subject``,
``message`` and ``closing`` (and ``body`` around all of it). A coordinator's own template
extends the built-in one and replaces the blocks it wants::

    {% extends "reminder.txt.j2" %}
    {% block message %}Dear {{ first_name }}, the summer is near: ...{% endblock %}

The HTML part is the student's own progress page, with the message block on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import InvalidInput
from tracker.service.progress import StudentProgress
from tracker.vocabulary import RequirementStatus
from tracker.wording import ICONS, STATUS_WORDS, in_words

DEFAULT_TEMPLATE = "reminder.txt.j2"
NAMES = {"student", "name", "first_name", "email", "programme", "requirement_set", "as_of",
         "items", "overdue", "at_risk", "still_open", "upcoming", "coordinator", "gist",
         "next_deadline"}
# The three parts of a reminder in one rendering: subject, message and body, apart.
_SEPARATOR = "\x00"
_PARTS = ("{% extends reminder %}"
          "{% block subject %}{{ super() }}\x00{{ self.message() }}\x00{% endblock %}")


@dataclass(frozen=True)
class Wording:
    subject: str
    text: str
    message: str  # the coordinator's words, for the top of the HTML part
    named: tuple[str, ...]  # the requirements the message names


class Composer:
    """Renders reminders with the built-in template or a coordinator's file; a template
    with a syntax error or an unknown name is refused before any message is made."""

    def __init__(self, template: Path | None = None) -> None:
        from jinja2 import ChoiceLoader, DictLoader, TemplateSyntaxError, meta

        from tracker.pages import environment

        base = environment()
        sources = {"parts": _PARTS}
        self.template = DEFAULT_TEMPLATE
        if template is not None:
            source = _read(template)
            try:
                parsed = base.parse(source)
            except TemplateSyntaxError as error:
                raise InvalidInput(f"{template}: line {error.lineno}: {error.message}") \
                    from None
            unknown = meta.find_undeclared_variables(parsed) - NAMES
            if unknown:
                raise InvalidInput(f"{template}: unknown name(s) {', '.join(sorted(unknown))}"
                                   f" (a reminder knows: {', '.join(sorted(NAMES))})")
            if not any(True for _ in meta.find_referenced_templates(parsed)):
                names = {block.name for block in parsed.find_all(_block_node())}
                if not {"subject", "body"} <= names:
                    raise InvalidInput(f"{template}: a reminder template extends "
                                       f"\"{DEFAULT_TEMPLATE}\" or has the blocks subject "
                                       "and body")
            sources["coordinator"] = source
            self.template = "coordinator"
        assert base.loader is not None
        self.env = base.overlay(loader=ChoiceLoader([DictLoader(sources), base.loader]),
                                autoescape=False)
        self.parts = self.env.get_template("parts")

    def compose(self, progress: StudentProgress, email: str, coordinator: str) -> Wording:
        context = reminder_context(progress, email, coordinator)
        context["reminder"] = self.template
        subject, message, text = self.parts.render(context).split(_SEPARATOR, 2)
        return Wording(" ".join(subject.split()), text.strip() + "\n", message.strip(),
                       tuple(item["id"] for item in context["items"]))


def _block_node() -> Any:
    from jinja2 import nodes

    return nodes.Block


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise InvalidInput(f"{path}: {error.strerror}") from None


def reminder_context(progress: StudentProgress, email: str, coordinator: str) \
        -> dict[str, Any]:
    """What a reminder template can use (see :data:`NAMES`)."""
    items = [{"id": r.id, "label": r.label, "status": STATUS_WORDS[r.status],
              "icon": ICONS[r.status], "done": r.done, "required": r.required,
              "remaining": r.remaining, "due": r.due, "scheduled": r.scheduled,
              "why": in_words(r)}
             for r in progress.requirements
             if r.status != RequirementStatus.DONE and not r.optional]
    labels = {r.id: r.label for r in progress.requirements}
    overdue = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.OVERDUE]]
    at_risk = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.AT_RISK]]
    still_open = [i for i in items if i["status"] == STATUS_WORDS[RequirementStatus.OPEN]]
    coming = [r.due for r in progress.requirements
              if r.status in (RequirementStatus.OPEN, RequirementStatus.AT_RISK)
              and not r.optional]
    next_deadline = min(coming) if coming else None
    return {
        "student": progress.student, "name": progress.name,
        "first_name": progress.name.split()[0], "email": email,
        "programme": progress.programme, "requirement_set": progress.requirement_set_label,
        "as_of": progress.as_of, "items": items, "overdue": overdue, "at_risk": at_risk,
        "still_open": still_open, "coordinator": coordinator,
        "next_deadline": next_deadline,
        "upcoming": [{"date": a.date, "title": a.title, "kind": a.kind,
                      "counts_for": ", ".join(labels[i] for i in a.requirements)}
                     for a in progress.upcoming],
        "gist": _gist(overdue, at_risk, still_open, next_deadline),
    }


def _gist(overdue: list[Any], at_risk: list[Any], still_open: list[Any],
          next_deadline: Any) -> str:
    """The subject's point, in a few words."""
    def items(n: int) -> str:
        return f"{n} item{'s' if n != 1 else ''}"

    if overdue:
        said = f"{items(len(overdue))} overdue"
        if at_risk:
            said += f", {len(at_risk)} at risk"
        return said
    if at_risk:
        return f"{items(len(at_risk))} at risk, next deadline {next_deadline}"
    return f"{items(len(still_open))} still to do, next deadline {next_deadline}"
