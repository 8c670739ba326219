"""The workspace's service catalog: services applied from files or text, audited, written only
by an editor of the owner department (or an admin); agreements checked against it once it
exists; and an agreement without an end date evaluated up to the evaluation instant."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import ForbiddenError, NotFoundError
from accord.domain.audit import AuditAction, SubjectType
from accord.domain.catalog import ServiceType
from accord.errors import ValidationError
from accord.persistence.repositories.audit import AuditRepository
from accord.services import catalog, scoped
from accord.services.agreements import apply_agreements, list_agreements
from accord.services.evaluation import evaluate
from accord.spec import example_catalog_dir
from accord.spec.templates import template_text
from tests.builders import agreement, instant, table, target
from tests.services.personas import NOW, OPERATOR, make_company

LATER = instant("2026-03-03T09:00:00Z")
SERVICE = (example_catalog_dir() / "network.yaml").read_text(encoding="utf-8")


def service_entries(session: Session) -> list[tuple[str, str, str]]:
    return [
        (e.actor, e.action, e.subject_id)
        for e in AuditRepository(session).entries(limit=500)
        if e.subject_type == SubjectType.SERVICE
    ]


def test_applying_the_catalog_stores_and_audits_each_service_once(session: Session) -> None:
    applied = catalog.apply_service_files(
        session, [example_catalog_dir()], principal=OPERATOR, now=NOW
    )
    again = catalog.apply_service_files(
        session, [example_catalog_dir()], principal=OPERATOR, now=LATER
    )

    assert [(a.service.id, a.changed) for a in applied] == [
        ("crm", True),
        ("lead-management", True),
        ("network", True),
        ("service-desk", True),
        ("web-hosting", True),
    ]
    assert not any(a.changed for a in again)
    assert sorted(catalog.catalog(session)) == [
        "crm",
        "lead-management",
        "network",
        "service-desk",
        "web-hosting",
    ]
    assert sorted(service_entries(session)) == sorted(
        ("root", AuditAction.SERVICE_APPLIED.value, a.service.id) for a in applied
    )
    stored = catalog.get_service(session, OPERATOR, "network")
    assert (stored.service.type, stored.service.owner) == (ServiceType.INFRASTRUCTURE, "it")
    assert (stored.content, stored.updated_by) == (SERVICE, "root")


def test_a_changed_service_replaces_the_stored_one(session: Session) -> None:
    company = make_company(session)
    catalog.apply_service_text(session, company.alice, SERVICE, now=NOW, source="n.yaml")
    changed = SERVICE.replace("hours: 24x7", "hours: Mon-Sat 06:00-22:00")
    outcome = catalog.apply_service_text(
        session, company.alice, changed, now=LATER, source="n.yaml", service_id="network"
    )
    assert outcome.changed
    assert (
        catalog.get_service(session, company.bob, "network").service.hours == "Mon-Sat 06:00-22:00"
    )
    comment_only = changed + "# a comment\n"
    assert not catalog.apply_service_text(
        session, company.alice, comment_only, now=LATER, source="n.yaml"
    ).changed


def test_only_an_editor_of_the_owner_department_or_an_admin_writes_a_service(
    session: Session,
) -> None:
    company = make_company(session)
    for outsider in (company.bob, company.charlie, company.sam):
        with pytest.raises(ForbiddenError, match="needs the editor role in it"):
            catalog.apply_service_text(session, outsider, SERVICE, now=NOW, source="n.yaml")
    assert catalog.apply_service_text(
        session, company.dana, SERVICE, now=NOW, source="n.yaml"
    ).changed
    # Alice, an IT editor, may not hand IT's service to Sales.
    to_sales = SERVICE.replace("owner: it", "owner: sales")
    with pytest.raises(ForbiddenError):
        catalog.apply_service_text(session, company.sam, to_sales, now=NOW, source="n.yaml")
    assert (
        catalog.apply_service_text(
            session, company.alice, SERVICE, now=NOW, source="n.yaml"
        ).changed
        is False
    )


def test_a_write_must_keep_the_id_and_be_a_service(session: Session) -> None:
    company = make_company(session)
    with pytest.raises(ValidationError) as info:
        catalog.apply_service_text(
            session, company.dana, SERVICE, now=NOW, source="body.yaml", service_id="wan"
        )
    assert [(i.path, i.file) for i in info.value.issues] == [("metadata.id", "body.yaml")]
    with pytest.raises(ValidationError) as info:
        catalog.apply_service_text(
            session, company.dana, template_text("network"), now=NOW, source="body.yaml"
        )
    assert info.value.issues[0].path == "kind"


def test_an_unknown_service_id_is_not_found(session: Session) -> None:
    with pytest.raises(NotFoundError, match="no service 'wan' in the catalog"):
        catalog.get_service(session, OPERATOR, "wan")


def test_a_catalog_directory_holds_services_only(session: Session, tmp_path: Path) -> None:
    shutil.copy(example_catalog_dir() / "crm.yaml", tmp_path / "crm.yaml")
    desk = template_text("service-desk").replace("[service-desk]", "[crm]")
    (tmp_path / "desk.yaml").write_text(desk)
    with pytest.raises(ValidationError) as info:
        catalog.apply_service_files(session, [tmp_path], principal=OPERATOR, now=NOW)
    assert [i.path for i in info.value.issues] == ["kind"]
    assert catalog.catalog(session) == {}


def test_once_a_catalog_is_stored_agreements_naming_unknown_services_are_refused(
    session: Session, tmp_path: Path
) -> None:
    company = make_company(session)  # no catalog yet: the bundled agreements were applied
    catalog.apply_service_text(session, company.alice, SERVICE, now=NOW, source="n.yaml")
    desk = tmp_path / "desk.yaml"
    desk.write_text(template_text("service-desk"))

    with pytest.raises(ValidationError) as info:
        apply_agreements(session, [desk], actor="root", now=LATER)
    [issue] = info.value.issues
    assert (issue.file, issue.path) == (str(desk), "spec.services[0]")
    assert issue.message == "service 'service-desk' is not in the service catalog (known: network)"

    with pytest.raises(ValidationError) as info:
        scoped.write_agreement(
            session, company.alice, template_text("service-desk"), now=LATER, source="body.yaml"
        )
    assert [(i.file, i.path) for i in info.value.issues] == [("body.yaml", "spec.services[0]")]


def test_service_files_given_to_agreements_apply_join_the_catalog(
    session: Session, tmp_path: Path
) -> None:
    shutil.copy(example_catalog_dir() / "service-desk.yaml", tmp_path / "service-desk.yaml")
    (tmp_path / "desk.yaml").write_text(template_text("service-desk"))

    outcomes = apply_agreements(session, [tmp_path], actor="root", now=NOW)

    assert [(o.agreement_id, o.changed) for o in outcomes] == [("service-desk-for-sales", True)]
    assert list(catalog.catalog(session)) == ["service-desk"]
    assert [s.agreement_id for s in list_agreements(session)] == ["service-desk-for-sales"]


def test_an_agreement_without_an_end_date_runs_its_periods_up_to_the_evaluation_instant() -> None:
    open_ended = agreement(target(), validity=(date(2026, 1, 1), None))  # type: ignore[arg-type]
    events = table(
        [
            ("A", "2026-03-02T09:00:00+01:00", "created", ""),
            ("A", "2026-03-02T09:00:00+01:00", "priority", "P1"),
            ("A", "2026-03-02T10:00:00+01:00", "resolved", ""),
        ]
    )
    result = evaluate([open_ended], events, instant("2027-02-10T12:00:00Z"))
    periods = [(r.period_start, r.period_end) for r in result.compliance]
    assert periods[0] == (date(2026, 1, 1), date(2026, 2, 1))
    assert periods[-1] == (date(2027, 2, 1), date(2027, 3, 1))  # a whole month, not cut short
    assert len(periods) == 14
    march = next(r for r in result.compliance if r.period_start == date(2026, 3, 1))
    assert (march.counted, march.met) == (1, 1)
