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

    def number(self, index: int) -> str:
        return f"s{1000000 + index:07d}"


def build(folder: Path, students: int, activities: int, per_student: int,
          seed: int = 2026) -> Dataset:
    """``students`` over three cohorts, ``activities`` on past days, and ``per_student``
    distinct activities attended by each student."""
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
    with data.schedule_csv.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["kind", "date", "title", "location"])
        for i in range(activities):
            day = first + timedelta(days=(i * 3000) // activities)
            writer.writerow([KINDS[i % len(KINDS)], day.isoformat(), f"Activity {i + 1}",
                             "Leiden"])
    with data.attendance_csv.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["student_number", "activity_id"])
        ids = list(range(1, activities + 1))
        for i in range(students):
            number = data.number(i)
            for activity_id in rng.sample(ids, per_student):
                writer.writerow([number, activity_id])
    return data
