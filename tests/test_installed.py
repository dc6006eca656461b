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


# --- a full disk and a read-only disk, real ones: in a mount namespace of the test's own


def _namespace_command() -> list[str] | None:
    """How to run a shell in mounts of its own (the superuser's, or a user namespace's);
    None where the system allows neither."""
    for command in (["unshare", "--mount"], ["unshare", "--map-root-user", "--mount"]):
        if shutil.which(command[0]) is None:
            return None
        probe = subprocess.run([*command, "sh", "-c", "mount -t tmpfs none /mnt 2>/dev/null "
                                "|| mount -t tmpfs none \"$TMPDIR\""],
                               capture_output=True, env={**os.environ, "TMPDIR": "/tmp"})
        if probe.returncode == 0:
            return command
    return None


NAMESPACE = _namespace_command()
needs_mounts = pytest.mark.skipif(NAMESPACE is None or not SCRIPT.exists(),
                                  reason="needs the console script and mounts of its own "
                                         "(unshare)")


def in_own_mounts(script: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert NAMESPACE is not None
    return subprocess.run([*NAMESPACE, "sh", "-ec", script], capture_output=True, text=True,
                          env={**env, "TRACKER": str(SCRIPT)}, timeout=120)


FILL = 'dd if=/dev/zero of="$1/filler" bs=4k 2>/dev/null || true'  # until the disk is full


@pytest.fixture
def cohort(user_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """A database with students to report and remind, and an activity held today."""
    from datetime import date

    env = {**user_env, "TRACKER_DATABASE_URL": str(tmp_path / "tracker.db")}
    roster = tmp_path / "roster.csv"
    roster.write_text("student_number,name,email,start\n" + "".join(
        f"s{n},Student {n},s{n}@example.org,2024-09\n" for n in range(2000001, 2000021)))
    assert run("student", "import", str(roster), env=env).returncode == 0
    assert run("activity", "add", "colloquium", "--date", date.today().isoformat(),
               "--title", "Today", env=env).returncode == 0
    (tmp_path / "disk").mkdir()
    return env


def on_a_full_disk(tmp_path: Path, env: dict[str, str], prepare: str, command: str) \
        -> subprocess.CompletedProcess[str]:
    """``command`` run with ``$1`` a tiny disk made full after ``prepare`` ran on it;
    afterwards the disk's files are copied to tmp_path/after."""
    disk = tmp_path / "disk"
    return in_own_mounts(
        f'set -- "{disk}"; mount -t tmpfs -o size=256k none "$1"; {prepare}; {FILL}; '
        f'set +e; {command}; status=$?; mkdir -p "{tmp_path}/after"; '
        f'cp -a "$1"/. "{tmp_path}/after"/; rm -f "{tmp_path}/after/filler"; exit $status',
        env)


@needs_mounts
def test_output_on_a_full_disk_leaves_the_old_file_whole(cohort, tmp_path):
    old = "an earlier report, complete\n" * 100
    result = on_a_full_disk(tmp_path, cohort,
                            f'printf "%s" "{old}" > "$1/report.csv"',
                            '"$TRACKER" report -o "$1/report.csv"')
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (f"Error: cannot write {tmp_path}/disk/report.csv: the "
                                      "disk is full; nothing was written to it")
    assert (tmp_path / "after" / "report.csv").read_text() == old
    assert sorted(p.name for p in (tmp_path / "after").iterdir()) == ["report.csv"]


@needs_mounts
def test_an_outbox_on_a_full_disk_is_one_line(cohort, tmp_path):
    result = on_a_full_disk(tmp_path, cohort, 'mkdir "$1/outbox"',
                            '"$TRACKER" remind --outbox "$1/outbox" --from c@example.org')
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(
        "the disk is full; nothing was written to it")
    assert list((tmp_path / "after" / "outbox").iterdir()) == []


@needs_mounts
def test_the_door_list_on_a_full_disk_is_one_line_and_keeps_what_it_held(cohort, tmp_path):
    rows = "student_number,name,email,start\r\n" + "".join(
        f"s{n},,,\r\n" for n in range(7000000, 7000300))
    held = rows + "s7999999," + "x" * (4096 - len(rows) - 13) + ",,\r\n"
    assert len(held) == 4096  # one page of the disk, full: a line more needs another
    (tmp_path / "held.csv").write_text(held, newline="")
    result = on_a_full_disk(
        tmp_path, cohort, f'cp "{tmp_path}/held.csv" "$1/unknown.csv"',
        'printf "s2000001\\ns8888888\\n" | "$TRACKER" checkin 1 --unknown-to "$1/unknown.csv"')
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "the disk is full" in result.stderr.strip().splitlines()[-1]
    assert (tmp_path / "after" / "unknown.csv").read_bytes() == held.encode()
    assert result.stdout.startswith("✓ checked in s2000001")  # recorded, and said


@needs_mounts
def test_a_database_on_a_read_only_disk_is_read_and_not_written(cohort, tmp_path):
    database = tmp_path / "tracker.db"
    (tmp_path / "mounted").mkdir()
    env = {**cohort, "TRACKER_DATABASE_URL": str(tmp_path / "mounted" / "tracker.db")}
    result = in_own_mounts(
        f'mount --bind "{tmp_path}" "{tmp_path}/mounted"; '
        f'mount -o remount,bind,ro "{tmp_path}/mounted"; '
        '"$TRACKER" report --format csv > "$TMPDIR/report.csv"; '
        '"$TRACKER" progress s2000001 --format json > /dev/null; '
        '"$TRACKER" db check; '
        'set +e; "$TRACKER" student add s2000099 --name Late --start 2024-09; '
        'echo "exit $?"', {**env, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "report.csv").read_text().count("\n") == 21  # a header, 20 students
    assert "ok: schema at revision" in result.stdout
    assert result.stdout.strip().endswith("exit 2")
    assert "can only be read here (its folder cannot be written): this command would " \
           "change it" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("tracker.db")) \
        == ["tracker.db"]
    assert database.is_file()
