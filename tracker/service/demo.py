"""A realistic programme to try the tracker on, generated from a seed.

Two intakes a year (September and February) over the last three years, the built-in
rules, a calendar of activities up to a term ahead, sign-ins for what has happened,
reflections in every state: some students complete, some on track, some at risk. It
goes through the same services a coordinator's commands do.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from tracker.db import changes
from tracker.db.engine import Database
from tracker.months import Month
from tracker.service.activities import add_activity
from tracker.service.assignments import record_assignment
from tracker.service.attendance import attend
from tracker.service.students import add_student
from tracker.vocabulary import AssignmentStatus, ParticipationStatus

FIRST = ["Ada", "Bram", "Carla", "Daan", "Eva", "Finn", "Giulia", "Hugo", "Iris", "Jesse",
         "Kim", "Lars", "Mila", "Noah", "Olivia", "Pieter", "Quinten", "Roos", "Sem", "Tess",
         "Umar", "Vera", "Wei", "Xin", "Yara", "Zoë", "Ngọc Ánh", "Sanne", "Thijs", "Lotte",
         "Mehmet", "Priya", "Jasper", "Fleur", "Amir", "Noor", "Lucas", "Sophie", "Milan",
         "Femke"]
LAST = ["Jansen", "de Vries", "Visser", "Bakker", "van Dijk", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "Brouwer", "de Wit", "Dijkstra", "Yılmaz", "Nguyen", "Wang", "Kaur", "El Amrani",
        "van der Berg", "Koster", "Prins", "Huisman", "Kok", "Willems"]
DEMO_ACTOR = "demo"  # who the demo's changes are by
TOPICS = ["organoid models", "PK/PD modelling", "antibody engineering", "drug transporters",
          "metabolomics", "cell therapy", "toxicology screens", "vaccine adjuvants",
          "pharmacogenomics", "nanomedicine", "kinase inhibitors", "GPCR signalling"]


@dataclass(frozen=True)
class DemoSummary:
    students: int
    activities: int
    attendances: int
    assignments: int


def is_demo_database(path: Path) -> bool:
    """Whether the SQLite file at ``path`` is a demo database: every student in it was
    registered by the demo (a coordinator's own database is never one)."""
    from sqlalchemy.exc import DBAPIError

    db = Database.from_url(f"sqlite:///{path}")
    try:
        with db.transaction(read_only=True) as session:
            return changes.registered_by(session) == {DEMO_ACTOR}
    except DBAPIError:  # not a database, or not the tracker's
        return False
    finally:
        db.dispose()


def calendar(first: date, last: date) -> list[tuple[str, date, str]]:
    """(kind, day, title) of a programme's activities from ``first`` to ``last``."""
    events: list[tuple[str, date, str]] = []
    day = first
    number = 0
    while day <= last:
        if day.month not in (7, 8) and day.weekday() == 3 and (day.day - 1) // 7 in (0, 2):
            number += 1
            events.append(("colloquium", day, f"Peer colloquium {number}: "
                                              f"{TOPICS[number % len(TOPICS)]}"))
        if day.day == 15 and day.month in (9, 2):
            events.append(("study-advisor-meeting", day, f"Introductory meeting {day:%B %Y}"))
        if day.day == 20 and day.month in (10, 3, 5):
            events.append(("mentor-meeting", day, f"Mentor meeting {day:%B %Y}"))
        if day.day == 10 and day.month in (11, 4):
            events.append(("lacdr-symposium", day, f"LACDR spring symposium {day.year}"
                           if day.month == 4 else f"LACDR autumn symposium {day.year}"))
        if day.day == 25 and day.month in (10, 12, 3, 6):
            events.append(("career-workshop", day, f"Career College: {day:%B} workshop"))
        if day.day == 8 and day.month in (10, 2, 5):
            events.append(("career-event", day, f"Science Career Event {day:%B %Y}"))
        if day.month == 3 and day.day == 12:
            events.append(("career-symposium", day, f"Alumni Career Symposium {day.year}"))
        if day.month == 5 and day.day == 28:
            events.append(("bsp-excursion", day, f"Bio Science Park excursion {day.year}"))
        day += timedelta(days=1)
    return events


def recent_intakes(today: date, count: int) -> list[Month]:
    """The last ``count`` September and February intakes up to ``today``, oldest first."""
    month, found = Month.of(today), list[Month]()
    while len(found) < count:
        if month.month in (2, 9):
            found.append(month)
        month = month.plus(-1)
    return found[::-1]


def fill_demo(db: Database, today: date, seed: int = 2026) -> DemoSummary:
    """Fill an empty database with the demo programme, as it stands on ``today``."""
    rng = random.Random(seed)
    intakes = recent_intakes(today, 6)
    students: list[tuple[str, Month, float]] = []  # number, start, diligence
    names: set[str] = set()
    for intake in intakes:
        for _ in range(14 if intake.month == 9 else 6):
            number = f"s{rng.randrange(2_000_000, 3_999_999):07d}"
            while True:
                name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
                if name not in names:
                    break
            names.add(name)
            email = name.lower().replace(" ", ".").replace("ọ", "o").replace("á", "a") \
                .replace("ë", "e").replace("ı", "i") + "@umail.example.org"
            add_student(db, number, name, intake, email, by=DEMO_ACTOR)
            students.append((number, intake, rng.choice([0.45, 0.75, 0.9, 0.97, 0.99])))

    last = today + timedelta(days=365)  # the schedule of the coming year is known
    attendances = 0
    events = calendar(intakes[0].first_day(), last)
    for kind, day, title in events:
        activity = add_activity(db, kind, day, title, location="Gorlaeus, Leiden",
                                by=DEMO_ACTOR).record
        if day > today:
            continue
        present, excused = [], []
        for number, start, diligence in students:
            months = start.months_until(Month.of(day))
            if not 0 <= months < 24:
                continue
            if kind == "study-advisor-meeting" and months > 2:
                continue
            chance = {"colloquium": 0.5 * diligence, "study-advisor-meeting": 0.97,
                      "mentor-meeting": 0.8}.get(kind, diligence * 0.9)
            roll = rng.random()
            if roll < chance:
                present.append(number)
            elif roll < chance + 0.04:
                excused.append(number)
        if present:
            attend(db, activity.id, present, by=DEMO_ACTOR, today=today)
            attendances += len(present)
        if excused:
            attend(db, activity.id, excused, status=ParticipationStatus.EXCUSED, by=DEMO_ACTOR,
                   today=today)

    decisions = 0
    due_months = {1: 3, 2: 12, 3: 24, 4: 23}
    for number, start, diligence in students:
        for k, months in due_months.items():
            submitted = start.plus(months - 1).first_day() + timedelta(days=rng.randrange(25))
            if k == 4 and rng.random() > 0.3:
                continue  # voluntary: few write it
            if submitted > today or rng.random() > diligence + 0.1:
                continue
            record_assignment(db, number, k, AssignmentStatus.SUBMITTED, on=submitted,
                              by=DEMO_ACTOR)
            decided = submitted + timedelta(days=rng.randrange(5, 30))
            decisions += 1
            if decided > today:
                continue
            verdict = AssignmentStatus.APPROVED if rng.random() < 0.85 else \
                AssignmentStatus.REJECTED
            feedback = ("Clear and honest; well argued." if verdict == AssignmentStatus.APPROVED
                        else "Please reflect on what the activities taught you.")
            record_assignment(db, number, k, verdict, on=decided, feedback=feedback,
                              by="Dr. Demo")
            decisions += 1
    return DemoSummary(len(students), len(events), attendances, decisions)
