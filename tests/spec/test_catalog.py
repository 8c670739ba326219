"""`kind: Service` documents and agreements checked against a catalog: given together as files,
or passed in; an agreement validated alone, with no catalog, still validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accord.domain.catalog import CatalogService, ServiceType
from accord.errors import ValidationError
from accord.spec import (
    example_agreements_dir,
    example_catalog_dir,
    load_agreement_text,
    read_document,
    validate_paths,
)
from accord.spec.templates import template_text

DESK_SERVICE = (example_catalog_dir() / "service-desk.yaml").read_text(encoding="utf-8")
CATALOG = {
    "service-desk": CatalogService("service-desk", "IT service desk", ServiceType.APPLICATION, "it")
}


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_a_service_document_builds_a_catalog_service() -> None:
    document = read_document(DESK_SERVICE, "service-desk.yaml")
    assert document.kind == "Service"
    assert document.service == CatalogService(
        id="service-desk",
        title="IT service desk",
        type=ServiceType.BUSINESS_FUNCTION,
        owner="it",
        description="First point of contact for incidents and service requests.",
        hours="Mon-Fri 08:00-18:00",
        contact="service portal, or +49 30 1234 5678",
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "type: business-function",
            "type: function",
            "spec.type",
            "'function' is not one of: application, infrastructure, business-function",
        ),
        (
            "owner: it",
            "owner: IT Dept",
            "spec.owner",
            "'IT Dept' is not a slug: use lowercase letters, digits and single dashes, "
            "e.g. it-service-desk-for-sales",
        ),
        (
            "  hours: Mon-Fri 08:00-18:00\n",
            "  hours: Mon-Fri 08:00-18:00\n  sla: gold\n",
            "spec.sla",
            "unknown key (allowed: type, owner, description, hours, contact)",
        ),
        ("  title: IT service desk\n", "", "metadata.title", "required"),
    ],
)
def test_a_broken_service_names_its_field_and_line(
    old: str, new: str, path: str, message: str
) -> None:
    text = DESK_SERVICE.replace(old, new)
    issues = read_document(text, "s.yaml").issues
    assert [(i.path, i.message) for i in issues] == [(path, message)]
    assert issues[0].file == "s.yaml"
    assert issues[0].line is not None


def test_an_unknown_kind_names_the_kinds_allowed() -> None:
    text = DESK_SERVICE.replace("kind: Service", "kind: Servcie")
    issues = read_document(text, "s.yaml").issues
    assert next((i.path, i.line, i.message) for i in issues) == (
        "kind",
        2,
        "'Servcie' is not one of: Agreement, Service",
    )


def test_an_agreement_alone_validates_without_a_catalog() -> None:
    reports = validate_paths([example_agreements_dir()])
    assert [r.ok for r in reports] == [True, True, True]


def test_agreements_with_the_bundled_catalog_validate_and_services_are_reported() -> None:
    reports = validate_paths([example_agreements_dir(), example_catalog_dir()])
    assert all(r.ok for r in reports)
    assert [r.agreement.id for r in reports if r.agreement] == [
        "it-service-desk-for-sales",
        "leads-marketing-to-sales",
        "web-hosting-for-marketing",
    ]
    assert {r.service.id for r in reports if r.service} == {
        "crm",
        "lead-management",
        "network",
        "service-desk",
        "web-hosting",
    }


def test_an_unknown_service_is_an_error_at_its_index_with_a_hint(tmp_path: Path) -> None:
    shutil.copy(example_catalog_dir() / "service-desk.yaml", tmp_path / "service.yaml")
    text = template_text("service-desk").replace(
        "services: [service-desk]", "services: [service-dsk]"
    )
    (tmp_path / "desk.yaml").write_text(text)

    reports = validate_paths([tmp_path])

    desk = next(r for r in reports if r.path.name == "desk.yaml")
    assert desk.agreement is None
    assert [(i.file, i.line, i.path, i.message) for i in desk.issues] == [
        (
            str(tmp_path / "desk.yaml"),
            line_of(text, "services: [service-dsk]"),
            "spec.services[0]",
            "service 'service-dsk' is not in the service catalog; did you mean 'service-desk'?",
        )
    ]


def test_a_catalog_passed_in_checks_the_agreements_too(tmp_path: Path) -> None:
    path = tmp_path / "hosting.yaml"
    path.write_text(template_text("web-hosting"))
    [report] = validate_paths([path], catalog=CATALOG)
    assert [(i.path, i.message) for i in report.issues] == [
        (
            "spec.services[0]",
            "service 'web-hosting' is not in the service catalog (known: service-desk)",
        )
    ]
    assert validate_paths([path])[0].ok


def test_load_agreement_text_checks_against_a_catalog_and_refuses_a_service() -> None:
    text = template_text("network")
    with pytest.raises(ValidationError) as info:
        load_agreement_text(text, "n.yaml", catalog=CATALOG)
    assert info.value.issues[0].path == "spec.services[0]"
    with pytest.raises(ValidationError) as info:
        load_agreement_text(DESK_SERVICE, "s.yaml")
    assert [(i.path, i.line) for i in info.value.issues] == [("kind", 2)]


def test_two_services_with_one_id_make_the_later_fail_but_an_agreement_may_share_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.yaml").write_text(DESK_SERVICE)
    (tmp_path / "b.yaml").write_text(DESK_SERVICE)
    (tmp_path / "c.yaml").write_text(
        template_text("service-desk").replace("id: service-desk-for-sales", "id: service-desk")
    )
    reports = validate_paths([tmp_path])
    assert [r.ok for r in reports] == [True, False, True]
    assert reports[1].issues[0].message.startswith("service id 'service-desk' is already used by")


def test_an_overlong_service_field_is_refused_before_it_reaches_the_database() -> None:
    text = DESK_SERVICE.replace("id: service-desk", "id: " + "a" * 101)
    [issue] = read_document(text, "s.yaml").issues
    assert (issue.path, issue.message) == ("metadata.id", "at most 100 characters; this has 101")
