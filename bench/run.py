"""The tracker's benchmark: every figure next to a baseline measured in the same run.

    python bench/run.py                 # the default programme: 10,000 students
    python bench/run.py --quick         # smaller, for a first look

Run it with the Python of the environment where the tracker is installed (the
``tracker`` script beside it is what is timed). With TRACKER_TEST_POSTGRES_URL set,
the data figures are measured on PostgreSQL too, each in a schema of its own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import data

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))


@dataclass
class Run:
    seconds: float
    peak_mb: float


def run(command: list[str], env: dict[str, str], stdout: int | None = subprocess.DEVNULL) \
        -> Run:
    """Run ``command`` to the end; its wall time and the peak memory of its process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        error = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{error}")
    return Run(seconds, usage.ru_maxrss / 1024)


def median(command: list[str], env: dict[str, str], repeat: int) -> float:
    return statistics.median(run(command, env).seconds for _ in range(repeat))


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


def load_programme(dataset: data.Dataset, env: dict[str, str]) -> None:
    run([TRACKER, "student", "import", str(dataset.students_csv)], env)
    run([TRACKER, "activity", "import", str(dataset.schedule_csv)], env)


def postgres_schema(base: str) -> tuple[str, str]:
    """A new schema on the benchmark's server: (SQLAlchemy URL, libpq URL)."""
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in libpq else "?"
    url = f"{libpq}{separator}options=-csearch_path%3D{schema}"
    return url, url


def drop_schemas(base: str) -> None:
    import psycopg

    libpq = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as connection:
        for (schema,) in connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench_%'").fetchall():
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def figures(table: Table, dataset: data.Dataset, folder: Path, repeat: int,
            postgres: str | None) -> None:
    engine = "PostgreSQL" if postgres else "SQLite"
    print(f"{engine}: loading {dataset.students} students and {dataset.activities} "
          "activities through `tracker student import` and `tracker activity import`",
          flush=True)
    if postgres:
        tool_url, _ = postgres_schema(postgres)
        baseline_url, _ = postgres_schema(postgres)
        load_programme(dataset, tool_env(baseline_url, folder))
    else:
        tool_url = str(folder / "tracker.db")
        baseline_url = str(folder / "baseline.db")
    env = tool_env(tool_url, folder)
    load_programme(dataset, env)
    if not postgres:
        shutil.copyfile(tool_url, baseline_url)

    imported = run([TRACKER, "attend", "--import", str(dataset.attendance_csv)], env)
    baseline = run([PYTHON, str(HERE / "baselines.py"), "import", baseline_url,
                    str(dataset.attendance_csv)], env)
    rows = f"{dataset.participations:,}"
    table.add(f"{engine}: attend --import, {rows} rows", imported.seconds, baseline.seconds,
              2.0)
    table.note(f"{engine}: attend --import peak memory", f"{imported.peak_mb:.0f} MB",
               "< 200 MB " + ("ok" if imported.peak_mb < 200 else "MISSED"))

    student = dataset.number(dataset.students // 2)
    # On PostgreSQL no command runs without its driver: the baseline imports it too.
    baseline_imports = "import sqlalchemy.orm" + (", psycopg" if postgres else "")
    table.add(f"{engine}: progress {student} --format json (vs {baseline_imports})",
              median([TRACKER, "progress", student, "--format", "json"], env, repeat),
              median([PYTHON, "-c", baseline_imports], env, repeat), 1.3)
    table.add(f"{engine}: report --format csv, {dataset.students:,} students",
              median([TRACKER, "report", "--format", "csv"], env, max(3, repeat // 2)),
              median([PYTHON, str(HERE / "baselines.py"), "report", baseline_url], env,
                     max(3, repeat // 2)), 2.0)


def scaling(table: Table, folder: Path, sizes: list[int], per_student: int) -> None:
    """The report at growing sizes. Start-up is a constant, so linear growth shows in the
    cost of each further student: between the two larger sizes it should be what it is
    between the two smaller ones."""
    print(f"SQLite: report at {', '.join(f'{n:,}' for n in sizes)} students", flush=True)
    times = []
    for students in sizes:
        dataset = data.build(folder / f"scale-{students}", students, 400, per_student)
        env = tool_env(str(dataset.folder / "tracker.db"), folder)
        load_programme(dataset, env)
        imported = run([TRACKER, "attend", "--import", str(dataset.attendance_csv)], env)
        table.note(f"SQLite: attend --import, {dataset.participations:,} rows",
                   f"{imported.seconds:.2f} s, peak {imported.peak_mb:.0f} MB",
                   "< 200 MB " + ("ok" if imported.peak_mb < 200 else "MISSED"))
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
                   "<= 1.25x (linear) " + ("ok" if growth <= 1.25 else "MISSED"))


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
        options.students, options.scaling, options.repeat = 2000, "500,2000,8000", 5
    if not Path(TRACKER).exists():
        raise SystemExit(f"no tracker beside {PYTHON}: run with the installed tracker's Python")

    folder = options.keep or Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    table = Table()
    print(f"tracker benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"data in {folder}", flush=True)
    try:
        env = tool_env(str(folder / "startup.db"), folder)
        print("start-up", flush=True)
        table.add("tracker --help", median([TRACKER, "--help"], env, options.repeat),
                  median([PYTHON, "-c", "import click"], env, options.repeat), 1.5)
        dataset = data.build(folder / "programme", options.students, options.activities,
                             options.per_student)
        figures(table, dataset, folder, options.repeat, None)
        postgres = os.environ.get("TRACKER_TEST_POSTGRES_URL")
        if postgres:
            try:
                figures(table, dataset, folder, options.repeat, postgres)
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
