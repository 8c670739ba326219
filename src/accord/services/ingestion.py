"""Live ingestion: accord's own event rows and service-desk webhooks -> stored item events.

Owns what a pushed batch or webhook becomes and the counts given back to the sender. Parsing is
`accord.ingest`'s (the same rules and field mappings as the file imports); identity is
`EventRepository`'s dedupe key, so a retry, a replay or a concurrent duplicate counts once.
Flushes, never commits: the entry point owns the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import delete, false, func, select
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, NotFoundError, Principal, can_ingest
from accord.domain.events import EVENT_CODES
from accord.errors import EventLogError, FieldIssue, ValidationError
from accord.ingest import read_event_rows
from accord.ingest.sources import SourceMapping, StoredEvent, builtin_mapping
from accord.ingest.sources.csvrows import RowChunk
from accord.ingest.sources.derive import derive_events
from accord.ingest.sources.models import ISO
from accord.ingest.sources.rowparse import Mapper
from accord.ingest.sources.timeparse import NAIVE_ADVICE
from accord.persistence.records import ItemRecord
from accord.persistence.repositories import AddResult, EventRepository, EventRow

__all__ = [
    "API_SOURCE",
    "MAX_AHEAD",
    "MAX_BATCH_EVENTS",
    "SIGNATURE_PREFIX",
    "WEBHOOK_SOURCES",
    "IngestResult",
    "RejectedRow",
    "ingest_events",
    "ingest_webhook",
    "sign_body",
    "signature_matches",
]

API_SOURCE = "api"
WEBHOOK_SOURCES = ("servicenow", "jira", "zendesk")
MAX_BATCH_EVENTS = 1_000
# Events are pushed as they happen: one dated later than this after `now` is a sender's bug
# (a wrong zone, a wrong year), refused rather than left waiting to change a clock.
MAX_AHEAD = timedelta(minutes=5)
MAX_ID_LENGTH = 400  # item and event ids (the items table holds 400 characters)
MAX_VALUE_LENGTH = 4_000
SIGNATURE_PREFIX = "sha256="

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KIND_BY_CODE = {code: kind for kind, code in EVENT_CODES.items()}
_FIELDS = ("item_id", "at", "event", "value", "event_id")
_NUMBER_FIELDS = frozenset({"item_id", "value", "event_id"})  # ids and values may be numbers
_WEBHOOK_ADVICE = "add ?timezone=<IANA zone> to the webhook's URL"


@dataclass(frozen=True, slots=True, order=True)
class RejectedRow:
    """A row left out of a batch: its position in the batch (from 0) and why."""

    index: int
    message: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one request did: `accepted` events were valid, of which `added` were new and
    `duplicates` already stored (a retry, a replay, or the same event twice in the batch);
    `rejected` lists the rows left out, by index."""

    accepted: int
    added: int
    duplicates: int
    rejected: list[RejectedRow] = field(default_factory=list)


def ingest_events(
    session: Session,
    principal: Principal,
    payload_rows: Sequence[object],
    *,
    source: str = API_SOURCE,
    now: datetime,
) -> IngestResult:
    """Store a batch of accord's own event rows (`item_id`, `at`, `event`, `value`,
    `event_id`) under `source`; reject bad rows by index and store the rest.

    The row rules are the event log's (`accord.ingest.eventlog`): `at` must carry an offset or
    `Z` (no zone is guessed), `event` is a kind, `value` is required for priority, field and
    state events. Ids and values may be JSON numbers; other keys are ignored. An event dated
    more than MAX_AHEAD after `now` is rejected. Each event's identity is its item and
    `event_id` when given, else its content, so sending a batch again adds nothing.
    ForbiddenError without the `ingest` scope; ValidationError for more than MAX_BATCH_EVENTS
    rows or an unusable source name.
    """
    _require_ingest(principal)
    _check_source(source)
    if len(payload_rows) > MAX_BATCH_EVENTS:
        raise ValidationError(
            [
                FieldIssue(
                    "events", f"at most {MAX_BATCH_EVENTS} per request, got {len(payload_rows)}"
                )
            ]
        )
    rejected: list[RejectedRow] = []
    kept: list[tuple[int, str, str | None]] = []  # (index, item id, event id) per record
    records: list[dict[str, str]] = []
    for index, row in enumerate(payload_rows):
        record, problem = _record(row)
        if problem:
            rejected.append(RejectedRow(index, problem))
            continue
        # Each row stands alone as item number i: the reader then keeps every accepted row
        # (no merging) and its issues point back at exactly one row.
        kept.append((index, record["item_id"], record["event_id"] or None))
        records.append({**record, "item_id": str(len(records))})
    result = read_event_rows(records, source, first_line=0)
    for issue in result.issues:
        index = kept[issue.line][0]
        rejected.append(RejectedRow(index, _reworded(issue.message, records[issue.line]["at"])))
    table = result.table
    latest = _ns(now + MAX_AHEAD)
    rows: list[EventRow] = []
    for row, item_code in enumerate(table.item.tolist()):
        index, item, event_id = kept[int(table.item_ids[item_code])]
        at_ns = int(table.at[row])
        if at_ns > latest:
            rejected.append(RejectedRow(index, _too_late(records[int(table.item_ids[item_code])])))
            continue
        value_code = int(table.value[row])
        value = table.values[value_code] if value_code >= 0 else ""
        rows.append(EventRow(item, at_ns, _KIND_BY_CODE[int(table.kind[row])], value, event_id))
    added = EventRepository(session).add_events(source, rows) if rows else AddResult(0, 0)
    rejected.sort()
    return IngestResult(len(rows), added.added, added.duplicates, rejected)


