"""The cohort page: headline figures, charts (Vega-Lite specs drawn by the vendored
runtime), and every student as a row of requirement bars, searchable and sortable."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tracker.months import Month
from tracker.pages import ICONS, render
from tracker.service.overview import CohortOverview
from tracker.standing import STATUS_WORDS, StudentStanding
from tracker.vocabulary import RequirementStatus

# A student's standing, worst first: one word, one icon, one colour.
STANDINGS = {"overdue": ("✗", "overdue"), "at-risk": ("⚠", "at risk"),
             "on-track": ("○", "on track"), "complete": ("✓", "complete"),
             "none": ("?", "no requirement set")}
STANDING_COLOURS = {"complete": "#1a7f37", "on-track": "#0969da", "at-risk": "#b35900",
                    "overdue": "#cf222e", "none": "#6e7781"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def standing(row: StudentStanding) -> str:
    """The row's standing as the page's data and styles name it: ``at-risk``, ``none``."""
    return "none" if row.standing is None else row.standing.value.replace(" ", "-")


def cohort_page(overview: CohortOverview) -> str:
    report = overview.report
    standings = [standing(row) for row in report.rows]
    ids = [i for i in report.requirement_ids
           if any(r.id == i for row in report.rows for r in row.requirements)]
    return render(
        "report.html.j2", overview=overview, report=report,
        requirements=[{"id": i, "label": overview.labels.get(i, i)} for i in ids],
        figures=_figures(standings), intakes=_intakes(report.rows, standings),
        standings=STANDINGS, filters=overview.selection.in_words(),
        starts=sorted({row.start for row in report.rows}),
        table=_table(report.rows, standings, ids),
        charts={"chart-completion": _completion_chart(overview, ids),
                "chart-distribution": _distribution_chart(report.rows, standings),
                **({"chart-turnout": _turnout_chart(overview)} if overview.turnout else {})})


STATUS_CODES = {RequirementStatus.DONE: "d", RequirementStatus.OPEN: "o",
                RequirementStatus.AT_RISK: "r", RequirementStatus.OVERDUE: "x",
                RequirementStatus.WAIVED: "w"}


def _table(rows: tuple[StudentStanding, ...], standings: list[str], ids: list[str]) \
        -> dict[str, Any]:
    """The students, compactly, for the page's script to show, search and sort:
    [number, name, start, set, standing, cells, attention, status], a cell [status,
    done, required] per requirement column (null where the student's set has no such
    requirement), status '' for an active student."""
    position = {requirement_id: i for i, requirement_id in enumerate(ids)}
    students = []
    for row, kind in zip(rows, standings, strict=True):
        cells: list[list[Any] | None] = [None] * len(ids)
        for result in row.requirements:
            cells[position[result.id]] = [STATUS_CODES[result.status], result.done,
                                          result.required]
        students.append([row.student, row.name, row.start, row.requirement_set or "", kind,
                         cells, row.attention, "" if row.active else row.status])
    return {"students": students,
            "standings": {kind: [icon, word] for kind, (icon, word) in STANDINGS.items()},
            "statuses": {code: [ICONS[status], STATUS_WORDS[status], status.value]
                         for status, code in STATUS_CODES.items()}}


def _figures(standings: list[str]) -> dict[str, int]:
    counts = Counter(standings)
    return {"students": len(standings), **{kind: counts.get(kind, 0) for kind in STANDINGS}}


def _intakes(rows: tuple[StudentStanding, ...], standings: list[str]) -> list[dict[str, Any]]:
    by_start: dict[str, Counter[str]] = {}
    for row, kind in zip(rows, standings, strict=True):
        by_start.setdefault(row.start, Counter())[kind] += 1
    intakes = []
    for start in sorted(by_start):
        month = Month.parse(start)
        counts = by_start[start]
        intakes.append({"start": start, "cohort": month.year,
                        "intake": MONTHS[month.month - 1],
                        "students": sum(counts.values()),
                        **{kind: counts.get(kind, 0) for kind in STANDINGS}})
    return intakes


def _completion_chart(overview: CohortOverview, ids: list[str]) -> dict[str, Any]:
    """Per start month and requirement: the share of its students who have done it."""
    cells: dict[tuple[str, str], list[int]] = {}
    for row in overview.report.rows:
        for result in row.requirements:
            tally = cells.setdefault((row.start, result.id), [0, 0])
            tally[0] += result.met
            tally[1] += 1
    order = {requirement_id: i for i, requirement_id in enumerate(ids)}
    values = [{"start": start, "requirement": overview.labels.get(i, i), "order": order[i],
               "done": done, "students": total, "percent": round(100 * done / total),
               "text": f"{round(100 * done / total)}%"}
              for (start, i), (done, total) in sorted(cells.items())]
    position = {
        "x": {"field": "start", "type": "ordinal", "title": "Start month",
              "axis": {"labelAngle": 0}},
        "y": {"field": "requirement", "type": "ordinal", "title": None,
              "sort": {"field": "order"}, "axis": {"labelLimit": 320}},
    }
    return {
        "data": {"values": values}, "encoding": position, "width": {"step": 72},
        "layer": [
            {"mark": "rect", "encoding": {
                "color": {"field": "percent", "type": "quantitative", "title": "% done",
                          "scale": {"domain": [0, 100], "scheme": "greens"}},
                "tooltip": [{"field": "requirement"}, {"field": "start", "title": "start"},
                            {"field": "done", "title": "done"},
                            {"field": "students", "title": "students"},
                            {"field": "text", "title": "share done"}]}},
            {"mark": {"type": "text", "fontSize": 11}, "encoding": {
                "text": {"field": "text"},
                "color": {"condition": {"test": "datum.percent >= 60", "value": "white"},
                          "value": "black"}}},
        ],
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 12}},
    }


def _distribution_chart(rows: tuple[StudentStanding, ...], standings: list[str]) -> dict[str, Any]:
    """How far students have come: the share of their required items done, in steps of
    ten per cent, by standing."""
    counts: Counter[tuple[int, str]] = Counter()
    for row, kind in zip(rows, standings, strict=True):
        required = [r for r in row.requirements if not r.optional]
        if not required:
            continue
        done = sum(r.met for r in required)
        counts[(min(done * 10 // len(required), 10) * 10, kind)] += 1
    steps = [f"{low}%" if low == 100 else f"{low}–{low + 9}%" for low in range(0, 101, 10)]
    values = [{"share": steps[low // 10], "standing": STANDINGS[kind][1], "students": n}
              for (low, kind), n in sorted(counts.items())]
    kinds = [kind for kind in STANDINGS if kind != "none"]
    return {
        "data": {"values": values}, "mark": "bar", "width": 560, "height": 220,
        "encoding": {
            "x": {"field": "share", "type": "ordinal", "title": "Required items done",
                  "sort": steps, "scale": {"domain": steps}, "axis": {"labelAngle": 0}},
            "y": {"field": "students", "type": "quantitative", "aggregate": "sum",
                  "title": "Students"},
            "color": {"field": "standing", "type": "nominal", "title": "Standing",
                      "scale": {"domain": [STANDINGS[k][1] for k in kinds],
                                "range": [STANDING_COLOURS[k] for k in kinds]}},
            "tooltip": [{"field": "share", "title": "items done"},
                        {"field": "standing"}, {"field": "students", "aggregate": "sum",
                                                "title": "students"}],
        },
    }


def _turnout_chart(overview: CohortOverview) -> dict[str, Any]:
    """Attendance of the cohort per activity, over time."""
    values = [{"date": t.date.isoformat(), "attended": t.attended, "title": t.title,
               "kind": overview.kinds.get(t.kind, t.kind)} for t in overview.turnout]
    return {
        "data": {"values": values}, "mark": {"type": "point", "filled": True, "opacity": 0.8},
        "width": 760, "height": 240,
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": None},
            "y": {"field": "attended", "type": "quantitative", "title": "Attended"},
            "color": {"field": "kind", "type": "nominal", "title": "Kind",
                      "legend": {"labelLimit": 260}},
            "shape": {"field": "kind", "type": "nominal", "title": "Kind"},
            "tooltip": [{"field": "date", "type": "temporal"}, {"field": "title"},
                        {"field": "kind"}, {"field": "attended"}],
        },
    }
