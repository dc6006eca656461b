"""A student's page is its template's text with the student's values put in: made once
per shape of page (tracker.pages.student._skeleton), and still byte for byte what the
template renders for each student, whatever the student's values hold."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date

import pytest
from jinja2 import ChoiceLoader, DictLoader

from tracker.pages import environment
from tracker.pages import student as page_module
from tracker.standing import (
    AT_RISK,
    DONE,
    OPEN,
    OVERDUE,
    WAIVED,
    ActivityRef,
    NotCounted,
    RequirementStanding,
    StudentProgress,
    UpcomingActivity,
)

HOSTILE = "<script>alert('x')</script> & {braces} %s \"quoted\""
NUL = "\x00"  # the skeleton's own mark: a student's value may hold it all the same


def requirement(id: str, status, **fields) -> RequirementStanding:
    blocking = status not in (DONE,)
    return RequirementStanding(
        id, fields.pop("label", f"The {id}"), "attendance", 4, 1, 3, False, status,
        date(2026, 8, 31), 0, blocking, blocking and status in (AT_RISK, OVERDUE),
        fields.pop("sentence", "3 more needed"), **fields)


def progress(**fields) -> StudentProgress:
    base = StudentProgress(
        "s1234567", "Ada Lovelace", "2024-09", "active", "phd", 3, False, None, "",
        (requirement("colloquia", OVERDUE, counted=(1,),
                     not_counted=(NotCounted(2, "excused"),)),
         requirement("seminar", OPEN)),
        as_of=date(2026, 12, 1), programme="PhD programme",
        requirement_set_label="PhD (2024)",
        activities=(ActivityRef(1, "colloquium", date(2025, 1, 1), "Peers"),
                    ActivityRef(2, "colloquium", date(2025, 2, 1), "Later")))
    return dataclasses.replace(base, **fields)


UPCOMING = (UpcomingActivity(7, "colloquium", date(2027, 1, 5), "Next <one>", ("seminar",)),)
ALL_DONE = (requirement("colloquia", DONE, sentence=""), requirement("seminar", DONE,
                                                                     sentence=""))
BEHIND = {
    "none": (requirement("seminar", OPEN),),
    "overdue": (requirement("colloquia", OVERDUE, label=HOSTILE), requirement("seminar", OPEN)),
    "mixed": (requirement("a", AT_RISK), requirement("b", OVERDUE), requirement("c", AT_RISK),
              requirement("seminar", OPEN)),
}

STUDENTS = [
    progress(status=status, complete=complete, requirements=ALL_DONE if complete else behind,
             upcoming=upcoming)
    for status, complete, behind, upcoming in itertools.product(
        ("active", "withdrawn"), (False, True), BEHIND.values(), ((), UPCOMING))
]
STUDENTS.append(progress(name=HOSTILE + NUL, student="s{0}", programme=f"100% <b>{NUL}",
                         start="{}", requirement_set_label=HOSTILE))
MESSAGES = (None, "", "Please come to <the> next one & {soon}.")
PORTALS = ("", "https://portal.example.org/me?a=1&b=<2>")


def pages(students=STUDENTS):
    return [page_module.student_page(p, message, portal)
            for p in students for message in MESSAGES for portal in PORTALS]


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(page_module, "_SKELETONS", {})
    return page_module


def test_every_page_is_what_the_template_renders_for_it_whole(fresh, monkeypatch):
    made = pages()
    assert all(skeleton is not None for skeleton in fresh._SKELETONS.values())
    shapes = {key[1] for key in fresh._SKELETONS}
    assert len(shapes) == len(fresh._SKELETONS) > 10  # one each, and many

    monkeypatch.setattr(fresh, "_skeleton", lambda template, page: None)
    monkeypatch.setattr(fresh, "_SKELETONS", {})
    assert made == pages()  # every page rendered whole, as before skeletons
    assert HOSTILE not in "".join(made)  # escaped, wherever it was put


def test_students_of_one_shape_share_a_skeleton_and_keep_their_own_values(fresh):
    ada, grace = progress(), progress(name="Grace Hopper", student="s7654321",
                                      as_of=date(2026, 12, 2))
    first, second = (fresh.student_page(p, "Hello.", "") for p in (ada, grace))
    assert len(fresh._SKELETONS) == 1
    assert "Ada Lovelace" in first and "Ada Lovelace" not in second
    assert "Grace Hopper (s7654321)" in second and "2026-12-02" in second
    assert first.replace("Ada Lovelace", "Grace Hopper").replace("s1234567", "s7654321") \
        .replace("2026-12-01", "2026-12-02") == second


def edited(monkeypatch, change):
    """The page's template as ``change`` edits it, in an environment of its own."""
    shipped = environment()
    source = shipped.loader.get_source(shipped, page_module.PAGE)[0]
    overlay = shipped.overlay(loader=ChoiceLoader([
        DictLoader({page_module.PAGE: change(source)}), shipped.loader]))
    monkeypatch.setattr(page_module, "environment", lambda: overlay)
    monkeypatch.setattr(page_module, "_SKELETONS", {})
    return overlay


