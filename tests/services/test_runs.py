"""Runs from files and the demo's generated log: the orchestration behind `evaluate` and `demo`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from accord.domain.events import EVENT_CODES, EventKind
from accord.errors import EventLogError, ValidationError
from accord.services.runs import (
    demo_events,
    evaluate_files,
    example_agreements,
)
from tests.ingest.samples import issue_setup, write

AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def test_evaluate_files_loads_reads_and_evaluates(tmp_path: Path) -> None:
    agreements, events = issue_setup(tmp_path)
    seen: list[tuple[int, int]] = []

    outcome = evaluate_files(
        [agreements], events, AS_OF, evaluate_progress=lambda d, t: seen.append((d, t))
    )

    assert [a.id for a in outcome.agreements] == ["it-service-desk-for-sales"]
    assert (outcome.read.rows_read, len(outcome.read.table)) == (6, 6)
    assert [len(clocks) for clocks in outcome.result.clocks] == [1, 1]
    assert seen[-1] == (2, 2)
    assert not outcome.skipped_reasons


def test_evaluate_files_stops_at_invalid_agreements_before_reading_the_log(
    tmp_path: Path,
) -> None:
    agreements, _ = issue_setup(tmp_path)
    write(agreements / "broken.yaml", "apiVersion: accord/v1\n")
    with pytest.raises(ValidationError):
        evaluate_files([agreements], tmp_path / "missing.csv", AS_OF)


def test_evaluate_files_raises_for_a_log_it_cannot_read(tmp_path: Path) -> None:
    agreements, _ = issue_setup(tmp_path)
    with pytest.raises(EventLogError):
        evaluate_files([agreements], tmp_path / "missing.csv", AS_OF)


def test_skipped_items_are_counted_once_per_item_and_reason(tmp_path: Path) -> None:
    agreements, _ = issue_setup(tmp_path)
    events = write(
        tmp_path / "events.csv",
        "item_id,at,event,value\nA,2026-03-02T08:00:00Z,created,\nB,2026-03-02T08:00:00Z,created,\n",
    )
    outcome = evaluate_files([agreements], events, AS_OF)

    assert len(outcome.result.skipped) == 4  # two items, two targets
    assert sum(outcome.skipped_reasons.values()) == 2


def test_demo_events_give_each_agreement_its_own_items_services_and_filter_fields() -> None:
    agreements = example_agreements()
    table = demo_events(agreements, scale=0.05)

    prefixes = {item_id.rstrip("0123456789") for item_id in table.item_ids}
    # Tickets and leads per agreement, plus outage records and weekly pipeline reports.
    assert prefixes == {"INC", "WEB", "LEAD", "OUT-availability-", "RPT-pipeline-report-"}
    services = {v for v in table.values if v.startswith("service=")}
    assert services == {f"service={s}" for a in agreements for s in a.services}
    fields = set(table.values)
    assert {"category=change", "category=other", "channel=web", "channel=referral"} <= fields
    assert "awaiting contact details" in fields  # the leads agreement's pause state
    is_field = table.kind == EVENT_CODES[EventKind.FIELD]
    service_codes = [table.values.index(s) for s in services]
    assert (
        np.unique(table.item[is_field & np.isin(table.value, service_codes)]).size == table.n_items
    )
