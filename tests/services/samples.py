"""A small stored workspace whose figures are computed by hand in the tests that use it.

The service desk agreement runs on Berlin office hours (Mon-Fri 09:00-17:00; UTC+1 until 29
March 2026, UTC+2 after), P1 and P2, a response and a resolution target. Item by item:

- G (February): P1, responded after 10m, resolved after 2h: met, met.
- A: Mon 2 Mar 09:00 local, P1, responded 20m, resolved 3h: met, met.
- B: Tue 3 Mar 09:00, P2, responded after 1h30 (goal 1h, breached at 10:00), resolved 5h: met.
- C: Wed 4 Mar 09:00, P1, responded 10m, resolved after 6h (goal 4h, breached at 13:00).
- H: Thu 5 Mar 09:00, no priority (skipped by the agreement), resolved an hour later.
- D: Mon 30 Mar 09:00 CEST, P2, responded 30m, never resolved: breaches Mon 17:00 CEST.
- E: Tue 31 Mar 09:00 CEST, P2, responded 15m, open: 6h of 8h at 15:00 (at risk); reaches
  its goal at 17:00, so breached from Wed 1 Apr 09:00 on, dated Tue 17:00 (15:00Z).
- F: Tue 31 Mar 13:00 CEST, P1, responded 5m, awaiting customer from 13:30 (paused).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from accord.domain.access import Principal
from accord.domain.events import EventKind
from accord.persistence.repositories import EventRepository, EventRow
from accord.services.agreements import apply_agreements
from accord.services.lifecycle import activate_applied
from tests.builders import ns

AGREEMENT = """\
apiVersion: accord/v1
kind: Agreement
metadata:
  id: desk
  title: Service desk
spec:
  type: customer
  provider: it
  customer: sales
  services: [service-desk]
  validity: {start: 2026-01-01, end: 2026-12-31}
  priorities: [P1, P2]
  calendars:
    office:
      timezone: Europe/Berlin
      hours: {mon-fri: ["09:00-17:00"]}
      holidays: {country: DE, subdivision: BE}
  targets:
    - id: response
      kind: response
      calendar: office
      goal: {P1: 30m, P2: 1h}
      objective: 90%
      period: month
    - id: resolution
      kind: resolution
      calendar: office
      goal: {P1: RESOLVE_P1, P2: 8h}
      pause_states: [awaiting customer]
      objective: RESOLVE_OBJECTIVE
      period: month
"""

C, P, R, S, Z = (
    EventKind.CREATED,
    EventKind.PRIORITY,
    EventKind.RESPONDED,
    EventKind.STATE,
    EventKind.RESOLVED,
)
EVENTS: list[tuple[str, str, EventKind, str]] = [
    ("G", "2026-02-02T08:00:00Z", C, ""),
    ("G", "2026-02-02T08:00:00Z", P, "P1"),
    ("G", "2026-02-02T08:10:00Z", R, ""),
    ("G", "2026-02-02T10:00:00Z", Z, ""),
    ("A", "2026-03-02T08:00:00Z", C, ""),
    ("A", "2026-03-02T08:00:00Z", P, "P1"),
    ("A", "2026-03-02T08:20:00Z", R, ""),
    ("A", "2026-03-02T11:00:00Z", Z, ""),
    ("B", "2026-03-03T08:00:00Z", C, ""),
    ("B", "2026-03-03T08:00:00Z", P, "P2"),
    ("B", "2026-03-03T09:30:00Z", R, ""),
    ("B", "2026-03-03T13:00:00Z", Z, ""),
    ("C", "2026-03-04T08:00:00Z", C, ""),
    ("C", "2026-03-04T08:00:00Z", P, "P1"),
    ("C", "2026-03-04T08:10:00Z", R, ""),
    ("C", "2026-03-04T14:00:00Z", Z, ""),
    ("H", "2026-03-05T08:00:00Z", C, ""),
    ("H", "2026-03-05T09:00:00Z", Z, ""),
    ("D", "2026-03-30T07:00:00Z", C, ""),
    ("D", "2026-03-30T07:00:00Z", P, "P2"),
    ("D", "2026-03-30T07:30:00Z", R, ""),
    ("E", "2026-03-31T07:00:00Z", C, ""),
    ("E", "2026-03-31T07:00:00Z", P, "P2"),
    ("E", "2026-03-31T07:15:00Z", R, ""),
    ("F", "2026-03-31T11:00:00Z", C, ""),
    ("F", "2026-03-31T11:00:00Z", P, "P1"),
    ("F", "2026-03-31T11:05:00Z", R, ""),
    ("F", "2026-03-31T11:30:00Z", S, "awaiting customer"),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def agreement_text(resolve_p1: str = "4h", objective: str = "80%") -> str:
    """The desk agreement with its resolution goal for P1 and resolution objective."""
    return AGREEMENT.replace("RESOLVE_P1", resolve_p1).replace("RESOLVE_OBJECTIVE", objective)


def apply_agreement(
    session: Session,
    folder: Path,
    *,
    resolve_p1: str = "4h",
    objective: str = "80%",
    at: str = "2026-01-01T00:00:00Z",
) -> None:
    """Store (a new version of) the desk agreement, as applied at `at`."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "desk.yaml"
    path.write_text(agreement_text(resolve_p1, objective), encoding="utf-8")
    applied = apply_agreements(session, [path], actor="alice", now=utc(at))
    activate_applied(session, Principal.operator("alice"), applied, now=utc(at))


def add_events(session: Session, rows: list[tuple[str, str, EventKind, str]]) -> None:
    EventRepository(session).add_events(
        "desk", [EventRow(item, ns(at), kind, value) for item, at, kind, value in rows]
    )


def stored_desk(session: Session, folder: Path) -> None:
    """The agreement and every event above, in `session`."""
    apply_agreement(session, folder)
    add_events(session, EVENTS)
