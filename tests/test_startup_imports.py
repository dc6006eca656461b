"""The portal's libraries stay out of every other command: `tracker serve` alone pays for
Flask, Werkzeug, waitress, segno, pyotp and icalendar at its start-up. (`coordinator add`
draws a QR code and checks a TOTP when it runs, not when it loads.)"""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from tracker.cli import COMMANDS

PORTAL = ("flask", "werkzeug", "waitress", "segno", "pyotp", "icalendar", "jinja2.ext")

CHECK = """
import sys
from tracker.cli import main
from tracker.cli.context import AppContext

def run(*args, stdin=None):
    import io
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        main(['--db', sys.argv[1], *args], standalone_mode=False, obj=AppContext())
    except SystemExit:
        pass

for name in sys.argv[3].split(','):  # every command's module, loaded as `tracker NAME` does
    main.get_command(None, name)
{runs}
portal = sys.argv[2].split(',')
bad = sorted(m for m in sys.modules if m in portal or m.split('.')[0] in portal
             or m.startswith('tracker.web'))
print(bad)
sys.exit(1 if bad else 0)
"""

DAILY = """
run('student', 'add', 's1234567', '--name', 'Ada Jansen', '--start', '2025-09',
    '--email', 'ada@example.org')
run('activity', 'add', 'colloquium', '--date', '{today}', '--title', 'Peers')
run('attend', '1', 's1234567')
run('checkin', '1', stdin='s1234567\\n')
run('progress', 's1234567', '--format', 'json')
run('progress', 's1234567', '--format', 'html', '-o', '{folder}/ada.html')
run('report', '--format', 'csv')
run('report', '--format', 'html', '-o', '{folder}/cohort.html')
run('remind', '--from', 'AASCO <aasco@example.org>', '--outbox', '{folder}/outbox')
run('history')
run('rules', 'show')
"""


def check(tmp_path, runs: str = "") -> subprocess.CompletedProcess[str]:
    others = [name for name in COMMANDS if name != "serve"]
    code = CHECK.replace("{runs}", runs)
    return subprocess.run([sys.executable, "-c", code, str(tmp_path / "tracker.db"),
                           ",".join(PORTAL), ",".join(others)],
                          capture_output=True, text=True, cwd=tmp_path)


def test_no_command_but_serve_loads_the_portals_libraries(tmp_path):
    result = check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_days_work_on_the_command_line_loads_none_of_them(tmp_path):
    runs = DAILY.replace("{today}", date.today().isoformat()).replace("{folder}",
                                                                      str(tmp_path))
    result = check(tmp_path, runs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "cohort.html").exists() and (tmp_path / "ada.html").exists()
    assert list((tmp_path / "outbox").iterdir())


def test_serve_does_load_them(tmp_path):
    """(The check above would pass for a list of names no module has.)"""
    code = CHECK.replace("{runs}", "main.get_command(None, 'serve')\n"
                                   "import tracker.cli.serve as s\n"
                                   "s.serve.callback.__globals__  # loaded\n"
                                   "from tracker.web import create_app\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.db"),
                             ",".join(PORTAL), "progress"], capture_output=True, text=True)
    assert result.returncode == 1 and "flask" in result.stdout, result.stdout + result.stderr


READS_ONLY = """
import sys
from tracker.cli import main
main(['--db', sys.argv[1], 'progress', 's1234567', '--format', 'json'], standalone_mode=False)
print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('tracker.db.models.')))
"""


def test_progress_builds_only_the_models_it_reads(tmp_path):
    """A mapped class costs its start-up: `progress` builds the tables of a student's
    record, not the portal's, the door's or the reminders', nor the rows a change wrote or
    a claim's file (the package imports each model when it is first named)."""
    database = str(tmp_path / "tracker.db")
    subprocess.run([sys.executable, "-m", "tracker", "--db", database, "student", "add",
                    "s1234567", "--name", "Ada Jansen", "--start", "2025-09"],
                   check=True, capture_output=True)
    result = subprocess.run([sys.executable, "-c", READS_ONLY, database],
                            capture_output=True, text=True, check=True)
    built = result.stdout.strip().splitlines()[-1]
    assert "participation" in built and "student" in built, built
    for unread in ("door", "portal", "reminder", "change_entry", "claim_evidence"):
        assert f"'{unread}'" not in built, built
