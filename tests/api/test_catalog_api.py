"""The catalog and templates over the API: services written as YAML or JSON by an editor of
their owner department, read by anyone with the `read` scope, audited; once stored, agreements
naming services outside the catalog are refused; the templates' text as `new` writes it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import yaml

from accord.spec import example_catalog_dir
from accord.spec.templates import TEMPLATE_NAMES, template_text
from tests.api.conftest import DATABASES, Api, running_api
from tests.services.samples import agreement_text

YAML = {"Content-Type": "application/yaml"}
NETWORK = (example_catalog_dir() / "network.yaml").read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=DATABASES)
def catalog_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An app on a database of its own: a stored catalog changes what agreements may name."""
    with running_api(request.param, tmp_path_factory.mktemp("catalog")) as running:
        yield running


def put(api: Api, service_id: str, text: str, who: str = "alice", **headers: str) -> object:
    return api.client.put(
        f"/v1/services/{service_id}", content=text, headers={**YAML, **headers, **api.auth(who)}
    )


def test_an_empty_catalog_lets_agreements_name_any_service(catalog_api: Api) -> None:
    assert catalog_api.get("/v1/services", "bob").json() == []
    text = agreement_text().replace("id: desk\n", "id: desk-before-catalog\n")
    response = catalog_api.client.post(
        "/v1/agreements", content=text, headers={**YAML, **catalog_api.auth("alice")}
    )
    assert response.status_code == 201, response.text


def test_a_service_written_as_yaml_reads_back_and_is_audited(catalog_api: Api) -> None:
    response = put(catalog_api, "network", NETWORK)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["type"], body["owner"], body["changed"]) == (
        "network",
        "infrastructure",
        "it",
        True,
    )
    assert (body["content"], body["updated_by"]) == (NETWORK, "alice")
    again = put(catalog_api, "network", NETWORK).json()
    assert again["changed"] is False

    read = catalog_api.get("/v1/services/network", "charlie").json()
    assert read["title"] == "Network services"
    assert [s["id"] for s in catalog_api.get("/v1/services", "bob").json()] == ["network"]
    audit = catalog_api.get("/v1/audit", "dana").json()["items"]
    assert any(
        e["action"] == "catalog.service_applied" and e["subject_id"] == "network" for e in audit
    )


def test_a_service_written_as_json_is_the_same_document(catalog_api: Api) -> None:
    text = (example_catalog_dir() / "service-desk.yaml").read_text(encoding="utf-8")
    response = put(
        catalog_api,
        "service-desk",
        json.dumps(yaml.safe_load(text)),
        **{"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "business-function"


def test_writing_a_service_checks_the_owner_department_and_the_id(catalog_api: Api) -> None:
    crm = (example_catalog_dir() / "crm.yaml").read_text(encoding="utf-8")
    refused = put(catalog_api, "crm", crm, who="sam")  # a sales editor; crm belongs to it
    assert refused.status_code == 403
    assert "needs the editor role in it" in refused.json()["detail"]
    mismatch = put(catalog_api, "wan", NETWORK)
    assert mismatch.status_code == 422
    assert mismatch.json()["issues"][0]["path"] == "metadata.id"
    assert catalog_api.get("/v1/services/crm", "bob").status_code == 404


def test_with_a_catalog_an_agreement_naming_an_unknown_service_is_refused(
    catalog_api: Api,
) -> None:
    put(catalog_api, "network", NETWORK)
    text = agreement_text().replace("id: desk\n", "id: desk-after-catalog\n")
    text = text.replace("services: [service-desk]", "services: [service-dsk]")
    response = catalog_api.client.post(
        "/v1/agreements", content=text, headers={**YAML, **catalog_api.auth("alice")}
    )
    assert response.status_code == 422
    [issue] = response.json()["issues"]
    assert issue["path"] == "spec.services[0]"
    assert issue["message"] == (
        "service 'service-dsk' is not in the service catalog; did you mean 'service-desk'?"
    )


def test_the_templates_are_listed_and_read_as_new_writes_them(catalog_api: Api) -> None:
    listed = catalog_api.get("/v1/templates", "charlie").json()
    assert [t["name"] for t in listed] == list(TEMPLATE_NAMES)
    assert listed[0]["title"] == "IT service desk for Sales"
    read = catalog_api.get("/v1/templates/web-hosting", "bob").json()
    assert read["content"] == template_text("web-hosting")
    missing = catalog_api.get("/v1/templates/helpdesk", "bob")
    assert missing.status_code == 404
    assert "service-desk, web-hosting, network, sales-marketing" in missing.json()["detail"]
