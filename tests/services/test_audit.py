"""The audit log: agreement versions, user and token changes are recorded with who and when,
and read back by admins (all of it) and by an agreement's parties (its entries only)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, NotFoundError, Role, Scope
from accord.domain.audit import AuditAction, AuditEntry, SubjectType
from accord.errors import ValidationError
from accord.services import audit
from accord.services.agreements import apply_agreements
from accord.services.tokens import create_token, revoke_token
from accord.services.users import grant, set_disabled
from accord.spec import example_agreements_dir
from tests.builders import instant
from tests.services.personas import DESK, HOSTING, LEADS, NOW, OPERATOR, Company, make_company

TUESDAY = instant("2026-03-03T10:00:00Z")


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def actions(entries: list[AuditEntry]) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.subject_id) for e in entries]


def test_applying_a_new_version_records_who_applied_which_version(
    session: Session, company: Company, tmp_path: Path
) -> None:
    desk = tmp_path / "desk.yaml"
    shutil.copy(example_agreements_dir() / f"{DESK}.yaml", desk)
    apply_agreements(session, [desk], actor="alice", now=TUESDAY)  # unchanged: not recorded
    desk.write_text(desk.read_text().replace("objective: 95%", "objective: 97%"))
    apply_agreements(session, [desk], actor="alice", now=TUESDAY)
    logged = audit.entries(session, company.alice, agreement_id=DESK)
    latest, first = [e for e in logged if e.action is AuditAction.AGREEMENT_APPLIED]
    assert (latest.actor, latest.action, latest.at) == ("alice", "agreement.applied", TUESDAY)
    assert (latest.subject_type, latest.subject_id) == (SubjectType.AGREEMENT, DESK)
    assert latest.details["version"] == 2
    assert (first.actor, first.details["version"], first.at) == ("root", 1, NOW)


def test_token_and_user_changes_are_recorded_without_the_token(
    session: Session, company: Company
) -> None:
    issued = create_token(session, company.dana, "bob", ["read"], now=TUESDAY)
    revoke_token(session, company.bob, issued.token.id, now=TUESDAY)
    grant(session, company.dana, "bob", "sales", Role.EDITOR, now=TUESDAY)
    set_disabled(session, company.dana, "charlie", True, now=TUESDAY)
    recent = audit.entries(session, company.dana, limit=4)
    token_id = str(issued.token.id)
    assert actions(recent) == [
        ("dana", AuditAction.USER_DISABLED, "charlie"),
        ("dana", AuditAction.USER_ROLE_GRANTED, "bob"),
        ("bob", AuditAction.TOKEN_REVOKED, token_id),
        ("dana", AuditAction.TOKEN_CREATED, token_id),
    ]
    assert recent[1].details == {"department": "sales", "role": "editor"}
    assert recent[3].details == {"scopes": ["read"], "user": "bob"}
    assert all(issued.plain not in str(entry) for entry in recent)


def test_the_setup_of_the_company_is_in_the_log(session: Session, company: Company) -> None:
    everything = audit.entries(session, OPERATOR, limit=1000)
    kinds = {entry.action for entry in everything}
    assert kinds == {
        AuditAction.DEPARTMENT_ADDED,
        AuditAction.USER_ADDED,
        AuditAction.USER_ROLE_GRANTED,
        AuditAction.AGREEMENT_APPLIED,
        AuditAction.AGREEMENT_STATE_CHANGED,
        AuditAction.AGREEMENT_ACTIVATED,
    }
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)


def test_parties_read_their_agreements_entries_and_outsiders_nothing(
    session: Session, company: Company
) -> None:
    # Newest first: applied as a draft, then activated by the operator (the state changes).
    assert actions(audit.entries(session, company.bob, agreement_id=DESK)) == [
        ("root", AuditAction.AGREEMENT_ACTIVATED, DESK),
        ("root", AuditAction.AGREEMENT_STATE_CHANGED, DESK),
        ("root", AuditAction.AGREEMENT_APPLIED, DESK),
    ]
    assert len(audit.entries(session, company.bob, agreement_id=LEADS)) == 3
    with pytest.raises(NotFoundError, match=f"no agreement '{HOSTING}'"):
        audit.entries(session, company.bob, agreement_id=HOSTING)
    with pytest.raises(NotFoundError):
        audit.entries(session, company.charlie, agreement_id=DESK)
    assert len(audit.entries(session, company.dana, agreement_id=HOSTING)) == 3


def test_only_admins_read_the_whole_log(session: Session, company: Company) -> None:
    for principal in (company.alice, company.bob, company.charlie):
        with pytest.raises(ForbiddenError):
            audit.entries(session, principal)
    ingest_only = dataclasses.replace(company.dana, scopes=frozenset({Scope.INGEST}))
    with pytest.raises(ForbiddenError):
        audit.entries(session, ingest_only)


def test_the_log_reads_page_by_page(session: Session, company: Company) -> None:
    everything = audit.entries(session, company.dana, limit=1000)
    first = audit.entries(session, company.dana, limit=5)
    second = audit.entries(session, company.dana, limit=5, before=first[-1].id)
    assert first + second == everything[:10]
    with pytest.raises(ValidationError, match="limit"):
        audit.entries(session, company.dana, limit=0)
