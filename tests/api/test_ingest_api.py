"""`POST /v1/events` and `POST /v1/webhooks/{source}` over HTTP (FastAPI's TestClient), on each
database: 401 before the body is read, 403 without the `ingest` scope, 422 for bodies that are
not a batch, counts in the answer and in /metrics, HMAC-signed webhooks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.api import ApiSettings, create_app
from accord.api.routes.ingest import SIGNATURE_HEADER
from accord.domain.events import EventKind
from accord.persistence.db import make_engine
from accord.persistence.repositories import EventRepository
from accord.services.ingestion import MAX_BATCH_EVENTS, sign_body
from accord.timesource import FixedClock
from tests.api.conftest import NOW, Api, fresh

SECRET = "jira-shared-secret"


def event(
    item: str, at: str = "2026-03-31T09:00:00Z", kind: str = "created", **more: Any
) -> dict[str, Any]:
    return {"item_id": item, "at": at, "event": kind, **more}


def stored(api: Api, source: str, item: str) -> list[tuple[EventKind, str]]:
    engine = make_engine(api.database_url)
    try:
        with Session(engine) as session:
            rows = EventRepository(session).history(source, [item]).get(item, [])
            return [(row.kind, row.value) for row in rows]
    finally:
        engine.dispose()


def ingested(api: Api, source: str) -> dict[str, float]:
    """The events-ingested counter of `source` by outcome, as /metrics shows it."""
    text = api.client.get("/metrics").text
    pattern = (
        rf'^accord_events_ingested_total\{{outcome="(\w+)",source="{re.escape(source)}"\}} (\S+)$'
    )
    return {m[1]: float(m[2]) for m in re.finditer(pattern, text, re.MULTILINE)}


# POST /v1/events


def test_events_without_credentials_get_401_before_the_body_is_read(api: Api) -> None:
    response = api.client.post("/v1/events", content=b"{not json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_token_gets_401(api: Api) -> None:
    headers = {"Authorization": "Bearer acc_" + "x" * 43}
    assert api.client.post("/v1/events", json=[], headers=headers).status_code == 401


@pytest.mark.parametrize("who", ["alice", "alice-read", "dana-read"])
def test_a_token_without_the_ingest_scope_gets_403_before_the_body_is_read(
    api: Api, who: str
) -> None:
    response = api.client.post("/v1/events", content=b"{not json", headers=api.auth(who))
    assert response.status_code == 403
    assert "ingest" in response.json()["detail"]


def test_a_batch_is_stored_and_counted_once(api: Api) -> None:
    item = fresh("INC")
    rows = [event(item), event(item, kind="priority", value="P2", event_id="p-1")]
    first = api.client.post("/v1/events", json=rows, headers=api.auth("alice-ingest"))
    assert first.status_code == 200
    assert first.json() == {"accepted": 2, "added": 2, "duplicates": 0, "rejected": []}
    again = api.client.post("/v1/events", json={"events": rows}, headers=api.auth("dana-ingest"))
    assert again.json() == {"accepted": 2, "added": 0, "duplicates": 2, "rejected": []}
    assert stored(api, "api", item) == [(EventKind.CREATED, ""), (EventKind.PRIORITY, "P2")]


def test_bad_rows_come_back_by_index_and_the_rest_are_stored(api: Api) -> None:
    item = fresh("INC")
    rows: list[object] = [
        event(item),
        event(item, at="2026-03-31T09:00:00"),
        "not a row",
        event(item, kind="resolved", at="2026-03-31T12:00:00+02:00"),
        event(item, kind="state"),
    ]
    response = api.client.post("/v1/events", json=rows, headers=api.auth("alice-ingest"))
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["added"]) == (2, 2)
    assert [r["index"] for r in body["rejected"]] == [1, 2, 4]
    assert "naive timestamp" in body["rejected"][0]["message"]
    assert [kind for kind, _ in stored(api, "api", item)] == [EventKind.CREATED, EventKind.RESOLVED]


def test_events_can_be_stored_under_another_source(api: Api) -> None:
    item, source = fresh("INC"), fresh("desk")
    response = api.client.post(
        f"/v1/events?source={source}", json=[event(item)], headers=api.auth("alice-ingest")
    )
    assert response.json()["added"] == 1
    assert stored(api, source, item) == [(EventKind.CREATED, "")]
    assert stored(api, "api", item) == []


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"", "empty"),
        (b"{not json", "not JSON"),
        (b"\xff\xfe[]", "not JSON"),
        (b"[" * 50_000 + b"]" * 50_000, "not JSON"),
        (b'[{"item_id": ' + b"1" * 5_000 + b"}]", "not JSON"),
        (b'"an event"', "JSON array"),
        (b'{"rows": []}', "JSON array"),
        (b'{"events": {"item_id": "x"}}', "JSON array"),
        (json.dumps([event("x")] * (MAX_BATCH_EVENTS + 1)).encode(), "at most"),
    ],
)
def test_a_body_that_is_not_a_batch_gets_422_and_stores_nothing(
    api: Api, content: bytes, where: str
) -> None:
    response = api.client.post(
        "/v1/events",
        content=content,
        headers={**api.auth("alice-ingest"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert where in response.json()["detail"]


def test_an_invalid_source_name_gets_422(api: Api) -> None:
    response = api.client.post(
        "/v1/events?source=no%20spaces", json=[event("x")], headers=api.auth("alice-ingest")
    )
    assert response.status_code == 422
    assert response.json()["issues"][0]["path"] == "source"


def test_a_body_that_is_not_json_by_type_gets_415(api: Api) -> None:
    headers = {**api.auth("alice-ingest"), "Content-Type": "text/csv"}
    response = api.client.post("/v1/events", content=b"item_id,at,event\n", headers=headers)
    assert response.status_code == 415


def test_a_body_over_the_limit_gets_413(api: Api) -> None:
    limit = api.app.state.accord.max_body_bytes
    rows = [event("x", value="v" * 1000)] * (limit // 1000 + 1)
    response = api.client.post(
        "/v1/events", json=rows[:MAX_BATCH_EVENTS], headers=api.auth("alice-ingest")
    )
    assert response.status_code == 413


def test_the_events_ingested_metric_counts_what_each_push_did(api: Api) -> None:
    item, source = fresh("INC"), fresh("metered")
    rows = [event(item), event(item, kind="frobbed"), event(item, kind="responded")]
    path = f"/v1/events?source={source}"
    api.client.post(path, json=rows, headers=api.auth("alice-ingest"))
    api.client.post(path, json=rows, headers=api.auth("alice-ingest"))
    assert ingested(api, source) == {"added": 2.0, "duplicate": 2.0, "rejected": 2.0}


# POST /v1/webhooks/{source}

TICKET: dict[str, Any] = {
    "Status": "Open",
    "Priority": "High",
    "Created": "2026-03-31T08:00:00Z",
    "Updated": "2026-03-31T08:00:00Z",
}


def ticket(key: str, **changes: Any) -> dict[str, Any]:
    return {"Issue key": key, **TICKET, **changes}


@pytest.fixture
def signed(api: Api, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TestClient]:
    """A second app on the same database, with Jira's webhook secret set in its environment."""
    monkeypatch.setenv("ACCORD_WEBHOOK_SECRET_JIRA", SECRET)
    monkeypatch.setenv("ACCORD_WEBHOOK_SECRET_ZENDESK", "  ")  # blank: no secret
    settings = ApiSettings(database_url=api.database_url, workspace=tmp_path)
    with TestClient(create_app(settings, clock=FixedClock(NOW))) as client:
        yield client


