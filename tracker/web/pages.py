"""The pages the command line writes, served live, with the portal's bar around them.

The one module that calls the progress services and the page templates of
``tracker.pages`` (the integrator adapts the calls here when they change): a student's
page is the same HTML ``progress --format html`` writes and a reminder carries, the
cohort page the same as ``report --format html``; nothing is computed twice.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources

from tracker.db.engine import Database
from tracker.output import to_json
from tracker.service.report import Selection
from tracker.standing import StudentProgress


def student_progress(db: Database, number: str, day: date) -> StudentProgress:
    from tracker.service.progress import student_progress as progress_of

    return progress_of(db, number, day)


def student_html(progress: StudentProgress) -> str:
    from tracker.pages.student import student_page

    return student_page(progress)


def progress_json(progress: StudentProgress) -> str:
    """Byte for byte what ``tracker progress NUMBER --format json`` prints."""
    return to_json(progress) + "\n"


def cohort_html(db: Database, selection: Selection, day: date) -> str:
    from tracker.pages.cohort import cohort_page
    from tracker.service.overview import cohort_overview, with_waiting_claims

    return cohort_page(with_waiting_claims(db, cohort_overview(db, selection, day)))


_SCRIPT = re.compile(r"<script>")  # the page's own scripts (data blocks carry a type)


def framed(page: str, bar: str, style: str, nonce: str | None = None) -> str:
    """``page`` with the portal's bar at the top of its body, the bar's style in its head,
    and its scripts allowed to run by this response's nonce."""
    head_end = page.index("</head>")
    body = page.index(">", page.index("<body", head_end)) + 1
    framed_page = (page[:head_end] + f"<style>{style}</style>\n" + page[head_end:body]
                   + "\n" + bar + page[body:])
    if nonce is not None:
        framed_page = _SCRIPT.sub(f'<script nonce="{nonce}">', framed_page)
    return framed_page


def charts_without_eval(page: str) -> str:
    """The cohort page with Vega's expression interpreter put before its own script (the
    last one, which draws the charts), so that no chart needs eval: see
    ``tracker/web/vendor/README.md``."""
    own = page.rindex("<script>")
    return (page[:own] + f"<script>{_vendor('vega-interpreter.js')}</script>\n"
            f"<script>{_vendor('vega-without-eval.js')}</script>\n" + page[own:])


@cache
def _vendor(name: str) -> str:
    return resources.files("tracker.web").joinpath("vendor", name).read_text("utf-8")
