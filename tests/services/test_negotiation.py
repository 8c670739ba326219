"""Negotiation with evidence, the issue's story: IT offers two weeks (the draft's 10wd), Sales
asks for one day, IT counters with one week, Sales accepts: version 2 has 5wd, comments and
layout kept. Figures from tests/services/hand_history.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ConflictError, ForbiddenError, NotFoundError
from accord.domain.audit import AuditAction
from accord.domain.lifecycle import AgreementState
from accord.domain.negotiation import Proposal, ProposalStatus, TargetChange
from accord.errors import ValidationError
from accord.persistence.repositories.audit import AuditRepository
from accord.services import lifecycle, negotiation
from accord.services.agreements import history, stored_agreement
from tests.services.hand_history import AGREEMENT_ID, NOW
from tests.services.hand_history import store_history as store_requests
from tests.services.personas import OPERATOR, Company, make_company

LATER = NOW + timedelta(hours=2)


@dataclass
class Story:
    session: Session
    company: Company


@pytest.fixture
def story(session: Session) -> Story:
    company = make_company(session)
    store_requests(session)
    return Story(session, company)


def sales_asks_one_day(story: Story) -> Proposal:
    return negotiation.propose(
        story.session,
        story.company.sam,
        AGREEMENT_ID,
        "resolution",
        TargetChange.parse(["1wd"]),
        "Our customers wait: one working day.",
        now=NOW,
    )


def state(story: Story) -> AgreementState:
    return lifecycle.state_of(story.session, AGREEMENT_ID).state


def test_sales_asks_one_day_with_evidence_and_the_agreement_is_negotiated(story: Story) -> None:
    asked = sales_asks_one_day(story)
    assert (asked.status, asked.department, asked.proposed_by) == (
        ProposalStatus.OPEN,
        "sales",
        "sam",
    )
    assert asked.base_version == 1
    assert asked.change.to_json() == {"goals": {"P1": "1wd", "P2": "1wd"}}
    pooled = asked.evidence["pooled"]
    assert isinstance(pooled, dict)
    assert pooled["proposed"] == {"met": 7, "breached": 10, "attainment": "0.411765"}
    assert pooled["current"] == {"met": 15, "breached": 1, "attainment": "0.937500"}
    assert str(asked.evidence["sentence"]).startswith("with 1wd, 41.1% of the last 3 months'")
    assert state(story) is AgreementState.NEGOTIATING


def test_it_counters_with_a_week_and_sales_accepts_it_into_version_2(story: Story) -> None:
    session, company = story.session, story.company
    asked = sales_asks_one_day(story)
    week = negotiation.counter(
        session,
        company.alice,
        asked.id,
        TargetChange.parse(["5wd"]),
        "One day is 41%; one week is 81%, and we will staff for it.",
        now=LATER,
    )
    assert (week.department, week.responds_to, week.status) == ("it", asked.id, "open")
    pooled = week.evidence["pooled"]
    assert isinstance(pooled, dict)
    assert pooled["proposed"] == {"met": 13, "breached": 3, "attainment": "0.812500"}
    countered = negotiation.get_proposal(session, company.bob, asked.id)
    assert (countered.status, countered.answered_by) == (ProposalStatus.COUNTERED, "alice")

    accepted = negotiation.accept(
        session, company.sam, week.id, now=LATER + timedelta(hours=1), comment="Agreed."
    )

    assert (accepted.status, accepted.resulting_version, accepted.answered_by) == (
        ProposalStatus.ACCEPTED,
        2,
        "sam",
    )
    stored = stored_agreement(session, AGREEMENT_ID)
    assert stored.stored.version == 2
    assert stored.stored.applied_by == "sam"
    target = stored.agreement.target("resolution")
    assert {k: v.text for k, v in target.goals.items()} == {"P1": "5wd", "P2": "5wd"}
    # Only the goal line changed; its comment and every other line are as written.
    assert "      goal: {P1: 5wd, P2: 5wd}     # two weeks of working days\n" in stored.content
    assert "    # What IT can do today: two weeks.\n" in stored.content
    assert "objective: 90%               # share of requests resolved in time" in stored.content
    assert [v.version for v in history(session, AGREEMENT_ID)] == [1, 2]
    assert state(story) is AgreementState.DRAFT  # the new version, to be approved


def test_the_history_of_proposals_and_the_audit_log_tell_the_story(story: Story) -> None:
    session, company = story.session, story.company
    asked = sales_asks_one_day(story)
    week = negotiation.counter(
        session, company.alice, asked.id, TargetChange.parse(["5wd"]), "A week.", now=LATER
    )
    negotiation.accept(session, company.sam, week.id, now=LATER)
    listed = negotiation.list_proposals(session, company.bob, AGREEMENT_ID)
    assert [(p.id, p.status, p.department) for p in listed] == [
        (asked.id, ProposalStatus.COUNTERED, "sales"),
        (week.id, ProposalStatus.ACCEPTED, "it"),
    ]
    only_open = negotiation.list_proposals(session, company.bob, AGREEMENT_ID, ProposalStatus.OPEN)
    assert only_open == []
    entries = AuditRepository(session).entries(agreement_id=AGREEMENT_ID)
    proposal_entries = [
        (e.action, e.actor, e.subject_id) for e in reversed(entries) if e.subject_type == "proposal"
    ]
    assert proposal_entries == [
        (AuditAction.PROPOSAL_MADE, "sam", str(asked.id)),
        (AuditAction.PROPOSAL_MADE, "alice", str(week.id)),
        (AuditAction.PROPOSAL_COUNTERED, "alice", str(asked.id)),
        (AuditAction.PROPOSAL_ACCEPTED, "sam", str(week.id)),
    ]


def test_a_rejection_of_the_last_open_proposal_settles_the_negotiation(story: Story) -> None:
    asked = sales_asks_one_day(story)
    rejected = negotiation.reject(
        story.session, story.company.alice, asked.id, "Not with today's staff.", now=LATER
    )
    assert (rejected.status, rejected.answer_comment) == (
        ProposalStatus.REJECTED,
        "Not with today's staff.",
    )
    assert state(story) is AgreementState.DRAFT
    assert stored_agreement(story.session, AGREEMENT_ID).stored.version == 1


def test_an_accepted_proposal_keeps_the_agreement_negotiating_while_others_are_open(
    story: Story,
) -> None:
    session, company = story.session, story.company
    asked = sales_asks_one_day(story)
    objective = negotiation.propose(
        session,
        company.alice,
        AGREEMENT_ID,
        "resolution",
        TargetChange.parse(objective="85%", pause_states=["awaiting customer"]),
        "Pause while we wait for Sales, and 85%.",
        now=NOW,
    )
    negotiation.accept(session, company.sam, objective.id, now=LATER)
    assert state(story) is AgreementState.NEGOTIATING  # Sales' own proposal is still open
    text = stored_agreement(session, AGREEMENT_ID).content
    assert "      pause_states: [awaiting customer]\n" in text
    assert "objective: 85%               # share of requests resolved in time" in text
    target = stored_agreement(session, AGREEMENT_ID).agreement.target("resolution")
    assert (target.objective, target.pause_states) == (
        Decimal("0.85"),
        frozenset({"awaiting customer"}),
    )
    negotiation.reject(session, company.alice, asked.id, "No.", now=LATER)
    assert state(story) is AgreementState.DRAFT


def test_who_may_propose_and_who_may_answer(story: Story) -> None:
    session, company = story.session, story.company
    one_day = TargetChange.parse(["1wd"])
    with pytest.raises(ForbiddenError, match="editor or approver role in it or sales"):
        negotiation.propose(session, company.bob, AGREEMENT_ID, "resolution", one_day, "x", now=NOW)
    with pytest.raises(NotFoundError, match="no agreement 'requests'"):
        negotiation.propose(
            session, company.charlie, AGREEMENT_ID, "resolution", one_day, "x", now=NOW
        )
    with pytest.raises(ForbiddenError, match="editor or approver role in it"):
        negotiation.propose(
            session, company.sam, AGREEMENT_ID, "resolution", one_day, "x", now=NOW, department="it"
        )
    with pytest.raises(ValidationError, match="say which party"):
        negotiation.propose(session, OPERATOR, AGREEMENT_ID, "resolution", one_day, "x", now=NOW)
    with pytest.raises(ValidationError, match="comment"):
        negotiation.propose(session, company.sam, AGREEMENT_ID, "resolution", one_day, " ", now=NOW)
    asked = sales_asks_one_day(story)
    with pytest.raises(ForbiddenError, match="only an editor or approver of it, the other party"):
        negotiation.accept(session, company.sam, asked.id, now=LATER)
    with pytest.raises(ForbiddenError, match="the other party, may reject it"):
        negotiation.reject(session, company.bob, asked.id, "no", now=LATER)
    with pytest.raises(NotFoundError, match=f"no proposal {asked.id}"):
        negotiation.get_proposal(session, company.charlie, asked.id)
    negotiation.reject(session, company.alice, asked.id, "No.", now=LATER)
    with pytest.raises(ConflictError, match="is rejected already: only an open proposal"):
        negotiation.accept(session, company.alice, asked.id, now=LATER)


def test_a_change_that_changes_nothing_is_no_proposal(story: Story) -> None:
    with pytest.raises(ValidationError, match="changes nothing"):
        negotiation.propose(
            story.session,
            story.company.alice,
            AGREEMENT_ID,
            "resolution",
            TargetChange.parse(["10wd"]),
            "As it is.",
            now=NOW,
        )