def post_signed(client: TestClient, source: str, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    return client.post(f"/v1/webhooks/{source}", content=body, headers=headers)


def test_a_webhook_without_credentials_gets_401(api: Api) -> None:
    response = api.client.post("/v1/webhooks/jira", content=b"{not json")
    assert response.status_code == 401
    assert SIGNATURE_HEADER in response.json()["detail"]


def test_a_webhook_with_a_read_token_gets_403(api: Api) -> None:
    response = api.client.post("/v1/webhooks/jira", content=b"{}", headers=api.auth("alice"))
    assert response.status_code == 403


def test_a_webhook_with_an_ingest_token_stores_the_ticket_and_then_its_changes(api: Api) -> None:
    key, auth = fresh("SD"), api.auth("alice-ingest")
    first = api.client.post("/v1/webhooks/jira", json=ticket(key), headers=auth)
    assert first.status_code == 200
    assert first.json() == {"accepted": 3, "added": 3, "duplicates": 0, "rejected": []}
    moved = ticket(key, Status="In Progress", Updated="2026-03-31T08:30:00Z")
    assert api.client.post("/v1/webhooks/jira", json=moved, headers=auth).json()["added"] == 1
    assert api.client.post("/v1/webhooks/jira", json=moved, headers=auth).json()["added"] == 0
    assert stored(api, "jira", key)[-1] == (EventKind.STATE, "In Progress")


def test_a_webhook_of_an_unknown_source_gets_404(api: Api) -> None:
    response = api.client.post("/v1/webhooks/remedy", json={}, headers=api.auth("alice-ingest"))
    assert response.status_code == 404


def test_an_unreadable_ticket_gets_422(api: Api) -> None:
    auth = api.auth("alice-ingest")
    for payload in ([ticket("SD-1")], ticket(""), ticket("SD-1", Updated="later")):
        assert api.client.post("/v1/webhooks/jira", json=payload, headers=auth).status_code == 422


def test_naive_times_are_read_in_the_timezone_the_url_names(api: Api) -> None:
    number, auth = fresh("INC"), api.auth("alice-ingest")
    payload = {
        "number": number,
        "incident_state": "New",
        "priority": "2 - High",
        "sys_updated_at": "2026-03-31 08:00:00",
        "opened_at": "2026-03-31 08:00:00",
    }
    refused = api.client.post("/v1/webhooks/servicenow", json=payload, headers=auth)
    assert refused.status_code == 422
    assert "?timezone=" in refused.json()["detail"]
    path = "/v1/webhooks/servicenow?timezone=Europe/Berlin"
    assert api.client.post(path, json=payload, headers=auth).json()["added"] == 3
    unknown = api.client.post(
        "/v1/webhooks/servicenow?timezone=Mars/Olympus", json=payload, headers=auth
    )
    assert unknown.status_code == 422


def test_a_correctly_signed_webhook_is_accepted_without_a_token(
    api: Api, signed: TestClient
) -> None:
    key = fresh("SD")
    body = json.dumps(ticket(key)).encode()
    response = post_signed(signed, "jira", body, sign_body(SECRET, body))
    assert response.status_code == 200
    assert response.json()["added"] == 3
    assert (EventKind.STATE, "Open") in stored(api, "jira", key)


@pytest.mark.parametrize(
    "signature",
    [
        None,  # missing
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "md5=" + "0" * 32,
        sign_body("another secret", b"{}"),
    ],
)
def test_a_webhook_with_a_missing_or_wrong_signature_gets_401(
    api: Api, signed: TestClient, signature: str | None
) -> None:
    key = fresh("SD")
    response = post_signed(signed, "jira", json.dumps(ticket(key)).encode(), signature)
    assert response.status_code == 401
    assert stored(api, "jira", key) == []


def test_a_signature_covers_the_exact_body(api: Api, signed: TestClient) -> None:
    key = fresh("SD")
    body = json.dumps(ticket(key)).encode()
    tampered = body.replace(b'"Open"', b'"Closed"')
    assert post_signed(signed, "jira", tampered, sign_body(SECRET, body)).status_code == 401
    reformatted = json.dumps(ticket(key), indent=2).encode()
    assert post_signed(signed, "jira", reformatted, sign_body(SECRET, body)).status_code == 401


def test_a_source_without_a_secret_accepts_no_signature(signed: TestClient) -> None:
    body = json.dumps({"Id": "1", "Status": "open", "Updated at": "2026-03-31T08:00:00Z"}).encode()
    for source in ("zendesk", "servicenow"):
        assert post_signed(signed, source, body, sign_body("", body)).status_code == 401
        assert post_signed(signed, source, body, sign_body(SECRET, body)).status_code == 401


def test_a_signed_body_is_still_validated(signed: TestClient) -> None:
    body = b"{not json"
    assert post_signed(signed, "jira", body, sign_body(SECRET, body)).status_code == 422


def test_a_webhook_secret_is_not_a_token_for_events(signed: TestClient) -> None:
    body = json.dumps([event("x")]).encode()
    response = signed.post(
        "/v1/events", content=body, headers={SIGNATURE_HEADER: sign_body(SECRET, body)}
    )
    assert response.status_code == 401


def test_the_spec_documents_both_routes_their_bodies_and_the_signature(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    events = spec["paths"]["/v1/events"]["post"]
    assert "application/json" in events["requestBody"]["content"]
    webhook = spec["paths"]["/v1/webhooks/{source}"]["post"]
    headers = {p["name"] for p in webhook["parameters"] if p["in"] == "header"}
    assert SIGNATURE_HEADER in headers
    assert "IngestRead" in spec["components"]["schemas"]
