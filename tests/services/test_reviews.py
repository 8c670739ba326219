"""Reviews and rules: reviews due by cadence, a target missed three months running flags the
agreement review-required (once), a draft not approved in time is flagged, validity runs out,
and completing a review continues, renegotiates or terminates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, Principal
from accord.domain.events import EventKind
from accord.domain.lifecycle import AgreementState, Event, TransitionError
from accord.domain.periods import PeriodSpec
from accord.persistence.repositories import EventRepository, EventRow
from accord.services import lifecycle, reviews, scoped
from accord.services.agreements import agreements_in_force
from accord.services.evaluation import to_ns
from accord.services.reviews import ReviewOutcome, next_review_on
from tests.builders import instant, ns
from tests.services.personas import Company, make_company

ID = "desk-reviewed"
TEXT = f"""\
apiVersion: accord/v1
kind: Agreement
metadata:
  id: {ID}
  title: Service desk, reviewed
spec:
  type: customer
  provider: it
  customer: sales
  services: [service-desk]
  validity: {{start: 2026-01-01, end: 2026-12-31}}
  priorities: [P1]
  review: {{every: quarter}}
  termination:
    - {{rule: missed-in-a-row, periods: 3, targets: [response]}}
    - {{rule: not-approved-within, days: 30}}
  calendars:
    office:
      timezone: Europe/Berlin
      hours: {{mon-fri: ["09:00-17:00"]}}
  targets:
    - id: response
      kind: response
      calendar: office
      goal: {{P1: 30m}}
      objective: 90%
      period: month
"""
WRITTEN = instant("2025-12-01T09:00:00Z")
ACTIVATED = instant("2025-12-15T09:00:00Z")


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def store(session: Session, company: Company, *, activate: bool = True) -> None:
    scoped.write_agreement(session, company.alice, TEXT, now=WRITTEN, source="desk.yaml")
    if activate:
        lifecycle.activate(session, company.dana, ID, now=ACTIVATED)


def due(
    session: Session, principal: Principal, *, now: datetime, within_days: int = 0
) -> list[reviews.DueReview]:
    """The reviews due of this test's agreement (the bundled ones have cadences of their own)."""
    found = reviews.due_reviews(session, principal, now=now, within_days=within_days)
    return [d for d in found if d.agreement_id == ID]


def respond(session: Session, item: str, created: str, minutes: int) -> None:
    """An item of P1 created at `created` (Berlin office hours) and answered `minutes` later."""
    EventRepository(session).add_events(
        "desk",
        [
            EventRow(item, ns(created), EventKind.CREATED, ""),
            EventRow(item, ns(created), EventKind.PRIORITY, "P1"),
            EventRow(item, ns(created) + minutes * 60 * 10**9, EventKind.RESPONDED, ""),
        ],
    )


@pytest.mark.parametrize(
    ("last", "cadence", "due"),
    [
        ("2026-01-31", "quarter", "2026-04-30"),
        ("2026-11-30", "quarter", "2027-02-28"),  # February is shorter: its last day
        ("2026-01-31", "month", "2026-02-28"),
        ("2026-12-15", "month", "2027-01-15"),
        ("2026-03-02", "week", "2026-03-09"),
        ("2026-03-02", "182d", "2026-08-31"),
    ],
)
def test_a_review_falls_due_one_cadence_after_the_last(last: str, cadence: str, due: str) -> None:
    assert next_review_on(date.fromisoformat(last), PeriodSpec.parse(cadence)) == (
        date.fromisoformat(due)
    )


def test_reviews_fall_due_one_cadence_after_activation_then_after_the_last_review(
    session: Session, company: Company
) -> None:
    store(session, company)
    assert due(session, company.bob, now=instant("2026-03-14T12:00:00Z")) == []
    [one] = due(session, company.bob, now=instant("2026-03-15T12:00:00Z"))
    assert (one.agreement_id, one.due_on, one.cadence, one.last_review_on, one.reason) == (
        ID,
        date(2026, 3, 15),  # activated 2025-12-15, a quarter on
        "quarter",
        None,
        None,
    )
    soon = due(session, company.bob, now=instant("2026-03-01T12:00:00Z"), within_days=14)
    assert [d.agreement_id for d in soon] == [ID]
    assert due(session, company.charlie, now=instant("2026-04-01T00:00:00Z")) == []

    reviewed_at = instant("2026-03-20T10:00:00Z")
    view = reviews.complete_review(
        session, company.sam, ID, ReviewOutcome.CONTINUE, now=reviewed_at, notes="all fine"
    )
    assert view.state is AgreementState.ACTIVE  # a scheduled review changes no state
    assert due(session, company.bob, now=instant("2026-06-19T12:00:00Z")) == []
    [one] = due(session, company.bob, now=instant("2026-06-20T12:00:00Z"))
    assert (one.due_on, one.last_review_on) == (date(2026, 6, 20), date(2026, 3, 20))


