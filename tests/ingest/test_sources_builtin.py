"""The built-in mappings on the real logs in ../shared/data, against counts made here with csv.

Each expected figure is computed by a plain pass over the file with the csv module, following
docs/imports.md's rules in the simplest way (sort a ticket's rows, count what changes), so
that the NumPy derivation is checked against an independent reading. Jira and Zendesk have
no public export here: their mappings are checked on files written from their documented
columns.
"""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from accord.domain.events import EventKind
from accord.ingest.sources import EventColumns, read_events

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SERVICENOW_LOG = "uci_incident_event_log.csv.gz"
BPIC2013_LOG = "bpic2013_incidents.csv.gz"
HELPDESK_LOG = "helpdesk_italian_software_company.csv.gz"
SAO_PAULO = "America/Sao_Paulo"  # the UCI log's company; any zone works, the tests fix one


def shared_data(name: str) -> Path:
    """A real log from ../shared/data; its absence is an error (CI must run these tests)."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the real logs live in ../shared/data (see its README)")
    return path


def csv_rows(name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a gzipped CSV in ../shared/data; the header is line 1."""
    with gzip.open(shared_data(name), "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        for line, row in enumerate(reader, start=2):
            yield line, dict(zip(header, row, strict=False))


def kinds(events: EventColumns) -> Counter[str]:
    return Counter(kind.value for kind in events.kind)


def changes(values: list[str], missing: str = "") -> int:
    """How many times a ticket's value is set or changed (a missing value changes nothing)."""
    count, last = 0, None
    for value in values:
        if value != missing and value != last:
            count += 1
            last = value
    return count


@pytest.fixture(scope="module")
def servicenow() -> EventColumns:
    events, issues, rows = read_events(
        shared_data(SERVICENOW_LOG), "servicenow", timezone=SAO_PAULO
    )
    assert (rows, issues) == (141_712, [])
    return events


def test_servicenow_log_gives_the_events_a_plain_reading_of_its_snapshots_gives(
    servicenow: EventColumns,
) -> None:
    tickets: dict[str, list[tuple[datetime, int, int, dict[str, str]]]] = defaultdict(list)
    for line, row in csv_rows(SERVICENOW_LOG):
        updated = datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007
        tickets[row["number"]].append((updated, int(row["sys_mod_count"]), line, row))
    expected: Counter[str] = Counter()
    pause = ("Active", "Awaiting User Info", "Awaiting Vendor", "Awaiting Problem")
    responded_states = {*pause, "Awaiting Evidence", "Resolved", "Closed"}
    for snapshots in tickets.values():
        rows = [row for *_, row in sorted(snapshots, key=lambda s: s[:3])]
        expected["created"] += changes([r["opened_at"] for r in rows], "?")
        expected["state"] += changes([r["incident_state"] for r in rows], "?")
        expected["priority"] += changes([r["priority"] for r in rows], "?")
        for name in ("category", "assignment_group"):
            expected["field"] += changes([r[name] for r in rows], "?")
        expected["resolved"] += changes([r["resolved_at"] for r in rows], "?")
        expected["closed"] += changes([r["closed_at"] for r in rows], "?")
        inside = [
            r["incident_state"] in responded_states for r in rows if r["incident_state"] != "?"
        ]
        expected["responded"] += sum(
            1 for i, now in enumerate(inside) if now and not (i and inside[i - 1])
        )
        counts = [int(r["reopen_count"]) for r in rows]
        expected["reopened"] += max(counts) - counts[0]
        expected["field"] += counts[0] > 0  # a first count above zero is kept as a field

    assert len(tickets) == 24_918
    assert kinds(servicenow) == expected
    assert expected["created"] == 24_918
    assert expected["resolved"] == 24_918 - 1_556  # the README: 1,556 have resolved_at = ?


def test_servicenow_times_are_read_in_the_named_zone(servicenow: EventColumns) -> None:
    first = servicenow.item_id.index("INC0000045")
    created = [
        at
        for item, at, kind in zip(
            servicenow.item_id, servicenow.at_ns, servicenow.kind, strict=True
        )
        if item == "INC0000045" and kind is EventKind.CREATED
    ]
    opened = datetime(2016, 2, 29, 1, 16, tzinfo=ZoneInfo(SAO_PAULO))  # 29/2/2016 01:16

    assert first >= 0
    assert created == [int(opened.timestamp()) * 10**9]
    assert opened.astimezone(UTC).hour == 4  # UTC-3: Brazil's summer time ended on 21 Feb


def test_servicenow_priorities_are_mapped_and_odd_states_are_kept(servicenow: EventColumns) -> None:
    priorities = {
        v for v, k in zip(servicenow.value, servicenow.kind, strict=True) if k is EventKind.PRIORITY
    }
    states = Counter(
        v for v, k in zip(servicenow.value, servicenow.kind, strict=True) if k is EventKind.STATE
    )

    assert priorities == {"P1", "P2", "P3", "P4"}
    assert states["-100"] > 0
    assert {"New", "Active", "Awaiting User Info", "Resolved", "Closed"} <= set(states)


def test_bpic2013_log_gives_one_state_event_per_row_and_its_triggers() -> None:
    events, issues, rows = read_events(shared_data(BPIC2013_LOG), "bpic2013")
    cases: dict[str, list[tuple[str, int, dict[str, str]]]] = defaultdict(list)
    expected: Counter[str] = Counter()
    for line, row in csv_rows(BPIC2013_LOG):
        cases[row["case:concept:name"]].append((row["time:timestamp"], line, row))
        sub_status = row["lifecycle:transition"]
        expected["state"] += 1
        expected["resolved"] += sub_status in ("Resolved", "In Call")
        expected["closed"] += sub_status in ("Closed", "Cancelled")
    for case in cases.values():
        ordered = [row for *_, row in sorted(case, key=lambda c: (_iso(c[0]), c[1]))]
        expected["created"] += 1
        expected["priority"] += changes([r["impact"] for r in ordered])
        for column in ("concept:name", "org:group", "organization involved", "product"):
            expected["field"] += changes([r[column] for r in ordered])
        expected["field"] += changes([r["organization country"] for r in ordered])

    assert (rows, issues) == (65_533, [])
    assert len(cases) == 7_554
    assert kinds(events) == expected


def test_helpdesk_log_reads_its_naive_times_in_the_zone_given() -> None:
    events, issues, rows = read_events(
        shared_data(HELPDESK_LOG), "helpdesk", timezone="Europe/Rome"
    )
    cases: dict[str, list[tuple[str, int, dict[str, str]]]] = defaultdict(list)
    expected: Counter[str] = Counter()
    for line, row in csv_rows(HELPDESK_LOG):
        cases[row["Case ID"]].append((row["Complete Timestamp"], line, row))
        activity = row["Activity"]
        expected["state"] += 1
        expected["responded"] += activity == "Take in charge ticket"
        expected["resolved"] += activity in ("Resolve ticket", "RESOLVED")
        expected["closed"] += activity in ("Closed", "INVALID", "DUPLICATE")
    for case in cases.values():
        ordered = [row for *_, row in sorted(case, key=lambda c: (c[0], c[1]))]
        expected["created"] += 1
        expected["priority"] += changes([r["seriousness_2"] for r in ordered])
        for column in (
            "service_level",
            "service_type",
            "product",
            "customer",
            "workgroup",
            "support_section",
        ):
            expected["field"] += changes([r[column] for r in ordered])
    first_case = min(
        (at for item, at in zip(events.item_id, events.at_ns, strict=True) if item == "Case 1")
    )
    rome = datetime(2012, 10, 9, 14, 50, 17, tzinfo=ZoneInfo("Europe/Rome"))  # summer time

    assert (rows, issues) == (21_348, [])
    assert len(cases) == 4_580
    assert kinds(events) == expected
    assert first_case == int(rome.timestamp()) * 10**9


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


JIRA_EXPORT = """\
Summary,Issue key,Issue id,Issue Type,Status,Project key,Priority,Resolution,Assignee,\
Created,Updated,Resolved,Custom field ([CHART] Date of First Response),\
Custom field (Request Type),Status Category
Printer down,HD-1,10001,Incident,Resolved,HD,High,Done,Ann,\
02/Mar/26 9:05 AM,02/Mar/26 3:40 PM,02/Mar/26 3:40 PM,02/Mar/26 9:30 AM,Get IT help,Done
VPN slow,HD-2,10002,Incident,Waiting for customer,HD,Medium,,Bob,\
02/Mar/26 10:00 AM,03/Mar/26 11:00 AM,,,Get IT help,In Progress
"""

ZENDESK_EXPORT = """\
Summation column,Id,Requester,Group,Subject,Status,Priority,Via,Ticket type,Created at,\
Updated at,Solved at,Reopens,First reply time in minutes,Full resolution time in minutes
1,501,ann@example.com,Support,Login,Solved,Urgent,Mail,Incident,2026-03-02 09:00:00 +0100,\
2026-03-02 12:00:00 +0100,2026-03-02 11:30:00 +0100,0,25,150
2,502,bob@example.com,Billing,Invoice,Open,Normal,Web form,Question,2026-03-02 10:00:00 +0100,\
2026-03-02 10:20:00 +0100,,0,,
"""


def test_jira_export_rows_become_a_tickets_events(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(JIRA_EXPORT, encoding="utf-8")

    events, issues, rows = read_events(path, "jira", timezone="Europe/Berlin")
    hd1 = [
        (k.value, v)
        for i, k, v in zip(events.item_id, events.kind, events.value, strict=True)
        if i == "HD-1"
    ]

    assert (rows, issues) == (2, [])
    assert ("priority", "P2") in hd1
    assert ("state", "Resolved") in hd1
    assert {k for k, _ in hd1} >= {"created", "responded", "resolved"}
    created = events.at_ns[events.kind.index(EventKind.CREATED)]
    assert created == int(datetime(2026, 3, 2, 8, 5, tzinfo=UTC).timestamp()) * 10**9


def test_zendesk_export_gives_first_reply_from_minutes_after_creation(tmp_path: Path) -> None:
    path = tmp_path / "zendesk.csv"
    path.write_text(ZENDESK_EXPORT, encoding="utf-8")

    events, issues, rows = read_events(path, "zendesk")
    first = {
        (k.value, at)
        for i, k, at in zip(events.item_id, events.kind, events.at_ns, strict=True)
        if i == "501"
    }

    def utc(hour: int, minute: int) -> int:
        return int(datetime(2026, 3, 2, hour, minute, tzinfo=UTC).timestamp()) * 10**9

    assert (rows, issues) == (2, [])
    assert {("created", utc(8, 0)), ("responded", utc(8, 25)), ("resolved", utc(10, 30))} <= first
    assert ("priority", "P1") in {
        (k.value, v)
        for i, k, v in zip(events.item_id, events.kind, events.value, strict=True)
        if i == "501"
    }
