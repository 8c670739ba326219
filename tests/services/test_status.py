"""Status of a stored workspace, one item's timeline, and clocks bound to agreement versions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.clocks import ClockStatus
from accord.engine.timeline import StepKind, VerdictReason
from accord.errors import AccordError
from accord.services.status import item_timeline, status
from accord.services.stored import evaluate_workspace
from tests.builders import ns
from tests.services.samples import C, P, Z, add_events, apply_agreement, stored_desk, utc

H = 3600 * 10**9


def test_status_shows_the_current_period_so_far_with_items_at_risk_and_breached(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)

    report = status(session, utc("2026-03-31T13:00:00Z"))

    response, resolution = report.targets
    assert (response.period, response.period_start.isoformat()) == ("2026-03", "2026-03-01")  # type: ignore[union-attr]
    assert (response.counted, response.met, response.breached) == (6, 5, 1)
    assert response.attainment == Decimal("0.833333")
    assert (response.objective, response.result) == (Decimal("0.9"), "missed")
    assert response.breached_items == ("B",)
    assert (response.at_risk, response.open_clocks) == (0, 0)

    assert (resolution.counted, resolution.met, resolution.breached) == (4, 2, 2)
    assert (resolution.attainment, resolution.result) == (Decimal("0.5"), "missed")
    assert resolution.breached_items == ("C", "D")
    assert (resolution.at_risk, resolution.at_risk_items) == (1, ("E",))
    assert (resolution.paused, resolution.open_clocks) == (1, 3)
    assert (report.items, report.skipped_items) == (8, 1)


def test_status_before_anything_is_counted_says_no_data(session: Session, tmp_path: Path) -> None:
    stored_desk(session, tmp_path)

    report = status(session, utc("2026-01-15T12:00:00Z"))

    assert [(t.period, t.counted, t.result) for t in report.targets] == [
        ("2026-01", 0, "no data"),
        ("2026-01", 0, "no data"),
    ]
    assert report.events == 0


def test_status_of_an_unknown_agreement_is_an_error(session: Session, tmp_path: Path) -> None:
    stored_desk(session, tmp_path)
    with pytest.raises(AccordError, match="no agreement 'nope'"):
        status(session, utc("2026-03-31T13:00:00Z"), agreement_id="nope")


def test_a_clock_binds_to_the_version_in_force_at_its_start(
    session: Session, tmp_path: Path
) -> None:
    # Version 1: P1 resolved within 4h, 80% of the time; version 2, applied on 10 March:
    # within 8h, 50% of the time.
    apply_agreement(session, tmp_path, resolve_p1="4h", at="2026-02-01T00:00:00Z")
    apply_agreement(session, tmp_path, resolve_p1="8h", objective="50%", at="2026-03-10T00:00:00Z")
    add_events(
        session,
        [
            ("OLD", "2026-03-02T08:00:00Z", C, ""),
            ("OLD", "2026-03-02T08:00:00Z", P, "P1"),
            ("OLD", "2026-03-02T14:00:00Z", Z, ""),
            ("NEW", "2026-03-11T08:00:00Z", C, ""),
            ("NEW", "2026-03-11T08:00:00Z", P, "P1"),
            ("NEW", "2026-03-11T14:00:00Z", Z, ""),
        ],
    )

    result = evaluate_workspace(session, utc("2026-04-01T00:00:00Z"))

    resolution = next(c for c in result.clocks if c.target_id == "resolution")
    clocks = {clock.item_id: clock for clock in resolution.rows()}
    assert clocks["OLD"].goal_seconds == 4 * 3600
    assert clocks["OLD"].status is ClockStatus.BREACHED
    assert clocks["NEW"].goal_seconds == 8 * 3600
    assert clocks["NEW"].status is ClockStatus.MET
    march = next(
        r
        for r in result.compliance
        if r.target_id == "resolution" and r.period_start.isoformat() == "2026-03-01"
    )
    assert (march.counted, march.met, march.breached) == (2, 1, 1)
    # March is judged by version 2, the one applied before it ended; February by version 1.
    assert (march.objective, march.result) == (Decimal("0.5"), "met")
    february = next(
        r
        for r in result.compliance
        if r.target_id == "resolution" and r.period_start.isoformat() == "2026-02-01"
    )
    assert february.objective == Decimal("0.8")
    objectives = [str(r.objective) for r in result.compliance if r.target_id == "resolution"]
    assert objectives == ["0.8", "0.8", "0.5", "0.5"]  # January to April, once each


def test_an_items_timeline_explains_its_clocks(session: Session, tmp_path: Path) -> None:
    stored_desk(session, tmp_path)

    timeline = item_timeline(session, "C", utc("2026-04-01T00:00:00Z"))

    assert timeline.item_id == "C"
    assert [e.kind for e in timeline.events] == ["created", "priority", "responded", "resolved"]
    response, resolution = timeline.targets
    assert (response.target_id, response.version) == ("response", 1)
    (cycle,) = resolution.cycles
    assert [s.kind for s in cycle.steps] == [
        StepKind.STARTED,
        StepKind.BREACHED,
        StepKind.STOPPED,
    ]
    assert cycle.steps[1].at_ns == ns("2026-03-04T12:00:00Z")
    assert (cycle.elapsed_ns, cycle.goal_ns) == (6 * H, 4 * H)
    assert cycle.reason is VerdictReason.REACHED_GOAL


def test_an_item_without_a_priority_shows_why_it_has_no_clock(
    session: Session, tmp_path: Path
) -> None:
    stored_desk(session, tmp_path)

    timeline = item_timeline(session, "H", utc("2026-04-01T00:00:00Z"))

    assert [(t.target_id, t.cycles, t.skipped) for t in timeline.targets] == [
        ("response", (), "no priority, and the agreement names no default_priority"),
        ("resolution", (), "no priority, and the agreement names no default_priority"),
    ]


def test_an_unknown_item_is_an_error(session: Session, tmp_path: Path) -> None:
    stored_desk(session, tmp_path)
    with pytest.raises(AccordError, match="no item 'NOPE'"):
        item_timeline(session, "NOPE", utc("2026-04-01T00:00:00Z"))
