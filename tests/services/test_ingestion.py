"""Live ingestion on SQLite and PostgreSQL: batches of accord's own events (idempotent, bad rows
reported by index) and service-desk webhooks read as snapshots with the file imports' mappings.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.domain.access import SESSION_SCOPES, ForbiddenError, NotFoundError, Principal, Scope
from accord.domain.events import EventKind
from accord.errors import ValidationError
from accord.ingest.sources import read_events
from accord.persistence.records import EventRecord, ItemRecord
from accord.persistence.repositories import EventRepository
from accord.services.ingestion import (
    MAX_AHEAD,
    MAX_BATCH_EVENTS,
    IngestResult,
    RejectedRow,
    ingest_events,
    ingest_webhook,
    sign_body,
    signature_matches,
)
from tests.builders import instant, ns

NOW = instant("2026-03-02T09:00:00Z")
PUSHER = Principal("pusher", scopes=frozenset({Scope.INGEST}))
READER = Principal("bob", scopes=SESSION_SCOPES)

BATCH: list[dict[str, object]] = [
    {"item_id": "INC1", "at": "2026-03-02T08:00:00Z", "event": "created"},
    {"item_id": "INC1", "at": "2026-03-02T08:00:00Z", "event": "priority", "value": "P1"},
    {"item_id": "INC1", "at": "2026-03-02T09:00:00+01:00", "event": "responded"},
    {"item_id": "INC2", "at": "2026-03-02T07:30:00Z", "event": "created", "event_id": "e-1"},
]


def kinds_per_item(session: Session, source: str) -> Counter[tuple[str, EventKind]]:
    """How many events of each kind each item of `source` has stored."""
    history = EventRepository(session).history(source, stored_items(session, source))
    return Counter((item, row.kind) for item, rows in history.items() for row in rows)


def stored_items(session: Session, source: str) -> list[str]:
    query = select(ItemRecord.external_id).where(ItemRecord.source == source)
    return list(session.scalars(query))


def event_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EventRecord)) or 0)


def test_a_valid_batch_is_stored_with_its_counts(session: Session) -> None:
    result = ingest_events(session, PUSHER, BATCH, now=NOW)
    assert result == IngestResult(accepted=4, added=4, duplicates=0, rejected=[])
    assert kinds_per_item(session, "api") == Counter(
        {
            ("INC1", EventKind.CREATED): 1,
            ("INC1", EventKind.PRIORITY): 1,
            ("INC1", EventKind.RESPONDED): 1,
            ("INC2", EventKind.CREATED): 1,
        }
    )
    # 09:00+01:00 is 08:00 UTC: instants are stored in UTC, exactly.
    responded = EventRepository(session).history("api", ["INC1"])["INC1"][-1]
    assert responded.at_ns == ns("2026-03-02T08:00:00Z")


def test_a_duplicate_batch_counts_once(session: Session) -> None:
    ingest_events(session, PUSHER, BATCH, now=NOW)
    again = ingest_events(session, PUSHER, BATCH, now=NOW)
    assert again == IngestResult(accepted=4, added=0, duplicates=4, rejected=[])
    assert event_count(session) == 4


def test_the_same_event_twice_in_one_batch_counts_once(session: Session) -> None:
    result = ingest_events(session, PUSHER, [BATCH[0], dict(BATCH[0])], now=NOW)
    assert (result.added, result.duplicates) == (1, 1)


def test_an_event_id_identifies_an_event_whatever_else_a_retry_says(session: Session) -> None:
    first = {"item_id": "INC7", "at": "2026-03-02T08:00:00Z", "event": "created", "event_id": 41}
    retried = {**first, "at": "2026-03-02T08:00:05Z", "event_id": "41"}
    other_item = {**first, "item_id": "INC8"}
    result = ingest_events(session, PUSHER, [first, retried, other_item], now=NOW)
    assert (result.added, result.duplicates) == (2, 1)


def test_sources_keep_their_items_apart(session: Session) -> None:
    ingest_events(session, PUSHER, BATCH, now=NOW)
    result = ingest_events(session, PUSHER, BATCH, source="events", now=NOW)
    assert (result.added, result.duplicates) == (4, 0)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"item_id": "X", "at": "2026-03-02T08:00:00", "event": "created"}, "naive timestamp"),
        ({"item_id": "X", "at": "2026-03-02 08:00", "event": "created"}, "naive timestamp"),
        ({"item_id": "X", "at": "yesterday", "event": "created"}, "unreadable time"),
        ({"item_id": "X", "at": "2026-02-30T08:00:00Z", "event": "created"}, "unreadable time"),
        ({"item_id": "X", "at": "2026-03-02T08:00:00Z", "event": "frobbed"}, "unknown event"),
        ({"item_id": "X", "at": "2026-03-02T08:00:00Z", "event": "priority"}, "needs a value"),
        ({"item_id": "X", "at": "2026-03-02T08:00:00Z", "event": "field", "value": "x"}, "name="),
        ({"item_id": " ", "at": "2026-03-02T08:00:00Z", "event": "created"}, "missing item_id"),
        ({"at": "2026-03-02T08:00:00Z", "event": "created"}, "missing item_id"),
        ({"item_id": "X", "event": "created"}, "missing time"),
        ({"item_id": "X", "at": 1772438400, "event": "created"}, "at must be text"),
        ({"item_id": True, "at": "2026-03-02T08:00:00Z", "event": "created"}, "item_id must be"),
        ({"item_id": ["X"], "at": "2026-03-02T08:00:00Z", "event": "created"}, "item_id must be"),
        ({"item_id": "X\x00", "at": "2026-03-02T08:00:00Z", "event": "created"}, "NUL"),
        ({"item_id": "X" * 401, "at": "2026-03-02T08:00:00Z", "event": "created"}, "longer"),
        ("INC1,2026-03-02T08:00:00Z,created", "not a JSON object"),
        (None, "not a JSON object"),
    ],
)
def test_a_bad_row_is_reported_with_its_index_while_the_rest_go_in(
    session: Session, row: object, reason: str
) -> None:
    rows: list[object] = [BATCH[0], row, BATCH[3]]
    result = ingest_events(session, PUSHER, rows, now=NOW)
    assert (result.accepted, result.added, result.duplicates) == (2, 2, 0)
    assert [r.index for r in result.rejected] == [1]
    assert reason in result.rejected[0].message
    assert set(stored_items(session, "api")) == {"INC1", "INC2"}


def test_a_naive_timestamp_is_refused_with_advice_for_an_api_client(session: Session) -> None:
    row = {"item_id": "INC1", "at": "2026-03-02T08:00:00", "event": "created"}
    result = ingest_events(session, PUSHER, [row], now=NOW)
    assert result.rejected == [
        RejectedRow(0, "naive timestamp '2026-03-02T08:00:00' has no offset; add one, or Z for UTC")
    ]
    assert event_count(session) == 0


def test_rejected_rows_are_listed_in_index_order(session: Session) -> None:
    late = {"item_id": "X", "at": "2027-01-01T00:00:00Z", "event": "created"}
    naive = {"item_id": "X", "at": "2026-03-02T08:00:00", "event": "created"}
    result = ingest_events(session, PUSHER, ["x", late, BATCH[0], naive, 7], now=NOW)
    assert [r.index for r in result.rejected] == [0, 1, 3, 4]


def test_an_event_dated_after_the_allowed_skew_is_refused(session: Session) -> None:
    edge = (NOW + MAX_AHEAD).isoformat()
    beyond = (NOW + MAX_AHEAD + timedelta(seconds=1)).isoformat()
    rows = [{"item_id": "A", "at": at, "event": "created"} for at in (edge, beyond)]
    result = ingest_events(session, PUSHER, rows, now=NOW)
    assert result.added == 1
    assert [r.index for r in result.rejected] == [1]
    assert "in the future" in result.rejected[0].message


def test_values_are_normalised_as_the_event_log_does(session: Session) -> None:
    rows = [
        {"item_id": "S", "at": "2026-03-02T08:00:00Z", "event": "field", "value": " team = desk "},
        {
            "item_id": "S",
            "at": "2026-03-02T08:00:00Z",
            "event": "outage",
            "value": "2026-03-02T10:00:00+01:00",
        },
        {"item_id": "S", "at": "2026-03-02T08:00:00Z", "event": "state", "value": 3},
        {"item_id": 12, "at": "2026-03-02T08:00:00Z", "event": "created", "value": "ignored"},
    ]
    assert ingest_events(session, PUSHER, rows, now=NOW).added == 4
    history = EventRepository(session).history("api", ["S", "12"])
    assert [row.value for row in history["S"]] == ["team=desk", "2026-03-02T09:00:00Z", "3"]
    assert history["12"][0].value == ""


def test_a_batch_larger_than_the_limit_is_refused_whole(session: Session) -> None:
    rows = [dict(BATCH[0], event_id=str(i)) for i in range(MAX_BATCH_EVENTS + 1)]
    with pytest.raises(ValidationError, match="at most"):
        ingest_events(session, PUSHER, rows, now=NOW)
    assert event_count(session) == 0


def test_an_empty_batch_stores_nothing(session: Session) -> None:
    assert ingest_events(session, PUSHER, [], now=NOW) == IngestResult(0, 0, 0, [])


def test_pushing_events_needs_the_ingest_scope(session: Session) -> None:
    with pytest.raises(ForbiddenError, match="ingest"):
        ingest_events(session, READER, BATCH, now=NOW)
    with pytest.raises(ForbiddenError):
        ingest_webhook(session, READER, "jira", JIRA_OPEN, now=NOW)
    assert event_count(session) == 0


# Webhooks: one ticket's state per call, keyed like the source's export columns.

JIRA_OPEN: dict[str, object] = {
    "Issue key": "SD-1",
    "Status": "Open",
    "Priority": "High",
    "Created": "2026-03-02T08:00:00Z",
    "Updated": "2026-03-02T08:00:00Z",
    "Issue Type": "Incident",
    "Assignee": None,
    "Description": "ignored: not mapped",
}
JIRA_PROGRESS = {**JIRA_OPEN, "Status": "In Progress", "Updated": "2026-03-02T08:20:00Z"}
JIRA_DONE = {
    **JIRA_PROGRESS,
    "Status": "Closed",
    "Updated": "2026-03-02T08:45:00Z",
    "Resolved": "2026-03-02T08:40:00Z",
}


def test_a_webhook_for_a_new_ticket_stores_its_creation_state_priority_and_fields(
    session: Session,
) -> None:
    result = ingest_webhook(session, PUSHER, "jira", JIRA_OPEN, now=NOW)
    assert result == IngestResult(accepted=4, added=4, duplicates=0)
    events = {(r.kind, r.value) for r in EventRepository(session).history("jira", ["SD-1"])["SD-1"]}
    assert events == {
        (EventKind.CREATED, ""),
        (EventKind.STATE, "Open"),
        (EventKind.PRIORITY, "P2"),  # translated by the mapping, as in a file import
        (EventKind.FIELD, "issue_type=Incident"),
    }


def test_a_later_snapshot_emits_only_what_changed(session: Session) -> None:
    ingest_webhook(session, PUSHER, "jira", JIRA_OPEN, now=NOW)
    progress = ingest_webhook(session, PUSHER, "jira", JIRA_PROGRESS, now=NOW)
    assert (progress.accepted, progress.added) == (1, 1)
    done = ingest_webhook(session, PUSHER, "jira", {**JIRA_DONE, "Priority": "Highest"}, now=NOW)
    assert done.added == 4  # state, closed, resolved at its own instant, priority
    assert kinds_per_item(session, "jira") == Counter(
        {
            ("SD-1", EventKind.CREATED): 1,
            ("SD-1", EventKind.STATE): 3,
            ("SD-1", EventKind.PRIORITY): 2,
            ("SD-1", EventKind.FIELD): 1,
            ("SD-1", EventKind.RESOLVED): 1,
            ("SD-1", EventKind.CLOSED): 1,
        }
    )


def test_a_replayed_snapshot_adds_nothing(session: Session) -> None:
    for payload in (JIRA_OPEN, JIRA_PROGRESS, JIRA_DONE):
        ingest_webhook(session, PUSHER, "jira", payload, now=NOW)
    before = event_count(session)
    for payload in (JIRA_OPEN, JIRA_PROGRESS, JIRA_DONE, JIRA_DONE):
        assert ingest_webhook(session, PUSHER, "jira", payload, now=NOW).added == 0
    assert event_count(session) == before


ZENDESK_HEADER = ["Id", "Status", "Priority", "Created at", "Updated at", "Solved at", "Group"]
ZENDESK_HEADER += ["Ticket type", "Via", "Reopens", "First reply time in minutes"]
ZENDESK_ROWS = [
    ["101", "New", "Normal", "2026-03-02T07:00:00Z", "2026-03-02T07:00:00Z", "", "Desk", "", "Web"],
    ["101", "Open", "High", "2026-03-02T07:00:00Z", "2026-03-02T07:30:00Z", "", "Desk", "", "Web"],
    ["101", "Solved", "High", "2026-03-02T07:00:00Z", "2026-03-02T08:10:00Z",
     "2026-03-02T08:05:00Z", "Desk", "incident", "Web"],
    ["102", "Open", "Urgent", "2026-03-02T07:15:00Z", "2026-03-02T07:15:00Z", "", "Ops", "",
     "Mail"],
]  # fmt: skip
ZENDESK_TAILS = [["0", ""], ["0", "12"], ["1", "12"], ["0", ""]]


def test_webhooks_derive_the_events_of_the_same_rows_imported_as_an_export(
    session: Session, tmp_path: Path
) -> None:
    rows = [row + tail for row, tail in zip(ZENDESK_ROWS, ZENDESK_TAILS, strict=True)]
    export = tmp_path / "tickets.csv"
    with export.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([ZENDESK_HEADER, *rows])
    from_file, issues, _ = read_events(export, "zendesk")
    assert not issues
    for row in rows:
        payload = dict(zip(ZENDESK_HEADER, row, strict=True))
        ingest_webhook(session, PUSHER, "zendesk", payload, now=NOW)
    history = EventRepository(session).history("zendesk", ["101", "102"])
    from_webhooks = {(i, r.at_ns, r.kind, r.value) for i, rs in history.items() for r in rs}
    assert from_webhooks == {(e.item_id, e.at_ns, e.kind, e.value) for e in from_file}


def test_payload_keys_match_the_mapping_regardless_of_case(session: Session) -> None:
    payload = {key.lower(): value for key, value in JIRA_OPEN.items()}
    assert ingest_webhook(session, PUSHER, "jira", payload, now=NOW).added == 4


def test_numbers_and_booleans_in_a_payload_read_as_their_text(session: Session) -> None:
    payload = {"Id": 55, "Status": "open", "Updated at": "2026-03-02T08:00:00Z", "Via": False}
    assert ingest_webhook(session, PUSHER, "zendesk", payload, now=NOW).added == 2
    events = EventRepository(session).history("zendesk", ["55"])["55"]
    assert {(row.kind, row.value) for row in events} == {
        (EventKind.STATE, "open"),
        (EventKind.FIELD, "via=false"),
    }


SERVICENOW: dict[str, object] = {
    "number": "INC0001",
    "incident_state": "New",
    "priority": "1 - Critical",
    "sys_updated_at": "2026-03-02 08:00:00",
    "sys_mod_count": 0,
    "opened_at": "2026-03-02 08:00:00",
}


def test_naive_webhook_times_need_a_timezone(session: Session) -> None:
    with pytest.raises(ValidationError, match=r"\?timezone="):
        ingest_webhook(session, PUSHER, "servicenow", SERVICENOW, now=NOW)
    result = ingest_webhook(
        session, PUSHER, "servicenow", SERVICENOW, now=NOW, timezone="Europe/Berlin"
    )
    assert result.added == 3
    created = EventRepository(session).history("servicenow", ["INC0001"])["INC0001"][0]
    assert created.at_ns == ns("2026-03-02T07:00:00Z")


def test_servicenow_times_in_its_export_format_are_read_too(session: Session) -> None:
    payload = {**SERVICENOW, "sys_updated_at": "02/03/2026 08:00", "opened_at": "02/03/2026 08:00"}
    result = ingest_webhook(session, PUSHER, "servicenow", payload, now=NOW, timezone="UTC")
    assert result.added == 3


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**JIRA_OPEN, "Issue key": ""}, "no item id"),
        ({k: v for k, v in JIRA_OPEN.items() if k != "Updated"}, "no time"),
        ({**JIRA_OPEN, "Updated": "soon"}, "unreadable time"),
        ({**JIRA_OPEN, "Status": {"name": "Open"}}, "must be text"),
        ({**JIRA_OPEN, "Status": "Op\x00en"}, "NUL"),
        (
            {**JIRA_OPEN, "Created": "2026-03-02T09:06:00Z", "Updated": "2026-03-02T09:06:00Z"},
            "after",
        ),
        ({**JIRA_OPEN, "Issue key": "K" * 401}, "longer than"),
        ({**JIRA_OPEN, "Assignee": "x" * 4001}, "longer than"),
        (["SD-1"], "JSON object"),
    ],
)
def test_an_unreadable_webhook_is_refused_whole(
    session: Session, payload: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ingest_webhook(session, PUSHER, "jira", payload, now=NOW)
    assert event_count(session) == 0


def test_a_servicenow_update_counter_too_long_to_be_a_number_is_refused(session: Session) -> None:
    payload = {**SERVICENOW, "sys_mod_count": "9" * 5_000}
    with pytest.raises(ValidationError, match="longer than"):
        ingest_webhook(session, PUSHER, "servicenow", payload, now=NOW, timezone="UTC")


@pytest.mark.parametrize("source", ["bpic2013", "events", "api", "JIRA"])
def test_a_source_without_webhooks_is_not_found(session: Session, source: str) -> None:
    with pytest.raises(NotFoundError):
        ingest_webhook(session, PUSHER, source, JIRA_OPEN, now=NOW)


# Signatures (no database).


def test_a_signature_matches_its_body_and_secret_only() -> None:
    body = b'{"Id": 1}'
    header = sign_body("s3cret", body)
    assert header.startswith("sha256=")
    assert len(header) == 7 + 64
    assert signature_matches("s3cret", body, header)
    assert signature_matches("s3cret", body, "SHA256=" + header[7:].upper())
    assert not signature_matches("other", body, header)
    assert not signature_matches("s3cret", body + b" ", header)
    assert not signature_matches("s3cret", body, header[7:])
    assert not signature_matches("s3cret", body, "sha256=")
    assert not signature_matches("s3cret", body, "sha256=" + "é" * 64)
