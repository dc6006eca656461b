"""The tracker's benchmark: every figure next to a baseline measured in the same run.

    python bench/run.py                 # the default programme: 10,000 students
    python bench/run.py --quick         # smaller, for a first look

Run it with the Python of the environment where the tracker is installed (the
``tracker`` script beside it is what is timed). With TRACKER_TEST_POSTGRES_URL set,
the data figures are measured on PostgreSQL too, each in a schema of its own. A
baseline is the least work that does the same job: a plain script, a minimal table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))
BASELINES = str(HERE / "baselines.py")


@dataclass
class Run:
    seconds: float
    peak_mb: float


# Runs a command and reports its wall time and peak memory. A process started from the
# benchmark itself would report the benchmark's own peak as its floor (Linux keeps a
# process's peak across exec, and the benchmark held millions of rows making the data),
# so a small launcher starts it and measures it.
LAUNCHER = """
import os, sys, time
report = int(sys.argv[1])
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(report, f"{time.perf_counter() - started} {usage.ru_maxrss}".encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run(command: list[str], env: dict[str, str], stdin: Path | None = None,
        stdout: int | None = subprocess.DEVNULL) -> Run:
    """Run ``command`` to the end; its wall time and the peak memory of its process."""
    source = stdin.open("rb") if stdin is not None else subprocess.DEVNULL
    reading, writing = os.pipe()
    try:
        process = subprocess.run([PYTHON, "-S", "-c", LAUNCHER, str(writing), *command],
                                 env=env, stdin=source, stdout=stdout,
                                 stderr=subprocess.PIPE, pass_fds=(writing,))
    finally:
        os.close(writing)
        if stdin is not None:
            source.close()  # type: ignore[union-attr]
    with os.fdopen(reading) as measured:
        said = measured.read().split()
    if process.returncode != 0 or len(said) != 2:
        error = process.stderr.decode(errors="replace")
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{error}")
    return Run(float(said[0]), int(said[1]) / 1024)


def median(command: list[str], env: dict[str, str], repeat: int, **options: object) -> float:
    return statistics.median(run(command, env, **options).seconds  # type: ignore[arg-type]
                             for _ in range(repeat))


def paired(tool: list[str], baseline: list[str], env: dict[str, str], repeat: int,
           baseline_env: dict[str, str] | None = None) -> tuple[float, float]:
    """The medians of ``tool`` and ``baseline``, run in turns (and the first run of each
    left out): on a shared machine whose speed drifts, both see the same drift."""
    run(tool, env)
    run(baseline, baseline_env or env)
    tools, baselines = [], []
    for _ in range(repeat):
        tools.append(run(tool, env).seconds)
        baselines.append(run(baseline, baseline_env or env).seconds)
    return statistics.median(tools), statistics.median(baselines)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, tool: float, baseline: float | None, goal: float | None,
            unit: str = "s") -> None:
        ratio = tool / baseline if baseline else None
        verdict = "" if goal is None or ratio is None else ("ok" if ratio <= goal else "MISSED")
        self.rows.append((figure, f"{tool:.3f} {unit}",
                          f"{baseline:.3f} {unit}" if baseline else "-",
                          f"{ratio:.2f}x" if ratio else "-",
                          f"<= {goal}x {verdict}" if goal else verdict))
        print(f"  {figure}: {self.rows[-1][1]} (baseline {self.rows[-1][2]}, "
              f"{self.rows[-1][3]})", flush=True)

    def note(self, figure: str, value: str, goal: str = "") -> None:
        self.rows.append((figure, value, "-", "-", goal))
        print(f"  {figure}: {value} {goal}", flush=True)

    def show(self) -> None:
        header = ("figure", "tracker", "baseline", "ratio", "goal")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(5)]
        for row in [header, tuple("-" * w for w in widths), *self.rows]:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def tool_env(url: str, folder: Path) -> dict[str, str]:
    env = dict(os.environ, TRACKER_DATABASE_URL=url, TRACKER_DATA_DIR=str(folder / "home"))
    env.pop("TRACKER_TEST_POSTGRES_URL", None)
    return env