def test_an_edit_of_the_template_shows_on_the_next_page(monkeypatch):
    before = page_module.student_page(progress(), "Hello.")
    edited(monkeypatch, lambda text: text.replace("Your requirements",
                                                  "What you are asked to do"))
    after = page_module.student_page(progress(), "Hello.")
    assert "What you are asked to do" in after and "Your requirements" not in after
    assert after == before.replace("Your requirements", "What you are asked to do")


@pytest.mark.parametrize("change", [
    lambda text: text.replace("{{ p.name }} <span", "{{ p.name|upper }} <span"),
    lambda text: text.replace("<main>", '<main>{% if p.programme == "Other" %}X{% endif %}'),
    lambda text: text.replace("<main>", "<main>{% if p.start %}started{% endif %}"),
    lambda text: text.replace("<main>", "<main>{{ p.name|length }}"),
    lambda text: text.replace("<main>", "<main>{% for r in p.requirements %}{{ r.id }}"
                                        "{% endfor %}"),
    # a stand-in does not raise in these: the skeleton differs from the whole page
    lambda text: text.replace("<h1>{{ p.name }}", "<h1>{% filter upper %}{{ p.name }}"
                                                  "{% endfilter %}"),
    lambda text: text.replace("<main>", "<main>{% set n %}{{ p.name }}{% endset %}"
                                        "{{ n|truncate(5, true, '') }}"),
    lambda text: text.replace("<main>", "<main>{{ p.name|e|upper }}"),
    lambda text: text.replace("<main>", "<main>{% if p.name is string %}S{% endif %}"),
])
def test_a_template_that_does_more_with_a_value_than_print_it_is_rendered_whole(
        monkeypatch, change):
    edited(monkeypatch, change)
    for p in STUDENTS:
        assert page_module.student_page(p, "Hello.", "") == _rendered_whole(monkeypatch, p)
    assert set(page_module._SKELETONS.values()) == {None}


def _rendered_whole(monkeypatch, p):
    with monkeypatch.context() as inner:
        inner.setattr(page_module, "_skeleton", lambda template, page: None)
        inner.setattr(page_module, "_SKELETONS", {})
        return page_module.student_page(p, "Hello.", "")


def test_the_lines_kept_of_one_student_are_not_told_of_another_with_other_records():
    """Lines are kept by the records they name: a student of another run, whose
    activities and reasons have the same ids but other titles and whys, is told their
    own; one with the same records is told the same."""
    first = progress()
    again = page_module.student_page(first)
    assert page_module.student_page(first) == again
    other = progress(
        requirements=(requirement("colloquia", OVERDUE, counted=(1,),
                                  not_counted=(NotCounted(2, "over the cap"),)),
                      requirement("seminar", OPEN)),
        activities=(ActivityRef(1, "colloquium", date(2025, 1, 1), "Other peers"),
                    ActivityRef(2, "colloquium", date(2025, 2, 1), "Sooner")))
    page = page_module.student_page(other)
    assert "Other peers" in page and "Sooner" in page and "over the cap" in page
    assert "Later" not in page and "excused" not in page
    assert "Later" in again and "excused" in again


def test_the_summary_kept_says_what_is_left_of_each_student():
    waived = progress(complete=True, requirements=(
        requirement("colloquia", DONE, sentence=""),
        dataclasses.replace(requirement("seminar", DONE, sentence="waived"),
                            status=WAIVED, blocking=False)))
    done = progress(complete=True, requirements=ALL_DONE)
    assert "every required item is done (1 waived)" in page_module.student_page(waived)
    assert "every required item is done." in page_module.student_page(done)
    assert "1 waived" not in page_module.student_page(done)
