"""The picture of the layers is a contract the build checks: interfaces (cli, web) above
presentation (pages, the reminder's wording) above services above the database, mail
and the rules, and the read model of where a student stands below all that show it
(the contracts are in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_no_import_runs_up_a_layer():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed (pip install '.[test]')")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
