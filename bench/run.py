"""The tracker's benchmark: every figure next to a baseline measured in the same run.

    python bench/run.py                 # the default programme: 10,000 students
    python bench/run.py --quick         # smaller, for a first look
    python bench/run.py --only room     # the check-in room alone

Run it with the Python of the environment where the tracker is installed (the
``tracker`` script beside it is what is timed). With TRACKER_TEST_POSTGRES_URL set,
the data figures are measured on PostgreSQL too, each in a schema of its own. A
baseline is the least work that does the same job: a plain script, a minimal table.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data
import door_room
import postgres
import web
from measure import (
    BASELINES,
    PYTHON,
    TRACKER,
    Table,
    copy_sqlite,
    goal,
    load_programme,
    median,
    paired,
    run,
    tool_env,
)

# --- SQLite ----------------------------------------------------------------------------


def sqlite_figures(table: Table, dataset: data.Dataset, folder: Path, repeat: int,
                   quick: bool) -> None:
    print(f"SQLite: {dataset.students:,} students, {dataset.activities} activities, "
          f"{dataset.participations:,} sign-ins", flush=True)
    loaded = folder / "loaded.db"
    load_programme(dataset, tool_env(str(loaded), folder))
    rows = f"{dataset.participations:,}"

    rounds = 1 if quick else 3
    for order, sheet in (("random order", dataset.attendance_csv),
                         ("sorted by activity", dataset.attendance_by_activity_csv)):
        imports, minimals = [], []
        for _ in range(rounds):  # in turns, each into a fresh copy, the median of each
            tool_db = copy_sqlite(loaded, folder / "tool.db")
            minimal_db = copy_sqlite(loaded, folder / "minimal.db")
            os.sync()  # neither run pays for what the copies or the other run left to write
            imports.append(run([TRACKER, "attend", "--import", str(sheet)],
                               tool_env(str(tool_db), folder)))
            os.sync()
            minimals.append(run([PYTHON, BASELINES, "import-minimal", str(minimal_db),
                                 str(sheet)], tool_env(str(minimal_db), folder)))
        imported = sorted(imports, key=lambda done: done.seconds)[len(imports) // 2]
        minimal_seconds = statistics.median(done.seconds for done in minimals)
        table.add(f"SQLite: attend --import, {rows} rows, {order}, vs a sqlite3 script "
                  f"into a minimal table, median of {rounds}", imported.seconds,
                  minimal_seconds, 2.0)
        if order == "random order":
            own = copy_sqlite(loaded, folder / "own.db")
            os.sync()
            into_own = run([PYTHON, BASELINES, "import-table", str(own), str(sheet)],
                           tool_env(str(own), folder))
            table.add(f"SQLite: attend --import, {rows} rows, vs a sqlite3 script into the "
                      "tracker's own table", imported.seconds, into_own.seconds, None)
            peak = max(done.peak_mb for done in imports)
            table.note(f"SQLite: attend --import, {rows} rows, peak memory",
                       f"{peak:.0f} MB", goal(peak, 200, " MB"))
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
    print("SQLite: the portal", flush=True)
    numbers = [dataset.number(i) for i in range(dataset.students)]
    web.web_figures(table, "SQLite", str(database), str(database), student, dataset.students,
                    numbers, folder, env, quick)
    door_room.room_figures(table, "SQLite", str(database), str(database), numbers, folder,
                           env)


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
        # The first slope is the difference of two short runs, so their noise counts
        # many times over in it: the smaller sizes take the median of more runs.
        times.append(median([TRACKER, "report", "--format", "csv"], env,
                            9 if students <= 10_000 else 3))
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


def room_only(table: Table, dataset: data.Dataset, folder: Path) -> None:
    """The check-in room alone (``--only room``), on the programme's students: SQLite, then
    PostgreSQL when TRACKER_TEST_POSTGRES_URL names a server."""
    numbers = [dataset.number(i) for i in range(dataset.students)]
    database = folder / "programme.db"
    env = tool_env(str(database), folder)
    load_programme(dataset, env)
    door_room.room_figures(table, "SQLite", str(database), str(database), numbers, folder,
                           env)
    server = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if server:
        url = postgres.postgres_schema(server)
        try:
            env = tool_env(url, folder)
            load_programme(dataset, env)
            door_room.room_figures(table, "PostgreSQL", url, url, numbers, folder, env)
        finally:
            postgres.drop_schema(server, url)  # (its own: another run may be under way)


# --- PostgreSQL -------------------------------------------------------------------------


def compiled() -> None:
    """The tracker's modules compiled to bytecode first, as an installed package has them
    (pip compiles at install time). An editable install under PYTHONDONTWRITEBYTECODE
    (this machine's environment sets it) would otherwise compile every module from source
    in every process: some 0.1 s of each start-up that no installed tracker pays, while
    the baselines' libraries come compiled."""
    found = subprocess.run([PYTHON, "-c", "import tracker; print(tracker.__path__[0])"],
                           capture_output=True, text=True, check=True).stdout.strip()
    compileall.compile_dir(found, quiet=1)
    said = " (PYTHONDONTWRITEBYTECODE is set here)" if os.environ.get(
        "PYTHONDONTWRITEBYTECODE") else ""
    print(f"bytecode: the tracker's modules compiled in {found}{said}", flush=True)


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
    parser.add_argument("--only", choices=["room"],
                        help="only these figures: 'room', the check-in room (SQLite, and "
                             "PostgreSQL with TRACKER_TEST_POSTGRES_URL)")
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
        compiled()
        if options.only == "room":
            room_only(table, data.build(folder / "programme", options.students,
                                        options.activities, options.per_student), folder)
        else:
            all_figures(table, options, folder)
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    table.show()


def all_figures(table: Table, options: argparse.Namespace, folder: Path) -> None:
    """Every figure of a whole run, in its order."""
    env = tool_env(str(folder / "startup.db"), folder)
    print("start-up", flush=True)
    table.add("tracker --help vs python -c 'import click'",
              *paired([TRACKER, "--help"], [PYTHON, "-c", "import click"], env,
                      options.repeat), 1.2)
    dataset = data.build(folder / "programme", options.students, options.activities,
                         options.per_student)
    sqlite_figures(table, dataset, folder, options.repeat, options.quick)
    server = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    if server:
        try:
            postgres.postgres_figures(table, dataset, folder, options.repeat, server,
                                      options.quick)
        finally:
            postgres.drop_schemas(server)
    sizes = [int(n) for n in options.scaling.split(",") if n.strip()]
    if sizes:
        scaling(table, folder, sizes, options.per_student)


if __name__ == "__main__":
    main()
