"""A resolution history whose figures under 1wd .. 11wd are computed by hand below, for the
simulation, negotiation, CLI and API tests.

The agreement `requests` (IT for Sales) runs on Mon-Fri 09:00-17:00 UTC, no holidays, monthly
periods, goal 10wd ("two weeks") for P1 and P2, objective 90%. `d` is the working day after
the start day on which an item is resolved (0: the same day): under an N wd goal it is met
when d <= N (due at 17:00 of the N-th working day after the start day); a breached clock is
counted in the month of its due instant, a met one in the month it was resolved. 2026: 5 Jan,
2 Feb, 2 Mar, 30 Mar are Mondays. Every item is created at 10:00 and resolved at 12:00 (or
at the hour given).

    item  prio created     resolved        d   1wd due        5wd due        10wd due
    J1    P1   Mon 5 Jan   Mon 5 Jan 15h   0
    J2    P1   Mon 5 Jan   Tue 6 Jan       1
    J3    P2   Mon 12 Jan  Wed 14 Jan      2   Tue 13 Jan
    J4    P2   Mon 12 Jan  Mon 19 Jan      5   Tue 13 Jan
    J5    P1   Tue 20 Jan  Wed 28 Jan      6   Wed 21 Jan     Tue 27 Jan
    F1    P1   Mon 2 Feb   Mon 2 Feb 16h   0
    F2    P2   Mon 2 Feb   Mon 9 Feb       5   Tue 3 Feb
    F3    P2   Mon 9 Feb   Tue 10 Feb      1
    F4    P1   Mon 16 Feb  Thu 19 Feb      3   Tue 17 Feb
    F5    P2   Mon 16 Feb  Tue 3 Mar      11   Tue 17 Feb     Mon 23 Feb     Mon 2 Mar (March!)
    F6    P1   Wed 25 Feb  Fri 27 Feb      2   Thu 26 Feb
    M1    P1   Mon 2 Mar   Mon 2 Mar 11h   0
    M2    P1   Mon 2 Mar   Tue 3 Mar       1
    M3    P2   Mon 9 Mar   Fri 13 Mar      4   Tue 10 Mar
    M4    P2   Mon 16 Mar  Wed 25 Mar      7   Tue 17 Mar     Mon 23 Mar
    M5    P1   Mon 23 Mar  Mon 23 Mar 16h  0
    M6    P2   Mon 30 Mar  Wed 8 Apr       7   Tue 31 Mar     Mon 6 Apr (April: not counted)
    A1    P1   Mon 6 Apr   Mon 6 Apr 15h   0   (April: not a complete month on 15 April)

As of NOW (15 April), the complete months are January, February and March:

    goal   January        February       March          pooled
    1wd    2 met 3 br     2 met 4 br     3 met 3 br     7/17  = 0.411765
    5wd    4 met 1 br     5 met 1 br     4 met 1 br     13/16 = 0.8125
    10wd   5 met 0 br     5 met 0 br     5 met 1 br     15/16 = 0.9375   (F5 breaches in March)

Per priority, pooled (met/counted): 1wd P1 6/9, P2 1/8; 5wd P1 8/9, P2 5/7; 10wd P1 9/9,
P2 6/7. The smallest goals: P1 reaches 90% first at 6wd (9/9; 5wd is 8/9 = 0.888889), P2 at
11wd (7/7: F5 is met on Tue 3 Mar; 7wd .. 10wd leave it breached, 6/7); for 80%: P1 3wd (8/9;
2wd 7/9), P2 7wd (6/7; 6wd 5/7).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.domain.events import EventKind
from accord.persistence.repositories import EventRepository, EventRow
from accord.services.agreements import normalise_text, store_version
from accord.spec import load_agreement_text
from tests.builders import instant, ns

AGREEMENT_ID = "requests"
NOW = instant("2026-04-15T00:00:00Z")
SOURCE = "portal"

TEXT = """\
apiVersion: accord/v1
kind: Agreement
metadata:
  id: requests
  title: Requests from Sales
spec:
  type: customer
  provider: it
  customer: sales
  services: [service-desk]
  validity: {start: 2026-01-01, end: 2026-12-31}
  priorities: [P1, P2]
  calendars:
    office:
      timezone: UTC
      hours: {mon-fri: ["09:00-17:00"]}
  targets:
    # What IT can do today: two weeks.
    - id: resolution
      kind: resolution
      items: requests
      calendar: office
      goal: {P1: 10wd, P2: 10wd}   # two weeks of working days
      objective: 90%               # share of requests resolved in time
      period: month
"""

# item -> (priority, created, resolved), instants in UTC.
ITEMS: dict[str, tuple[str, str, str]] = {
    "J1": ("P1", "2026-01-05T10:00", "2026-01-05T15:00"),
    "J2": ("P1", "2026-01-05T10:00", "2026-01-06T12:00"),
    "J3": ("P2", "2026-01-12T10:00", "2026-01-14T12:00"),
    "J4": ("P2", "2026-01-12T10:00", "2026-01-19T12:00"),
    "J5": ("P1", "2026-01-20T10:00", "2026-01-28T12:00"),
    "F1": ("P1", "2026-02-02T10:00", "2026-02-02T16:00"),
    "F2": ("P2", "2026-02-02T10:00", "2026-02-09T12:00"),
    "F3": ("P2", "2026-02-09T10:00", "2026-02-10T12:00"),
    "F4": ("P1", "2026-02-16T10:00", "2026-02-19T12:00"),
    "F5": ("P2", "2026-02-16T10:00", "2026-03-03T12:00"),
    "F6": ("P1", "2026-02-25T10:00", "2026-02-27T12:00"),
    "M1": ("P1", "2026-03-02T10:00", "2026-03-02T11:00"),
    "M2": ("P1", "2026-03-02T10:00", "2026-03-03T12:00"),
    "M3": ("P2", "2026-03-09T10:00", "2026-03-13T12:00"),
    "M4": ("P2", "2026-03-16T10:00", "2026-03-25T12:00"),
    "M5": ("P1", "2026-03-23T10:00", "2026-03-23T16:00"),
    "M6": ("P2", "2026-03-30T10:00", "2026-04-08T12:00"),
    "A1": ("P1", "2026-04-06T10:00", "2026-04-06T15:00"),
}


def events() -> list[EventRow]:
    rows = []
    for item, (priority, created, resolved) in ITEMS.items():
        rows += [
            EventRow(item, ns(f"{created}Z"), EventKind.CREATED),
            EventRow(item, ns(f"{created}Z"), EventKind.PRIORITY, priority),
            EventRow(item, ns(f"{resolved}Z"), EventKind.RESOLVED),
        ]
    return rows


def store_history(session: Session, *, agreement_id: str = AGREEMENT_ID) -> None:
    """The agreement (as `agreement_id`, applied by the operator on 1 January) and the items."""
    text = normalise_text(TEXT.replace("id: requests\n", f"id: {agreement_id}\n"))
    store_version(
        session,
        load_agreement_text(text, "requests.yaml"),
        text,
        actor="root",
        now=instant("2026-01-01T00:00:00Z"),
    )
    EventRepository(session).add_events(SOURCE, events())
