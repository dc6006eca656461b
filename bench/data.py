"""Synthetic programme data for the benchmark, written as the CSV files coordinators use."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

COHORTS = ("2017-09", "2023-09", "2024-02")
KINDS = ("colloquium", "lacdr-symposium", "lacdr-seminar", "career-event", "career-workshop",
         "career-symposium", "bsp-excursion", "study-advisor-meeting", "mentor-meeting")


@dataclass(frozen=True)
class Dataset:
    folder: Path
    students: int
    activities: int
    participations: int

    @property
    def students_csv(self) -> Path:
        return self.folder / "students.csv"

    @property
    def schedule_csv(self) -> Path:
        return self.folder / "schedule.csv"

    @property
    def attendance_csv(self) -> Path:
        return self.folder / "attendance.csv"

    @property
    def attendance_by_activity_csv(self) -> Path:
        """The same sign-ins, sorted by activity (as one sheet per activity would be)."""
        return self.folder / "attendance-by-activity.csv"

    def number(self, index: int) -> str:
        return f"s{1000000 + index:07d}"


def build(folder: Path, students: int, activities: int, per_student: int,
          seed: int = 2026) -> Dataset:
    """``students`` over three cohorts, ``activities`` spread over 2017-09 .. 2026-08, and
    ``per_student`` distinct activities attended by each student within the two years of
    their programme (as real students do)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    data = Dataset(folder, students, activities, students * per_student)
    with data.students_csv.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student_number", "name", "email", "start"])
        for i in range(students):
            writer.writerow([data.number(i), f"Student {i}", f"student{i}@example.org",
                             COHORTS[i % len(COHORTS)]])
    first = date(2017, 9, 1)
    days = [first + timedelta(days=(i * 3285) // activities) for i in range(activities)]
    with data.schedule_csv.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "date", "title", "location"])
        for i, day in enumerate(days):
            writer.writerow([KINDS[i % len(KINDS)], day.isoformat(), f"Activity {i + 1}",
                             "Leiden"])
    windows = {}
    for cohort in COHORTS:
        year, month = map(int, cohort.split("-"))
        start, end = date(year, month, 1), date(year + 2, month, 1)
        window = [i + 1 for i, day in enumerate(days) if start <= day < end]
        windows[cohort] = window if len(window) >= per_student else list(range(1, activities + 1))
    rows = [(data.number(i), activity_id) for i in range(students)
            for activity_id in rng.sample(windows[COHORTS[i % len(COHORTS)]], per_student)]
    rng.shuffle(rows)  # sign-in sheets arrive in no particular order
    for path, ordered in ((data.attendance_csv, rows),
                          (data.attendance_by_activity_csv, sorted(rows, key=lambda r: r[1]))):
        with path.open("w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["student_number", "activity_id"])
            writer.writerows(ordered)
    return data