def ingest_webhook(
    session: Session,
    principal: Principal,
    source: str,
    payload: object,
    *,
    now: datetime,
    timezone: str | None = None,
) -> IngestResult:
    """Store what one webhook says changed: `payload` is one ticket's current state.

    The payload is a JSON object keyed by the columns of the source's built-in mapping (the
    same as its file export: `number`, `incident_state`, ... for ServiceNow; `Issue key`,
    `Status`, ... for Jira; `Id`, `Status`, ... for Zendesk; names match regardless of case);
    a column it leaves out has no value. Times are ISO 8601 (the mapping's own formats are
    read too); naive ones are read in `timezone` and refused without it. Steps:
    1. read the payload as one snapshot row with the mapping (ValidationError when it has no
       item id, no usable time, or a value that is not text, a number, a boolean or null, or
       is longer than MAX_VALUE_LENGTH);
    2. lock the item (on SQLite, the database), so that two servers receiving snapshots of
       one ticket at once compare each with the other's result rather than with the same past;
    3. compare it with the item's stored events as the snapshot import does: a new ticket
       gets its creation, state, priority and fields; a known one the changes only;
    4. store the derived events (duplicates count once, as for a re-imported export).
    NotFoundError for a source without webhooks; ForbiddenError without the `ingest` scope.
    """
    _require_ingest(principal)
    if source not in WEBHOOK_SOURCES:
        raise NotFoundError(f"no webhook source '{source}' (use {', '.join(WEBHOOK_SOURCES)})")
    if not isinstance(payload, Mapping):
        raise ValidationError([FieldIssue("", "a webhook payload is a JSON object")])
    mapping = _webhook_mapping(source)
    header, cells = _snapshot_row(mapping, payload)
    origin = f"{source} webhook"
    try:
        mapper = Mapper(mapping, header, origin, timezone)
        chunk = mapper.parse_chunk(RowChunk(lines=[1], rows=[cells]))
    except EventLogError as exc:
        raise ValidationError([FieldIssue("", _webhook_message(str(exc)))]) from None
    if chunk.issues or not chunk.items:
        messages = [_webhook_message(issue.message) for issue in chunk.issues]
        raise ValidationError([FieldIssue("", m) for m in messages or ["no readable row"]])
    item = chunk.items[0]
    if len(item) > MAX_ID_LENGTH:
        raise ValidationError(
            [FieldIssue(mapping.spec.item, f"longer than {MAX_ID_LENGTH} characters")]
        )
    repository = EventRepository(session)
    _lock_item(session, source, item)
    history = {
        name: [StoredEvent(e.at_ns, e.kind, e.value, e.event_id) for e in events]
        for name, events in repository.history(source, [item]).items()
    }
    events = derive_events(mapper, chunk, history)
    latest = _ns(now + MAX_AHEAD)
    if any(at_ns > latest for at_ns in events.at_ns):
        raise ValidationError(
            [FieldIssue("", f"the snapshot dates an event after {_text(now + MAX_AHEAD)}")]
        )
    added = repository.add_event_columns(source, events) if len(events) else AddResult(0, 0)
    return IngestResult(len(events), added.added, added.duplicates)


def sign_body(secret: str, body: bytes) -> str:
    """The signature header value of a webhook body: `sha256=` and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signature_matches(secret: str, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of `body` with `secret` (constant-time comparison).

    The hex digits may be in either case; anything else than `sha256=<64 hex digits>` fails.
    """
    text = header.strip()
    if not text.lower().startswith(SIGNATURE_PREFIX):
        return False
    given = text[len(SIGNATURE_PREFIX) :].lower().encode("ascii", "replace")
    expected = sign_body(secret, body)[len(SIGNATURE_PREFIX) :].encode("ascii")
    return hmac.compare_digest(given, expected)


def _require_ingest(principal: Principal) -> None:
    if not can_ingest(principal):
        raise ForbiddenError("pushing events needs a token with the 'ingest' scope")


