"""accord's verdicts against ServiceNow's own `made_sla`, on the real UCI incident log.

Run: `.venv/bin/python bench/made_sla.py [PATH]` (PATH defaults to the log in ../shared/data).
1. Import the log into a scratch SQLite workspace with the built-in `servicenow` mapping, the
   naive timestamps read as UTC (the log does not say; see docs/real-data.md).
2. Per variant (calendar, pause states, what stops the clock), evaluate a resolution target
   with goals too long to breach, to get each incident's elapsed business time.
3. Per priority, find the goal that agrees best with `made_sla` (a threshold sweep over the
   sorted elapsed times), then evaluate an agreement with exactly those goals and compare
   accord's verdict per incident (breached: false; anything else: true) with `made_sla`.
Prints one row per variant; the data is third-party and is read, never copied.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "uci_incident_event_log.csv.gz"
AS_OF = datetime(2018, 1, 1, tzinfo=UTC)
PRIORITIES = ("P1", "P2", "P3", "P4")
AWAITING = ["Awaiting User Info", "Awaiting Vendor", "Awaiting Problem", "Awaiting Evidence"]
CALENDARS = {
    "24x7": "{timezone: UTC, hours: 24x7}",
    "office": '{timezone: America/Sao_Paulo, hours: {mon-fri: ["08:00-18:00"]}}',
    "long-office": '{timezone: America/Sao_Paulo, hours: {mon-fri: ["08:00-20:00"]}}',
}
# (name, calendar, pause states, stop_on)
VARIANTS = [
    ("as asked: 24x7, pause on Awaiting, stop at resolved", "24x7", AWAITING, None),
    ("24x7, no pause, stop at resolved", "24x7", [], None),
    ("office 08-18 Sao Paulo, pause on Awaiting, resolved", "office", AWAITING, None),
    ("24x7, pause on Awaiting, stop at closed", "24x7", AWAITING, ["closed"]),
    ("24x7, no pause, stop at closed", "24x7", [], ["closed"]),
    ("office 08-20 Sao Paulo, pause on Awaiting, closed", "long-office", AWAITING, ["closed"]),
    ("office 08-20 Sao Paulo, no pause, stop at closed", "long-office", [], ["closed"]),
]

TEMPLATE = """apiVersion: accord/v1
kind: Agreement
metadata: {{id: servicenow-study, title: ServiceNow made_sla study}}
spec:
  type: service
  provider: it
  customer: business
  services: [service-desk]
  validity: {{start: 2016-01-01, end: 2017-12-31}}
  priorities: [P1, P2, P3, P4]
  calendars:
    desk: {calendar}
  targets:
    - id: resolution
      kind: resolution
      calendar: desk
      goal: {goals}
      pause_states: {pauses}
      objective: 90%
{stop}"""


def made_sla_per_incident(path: Path) -> dict[str, bool]:
    """ServiceNow's verdict: `made_sla` on each incident's last update (highest sys_mod_count)."""
    last: dict[str, tuple[int, bool]] = {}
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            mod = int(row["sys_mod_count"])
            seen = last.get(row["number"])
            if seen is None or mod >= seen[0]:
                last[row["number"]] = (mod, row["made_sla"] == "true")
    return {number: verdict for number, (_, verdict) in last.items()}


def agreement_text(
    calendar: str, pauses: list[str], stop: list[str] | None, goals: dict[str, str]
) -> str:
    goal_text = "{" + ", ".join(f"{p}: {g}" for p, g in goals.items()) + "}"
    pause_text = "[" + ", ".join(pauses) + "]"
    stop_text = f"      stop_on: [{', '.join(stop)}]\n" if stop else ""
    return TEMPLATE.format(
        calendar=CALENDARS[calendar], goals=goal_text, pauses=pause_text, stop=stop_text
    )


def verdicts(table: object, text: str) -> tuple[dict[str, bool], dict[str, float], dict[str, str]]:
    """accord's verdict, elapsed seconds and priority per incident under one agreement."""
    from accord.services.evaluation import evaluate
    from accord.spec import load_agreement_text

    agreement = load_agreement_text(text, "study.yaml")
    result = evaluate([agreement], table, AS_OF)  # type: ignore[arg-type]
    verdict: dict[str, bool] = {}
    elapsed: dict[str, float] = {}
    priority: dict[str, str] = {}
    for clock in result.clocks[0].rows():  # resume policy: one cycle per incident
        verdict[clock.item_id] = clock.status != "breached"
        elapsed[clock.item_id] = clock.elapsed_seconds
        priority[clock.item_id] = clock.priority
    return verdict, elapsed, priority


def best_goals(
    elapsed: dict[str, float], priority: dict[str, str], made: dict[str, bool]
) -> dict[str, str]:
    """Per priority, the goal (whole minutes, at least 1) that agrees best with `made_sla`."""
    goals = {}
    for p in PRIORITIES:
        ids = [i for i in elapsed if priority[i] == p and i in made]
        xs = np.array([elapsed[i] for i in ids])
        ys = np.array([made[i] for i in ids])
        order = np.argsort(xs, kind="stable")
        xs, ys = xs[order], ys[order]
        true_before = np.concatenate(([0], np.cumsum(ys)))
        false_after = (~ys).sum() - np.concatenate(([0], np.cumsum(~ys)))
        agree = true_before + false_after  # goal just above the k-th smallest elapsed
        k = int(np.argmax(agree))
        goal_seconds = xs[k - 1] if k > 0 else 0.0
        goals[p] = f"{max(1, math.ceil(goal_seconds / 60))}m"
    return goals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from accord.persistence.repositories import EventRepository
    from accord.services.imports import import_file
    from accord.services.workspace import init_workspace
    from accord.settings import Settings

    made = made_sla_per_incident(args.path)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = init_workspace(Path(tmp), Settings(database_url=None)).workspace
        factory = workspace.session_factory()
        started = time.perf_counter()
        summary = import_file(factory.begin, args.path, "servicenow", timezone="UTC")
        imported = time.perf_counter() - started
        with factory.begin() as session:
            table = EventRepository(session).load_table()
        workspace.dispose()
    print(
        f"imported {summary.rows_read:,} rows -> {summary.events_added:,} events"
        f" in {imported:.1f} s"
        f" ({summary.rows_rejected} rejected); {len(made):,} incidents,"
        f" made_sla true for {sum(made.values()):,}"
    )
    print()
    print(f"{'variant':<54}{'agreement':>10}  goals (P1, P2, P3, P4)")
    for name, calendar, pauses, stop in VARIANTS:
        probe = dict.fromkeys(PRIORITIES, "100000h")
        _, elapsed, priority = verdicts(table, agreement_text(calendar, pauses, stop, probe))
        goals = best_goals(elapsed, priority, made)
        verdict, _, _ = verdicts(table, agreement_text(calendar, pauses, stop, goals))
        both = [i for i in verdict if i in made]
        agree = sum(verdict[i] == made[i] for i in both)
        print(f"{name:<54}{agree / len(both):>9.2%}  {', '.join(goals.values())}")
        if name.startswith("office 08-20") and not pauses:
            misses = Counter(
                (priority[i], "accord met" if verdict[i] else "accord breached")
                for i in both
                if verdict[i] != made[i]
            )
            print(f"    disagreements: {dict(sorted(misses.items()))} of {len(both):,}")


if __name__ == "__main__":
    main()
