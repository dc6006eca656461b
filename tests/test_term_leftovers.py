"""The leftovers of issue 19: files that may be CSV or xlsx say so in their help, a
student on an empty database is told of the portal, no query is kept that nothing uses."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from tracker.cli import main


@pytest.mark.parametrize("command", [["student", "import"], ["activity", "import"],
                                     ["attend"], ["assignment"]])
def test_help_says_a_file_may_be_csv_or_xlsx(command):
    said = " ".join(CliRunner().invoke(main, [*command, "--help"]).output.split())
    assert "CSV or xlsx" in said or "CSV or .xlsx" in said or \
        "CSV, or an Excel workbook .xlsx" in said, said


def test_a_student_on_an_empty_database_is_told_of_the_portal(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), "progress",
                                       "s1234567"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "on the programme's portal" in said and "`tracker serve`" in said


def test_no_unused_participations_query_is_kept():
    from tracker.db import participations

    assert not hasattr(participations, "for_rules")