def _check_source(source: str) -> None:
    if not source or len(source) > 100 or not source.isprintable():
        raise ValidationError(
            [FieldIssue("source", "a source name is 1 to 100 printable characters")]
        )


def _record(row: object) -> tuple[dict[str, str], str]:
    """A row's fields as text, or why the row is unusable (its reason, else '')."""
    if not isinstance(row, Mapping):
        return {}, "not a JSON object"
    record: dict[str, str] = {}
    for name in _FIELDS:
        value = row.get(name)
        if value is None:
            record[name] = ""
        elif isinstance(value, str):
            record[name] = value
        elif (
            name in _NUMBER_FIELDS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            record[name] = str(value)
        else:
            kind = "text or a number" if name in _NUMBER_FIELDS else "text"
            return {}, f"{name} must be {kind}"
        if "\x00" in record[name]:
            return {}, f"{name} contains a NUL character"
    record["item_id"] = record["item_id"].strip()
    record["event_id"] = record["event_id"].strip()
    if not record["item_id"]:
        return {}, "missing item_id"
    for name in ("item_id", "event_id"):
        if len(record[name]) > MAX_ID_LENGTH:
            return {}, f"{name} is longer than {MAX_ID_LENGTH} characters"
    if len(record["value"]) > MAX_VALUE_LENGTH:
        return {}, f"value is longer than {MAX_VALUE_LENGTH} characters"
    return record, ""


def _reworded(message: str, at: str) -> str:
    """The reader's message, with advice fit for an API client on naive times."""
    if message.startswith("naive timestamp"):
        return f"naive timestamp '{at}' has no offset; add one, or Z for UTC"
    return message


def _too_late(record: Mapping[str, str]) -> str:
    minutes = int(MAX_AHEAD / timedelta(minutes=1))
    return f"at '{record['at']}' is more than {minutes} minutes in the future"


def _ns(moment: datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@lru_cache(maxsize=len(WEBHOOK_SOURCES))
def _webhook_mapping(source: str) -> SourceMapping:
    """The source's built-in mapping, reading ISO 8601 first: JSON carries ISO times."""
    mapping = builtin_mapping(source)
    formats = mapping.spec.time_format
    if ISO not in formats:
        spec = mapping.spec.model_copy(update={"time_format": [ISO, *formats]})
        mapping = SourceMapping(mapping.name, spec, mapping.path, mapping.description)
    return mapping


def _columns(mapping: SourceMapping) -> list[str]:
    """Every column a mapping reads, in a fixed order."""
    spec = mapping.spec
    names = [spec.item, spec.at.column]
    if spec.sequence:
        names.append(spec.sequence)
    names.extend(c.column for c in (spec.state, spec.priority) if c is not None)
    names.extend(column.column for column in spec.fields.values())
    for trigger in (spec.created, spec.responded, spec.resolved, spec.closed, spec.reopened):
        if trigger is not None:
            names.extend(
                name
                for name in (trigger.column, trigger.minutes_after_created, trigger.count)
                if name
            )
    return list(dict.fromkeys(names))


def _snapshot_row(
    mapping: SourceMapping, payload: Mapping[object, object]
) -> tuple[list[str], list[str]]:
    """The payload as one export row: a header and its cells, every mapped column present.

    Keys are matched as the file import matches a header (exact, else regardless of case); a
    mapped column the payload lacks is an empty cell.
    """
    header: list[str] = []
    cells: list[str] = []
    issues: list[FieldIssue] = []
    for key, value in payload.items():
        if not isinstance(key, str):
            continue
        text = _cell(value)
        if text is None:
            issues.append(FieldIssue(key, "must be text, a number, a boolean or null"))
            continue
        if "\x00" in text:
            issues.append(FieldIssue(key, "contains a NUL character"))
            continue
        if len(text) > MAX_VALUE_LENGTH:
            issues.append(FieldIssue(key, f"longer than {MAX_VALUE_LENGTH} characters"))
            continue
        header.append(key)
        cells.append(text)
    if issues:
        raise ValidationError(issues)
    present = {name.lower() for name in header}
    for name in _columns(mapping):
        if name.lower() not in present:
            header.append(name)
            cells.append("")
    return header, cells


def _cell(value: object) -> str | None:
    """A JSON value as an export cell; None for objects and lists."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _webhook_message(message: str) -> str:
    return message.replace(NAIVE_ADVICE, _WEBHOOK_ADVICE)


def _lock_item(session: Session, source: str, item: str) -> None:
    """Hold a lock on one item until the transaction ends, before its history is read.

    PostgreSQL: an advisory lock on the item's name, so snapshots of other items go on in
    parallel. SQLite: a write that changes nothing takes the database's write lock now, so the
    history read and the insert see the same database (a read transaction that another
    writer overtakes could not write afterwards).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        key = func.hashtextextended(f"{source}\x1f{item}", 0)
        connection.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        connection.execute(delete(ItemRecord).where(false()))
