"""Presentation: self-contained HTML pages (the cohort report, a student's own progress
page) and the wording of reminders (:mod:`.reminder`), all reading the read model of
:mod:`tracker.standing`.

Templates are Jinja2 files in ``templates/``; every style and script is inlined and
nothing is fetched from the network, so a page opens from an e-mail attachment or a USB
stick. Jinja2 is imported only by the commands that write a page.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from tracker.vocabulary import RequirementStatus

if TYPE_CHECKING:
    from jinja2 import Environment
    from markupsafe import Markup

ICONS = {RequirementStatus.DONE: "✓", RequirementStatus.OPEN: "○",
         RequirementStatus.AT_RISK: "⚠", RequirementStatus.OVERDUE: "✗",
         RequirementStatus.WAIVED: "✓"}
"""Beside every status's colour and word: colour never carries meaning alone."""


@cache
def environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    # Pages (*.html.j2) escape every value; the text of e-mails (*.txt.j2) does not.
    env = Environment(loader=PackageLoader("tracker.pages", "templates"),
                      autoescape=select_autoescape(["html", "html.j2"], default=False),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)  # the package's templates do not change under us
    env.globals["vendor"] = vendor
    env.globals["stylesheet"] = stylesheet
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@cache
def vendor(name: str) -> str:
    """A vendored script, to inline in a page (see ``vendor/README.md``)."""
    text = resources.files("tracker.pages").joinpath("vendor", name).read_text("utf-8")
    return text.replace("</script", "<\\/script")  # it cannot end the <script> early


@cache
def stylesheet() -> Markup:
    """The pages' shared style, read once (a page of ten thousand reminders includes it
    ten thousand times)."""
    from markupsafe import Markup

    return Markup(resources.files("tracker.pages").joinpath("templates", "style.css")
                  .read_text("utf-8"))
