"""The bundled agreements end to end: a generated year with outages and reports, read back from
a CSV event log, evaluated at year end into compliance rows of every kind."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from accord.domain.agreements import Agreement
from accord.ingest.eventlog import read_event_log, read_event_rows, write_event_log
from accord.services.availability import burn_alerts, reliability
from accord.services.evaluation import (
    ComplianceRow,
    EvaluationResult,
    evaluate,
    ratio_burn_rate,
)
from accord.services.runs import DEMO_AS_OF, demo_events, example_agreements
from tests import builders
from tests.builders import instant, table

YEAR = date(2026, 1, 1)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Agreement], EvaluationResult]:
    agreements = example_agreements()
    table = demo_events(agreements, scale=0.2)  # with outages and deliveries
    path = tmp_path_factory.mktemp("log") / "events.csv"
    write_event_log(table, path)
    read = read_event_log(path)
    assert read.issues == []
    return agreements, evaluate(agreements, read.table, DEMO_AS_OF)


def rows_of(result: EvaluationResult, target_id: str) -> list[ComplianceRow]:
    return [r for r in result.compliance if r.target_id == target_id]


def test_every_target_of_every_example_has_a_row_per_period(
    year: tuple[list[Agreement], EvaluationResult],
) -> None:
    agreements, result = year
    periods = Counter((r.agreement_id, r.target_id) for r in result.compliance)
    for agreement in agreements:
        for target in agreement.targets:
            expected = 4 if str(target.period) == "quarter" else 12
            assert periods[(agreement.id, target.id)] == expected, target.id
    kinds = {r.target_id: r.kind for r in result.compliance}
    assert kinds["availability"] == "availability"
    assert kinds["hot-leads"] == kinds["warm-leads"] == kinds["cold-leads"] == "count"
    assert kinds["pipeline-report"] == "delivery"
    assert kinds["incident-response"] == "response"
    # Outage and report records are not tickets: no clock target lists them as skipped.
    assert not any(s.item_id.startswith(("OUT", "RPT")) for s in result.skipped)


def test_availability_rows_carry_the_fraction_and_outages(
    year: tuple[list[Agreement], EvaluationResult],
) -> None:
    _, result = year
    rows = rows_of(result, "availability")
    assert all(r.value is not None and Decimal(0) < r.value <= 1 for r in rows)
    assert all(r.attainment == r.value and r.objective == Decimal("0.999") for r in rows)
    assert sum(r.counted for r in rows) > 0
    assert {r.result for r in rows} <= {"met", "missed"}
    budgets = [b for b in result.budgets if b.target_id == "availability"]
    assert len(budgets) == 12
    assert all(b.unit == "seconds" and b.budget == Decimal("0.001") for b in budgets)


def test_count_rows_are_the_leads_created_per_quality(
    year: tuple[list[Agreement], EvaluationResult],
) -> None:
    _, result = year
    hot, warm, cold = (rows_of(result, f"{q}-leads") for q in ("hot", "warm", "cold"))
    for rows in (hot, warm, cold):
        assert all(r.value == r.counted and r.attainment is None for r in rows)
    created = sum(r.counted for rows in (hot, warm, cold) for r in rows)
    assert 0 < created <= 0.2 * 8000  # the demo's share of leads, scaled
    assert {r.result for r in hot} <= {"met", "missed"}


def test_the_pipeline_report_is_due_every_working_monday(
    year: tuple[list[Agreement], EvaluationResult],
) -> None:
    _, result = year
    rows = rows_of(result, "pipeline-report")
    # 2026 has 52 Mondays; Easter Monday (6 April) and Whit Monday (25 May) are holidays.
    assert sum(r.counted for r in rows) == 50
    assert sum(r.met for r in rows) == sum(o.met for o in result.deliveries) > 40
    april = next(r for r in rows if r.period_start == date(2026, 4, 1))
    assert april.counted == 3  # 13, 20 and 27 April
    assert all(o.item_id is None or o.item_id.startswith("RPT") for o in result.deliveries)


def test_reliability_and_alerts_are_available_for_the_web_hosting_agreement(
    year: tuple[list[Agreement], EvaluationResult],
) -> None:
    agreements, _ = year
    web = next(a for a in agreements if a.id == "web-hosting-for-marketing")
    table = demo_events([web], scale=0.05)
    rows = reliability(web, table, DEMO_AS_OF)
    assert len(rows) == 12
    assert sum(r.failures for r in rows) > 0
    assert any(r.mttr_seconds is not None and r.mttr_seconds > 0 for r in rows)
    assert all(r.mtta_seconds is not None for r in rows)
    assert len(burn_alerts([web], table, DEMO_AS_OF)) == 3  # the SRE workbook's rules


def test_an_ongoing_outage_reads_from_a_log_and_counts_up_to_now() -> None:
    web = next(a for a in example_agreements() if a.id == "web-hosting-for-marketing")
    read = read_event_rows(
        [
            {
                "item_id": "OUT-7",
                "at": "2026-03-02T10:00:00Z",
                "event": "field",
                "value": "service=web-hosting",
            },
            {"item_id": "OUT-7", "at": "2026-03-02T10:00:00Z", "event": "outage", "value": ""},
        ],
        "log.csv",
    )
    assert read.issues == []
    result = evaluate([web], read.table, instant("2026-03-02T10:30:00Z"))
    march = next(r for r in rows_of(result, "availability") if r.period_start.month == 3)
    assert march.counted == 1
    assert march.value is not None
    assert march.value < 1


def test_the_evaluation_is_reproducible() -> None:
    agreements = example_agreements()
    table = demo_events(agreements, scale=0.02)
    first = evaluate(agreements, table, DEMO_AS_OF)
    again = evaluate(agreements, table, DEMO_AS_OF)
    assert first.compliance == again.compliance
    assert first.deliveries == again.deliveries


def test_a_clock_share_burns_its_budget_by_the_clocks_decided_in_the_window() -> None:
    a = builders.agreement(builders.target("response", {"P1": "1h"}, objective="0.9"))
    rows = [
        (item, f"2026-03-0{day}T09:00+01:00", kind, value)
        for item, day in (("A", 2), ("B", 3), ("C", 4), ("D", 5))
        for kind, value in (("created", ""), ("priority", "P1"))
    ]
    rows += [
        ("A", "2026-03-02T09:30+01:00", "responded", ""),  # met, decided on the 2nd
        ("B", "2026-03-03T09:30+01:00", "responded", ""),  # met on the 3rd
        ("C", "2026-03-04T12:00+01:00", "responded", ""),  # breached on the 4th at 10:00
    ]  # D breaches on the 5th at 10:00, still running
    result = evaluate([a], table(rows), instant("2026-03-06T00:00+01:00"))
    rate = ratio_burn_rate(result, a, "response", 3 * 86_400)  # from the 3rd 00:00
    assert rate.error_ratio == Decimal(2) / Decimal(3)  # B met; C and D breached
    assert rate.burn_rate == Decimal(2) / Decimal(3) / Decimal("0.1")


def test_targets_without_an_error_ratio_have_no_burn_rate() -> None:
    leads = next(a for a in example_agreements() if a.id == "leads-marketing-to-sales")
    result = evaluate([leads], table([]), DEMO_AS_OF)
    with pytest.raises(ValueError, match="no error ratio"):
        ratio_burn_rate(result, leads, "hot-leads", 86_400)
