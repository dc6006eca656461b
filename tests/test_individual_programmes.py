"""Individual programmes (issue 19): a set with ``override_only = true`` has no start
months, overlaps no other set, and is followed only by students put on it with
``student override``; ``rules show`` says so."""

from __future__ import annotations

import json

import pytest

PROGRAMME = '''
[[set]]
id = "part-time"
label = "Individual programme: part-time"
override_only = true
{extra}
[[set.requirement]]
id = "colloquia"
label = "Colloquia by peers"
attendance = ["colloquium"]
min = 3
'''


def with_programme(tracker, tmp_path, extra: str = ""):
    rules = tmp_path / "rules.toml"
    rules.write_text(tracker("rules", "show", "--toml").stdout
                     + PROGRAMME.format(extra=extra), encoding="utf-8")
    return rules


def test_an_individual_programme_is_chosen_only_by_override(tracker, tmp_path):
    tracker("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09")
    tracker("student", "add", "s2345678", "--name", "Bram de Vries", "--start", "2024-09")
    tracker("rules", "load", str(with_programme(tracker, tmp_path)))
    sets = {row["student"]: row["requirement_set"] for row in json.loads(
        tracker("report", "--format", "json").stdout)}
    assert sets == {"s1234567": "aasco", "s2345678": "aasco"}
    tracker("student", "override", "s1234567", "part-time", "--reason", "exam board 2025-20")
    progress = json.loads(tracker("progress", "s1234567", "--format", "json").stdout)
    assert progress["requirement_set"] == "part-time"
    assert [r["id"] for r in progress["requirements"]] == ["colloquia"]
    assert json.loads(tracker("progress", "s2345678", "--format",
                              "json").stdout)["requirement_set"] == "aasco"


def test_rules_show_says_it_is_an_individual_programme(sqlite_tracker, tmp_path):
    sqlite_tracker("rules", "load", str(with_programme(sqlite_tracker, tmp_path)))
    table = sqlite_tracker("rules", "show", "--format", "table").stdout
    assert "an individual programme: only for students put on it with `tracker student " \
           "override`" in table
    lines = json.loads(sqlite_tracker("rules", "show", "--format", "json").stdout)
    assert {line["set"]: line["override_only"] for line in lines} == {
        "alc": False, "aasco": False, "part-time": True}
    assert "override_only = true" in sqlite_tracker("rules", "show", "--toml").stdout


@pytest.mark.parametrize(("extra", "problem"), [
    ('started_from = "2020-01"\n', "an override_only set has no start months"),
    ('started_before = "2020-01"\n', "an override_only set has no start months"),
])
def test_an_individual_programme_with_start_months_is_refused(sqlite_tracker, tmp_path,
                                                              extra, problem):
    result = sqlite_tracker("rules", "check", str(with_programme(sqlite_tracker, tmp_path,
                                                                  extra)), expect=1)
    assert problem in result.output


def test_override_only_is_true_or_false(sqlite_tracker, tmp_path):
    rules = with_programme(sqlite_tracker, tmp_path)
    rules.write_text(rules.read_text().replace("override_only = true",
                                               'override_only = "yes"'))
    result = sqlite_tracker("rules", "check", str(rules), expect=1)
    assert "override_only must be true or false" in result.output
