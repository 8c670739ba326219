"""The four agreement templates: each a complete agreement that validates and lints clean, with
the targets the issue promises (service desk, web hosting, network, Marketing-to-Sales)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.domain.agreements import TargetKind
from accord.domain.measures import CountBounds, DeliverySchedule, TimeBasis
from accord.spec import example_catalog_dir, load_agreement_text, read_document
from accord.spec.lint import Severity, lint_text
from accord.spec.templates import TEMPLATE_NAMES, UnknownTemplate, template_text

CATALOG = {
    service.id: service
    for path in sorted(example_catalog_dir().glob("*.yaml"))
    if (service := read_document(path.read_text(encoding="utf-8"), str(path)).service)
}


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_each_template_is_complete_valid_and_lints_clean_with_the_catalog(name: str) -> None:
    text = template_text(name)
    agreement = load_agreement_text(text, f"{name}.yaml", catalog=CATALOG)
    assert agreement.validity.end_on is not None
    assert agreement.definitions
    assert agreement.responsibilities.keys() == {"provider", "customer"}
    assert agreement.reporting is not None
    assert agreement.review is not None
    assert agreement.consequences is not None
    assert agreement.consequences.cap is not None
    assert agreement.termination
    assert all(target.source for target in agreement.targets)
    assert lint_text(text, f"{name}.yaml", catalog=CATALOG) == []
    alone = lint_text(text, f"{name}.yaml")
    assert [(f.code, f.severity) for f in alone] == [("no-catalog", Severity.INFO)]


def test_the_service_desk_template_has_response_and_resolution_per_priority_on_office_hours() -> (
    None
):
    agreement = load_agreement_text(template_text("service-desk"))
    assert agreement.priorities == ("P1", "P2", "P3", "P4")
    office = agreement.calendars["office"]
    assert office.holiday_country == "DE"
    assert not office.is_24x7
    by_id = {t.id: t for t in agreement.targets}
    assert by_id["response"].kind is TargetKind.RESPONSE
    assert by_id["resolution"].kind is TargetKind.RESOLUTION
    assert (
        set(by_id["response"].goals) == set(by_id["resolution"].goals) == set(agreement.priorities)
    )


def test_the_web_hosting_template_has_availability_mttr_and_two_deliveries() -> None:
    agreement = load_agreement_text(template_text("web-hosting"))
    availability = agreement.target("availability")
    assert availability.objective == Decimal("0.999")
    assert availability.availability is not None
    assert availability.availability.basis is TimeBasis.WALL
    assert agreement.target("backups").due == DeliverySchedule(frozenset(range(7)), None, 360)
    assert agreement.target("security-updates").due == DeliverySchedule(frozenset(), 15, 1080)


def test_the_network_template_covers_wan_lan_and_wifi_and_incidents() -> None:
    agreement = load_agreement_text(template_text("network"))
    kinds = {t.id: t.kind for t in agreement.targets}
    assert kinds == {
        "wan-availability": TargetKind.AVAILABILITY,
        "lan-availability": TargetKind.AVAILABILITY,
        "wifi-availability": TargetKind.AVAILABILITY,
        "incident-response": TargetKind.RESPONSE,
        "incident-resolution": TargetKind.RESOLUTION,
    }


def test_the_sales_marketing_template_counts_leads_per_quality_and_wants_a_monday_report() -> None:
    agreement = load_agreement_text(template_text("sales-marketing"))
    assert agreement.items == "leads"
    hot = agreement.target("hot-leads")
    assert (hot.kind, hot.match, hot.count) == (
        TargetKind.COUNT,
        {"quality": frozenset({"hot"})},
        CountBounds(at_least=90),
    )
    assert agreement.target("first-contact").goals.keys() == {"hot", "warm", "cold"}
    report = agreement.target("pipeline-report")
    assert report.due == DeliverySchedule(frozenset({0}), None, 600)
    assert report.items == "reports"


def test_an_unknown_template_lists_the_names() -> None:
    with pytest.raises(UnknownTemplate) as info:
        template_text("helpdesk")
    assert str(info.value) == (
        "no template 'helpdesk'; the templates are: service-desk, web-hosting, network, "
        "sales-marketing"
    )
