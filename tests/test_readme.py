"""The README's walk-throughs work word for word, run by the installed console script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from smtp_servers import smtp_server

README = Path(__file__).resolve().parents[1] / "README.md"
SCRIPT_DIR = Path(sys.executable).parent


def tracker_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line.startswith(("tracker ", "printf "))]


@pytest.mark.skipif(not (SCRIPT_DIR / "tracker").exists(),
                    reason="the tracker console script is not installed")
@pytest.mark.skipif(not README.exists(), reason="no README beside the tests")
def test_readme_walkthrough_runs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATABASE_URL"}
    env["TRACKER_DATA_DIR"] = str(tmp_path / "data")
    env["PATH"] = f"{SCRIPT_DIR}{os.pathsep}{env.get('PATH', '')}"
    lines = tracker_lines()
    assert len([line for line in lines if line.startswith("tracker ")]) > 15
    with smtp_server() as server:  # stands in for the mail server the README names
        env["TRACKER_SMTP_URL"] = server.url
        env["TRACKER_MAIL_FROM"] = "AASCO coordinator <aasco@example.org>"
        for line in lines:
            result = subprocess.run(line, shell=True, cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            assert "Traceback" not in result.stderr
        assert server.inbox.recipients == ["ada.jansen@example.org"]
    assert (tmp_path / "rules.toml").read_text().startswith("# Default rules")
    assert "s1234567" in (tmp_path / "cohort-2024.csv").read_text()
