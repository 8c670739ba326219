"""Importing exports into the database, on SQLite and PostgreSQL: idempotent, overlapping
exports, bad rows, interrupted imports, naive times, user mappings, accord's own event logs.

Each test's work is rolled back afterwards; each batch of an import is a savepoint of the
test's transaction, committed or rolled back like the real thing.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import AccordError, EventLogError, ValidationError
from accord.ingest.sources import BUILTIN_DIR, RowIssue, read_events
from accord.persistence.records import (
    EventRecord,
    ImportIssueRecord,
    ImportRecord,
    ImportStatus,
    ItemRecord,
)
from accord.persistence.repositories import EventRepository
from accord.services.imports import ImportSummary, import_file
from tests.ingest.test_sources_builtin import (
    BPIC2013_LOG,
    SAO_PAULO,
    SERVICENOW_LOG,
    shared_data,
)

SERVICENOW_MAPPING = BUILTIN_DIR / "servicenow.yaml"
BPIC2013_MAPPING = BUILTIN_DIR / "bpic2013.yaml"

Stored = set[tuple[str, int, int, str, str]]


def units(session: Session) -> Callable[[], AbstractContextManager[Session]]:
    """A unit of work on the test's session: each use is one savepoint, as one batch."""

    @contextmanager
    def unit() -> Iterator[Session]:
        # A query of the test itself may have begun the session's transaction already.
        with session.begin_nested() if session.in_transaction() else session.begin():
            yield session

    return unit


def stored(session: Session, source: str) -> Stored:
    """Every stored event of a source: item, instant, kind code, value, identity."""
    events, items = EventRecord.__table__, ItemRecord.__table__
    query = (
        select(
            items.c.external_id, events.c.at_ns, events.c.kind, events.c.value, events.c.dedupe_key
        )
        .select_from(events.join(items, events.c.item_pk == items.c.pk))
        .where(items.c.source == source)
    )
    return {tuple(row) for row in session.execute(query)}  # type: ignore[misc]


def imports(session: Session) -> list[ImportRecord]:
    return list(session.scalars(select(ImportRecord).order_by(ImportRecord.pk)))


