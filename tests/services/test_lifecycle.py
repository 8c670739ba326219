"""An agreement's life: drafts, approvals by every party of one exact version, activation,
amendments beside the version in force, termination and renewal, refused transitions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ConflictError, ForbiddenError, NotFoundError
from accord.domain.audit import AuditAction
from accord.domain.lifecycle import AgreementState, TransitionError
from accord.services import audit, lifecycle, scoped
from accord.services.agreements import agreements_in_force, stored_agreement
from accord.services.evaluation import to_ns
from accord.services.lifecycle import renewed_text
from tests.builders import instant
from tests.services.personas import DESK, Company, make_company
from tests.services.samples import agreement_text

T0 = instant("2026-04-01T09:00:00Z")
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)
NEW = "desk-2027"


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def write(
    session: Session, company: Company, text: str, *, at: datetime = T0, new: bool = True
) -> None:
    scoped.write_agreement(
        session,
        company.alice,
        text,
        now=at,
        source="desk.yaml",
        agreement_id=None if new else NEW,
    )


def draft(objective: str = "80%") -> str:
    return agreement_text(objective=objective).replace("id: desk\n", f"id: {NEW}\n")


def in_force_versions(session: Session, agreement_id: str) -> list[int]:
    found = {a.id: w for a, w in agreements_in_force(session)}
    return [w.version for w in found.get(agreement_id, [])]


def test_a_stored_version_is_a_draft_until_an_approver_of_every_party_approves_it(
    session: Session, company: Company
) -> None:
    write(session, company, draft())
    assert lifecycle.state_of(session, NEW).state is AgreementState.DRAFT
    assert in_force_versions(session, NEW) == []  # a draft binds no clock

    view = lifecycle.approve(session, company.alice, NEW, now=T1)
    assert view.state is AgreementState.PENDING_APPROVAL
    assert view.awaiting == ("sales",)
    assert in_force_versions(session, NEW) == []

    view = lifecycle.approve(session, company.sam, NEW, now=T2)
    assert (view.state, view.in_force_version, view.awaiting) == (AgreementState.ACTIVE, 1, ())
    assert [(a.department, a.user) for a in view.approvals] == [("it", "alice"), ("sales", "sam")]
    [(_latest, [window])] = [(a, w) for a, w in agreements_in_force(session) if a.id == NEW]
    assert (window.version, window.applied_at, window.from_ns) == (1, T2, None)


def test_a_change_after_an_approval_withdraws_it_and_only_the_latest_version_is_approved(
    session: Session, company: Company
) -> None:
    write(session, company, draft())
    lifecycle.approve(session, company.alice, NEW, now=T1)
    write(session, company, draft("85%"), at=T2, new=False)
    view = lifecycle.state_of(session, NEW)
    assert (view.state, view.latest_version, view.approvals) == (AgreementState.DRAFT, 2, ())
    [withdrawn] = lifecycle.approvals(session, NEW, 1)
    assert (withdrawn.withdrawn_at, withdrawn.withdrawn_reason) == (
        T2,
        "version 2 was stored after it",
    )
    with pytest.raises(TransitionError, match="version 1 is not the latest \\(2\\)"):
        lifecycle.approve(session, company.sam, NEW, now=T3, version=1)
    lifecycle.approve(session, company.sam, NEW, now=T3, version=2)
    view = lifecycle.approve(session, company.alice, NEW, now=T3)
    assert (view.state, view.in_force_version) == (AgreementState.ACTIVE, 2)
    assert in_force_versions(session, NEW) == [2]


def test_only_an_approver_of_a_party_approves_and_only_once(
    session: Session, company: Company
) -> None:
    write(session, company, draft())
    with pytest.raises(ForbiddenError, match="approve needs the approver role"):
        lifecycle.approve(session, company.bob, NEW, now=T1)  # a sales viewer
    with pytest.raises(NotFoundError, match=f"no agreement '{NEW}'"):
        lifecycle.approve(session, company.charlie, NEW, now=T1)
    with pytest.raises(ForbiddenError, match="approver role in it or sales"):
        lifecycle.approve(session, company.dana, NEW, now=T1)  # an admin activates instead
    lifecycle.approve(session, company.alice, NEW, now=T1)
    with pytest.raises(ConflictError, match="already approved for it"):
        lifecycle.approve(session, company.alice, NEW, now=T2)


def test_transitions_a_state_does_not_allow_are_refused_saying_what_is_allowed(
    session: Session, company: Company
) -> None:
    write(session, company, draft())
    lifecycle.submit(session, company.alice, NEW, now=T1)
    with pytest.raises(TransitionError) as refused:
        lifecycle.submit(session, company.alice, NEW, now=T2)
    assert str(refused.value) == (
        f"agreement '{NEW}' is pending-approval: cannot submit (only a draft with no open "
        "proposal is submitted); allowed now: change, propose, approve, activate, flag, "
        "expire, terminate"
    )
    lifecycle.terminate(session, company.alice, NEW, now=T2, reason="replaced by the 2027 desk")
    with pytest.raises(TransitionError, match="is terminated: cannot approve"):
        lifecycle.approve(session, company.sam, NEW, now=T3)
    with pytest.raises(TransitionError, match="is terminated: cannot change"):
        write(session, company, draft("90%"), at=T3, new=False)
    with pytest.raises(TransitionError, match="was never in force"):
        lifecycle.renew(session, company.alice, NEW, now=T3)


def test_activating_without_approvals_is_for_admins_and_is_audited(
    session: Session, company: Company
) -> None:
    write(session, company, draft())
    with pytest.raises(ForbiddenError, match="needs an admin"):
        lifecycle.activate(session, company.alice, NEW, now=T1)
    view = lifecycle.activate(session, company.dana, NEW, now=T1)
    assert (view.state, view.in_force_version, view.reason) == (
        AgreementState.ACTIVE,
        1,
        "version 1 activated by an admin",
    )
    [entry] = [
        e
        for e in audit.entries(session, company.alice, agreement_id=NEW)
        if e.action is AuditAction.AGREEMENT_ACTIVATED
    ]
    assert (entry.actor, entry.details) == ("dana", {"version": 1, "via": "admin"})


def test_an_amendment_is_a_draft_beside_the_version_in_force_until_it_is_approved(
    session: Session, company: Company
) -> None:
    stored = stored_agreement(session, DESK)
    amended = stored.content.replace("objective: 95%", "objective: 96%", 1)
    scoped.write_agreement(
        session, company.alice, amended, now=T0, source="desk.yaml", agreement_id=DESK
    )
    view = lifecycle.state_of(session, DESK)
    assert (view.state, view.latest_version, view.in_force_version) == (
        AgreementState.DRAFT,
        2,
        1,
    )
    assert in_force_versions(session, DESK) == [1]  # the draft binds no clock meanwhile
    lifecycle.approve(session, company.sam, DESK, now=T1)
    lifecycle.approve(session, company.alice, DESK, now=T2)
    [(_, windows)] = [(a, w) for a, w in agreements_in_force(session) if a.id == DESK]
    assert [(w.version, w.from_ns, w.until_ns) for w in windows] == [
        (1, None, to_ns(T2)),
        (2, to_ns(T2), None),
    ]


def test_termination_ends_the_last_window_and_renewal_moves_the_validity_on_by_one_term(
    session: Session, company: Company
) -> None:
    view = lifecycle.terminate(session, company.alice, DESK, now=T1, reason="moved to a vendor")
    assert (view.state, view.ended_at, view.reason) == (
        AgreementState.TERMINATED,
        T1,
        "moved to a vendor",
    )
    [(_, [window])] = [(a, w) for a, w in agreements_in_force(session) if a.id == DESK]
    assert window.until_ns == to_ns(T1)  # clocks that start later bind to no version
    with pytest.raises(ForbiddenError):
        lifecycle.terminate(session, company.bob, DESK, now=T1, reason="no")

    view, outcome = lifecycle.renew(session, company.alice, DESK, now=T2)
    assert outcome is not None
    assert outcome.version == 2
    assert (view.state, view.in_force_version) == (AgreementState.DRAFT, 1)
    renewed = stored_agreement(session, DESK, 2).agreement.validity
    assert (str(renewed.start_on), str(renewed.end_on)) == ("2027-01-01", "2027-12-31")


def test_renewed_text_keeps_comments_and_layout() -> None:
    text = (
        "spec:\n"
        "  # the term\n"
        "  validity: {start: 2026-01-01, end: '2026-06-30'}  # half a year\n"
        "  note: start: 2026-01-01 is not the key\n"
    )
    renewed = renewed_text(
        text, date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1), date(2026, 12, 31)
    )
    assert renewed == (
        "spec:\n"
        "  # the term\n"
        "  validity: {start: 2026-07-01, end: '2026-12-31'}  # half a year\n"
        "  note: start: 2026-01-01 is not the key\n"
    )
