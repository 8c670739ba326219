"""Runs from files: load agreements, read an event log, evaluate; and the demo's seeded event log.

The orchestration behind `accord evaluate` and `accord demo`, reusable by the API. It renders
nothing and writes no outputs other than the demo's event log (reports own the CSV outputs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from accord.domain.agreements import Agreement, TargetKind
from accord.engine.calendars import BusinessCalendar
from accord.engine.events import EventTable
from accord.ingest.eventlog import ReadResult, read_event_log, write_event_log
from accord.ingest.synthetic import LEADS, SERVICE_DESK, ItemProfile, generate_events, merge_tables
from accord.ingest.synthetic_ops import generate_deliveries, generate_outages
from accord.services.evaluation import EvaluationResult, Progress, evaluate
from accord.spec import example_agreements_dir, load_agreements

DEMO_SEED = 2026
DEMO_YEAR = 2026
DEMO_AS_OF = datetime(DEMO_YEAR + 1, 1, 1, tzinfo=UTC)
# Items per year in the demo, by the kind of item an agreement covers.
DEMO_ITEMS = {"tickets": 20_000, "leads": 8_000, "other": 4_000}


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """Everything a run produced: the agreements, what reading the log gave, the evaluation."""

    agreements: list[Agreement]
    read: ReadResult
    result: EvaluationResult

    @property
    def skipped_reasons(self) -> Counter[str]:
        """How many distinct items were skipped for each reason (by any target)."""
        return Counter(
            reason for _item, reason in {(s.item_id, s.reason) for s in self.result.skipped}
        )


def evaluate_files(
    agreement_paths: Sequence[Path],
    events_path: Path,
    as_of: datetime,
    *,
    timezone: str | None = None,
    read_progress: Callable[[int], None] | None = None,
    evaluate_progress: Progress | None = None,
) -> RunOutcome:
    """Load the agreements under `agreement_paths`, read the log, evaluate as of `as_of`.

    Invalid agreements raise ValidationError before the log is read; an unreadable log raises
    EventLogError; rejected rows are reported in `read.issues` and do not stop the run.
    """
    agreements = load_agreements(agreement_paths)
    return evaluate_log(
        agreements,
        events_path,
        as_of,
        timezone=timezone,
        read_progress=read_progress,
        evaluate_progress=evaluate_progress,
    )


def evaluate_log(
    agreements: Sequence[Agreement],
    events_path: Path,
    as_of: datetime,
    *,
    timezone: str | None = None,
    read_progress: Callable[[int], None] | None = None,
    evaluate_progress: Progress | None = None,
) -> RunOutcome:
    """Read the log and evaluate already loaded agreements as of `as_of` (see evaluate_files)."""
    read = read_event_log(events_path, timezone=timezone, progress=read_progress)
    result = evaluate(agreements, read.table, as_of, evaluate_progress)
    return RunOutcome(list(agreements), read, result)


def example_agreements() -> list[Agreement]:
    """The agreements bundled with accord (raise ValidationError if one is broken)."""
    return load_agreements([example_agreements_dir()])


def demo_events(
    agreements: Sequence[Agreement],
    *,
    seed: int = DEMO_SEED,
    year: int = DEMO_YEAR,
    scale: float = 1.0,
) -> EventTable:
    """A seeded year of events for these agreements: items of each agreement's services.

    Each agreement gets items tagged `service=<one of its services>`, with its priorities, its
    first pause state, and for every field a target filters on (`match`) its listed values plus
    `other`, so that filters have something to leave out. Service desks get tickets (P1-P4
    mix), agreements over hot/warm/cold priorities get leads.
    """
    tables: list[EventTable] = []
    prefixes: set[str] = set()
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    for i, agreement in enumerate(agreements):
        profile, kind = _profile_for(agreement, prefixes)
        prefixes.add(profile.prefix)
        count = max(1, round(DEMO_ITEMS[kind] * scale))
        tables.append(
            generate_events(
                count,
                seed=seed + i,
                start=date(year, 1, 1),
                days=days,
                services=agreement.services,
                profile=profile,
            )
        )
        tables.extend(operations_events(agreement, seed=seed + i, year=year, days=days))
    return merge_tables(tables)


def operations_events(
    agreement: Agreement, *, seed: int, year: int = DEMO_YEAR, days: int = 365
) -> list[EventTable]:
    """Outage records for availability targets and deliveries for delivery targets.

    Deliveries follow the target's schedule (weekday and local time) and skip the days its
    calendar is closed, as a team that does not work on Easter Monday would.
    """
    start = date(year, 1, 1)
    service = agreement.services[0]
    tables: list[EventTable] = []
    for target in agreement.targets:
        calendar = agreement.calendars[target.calendar]
        if target.kind is TargetKind.AVAILABILITY:
            tables.append(
                generate_outages(
                    24,
                    seed=seed,
                    start=start,
                    days=days,
                    service=service,
                    timezone=calendar.timezone,
                    prefix=f"OUT-{target.id}-",
                )
            )
        elif target.kind is TargetKind.DELIVERY and target.due is not None and target.due.weekdays:
            business = BusinessCalendar(calendar)
            closed = {
                d
                for d in (date.fromordinal(start.toordinal() + k) for k in range(days))
                if not business.hours_on(d)
            }
            (values,) = target.match.values() if len(target.match) == 1 else ({target.id},)
            tables.append(
                generate_deliveries(
                    seed=seed,
                    start=start,
                    days=days,
                    deliverable=sorted(values)[0],
                    service=service,
                    weekday=min(target.due.weekdays),
                    at_minute=target.due.at_minute,
                    skip=closed,
                    timezone=calendar.timezone,
                    prefix=f"RPT-{target.id}-",
                )
            )
    return tables


def _profile_for(agreement: Agreement, used: set[str]) -> tuple[ItemProfile, str]:
    priorities = tuple(agreement.priorities)
    if {p.lower() for p in priorities} == {"hot", "warm", "cold"}:
        base, kind = LEADS, "leads"
    elif len(priorities) == len(SERVICE_DESK.priorities):
        base, kind = SERVICE_DESK, "tickets"
    else:
        share = 1.0 / len(priorities)
        base = replace(
            SERVICE_DESK,
            weights=(share,) * len(priorities),
            respond_median_seconds=(SERVICE_DESK.respond_median_seconds[1],) * len(priorities),
            resolve_median_seconds=(SERVICE_DESK.resolve_median_seconds[1],) * len(priorities),
        )
        kind = "other"
    fields = dict(base.fields)
    pause_states = sorted(s for target in agreement.targets for s in target.pause_states)
    for target in agreement.targets:
        if not target.is_clock:
            continue  # outages and deliveries are records of their own, not tickets
        for name, allowed in target.match.items():
            if name not in fields:
                fields[name] = (*sorted(allowed), "other")
    candidates = [
        base.prefix,
        agreement.services[0].split("-")[0].upper() if agreement.services else "",
        "".join(word[:1] for word in agreement.id.split("-")).upper(),
    ]
    prefix = next((c for c in candidates if c and c not in used), f"{base.prefix}{len(used)}-")
    profile = replace(
        base,
        prefix=prefix,
        priorities=priorities,
        pause_state=pause_states[0] if pause_states else base.pause_state,
        fields=fields,
    )
    return profile, kind


def write_demo_log(out_dir: Path, agreements: Sequence[Agreement], *, scale: float = 1.0) -> Path:
    """Generate the demo's event log for `agreements` into `out_dir/events.csv`; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "events.csv"
    write_event_log(demo_events(agreements, scale=scale), path)
    return path