def load_programme(dataset: data.Dataset, env: dict[str, str]) -> Run:
    """Registers the students and schedules the activities; the students' import."""
    registered = run([TRACKER, "student", "import", str(dataset.students_csv)], env)
    run([TRACKER, "activity", "import", str(dataset.schedule_csv)], env)
    return registered


def copy_sqlite(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite database (its WAL included)."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    return target


def goal(value: float, limit: float, unit: str = "") -> str:
    return f"<= {limit}{unit} " + ("ok" if value <= limit else "MISSED")


# --- SQLite ----------------------------------------------------------------------------


def sqlite_figures(table: Table, dataset: data.Dataset, folder: Path, repeat: int) -> None:
    print(f"SQLite: {dataset.students:,} students, {dataset.activities} activities, "
          f"{dataset.participations:,} sign-ins", flush=True)
    loaded = folder / "loaded.db"
    load_programme(dataset, tool_env(str(loaded), folder))
    rows = f"{dataset.participations:,}"

    for order, sheet in (("random order", dataset.attendance_csv),
                         ("sorted by activity", dataset.attendance_by_activity_csv)):
        tool_db = copy_sqlite(loaded, folder / "tool.db")
        minimal_db = copy_sqlite(loaded, folder / "minimal.db")
        imported = run([TRACKER, "attend", "--import", str(sheet)],
                       tool_env(str(tool_db), folder))
        minimal = run([PYTHON, BASELINES, "import-minimal", str(minimal_db), str(sheet)],
                      tool_env(str(minimal_db), folder))
        table.add(f"SQLite: attend --import, {rows} rows, {order}, vs a sqlite3 script "
                  "into a minimal table", imported.seconds, minimal.seconds, 2.0)
        if order == "random order":
            own = copy_sqlite(loaded, folder / "own.db")
            into_own = run([PYTHON, BASELINES, "import-table", str(own), str(sheet)],
                           tool_env(str(own), folder))
            table.add(f"SQLite: attend --import, {rows} rows, vs a sqlite3 script into the "
                      "tracker's own table", imported.seconds, into_own.seconds, None)
            table.note(f"SQLite: attend --import, {rows} rows, peak memory",
                       f"{imported.peak_mb:.0f} MB", goal(imported.peak_mb, 200, " MB"))
        if order == "sorted by activity":
            os.remove(tool_db)
        else:
            shutil.move(tool_db, folder / "programme.db")
    database = folder / "programme.db"
    env = tool_env(str(database), folder)

    student = dataset.number(dataset.students // 2)
    table.add(f"SQLite: progress {student} --format json vs python -c 'import sqlalchemy.orm'",
              *paired([TRACKER, "progress", student, "--format", "json"],
                      [PYTHON, "-c", "import sqlalchemy.orm"], env, repeat), 1.1)
    csv_time, script_time = paired([TRACKER, "report", "--format", "csv"],
                                   [PYTHON, BASELINES, "report", str(database)], env, repeat)
    table.add(f"SQLite: report --format csv, {dataset.students:,} students, vs a sqlite3 "
              "script: GROUP BY student, kind, to CSV", csv_time, script_time, 1.25)

    remind_figures(table, env, folder, repeat)

    page = folder / "cohort.html"
    html_time, report_time = paired([TRACKER, "report", "--format", "html", "-o", str(page)],
                                    [TRACKER, "report", "--format", "csv"], env,
                                    max(3, repeat // 2))
    table.add(f"SQLite: report --format html, {dataset.students:,} students, vs "
              "report --format csv", html_time, report_time, 2.5)
    size = page.stat().st_size / 1e6
    table.note("SQLite: report --format html, size", f"{size:.1f} MB", goal(size, 15, " MB"))
    browser_figure(table, page, folder)
    checkin_figure(table, dataset, env, folder)


def remind_figures(table: Table, env: dict[str, str], folder: Path, repeat: int) -> None:
    """The outbox of every student, written in RAM (the tool's own work) and on the data
    disk (where a virtual machine's write-back can add seconds that vary from run to
    run: the disk's figure, not the tool's)."""
    command = [TRACKER, "remind", "--from", "AASCO <aasco@example.org>", "--outbox"]
    report = [TRACKER, "report", "--format", "csv"]
    in_ram = ram_folder(folder)
    try:
        reminded, report_time = paired([*command, str(in_ram)], report, env,
                                       max(3, repeat // 2))
        messages = len(list(in_ram.iterdir()))
    finally:
        shutil.rmtree(in_ram, ignore_errors=True)
    table.add(f"SQLite: remind --outbox ({messages:,} messages, folder in RAM) vs "
              "report --format csv", reminded, report_time, 3.0)
    on_disk = folder / "outbox"
    on_disk.mkdir(exist_ok=True)
    times = []
    for _ in range(3):
        os.sync()  # each run starts with nothing of the previous one left to write
        times.append(run([*command, str(on_disk)], env).seconds)
    on_disk_time = statistics.median(times)
    table.note("SQLite: remind --outbox, folder on the data disk",
               f"{on_disk_time:.2f} s ({on_disk_time / report_time:.1f}x the report; "
               f"runs {min(times):.2f}-{max(times):.2f} s)")


def ram_folder(folder: Path) -> Path:
    """A new folder in RAM (tmpfs) where the system has one, else under ``folder``."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="tracker-outbox-", dir=shm))
    made = folder / "outbox-ram"
    made.mkdir(exist_ok=True)
    return made


def browser_figure(table: Table, page: Path, folder: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        table.note("report page in headless Chromium", "not measured: no chromium")
        return
    empty = folder / "empty.html"
    empty.write_text("<!doctype html><title>empty</title><p>empty</p>")
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={folder / 'chromium'}", "--dump-dom"]
    env = dict(os.environ)
    table.add("report page (10,000 students) loaded in headless Chromium vs an empty page",
              *paired([*command, page.as_uri()], [*command, empty.as_uri()], env, 3), 6.0)


def checkin_figure(table: Table, dataset: data.Dataset, env: dict[str, str],
                   folder: Path) -> None:
    """Per scan: (500 numbers piped - an empty session) / 500."""
    today = date.today().isoformat()
    added = subprocess.run([TRACKER, "activity", "add", "colloquium", "--date", today,
                            "--title", f"Bench door {uuid.uuid4().hex[:6]}"], env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    scans = folder / "scans.txt"
    scans.write_text("".join(f"{dataset.number(i * 7)}\n" for i in range(500)))
    nothing = folder / "nothing.txt"
    nothing.write_text("\n")
    full = run([TRACKER, "checkin", added], env, stdin=scans).seconds
    empty = median([TRACKER, "checkin", added], env, 3, stdin=nothing)
    per_scan = (full - empty) / 500 * 1000
    table.note("SQLite: checkin, per scan after start-up (500 numbers piped)",
               f"{per_scan:.1f} ms", goal(per_scan, 20, " ms"))


def scaling(table: Table, folder: Path, sizes: list[int], per_student: int) -> None:
    """The report at growing sizes. Start-up is a constant, so linear growth shows in the
    cost of each further student: between the two larger sizes it should be what it is
    between the two smaller ones."""
    print(f"SQLite: report at {', '.join(f'{n:,}' for n in sizes)} students", flush=True)
    times = []
    for students in sizes:
        dataset = data.build(folder / f"scale-{students}", students, 400, per_student)
        env = tool_env(str(dataset.folder / "tracker.db"), folder)
        registered = load_programme(dataset, env)
        table.note(f"SQLite: student import, {students:,} students",
                   f"{registered.seconds:.2f} s, peak {registered.peak_mb:.0f} MB")
        imported = run([TRACKER, "attend", "--import", str(dataset.attendance_csv)], env)
        table.note(f"SQLite: attend --import, {dataset.participations:,} rows",
                   f"{imported.seconds:.2f} s, peak {imported.peak_mb:.0f} MB",
                   goal(imported.peak_mb, 200, " MB"))
        times.append(median([TRACKER, "report", "--format", "csv"], env, 3))
        table.note(f"SQLite: report, {students:,} students", f"{times[-1]:.2f} s")
        shutil.rmtree(dataset.folder, ignore_errors=True)
    if len(sizes) >= 3:
        slopes = [(times[i + 1] - times[i]) / (sizes[i + 1] - sizes[i]) * 1000
                  for i in range(len(sizes) - 1)]
        growth = slopes[-1] / slopes[0]
        table.note(f"SQLite: report, each further 1,000 students ({sizes[0]:,}->{sizes[1]:,} "
                   f"vs {sizes[-2]:,}->{sizes[-1]:,})",
                   f"{slopes[0]:.3f} s vs {slopes[-1]:.3f} s = {growth:.2f}x",
                   goal(growth, 1.25, "x (linear)"))


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_schema(base: str) -> str:
    """A new schema on the benchmark's server, as a URL whose connections use it."""
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in libpq else "?"
    return f"{libpq}{separator}options=-csearch_path%3D{schema}"


def drop_schemas(base: str) -> None:
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as connection:
        for (schema,) in connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'").fetchall():
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def postgres_figures(table: Table, dataset: data.Dataset, folder: Path, repeat: int,
                     base: str) -> None:
    print("PostgreSQL: the same programme", flush=True)
    tool_url, baseline_url = postgres_schema(base), postgres_schema(base)
    env = tool_env(tool_url, folder)
    load_programme(dataset, env)
    load_programme(dataset, tool_env(baseline_url, folder))
    rows = f"{dataset.participations:,}"
    imported = run([TRACKER, "attend", "--import", str(dataset.attendance_csv)], env)
    baseline = run([PYTHON, BASELINES, "import-table", baseline_url,
                    str(dataset.attendance_csv)], env)
    table.add(f"PostgreSQL: attend --import, {rows} rows, vs psycopg executemany into the "
              "same table", imported.seconds, baseline.seconds, None)
    student = dataset.number(dataset.students // 2)
    table.add(f"PostgreSQL: progress {student} --format json vs python -c 'import "
              "sqlalchemy.orm, psycopg'",
              *paired([TRACKER, "progress", student, "--format", "json"],
                      [PYTHON, "-c", "import sqlalchemy.orm, psycopg"], env, repeat), None)
    table.add(f"PostgreSQL: report --format csv, {dataset.students:,} students, vs psycopg: "
              "GROUP BY student, kind, to CSV",
              *paired([TRACKER, "report", "--format", "csv"],
                      [PYTHON, BASELINES, "report", tool_url], env, repeat), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=400)
    parser.add_argument("--per-student", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=9, help="runs per start-up figure")
    parser.add_argument("--scaling", default="1000,10000,100000",
                        help="student counts for the linearity figure ('' to skip)")
    parser.add_argument("--quick", action="store_true",
                        help="2,000 students, scaling 500,2000,8000")
    parser.add_argument("--keep", type=Path, help="keep the data in this folder")
    options = parser.parse_args()
    if options.quick:
        options.students, options.repeat = 2000, 5
        options.scaling = options.scaling if options.scaling != "1000,10000,100000" \
            else "500,2000,8000"
    if not Path(TRACKER).exists():
        raise SystemExit(f"no tracker beside {PYTHON}: run with the installed tracker's Python")

    folder = options.keep or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    table = Table()
    print(f"tracker benchmark, {date.today()}: {platform.system()} {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite "
          f"{sqlite3.sqlite_version}; data in {folder}", flush=True)
    try:
        env = tool_env(str(folder / "startup.db"), folder)
        print("start-up", flush=True)
        table.add("tracker --help vs python -c 'import click'",
                  *paired([TRACKER, "--help"], [PYTHON, "-c", "import click"], env,
                          options.repeat), 1.2)
        dataset = data.build(folder / "programme", options.students, options.activities,
                             options.per_student)
        sqlite_figures(table, dataset, folder, options.repeat)
        postgres = os.environ.get("TRACKER_TEST_POSTGRES_URL")
        if postgres:
            try:
                postgres_figures(table, dataset, folder, options.repeat, postgres)
            finally:
                drop_schemas(postgres)
        sizes = [int(n) for n in options.scaling.split(",") if n.strip()]
        if sizes:
            scaling(table, folder, sizes, options.per_student)
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    table.show()


if __name__ == "__main__":
    main()
