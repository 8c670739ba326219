"""The use cases as one principal may use them (`services.scoped`, `services.items`): the same
figures as the plain services, limited to the agreements the principal is a party to."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, NotFoundError, Scope
from accord.errors import ValidationError
from accord.services import items, scoped
from tests.services.personas import Company, make_company
from tests.services.samples import agreement_text, stored_desk, utc

AT = utc("2026-03-31T13:00:00Z")


@pytest.fixture
def company(session: Session, tmp_path: Path) -> Company:
    people = make_company(session)
    stored_desk(session, tmp_path)
    return people


def test_clocks_needing_care_are_those_of_the_agreements_one_reads(
    session: Session, company: Company
) -> None:
    bob, charlie = company.bob, company.charlie

    page = items.clocks(session, bob, AT, agreement_id="desk")

    assert [(c.item_id, c.status.value) for c in page.clocks] == [
        ("E", "at-risk"),
        ("D", "breached"),
        ("C", "breached"),
        ("B", "breached"),
    ]
    assert items.clocks(session, charlie, AT).total == 0
    with pytest.raises(NotFoundError):
        items.clocks(session, charlie, AT, agreement_id="desk")


def test_an_outsider_cannot_tell_a_covered_item_from_an_unknown_one(
    session: Session, company: Company
) -> None:
    charlie = company.charlie
    with pytest.raises(NotFoundError) as covered:
        items.item_timeline(session, charlie, "E", AT)
    with pytest.raises(NotFoundError) as unknown:
        items.item_timeline(session, charlie, "nope", AT)
    assert str(covered.value).replace("'E'", "'nope'") == str(unknown.value)


def test_an_outsiders_update_is_refused_before_its_text_is_read(
    session: Session, company: Company
) -> None:
    charlie, alice = company.charlie, company.alice
    with pytest.raises(NotFoundError):
        scoped.write_agreement(
            session, charlie, "not: [yaml", now=AT, source="b", agreement_id="desk"
        )
    with pytest.raises(ValidationError):
        scoped.write_agreement(
            session, alice, "not: [yaml", now=AT, source="b", agreement_id="desk"
        )


def test_an_unchanged_text_is_no_new_version(session: Session, company: Company) -> None:
    alice = company.alice
    written = scoped.write_agreement(
        session, alice, agreement_text(), now=AT, source="b", agreement_id="desk"
    )
    assert (written.outcome.changed, written.outcome.version) == (False, 1)


def test_a_partys_report_leaves_out_other_agreements_and_the_workspace_volume(
    session: Session, company: Company
) -> None:
    bob, dana, charlie = company.bob, company.dana, company.charlie

    bobs = scoped.monthly_report(session, bob, (2026, 3), now=AT)
    admins = scoped.monthly_report(session, dana, (2026, 3), now=AT)

    assert "web-hosting-for-marketing" not in {a.agreement_id for a in bobs.agreements}
    assert "web-hosting-for-marketing" in {a.agreement_id for a in admins.agreements}
    assert bobs.volume == ()
    assert admins.volume != ()
    assert scoped.monthly_report(session, charlie, (2026, 3), now=AT).agreements == ()


def test_a_credential_without_the_read_scope_reads_nothing(
    session: Session, company: Company
) -> None:
    ingest_only = replace(company.bob, scopes=frozenset({Scope.INGEST}))
    with pytest.raises(ForbiddenError):
        items.clocks(session, ingest_only, AT)
    with pytest.raises(ForbiddenError):
        scoped.list_agreements(session, ingest_only)
