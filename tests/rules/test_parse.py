"""The rules file: the shipped default, and every refusal names its reason and line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import RulesError
from tracker.rules import PointsRequirement, parse_rules
from tracker.service.rules import default_rules_text

MINIMAL = """\
[programme]
name = "Test"

[kinds.colloquium]
label = "Colloquium"
[kinds.lacdr-symposium]
label = "Symposium"

[assignments]
1 = "You are here!"

[[set]]
id = "old"
started_before = "2018-09"

[[set.requirement]]
id = "colloquia"
attendance = ["colloquium"]
min = 10

[[set]]
id = "new"
started_from = "2018-09"

[[set.requirement]]
id = "reflection-1"
assignment = 1
due_months = 6
"""


def problems(text: str) -> list[str]:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "rules.toml")
    return caught.value.problems


def test_default_rules_express_the_published_colloquia_course():
    book = parse_rules(default_rules_text())
    old = book.set_by_id("alc")
    assert old is not None and old.started_before is not None
    assert str(old.started_before) == "2018-09" and old.started_from is None
    points = next(r for r in old.requirements if isinstance(r, PointsRequirement))
    assert points.minimum == 20
    assert points.points == {"colloquium": 1, "lacdr-symposium": 2,
                             "aesculapius-symposium": 2, "lacdr-seminar": 1}
    assert points.caps == {"lacdr-seminar": 4}
    assert points.shared_caps[0].maximum == 6
    colloquia = next(r for r in old.requirements if r.id == "alc-colloquia")
    assert colloquia.minimum == 10  # type: ignore[union-attr]
    new = book.set_by_id("aasco")
    assert new is not None and str(new.started_from) == "2018-09"
    assert {r.id for r in new.requirements if r.optional} == {"reflection-4"}
    counted = {k for r in new.requirements for k in getattr(r, "kinds", ())}
    assert counted == set(book.kinds) - {"lacdr-seminar", "aesculapius-symposium"}


def test_minimal_file_parses():
    book = parse_rules(MINIMAL)
    assert [s.id for s in book.sets] == ["old", "new"]


def test_bad_toml_names_the_line():
    [problem] = problems(MINIMAL.replace('min = 10', 'min = = 10'))
    assert "not valid TOML" in problem and "line 19" in problem


def test_unknown_kind_names_the_line():
    [problem] = problems(MINIMAL.replace('["colloquium"]', '["colloquiums"]'))
    assert problem.startswith("line 18:") and "unknown kind 'colloquiums'" in problem


def test_unknown_assignment_names_the_line():
    [problem] = problems(MINIMAL.replace("assignment = 1", "assignment = 7"))
    assert problem.startswith("line 27:") and "unknown assignment 7" in problem


def test_overlapping_sets_are_refused():
    [problem] = problems(MINIMAL.replace('started_from = "2018-09"', 'started_from = "2018-02"'))
    assert problem.startswith("line 21:") and "overlaps set 'old'" in problem


def test_every_problem_is_listed():
    text = MINIMAL.replace("min = 10", "min = 0").replace("due_months = 6", "due_months = -1")
    assert len(problems(text)) == 2


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_is_parsed_or_refused_with_reasons(text):
    try:
        parse_rules(text)
    except RulesError as error:
        assert error.problems


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(MINIMAL)), st.text(max_size=10))
def test_damaged_rules_are_parsed_or_refused_with_reasons(position, insertion):
    try:
        parse_rules(MINIMAL[:position] + insertion + MINIMAL[position:])
    except RulesError as error:
        assert error.problems


def test_a_kind_may_be_claimable_and_the_built_in_rules_say_which():
    from tracker.service.rules import default_rules_text

    book = parse_rules(default_rules_text())
    assert book.claimable == {"career-event", "career-workshop", "bsp-excursion"}


def test_claimable_is_true_or_false_and_a_kind_takes_no_other_key():
    from tracker.errors import RulesError
    from tracker.service.rules import default_rules_text

    text = default_rules_text().replace(
        '[kinds.colloquium]\n', '[kinds.colloquium]\nclaimable = "yes"\ncolour = "red"\n', 1)
    with pytest.raises(RulesError) as refused:
        parse_rules(text)
    said = str(refused.value)
    assert "claimable is true or false" in said and "unknown key 'colour'" in said