def write_subset(name: str, path: Path, keep: Callable[[dict[str, str]], bool]) -> Path:
    """Write the rows of a real log that `keep` accepts (header included), gzipped."""
    with gzip.open(shared_data(name), "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(row for row in reader if keep(dict(zip(header, row, strict=True))))
    path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8")))
    return path


def first_incidents(count: int) -> Callable[[dict[str, str]], bool]:
    """Rows of the first `count` incidents of the ServiceNow log (INC0000045 ...)."""
    seen: set[str] = set()

    def keep(row: dict[str, str]) -> bool:
        if row["number"] not in seen and len(seen) >= count:
            return False
        seen.add(row["number"])
        return True

    return keep


def updated(row: dict[str, str]) -> datetime:
    return datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007


@pytest.mark.slow
def test_the_whole_servicenow_log_imports_once_and_a_second_import_adds_nothing(
    session: Session,
) -> None:
    path = shared_data(SERVICENOW_LOG)
    expected, _, _ = read_events(path, "servicenow", timezone=SAO_PAULO)

    first = import_file(units(session), path, "servicenow", timezone=SAO_PAULO)
    again = import_file(units(session), path, "servicenow", timezone=SAO_PAULO)

    assert (first.rows_read, first.rows_rejected, first.events_added) == (141_712, 0, len(expected))
    assert first.duplicates == 0
    assert (again.rows_read, again.events_added) == (141_712, 0)
    assert again.duplicates > 0
    assert EventRepository(session).count("servicenow") == len(expected)
    items = session.scalar(
        select(func.count()).select_from(ItemRecord).where(ItemRecord.source == "servicenow")
    )
    assert items == 24_918
    assert [record.status for record in imports(session)] == [ImportStatus.DONE] * 2


def test_an_overlapping_later_servicenow_export_adds_only_what_is_new(
    session: Session, tmp_path: Path
) -> None:
    whole = write_subset(SERVICENOW_LOG, tmp_path / "whole.csv.gz", first_incidents(2_500))
    # Naive, like the log's own times: the exports are cut at wall-clock dates, 4 days in both.
    cut_early, cut_late = datetime(2016, 3, 8), datetime(2016, 3, 12)  # noqa: DTZ001
    subset = first_incidents(2_500)
    early = write_subset(
        SERVICENOW_LOG, tmp_path / "a.csv.gz", lambda r: subset(r) and updated(r) < cut_late
    )
    subset = first_incidents(2_500)
    late = write_subset(
        SERVICENOW_LOG, tmp_path / "b.csv.gz", lambda r: subset(r) and updated(r) >= cut_early
    )
    unit = units(session)

    import_file(unit, whole, "reference", timezone=SAO_PAULO, mapping_path=SERVICENOW_MAPPING)
    first = import_file(unit, early, "servicenow", timezone=SAO_PAULO)
    before = stored(session, "servicenow")
    later = import_file(unit, late, "servicenow", timezone=SAO_PAULO)
    after = stored(session, "servicenow")

    assert first.events_added == len(before)
    assert later.events_added == len(after) - len(before)
    assert later.duplicates > 0  # the four days both exports hold
    assert after == stored(session, "reference")


def test_an_overlapping_later_event_log_adds_only_what_is_new(
    session: Session, tmp_path: Path
) -> None:
    cut_early, cut_late = "2012-05-01", "2012-05-10"
    whole = write_subset(
        BPIC2013_LOG, tmp_path / "whole.csv.gz", lambda r: r["time:timestamp"] >= "2012-04"
    )
    early = write_subset(
        BPIC2013_LOG, tmp_path / "a.csv.gz", lambda r: "2012-04" <= r["time:timestamp"] < cut_late
    )
    late = write_subset(
        BPIC2013_LOG, tmp_path / "b.csv.gz", lambda r: r["time:timestamp"] >= cut_early
    )
    unit = units(session)

    import_file(unit, whole, "reference", timezone=None, mapping_path=BPIC2013_MAPPING)
    import_file(unit, early, "bpic2013", timezone=None)
    later = import_file(unit, late, "bpic2013", timezone=None)

    assert later.duplicates > 0
    assert stored(session, "bpic2013") == stored(session, "reference")


def test_a_bad_row_is_reported_with_its_line_and_the_rest_goes_in(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case,time,activity\n"
        "A,2026-03-02T09:00:00Z,Open\n"
        "B,2026-03-02T25:00:00Z,Open\n"
        ",2026-03-02T09:00:00Z,Open\n"
        "C,2026-03-02T10:00:00Z,Open\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "log.yaml"
    mapping.write_text(
        "apiVersion: accord/v1\nkind: Mapping\nmetadata: {name: log}\n"
        "spec: {shape: events, item: case, at: time, state: activity}\n",
        encoding="utf-8",
    )

    summary = import_file(units(session), path, "log", timezone=None, mapping_path=mapping)

    assert (summary.rows_read, summary.rows_rejected, summary.events_added) == (4, 2, 4)
    assert summary.issues == [
        RowIssue(
            3,
            "unreadable time '2026-03-02T25:00:00Z'; write ISO 8601 such as "
            "2026-03-02T09:00:00+01:00 (column time)",
        ),
        RowIssue(4, "no item id (column case)"),
    ]
    issue_rows = session.scalars(select(ImportIssueRecord).order_by(ImportIssueRecord.line))
    assert [(r.import_pk, r.line) for r in issue_rows] == [
        (summary.import_pk, 3),
        (summary.import_pk, 4),
    ]
    record = session.get(ImportRecord, summary.import_pk)
    assert record is not None
    assert (record.status, record.rows_read, record.rows_rejected) == (ImportStatus.DONE, 4, 2)
    assert {row[0] for row in stored(session, "log")} == {"A", "C"}


def test_an_interrupted_import_keeps_its_first_batches_and_a_rerun_completes_it(
    session: Session, tmp_path: Path
) -> None:
    path = write_subset(SERVICENOW_LOG, tmp_path / "log.csv.gz", first_incidents(600))
    unit = units(session)
    calls: list[int] = []

    def stop_in_second_batch(bytes_read: int) -> None:
        calls.append(bytes_read)
        if len(calls) == 2:
            raise KeyboardInterrupt

    reference = import_file(
        unit,
        path,
        "reference",
        timezone=SAO_PAULO,
        mapping_path=SERVICENOW_MAPPING,
        batch_rows=1_000,
    )
    with pytest.raises(KeyboardInterrupt):
        import_file(
            unit,
            path,
            "servicenow",
            timezone=SAO_PAULO,
            batch_rows=1_000,
            progress=stop_in_second_batch,
        )
    after_first_batch = stored(session, "servicenow")
    interrupted = imports(session)[-1]
    rerun = import_file(unit, path, "servicenow", timezone=SAO_PAULO, batch_rows=1_000)

    assert 0 < len(after_first_batch) < reference.events_added
    assert interrupted.status is ImportStatus.FAILED
    assert interrupted.events_added == len(after_first_batch)  # the batch it stored, no more
    assert rerun.events_added == reference.events_added - len(after_first_batch)
    assert stored(session, "servicenow") == stored(session, "reference")
    assert EventRepository(session).count("servicenow") == reference.events_added


def test_naive_times_without_a_zone_are_refused_and_nothing_is_written(session: Session) -> None:
    with pytest.raises(EventLogError, match="pass --timezone"):
        import_file(units(session), shared_data(SERVICENOW_LOG), "servicenow", timezone=None)

    assert imports(session) == []


def test_a_user_mapping_imports_an_invented_export(session: Session, tmp_path: Path) -> None:
    export = tmp_path / "acme.csv"
    export.write_text(
        "Ticket;Opened;Changed;Status;Urgency;Team\n"
        "T-1;02.03.2026 09:00;02.03.2026 09:00;open;sehr hoch;Ops\n"
        "T-1;02.03.2026 09:00;02.03.2026 09:20;in Arbeit;sehr hoch;Ops\n"
        "T-1;02.03.2026 09:00;02.03.2026 11:00;erledigt;sehr hoch;Ops\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "acme.yaml"
    mapping.write_text(
        """\
apiVersion: accord/v1
kind: Mapping
metadata: {name: acme, description: "ACME ticket tool, one row per change"}
spec:
  shape: snapshots
  csv: {delimiter: ";"}
  timezone: Europe/Berlin
  time_format: "%d.%m.%Y %H:%M"
  item: Ticket
  at: Changed
  created: {column: Opened}
  state: {column: Status, values: {in Arbeit: in progress, erledigt: done}}
  priority: {column: Urgency, values: {sehr hoch: P1, hoch: P2}}
  responded: {states: [in progress]}
  resolved: {states: [done]}
  fields: {team: Team}
""",
        encoding="utf-8",
    )

    summary = import_file(units(session), export, "acme", timezone=None, mapping_path=mapping)
    table = EventRepository(session).load_table(sources=["acme"])

    assert (summary.rows_read, summary.rows_rejected) == (3, 0)
    kinds = [str(table.kind[i]) for i in range(len(table))]
    assert (
        len(kinds) == summary.events_added == 8
    )  # created, P1, team, open, 2 states, responded, resolved
    assert set(table.values) == {"P1", "team=Ops", "open", "in progress", "done"}
    assert (
        int(table.at.min())
        == int(datetime.fromisoformat("2026-03-02T08:00:00+00:00").timestamp()) * 10**9
    )


def test_accord_event_logs_keep_their_event_ids_and_reimport_adds_nothing(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "item_id,at,event,value,event_id\n"
        "A,2026-03-02T09:00:00Z,created,,e1\n"
        "A,2026-03-02T09:00:00Z,priority,P2,e2\n"
        "A,2026-03-02T09:00:00Z,priority,P2,e3\n"
        "A,2026-03-02T09:30:00Z,responded,,\n"
        "A,2026-03-02T09:30:00Z,bogus,,\n",
        encoding="utf-8",
    )

    first = import_file(units(session), path, "events", timezone=None)
    again = import_file(units(session), path, "events", timezone=None)

    assert (first.rows_read, first.rows_rejected, first.events_added) == (5, 1, 4)
    assert first.issues[0].line == 6
    assert "unknown event 'bogus'" in first.issues[0].message
    assert (again.events_added, again.duplicates) == (0, 4)
    keys = {row[4] for row in stored(session, "events")}
    assert {"id:e1", "id:e2", "id:e3"} <= keys


def test_accord_json_lines_import_too(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"item_id": "A", "at": "2026-03-02T09:00:00+01:00", "event": "created"}\n'
        "not json\n"
        '{"item_id": "A", "at": "2026-03-02T10:00:00+01:00", "event": "state", "value": "open"}\n',
        encoding="utf-8",
    )

    summary = import_file(units(session), path, "events", timezone=None)

    assert (summary.rows_read, summary.rows_rejected, summary.events_added) == (3, 1, 2)
    assert summary.issues[0].line == 2


def test_an_unknown_source_without_a_mapping_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")

    with pytest.raises(AccordError, match="unknown source 'acme'"):
        import_file(units(session), path, "acme", timezone=None)


def test_an_invalid_mapping_is_refused_with_its_line(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("apiVersion: accord/v1\nkind: Mapping\nmetadata: {name: x}\nspec: {}\n")

    with pytest.raises(ValidationError) as caught:
        import_file(units(session), path, "x", timezone=None, mapping_path=mapping)

    assert str(caught.value.issues[0]).startswith(f"{mapping}:4: spec.")


def test_the_summary_lists_at_most_a_thousand_rejected_rows(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_text("item_id,at,event,value\n" + "A,never,created,\n" * 1_200, encoding="utf-8")

    summary: ImportSummary = import_file(units(session), path, "events", timezone=None)

    assert (summary.rows_rejected, len(summary.issues)) == (1_200, 1_000)
    count = session.scalar(select(func.count()).select_from(ImportIssueRecord))
    assert count == 1_200
