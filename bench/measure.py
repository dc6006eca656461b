"""How the benchmark measures: each command a fresh process, timed with its own peak
memory by a small launcher; a tool and its baseline in turns; the table of figures."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
        digits = 2 if unit == "ms" else 3
        self.rows.append((figure, f"{tool:.{digits}f} {unit}",
                          f"{baseline:.{digits}f} {unit}" if baseline else "-",
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
