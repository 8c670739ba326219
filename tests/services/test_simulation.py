"""Simulating a changed target over the stored history, against the hand-computed figures of
tests/services/hand_history.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from accord.domain.events import EventKind
from accord.domain.negotiation import TargetChange
from accord.errors import AccordError, ValidationError
from accord.persistence.repositories import EventRepository, EventRow
from accord.services.simulation import Figures, Simulation, simulate, suggest
from tests.builders import instant, ns
from tests.services.hand_history import AGREEMENT_ID, NOW, SOURCE, store_history
from tests.services.personas import DESK, make_company


@pytest.fixture
def history(session: Session) -> Session:
    store_history(session)
    return session


def run(session: Session, *goals: str, objective: str | None = None, **kw: object) -> Simulation:
    change = TargetChange.parse(goals, objective)
    return simulate(session, AGREEMENT_ID, "resolution", change, now=NOW, **kw)  # type: ignore[arg-type]


def counts(figures: Figures) -> tuple[int, int, Decimal | None]:
    return (figures.met, figures.breached, figures.attainment)


def test_five_working_days_against_two_weeks_month_by_month(history: Session) -> None:
    result = run(history, "5wd")
    assert [p.label for p in result.periods] == ["2026-01", "2026-02", "2026-03"]
    assert [counts(p.proposed) for p in result.periods] == [
        (4, 1, Decimal("0.8")),
        (5, 1, Decimal("0.833333")),
        (4, 1, Decimal("0.8")),
    ]
    # Today's 10wd: F5 breaches on Mon 2 March, so March holds it; M6 is decided in April.
    assert [counts(p.current) for p in result.periods] == [
        (5, 0, Decimal(1)),
        (5, 0, Decimal(1)),
        (5, 1, Decimal("0.833333")),
    ]
    assert counts(result.pooled_proposed) == (13, 3, Decimal("0.8125"))
    assert counts(result.pooled_current) == (15, 1, Decimal("0.9375"))


def test_the_evidence_per_priority_is_pooled_and_per_period(history: Session) -> None:
    result = run(history, "5wd")
    pooled = {e.priority: (counts(e.current), counts(e.proposed)) for e in result.priorities}
    assert pooled == {
        "P1": ((9, 0, Decimal(1)), (8, 1, Decimal("0.888889"))),
        "P2": ((6, 1, Decimal("0.857143")), (5, 2, Decimal("0.714286"))),
    }
    february = {e.priority: counts(e.proposed) for e in result.periods[1].priorities}
    assert february == {"P1": (3, 0, Decimal(1)), "P2": (2, 1, Decimal("0.666667"))}


def test_one_working_day_is_met_by_41_percent_of_the_requests(history: Session) -> None:
    result = run(history, "1wd")
    assert [counts(p.proposed)[:2] for p in result.periods] == [(2, 3), (2, 4), (3, 3)]
    assert counts(result.pooled_proposed) == (7, 10, Decimal("0.411765"))
    by_priority = {e.priority: counts(e.proposed)[:2] for e in result.priorities}
    assert by_priority == {"P1": (6, 3), "P2": (1, 7)}
    assert result.sentence == (
        "with 1wd, 41.1% of the last 3 months' requests would have met it (objective 90%: "
        "missed); with 10wd (now), 93.7% (objective 90%: met)"
    )


def test_a_goal_for_one_priority_leaves_the_others_as_they_are(history: Session) -> None:
    result = run(history, "P2=1wd")
    assert {k: v.text for k, v in result.proposed.goals.items()} == {"P1": "10wd", "P2": "1wd"}
    by_priority = {e.priority: counts(e.proposed)[:2] for e in result.priorities}
    assert by_priority == {"P1": (9, 0), "P2": (1, 7)}


def test_a_new_objective_rejudges_the_same_clocks(history: Session) -> None:
    result = run(history, objective="95%")
    assert counts(result.pooled_proposed) == counts(result.pooled_current)
    assert result.proposed.objective == Decimal("0.95")
    assert result.sentence == (
        "with 10wd, 93.7% of the last 3 months' requests met it (objective 95%: missed; now "
        "objective 90%: met)"
    )


def test_fewer_periods_take_the_latest_complete_ones(history: Session) -> None:
    result = run(history, "5wd", periods=2)
    assert [p.label for p in result.periods] == ["2026-02", "2026-03"]
    assert counts(result.pooled_proposed) == (9, 2, Decimal("0.818182"))
    assert "the last 2 months' requests" in result.sentence


def test_before_a_complete_period_there_is_nothing_to_judge(history: Session) -> None:
    change = TargetChange.parse(["5wd"])
    early = simulate(
        history, AGREEMENT_ID, "resolution", change, now=instant("2026-01-20T00:00:00Z")
    )
    assert early.periods == ()
    assert early.pooled_proposed == Figures(0, 0, None)
    assert "no complete month" in early.sentence


def test_the_suggested_goals_reach_the_objective_with_the_fewest_working_days(
    history: Session,
) -> None:
    ninety = suggest(history, AGREEMENT_ID, "resolution", objective=None, now=NOW)
    assert [(g.priority, g.goal and g.goal.text, g.attainment) for g in ninety.goals] == [
        ("P1", "6wd", Decimal(1)),
        ("P2", "11wd", Decimal(1)),
    ]
    assert ninety.evaluations == 11  # 1wd .. 11wd, then every priority has its goal
    eighty = suggest(history, AGREEMENT_ID, "resolution", objective=Decimal("0.8"), now=NOW)
    assert [(g.priority, g.goal and g.goal.text, g.attainment) for g in eighty.goals] == [
        ("P1", "3wd", Decimal("0.888889")),
        ("P2", "7wd", Decimal("0.857143")),
    ]


def test_no_goal_is_suggested_when_no_ladder_goal_reaches_the_objective(
    history: Session,
) -> None:
    # X, P2, opened Mon 5 Jan and never resolved: even 20wd is due on Mon 2 Feb, breached.
    EventRepository(history).add_events(
        SOURCE,
        [
            EventRow("X", ns("2026-01-05T10:00Z"), EventKind.CREATED),
            EventRow("X", ns("2026-01-05T10:00Z"), EventKind.PRIORITY, "P2"),
        ],
    )
    found = suggest(history, AGREEMENT_ID, "resolution", objective=Decimal(1), now=NOW)
    assert [(g.priority, g.goal and g.goal.text, g.attainment) for g in found.goals] == [
        ("P1", "6wd", Decimal(1)),
        ("P2", None, Decimal("0.875")),  # at 20wd: J3 J4 F2 F3 F5 M3 M4 met, X breached
    ]
    assert found.evaluations == 20


def test_goals_belong_to_clock_targets_and_known_priorities(session: Session) -> None:
    make_company(session)
    with pytest.raises(ValidationError, match="no such priority"):
        simulate(session, DESK, "response", TargetChange.parse(["P9=1h"]), now=NOW)
    with pytest.raises(AccordError, match="has no target 'speed'"):
        simulate(session, DESK, "speed", TargetChange.parse(["1h"]), now=NOW)
    with pytest.raises(ValidationError, match="say what changes"):
        TargetChange.parse([])
    with pytest.raises(ValidationError, match="is not a duration"):
        TargetChange.parse(["P1=soon"])


def test_a_measure_target_takes_an_objective_and_says_it_rejudges_the_same_figures(
    session: Session,
) -> None:
    make_company(session)
    hosting = "web-hosting-for-marketing"
    with pytest.raises(ValidationError, match="goals and pause states belong to response"):
        simulate(session, hosting, "availability", TargetChange.parse(["1h"]), now=NOW)
    result = simulate(
        session,
        hosting,
        "availability",
        TargetChange.parse(objective="99%"),
        now=instant("2026-04-15T00:00:00Z"),
    )
    assert result.note is not None
    assert "re-judges the same attainment" in result.note
    assert [p.current for p in result.periods] == [p.proposed for p in result.periods]
