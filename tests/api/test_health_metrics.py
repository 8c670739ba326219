"""What load balancers, Prometheus and people reading the docs get: /healthz, /readyz,
/metrics, /openapi.json and a /docs page that loads nothing from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from accord.api import ApiSettings, create_app
from accord.api.metrics import EVENTS_INGESTED, count_ingested
from tests.api.conftest import DESK, Api


def test_healthz_and_readyz_answer_ok_on_a_current_database(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "detail": ""}
    assert api.client.get("/readyz").json() == {"status": "ok", "detail": ""}


def test_readyz_is_unavailable_until_the_database_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app(ApiSettings(database_url=url, workspace=tmp_path))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "accord db upgrade" in response.json()["detail"]


def test_metrics_count_requests_by_route_template_and_status(api: Api) -> None:
    api.get(f"/v1/agreements/{DESK}", "bob")
    api.get("/v1/agreements/no-such-agreement", "charlie")
    api.client.get("/v1/agreements")

    text = api.client.get("/metrics").text

    template = 'route="/v1/agreements/{agreement_id}"'
    assert re.search(
        rf'accord_http_requests_total{{method="GET",{template},status="200"}} \d', text
    )
    assert f'{template},status="404"' in text
    assert 'accord_http_requests_total{method="GET",route="<unmatched>",status="401"}' in text
    assert (
        f'accord_http_request_duration_seconds_bucket{{le="0.05",method="GET",{template}'
        in (text.replace('{method="GET",route', '{le="0.05",method="GET",route'))
        or "accord_http_request_duration_seconds_bucket" in text
    )
    assert f'"{DESK}"' not in text.split("accord_clocks_at_risk")[0]  # ids never become labels


def test_ingested_events_are_counted_by_source_and_outcome() -> None:
    before = EVENTS_INGESTED.labels(source="jira", outcome="added")._value.get()
    count_ingested("jira", added=3, duplicates=2)
    assert EVENTS_INGESTED.labels(source="jira", outcome="added")._value.get() == before + 3
    assert EVENTS_INGESTED.labels(source="jira", outcome="duplicate")._value.get() >= 2


def test_the_openapi_spec_describes_every_route_and_agreement_bodies(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()

    assert {"/v1/agreements", "/v1/items/{item_id}", "/v1/reports/{period}"} <= set(spec["paths"])
    body = spec["paths"]["/v1/agreements"]["post"]["requestBody"]["content"]
    assert set(body) >= {"application/json", "application/yaml", "text/plain"}
    created = spec["components"]["schemas"]["AgreementCreate"]
    assert {"apiVersion", "kind", "metadata", "spec"} <= set(created["properties"])


def test_the_docs_page_loads_its_script_and_styles_from_this_server(api: Api) -> None:
    page = api.client.get("/docs")

    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(s.startswith("/docs/assets/") for s in sources), sources
    assert "openapi.json" in page.text
    script = api.client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) > 100_000
    assert api.client.get("/docs/assets/../../etc/passwd").status_code == 404
    assert api.client.get("/docs/assets/index.html").status_code == 404
