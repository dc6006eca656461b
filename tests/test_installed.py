"""The installed console script, run as a user runs it: a real process, a real file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("tracker")


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env,
                          timeout=60)


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL"}
    env["TRACKER_DATA_DIR"] = str(tmp_path / "data")  # stands in for the user's data folder
    return env


@pytest.mark.skipif(not SCRIPT.exists(), reason="the tracker console script is not installed")
def test_console_script_on_the_embedded_default(user_env, tmp_path):
    assert run("student", "add", "s1234567", "--name", "Ada Jansen", "--start", "2024-09",
               env=user_env).returncode == 0
    assert (tmp_path / "data" / "tracker.db").is_file()
    activity = run("activity", "add", "colloquium", "--date", "2024-10-03", "--title", "Peers",
                   env=user_env)
    assert activity.stdout.strip() == "1"
    assert run("attend", "1", "s1234567", env=user_env).returncode == 0
    progress = run("progress", "s1234567", "--format", "json", env=user_env)
    colloquia = next(r for r in json.loads(progress.stdout)["requirements"]
                     if r["id"] == "colloquia")
    assert colloquia["done"] == 1
    bad = run("attend", "1", "s7777777", env=user_env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert run("db", "check", env=user_env).returncode == 0


def test_python_dash_m_tracker(user_env):
    result = subprocess.run([sys.executable, "-m", "tracker", "--version"], capture_output=True,
                            text=True, env=user_env)
    assert result.returncode == 0 and "tracker" in result.stdout


def test_migrations_ship_with_the_package():
    from tracker.db.migrate import migrations_folder

    folder = migrations_folder()
    assert (folder / "env.py").is_file()
    assert list((folder / "versions").glob("0001_*.py"))
    import tracker

    package = Path(tracker.__file__).parent
    if (package.parent / "pyproject.toml").exists():
        pytest.skip("running from a source checkout: the wheel's copy is tested when installed")
    assert folder == package / "migrations"
    assert shutil.which("tracker") or SCRIPT.exists()
