"""The monthly report of a stored workspace: figures by hand, MTTR, default instant, files."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.events import EventKind
from accord.reports.report_files import REPORT_COLUMNS, from_json, to_json, write_csv
from accord.services.agreements import agreements_in_force
from accord.services.evaluation import evaluate
from accord.services.reports import (
    BREACH_LIMIT,
    PriorityVolume,
    build_report,
    monthly_report,
    parse_month,
    report_instant,
)
from tests import builders
from tests.services.samples import C, P, Z, add_events, stored_desk, utc

HOUR = 3600
NOW = utc("2026-05-20T10:00:00Z")


def test_the_march_report_counts_what_was_decided_in_march(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)

    report = monthly_report(session, (2026, 3), now=NOW, as_of=utc("2026-04-02T00:00:00Z"))

    (desk,) = report.agreements
    response, resolution = desk.targets
    (march,) = response.periods
    assert (march.label, march.counted, march.met, march.breached) == ("2026-03", 6, 5, 1)
    assert (march.attainment, march.result) == (Decimal("0.833333"), "missed")
    # E reached its goal at 17:00 on 31 March: breached in March once 1 April has begun.
    (march,) = resolution.periods
    assert (march.counted, march.met, march.breached) == (5, 2, 3)
    assert (march.attainment, march.objective, march.result) == (
        Decimal("0.4"),
        Decimal("0.8"),
        "missed",
    )
    assert [
        (b.item_id, b.breached_at, b.elapsed_seconds, b.goal_seconds) for b in resolution.breaches
    ] == [
        ("C", utc("2026-03-04T12:00:00Z"), 6 * HOUR, 4 * HOUR),
        ("D", utc("2026-03-30T15:00:00Z"), 24 * HOUR, 8 * HOUR),
        ("E", utc("2026-03-31T15:00:00Z"), 16 * HOUR, 8 * HOUR),
    ]
    assert [b.stop_at for b in resolution.breaches] == [utc("2026-03-04T14:00:00Z"), None, None]
    assert [(p.label, p.counted, p.result) for p in resolution.trend] == [
        ("2026-01", 0, "no data"),
        ("2026-02", 1, "met"),
        ("2026-03", 5, "missed"),
    ]


def test_mttr_is_the_mean_time_from_created_to_the_final_resolution_per_priority(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)

    report = monthly_report(session, (2026, 3), now=NOW)

    # Resolved in March: A (P1, 3h), C (P1, 6h), B (P2, 5h), H (no priority, 1h).
    assert report.agreements[0].volume == (
        PriorityVolume("P1", 3, 2, int(4.5 * HOUR), int(4.5 * HOUR)),
        PriorityVolume("P2", 3, 1, 5 * HOUR, 5 * HOUR),
        PriorityVolume("(none)", 1, 1, HOUR, HOUR),
    )
    assert report.volume == (
        PriorityVolume("P1", 3, 2, int(4.5 * HOUR), None),
        PriorityVolume("P2", 3, 1, 5 * HOUR, None),
        PriorityVolume("(none)", 1, 1, HOUR, None),
    )


def test_mttr_counts_a_reopened_item_at_its_final_resolution_in_business_time(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)
    # Created Friday 6 March 16:00 local, resolved at 17:00, reopened Monday, resolved in April.
    add_events(
        session,
        [
            ("R", "2026-03-06T15:00:00Z", C, ""),
            ("R", "2026-03-06T15:00:00Z", P, "P2"),
            ("R", "2026-03-06T16:00:00Z", Z, ""),
            ("R", "2026-03-09T08:00:00Z", EventKind.REOPENED, ""),
            ("R", "2026-04-01T08:00:00Z", Z, ""),
        ],
    )

    march = monthly_report(session, (2026, 3), now=NOW).agreements[0].volume
    april = monthly_report(session, (2026, 4), now=NOW).agreements[0].volume

    assert march[1] == PriorityVolume("P2", 4, 1, 5 * HOUR, 5 * HOUR)  # R is not resolved
    wall = (utc("2026-04-01T08:00:00Z") - utc("2026-03-06T15:00:00Z")).total_seconds()
    # Business: Friday 16-17 (1h), 17 working days 9-17 from Mon 9 to Tue 31 March, 1 April
    # 9-10 (CEST by then: 07:00Z-08:00Z).
    assert april[1] == PriorityVolume("P2", 0, 1, int(wall), (1 + 17 * 8 + 1) * HOUR)


def test_a_past_month_is_reported_as_of_its_end_and_a_running_one_as_of_now(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)
    agreements = [latest for latest, _ in agreements_in_force(session)]

    assert report_instant(agreements, (2026, 3), NOW) == utc("2026-03-31T22:00:00Z")
    assert report_instant(agreements, (2026, 5), NOW) == NOW
    assert report_instant([], (2026, 3), NOW) == utc("2026-04-01T00:00:00Z")
    # As of the end of March, E has reached its goal but not exceeded it: not breached yet.
    report = monthly_report(session, (2026, 3), now=NOW)
    assert report.as_of == utc("2026-03-31T22:00:00Z")
    assert report.agreements[0].targets[1].periods[0].breached == 2


def test_with_no_agreement_the_report_still_has_volume_and_mttr(session: Session) -> None:
    add_events(
        session, [("X", "2026-03-02T08:00:00Z", C, ""), ("X", "2026-03-02T10:00:00Z", Z, "")]
    )

    report = monthly_report(session, (2026, 3), now=NOW)

    assert report.agreements == ()
    assert report.notes == (
        "No agreement has been applied yet: only ticket volume and MTTR are shown.",
    )
    assert report.volume == (PriorityVolume("(none)", 1, 1, 2 * HOUR, None),)
    assert report.timezone == "UTC"


def test_the_report_json_round_trips_with_exact_fractions_and_utc_instants(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)
    report = monthly_report(session, (2026, 3), now=NOW, as_of=utc("2026-04-02T00:00:00Z"))

    text = to_json(report)

    assert from_json(text) == report
    data = json.loads(text)
    assert data["format"] == "accord-report/v1"
    assert data["as_of"] == "2026-04-02T00:00:00Z"
    period = data["agreements"][0]["targets"][0]["periods"][0]
    assert (period["attainment"], period["objective"]) == ("0.833333", "0.9")


def test_the_report_csv_has_a_row_per_target_for_the_month_and_its_trend(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path / "agreements")
    report = monthly_report(session, (2026, 3), now=NOW, as_of=utc("2026-04-02T00:00:00Z"))

    rows = write_csv(report, tmp_path / "r.csv")

    with (tmp_path / "r.csv").open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert rows == len(table) == 6
    assert list(table[0]) == list(REPORT_COLUMNS)
    month = [
        (r["target_id"], r["attainment"], r["result"], r["breaches_in_month"])
        for r in table
        if r["row"] == "period"
    ]
    assert month == [("response", "0.8333", "missed", "1"), ("resolution", "0.4", "missed", "3")]
    assert [r["period"] for r in table if r["row"] == "trend"] == ["2026-01", "2026-02"] * 2


def test_breaches_are_listed_up_to_the_cap_by_breach_instant_and_all_counted() -> None:
    rows = []
    for i in range(BREACH_LIMIT + 5):
        start = f"2026-03-{2 + i % 20:02d}T08:00:00Z"
        rows += [(f"I{i:03d}", start, "created", ""), (f"I{i:03d}", start, "priority", "P1")]
    agreement = builders.agreement(builders.target())
    table = builders.table(rows)
    as_of = utc("2026-04-01T00:00:00Z")

    report = build_report(
        [agreement], table, evaluate([agreement], table, as_of), (2026, 3), generated_at=as_of
    )

    resolution = report.agreements[0].targets[0]
    assert resolution.breach_count == BREACH_LIMIT + 5
    assert len(resolution.breaches) == BREACH_LIMIT
    instants = [b.breached_at for b in resolution.breaches]
    assert instants == sorted(instants)


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "March", "2026-00"])
def test_a_month_that_is_not_yyyy_mm_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


def test_a_month_is_written_yyyy_mm() -> None:
    assert parse_month(" 2026-03 ") == (2026, 3)