def test_a_target_missed_three_months_running_flags_the_agreement_once_with_the_reason(
    session: Session, company: Company
) -> None:
    store(session, company)
    # Monthly attainment of the 30-minute response: January and February missed (one of one
    # late, 0% < 90%), March missed (one late of two: 50%), April met (one in time: 100%).
    respond(session, "J1", "2026-01-13T09:00:00Z", 45)
    respond(session, "F1", "2026-02-10T09:00:00Z", 90)
    respond(session, "M1", "2026-03-10T09:00:00Z", 10)
    respond(session, "M2", "2026-03-11T09:00:00Z", 31)

    # Before March is over only two complete periods are missed: nothing fires.
    assert (
        reviews.check_rules(
            session, company.alice, now=instant("2026-03-31T12:00:00Z"), agreement_id=ID
        )
        == []
    )

    at = instant("2026-04-01T06:00:00Z")  # 08:00 in Berlin: March is complete
    [flag] = reviews.check_rules(session, company.alice, now=at, agreement_id=ID)
    reason = (
        "target 'response' missed 3 periods in a row (2026-01-01..2026-01-31, "
        "2026-02-01..2026-02-28, 2026-03-01..2026-03-31): review or terminate"
    )
    assert (flag.event, flag.state, flag.reason) == (
        Event.FLAG,
        AgreementState.REVIEW_REQUIRED,
        reason,
    )
    view = lifecycle.state_of(session, ID)
    assert (view.state, view.reason) == (AgreementState.REVIEW_REQUIRED, reason)
    # The same streak does not flag twice.
    assert (
        reviews.check_rules(session, company.alice, now=at + timedelta(days=1), agreement_id=ID)
        == []
    )
    [one] = due(session, company.bob, now=at)
    # Due since the quarterly date it missed, and now with the rule's reason.
    assert (one.due_on, one.reason) == (date(2026, 3, 15), reason)
    # Still in force while under review.
    assert [[w.version for w in ws] for a, ws in agreements_in_force(session) if a.id == ID] == [
        [1]
    ]

    with pytest.raises(ForbiddenError):
        reviews.complete_review(session, company.bob, ID, ReviewOutcome.CONTINUE, now=at)
    view = reviews.complete_review(
        session, company.alice, ID, ReviewOutcome.CONTINUE, now=at, notes="staffing fixed"
    )
    assert view.state is AgreementState.ACTIVE
    kinds = [(r.kind, r.outcome) for r in reviews.reviews(session, company.bob, ID)]
    assert kinds == [("flagged", None), ("completed", "continue")]


def test_a_review_may_terminate_or_renegotiate(session: Session, company: Company) -> None:
    store(session, company)
    at = instant("2026-04-01T06:00:00Z")
    lifecycle.transition(session, ID, Event.FLAG, actor="check", now=at, reason="by hand")
    view = reviews.complete_review(
        session, company.alice, ID, ReviewOutcome.RENEGOTIATE, now=at, notes="new targets"
    )
    assert (view.state, view.latest_version, view.in_force_version) == (
        AgreementState.DRAFT,
        2,
        1,
    )
    with pytest.raises(TransitionError, match="only an agreement in force"):
        reviews.complete_review(session, company.alice, ID, ReviewOutcome.TERMINATE, now=at)


def test_a_draft_not_approved_within_its_days_is_flagged(
    session: Session, company: Company
) -> None:
    store(session, company, activate=False)
    early = WRITTEN + timedelta(days=29)
    assert reviews.check_rules(session, company.alice, now=early, agreement_id=ID) == []
    [flag] = reviews.check_rules(
        session, company.alice, now=WRITTEN + timedelta(days=30), agreement_id=ID
    )
    assert flag.reason == (
        "not approved within 30 days of its first version (2025-12-01): review or terminate"
    )
    assert lifecycle.state_of(session, ID).state is AgreementState.REVIEW_REQUIRED


def test_an_agreement_expires_at_the_local_midnight_after_its_last_day(
    session: Session, company: Company
) -> None:
    store(session, company)
    assert (
        reviews.check_rules(
            session, company.alice, now=instant("2026-12-31T22:59:00Z"), agreement_id=ID
        )
        == []
    )
    [flag] = reviews.check_rules(
        session, company.alice, now=instant("2027-01-02T00:00:00Z"), agreement_id=ID
    )
    assert (flag.event, flag.state, flag.reason) == (
        Event.EXPIRE,
        AgreementState.EXPIRED,
        "validity ended on 2026-12-31",
    )
    end = datetime.fromisoformat("2026-12-31T23:00:00+00:00")  # 2027-01-01 00:00 in Berlin
    [(_, [window])] = [(a, w) for a, w in agreements_in_force(session) if a.id == ID]
    assert window.until_ns == to_ns(end)


def test_checking_every_agreement_is_for_admins(session: Session, company: Company) -> None:
    with pytest.raises(ForbiddenError):
        reviews.check_rules(session, company.alice, now=ACTIVATED)
    assert reviews.check_rules(session, company.dana, now=ACTIVATED) == []
