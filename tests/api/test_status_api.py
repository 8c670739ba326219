"""Reading over the API gives the CLI's figures: status now or as of an instant, compliance per
period, the clocks that need care, one item's timeline, the monthly report, the audit log.

The sample desk (tests/services/samples.py) as of 31 March 13:00Z: E at risk; B breached its
response, C and D their resolution; F paused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from accord.api.metrics import CLOCKS_AT_RISK
from accord.persistence.db import make_engine
from accord.reports.report_files import to_json
from accord.services.reports import monthly_report
from accord.services.status import status
from tests.api.conftest import DESK, NOW, Api


@pytest.fixture
def db(quiet_api: Api) -> Iterator[Session]:
    engine = make_engine(quiet_api.database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_status_has_the_figures_of_accord_status(quiet_api: Api, db: Session) -> None:
    expected = status(db, NOW, agreement_id=DESK)

    body = quiet_api.get(f"/v1/agreements/{DESK}/status", "bob").json()

    assert body["as_of"] == "2026-03-31T13:00:00Z"
    response, resolution = body["targets"]
    assert (response["counted"], response["met"], response["breached"]) == (6, 5, 1)
    assert response["attainment"] == str(expected.targets[0].attainment) == "0.833333"
    assert response["breached_items"] == ["B"]
    assert (resolution["at_risk"], resolution["at_risk_items"]) == (1, ["E"])
    assert (resolution["paused"], resolution["open_clocks"]) == (1, 3)
    assert (body["items"], body["skipped_items"]) == (expected.items, expected.skipped_items)


def test_status_as_of_an_earlier_instant(quiet_api: Api) -> None:
    body = quiet_api.get(f"/v1/agreements/{DESK}/status?at=2026-01-15T12:00:00Z", "bob").json()
    assert [(t["period"], t["result"]) for t in body["targets"]] == [
        ("2026-01", "no data"),
        ("2026-01", "no data"),
    ]
    bad = quiet_api.get(f"/v1/agreements/{DESK}/status?at=yesterday", "bob")
    assert (bad.status_code, bad.json()["issues"][0]["path"]) == (422, "at")


def test_computing_a_status_sets_the_clocks_at_risk_gauge(quiet_api: Api) -> None:
    quiet_api.get(f"/v1/agreements/{DESK}/status", "bob")
    assert CLOCKS_AT_RISK.labels(agreement=DESK, target="resolution")._value.get() == 1
    metrics = quiet_api.client.get("/metrics").text
    assert f'accord_clocks_at_risk{{agreement="{DESK}",target="resolution"}} 1.0' in metrics


def test_compliance_per_period_and_of_one_target(quiet_api: Api) -> None:
    rows = quiet_api.get(f"/v1/agreements/{DESK}/compliance", "alice").json()
    resolution = quiet_api.get(
        f"/v1/agreements/{DESK}/compliance?target=resolution", "alice"
    ).json()

    assert {r["target_id"] for r in rows} == {"response", "resolution"}
    march = next(r for r in resolution if r["period_start"] == "2026-03-01")
    assert (march["counted"], march["met"], march["breached"]) == (4, 2, 2)
    assert Decimal(march["attainment"]) == Decimal("0.5")
    assert {r["target_id"] for r in resolution} == {"resolution"}


def test_items_that_need_care_soonest_due_then_latest_breach(quiet_api: Api) -> None:
    page = quiet_api.get(f"/v1/items?agreement={DESK}", "bob").json()

    found = [(c["item_id"], c["target_id"], c["status"]) for c in page["items"]]
    assert found == [
        ("E", "resolution", "at-risk"),
        ("D", "resolution", "breached"),
        ("C", "resolution", "breached"),
        ("B", "response", "breached"),
    ]
    assert page["total"] == 4
    assert page["items"][0]["due_at"] == "2026-03-31T15:00:00Z"


def test_items_filter_by_status_and_target_and_paginate(quiet_api: Api) -> None:
    desk = f"/v1/items?agreement={DESK}"
    breached = quiet_api.get(f"{desk}&status=breached&target=resolution", "bob").json()
    paused = quiet_api.get(f"{desk}&status=paused", "bob").json()
    everywhere = quiet_api.get("/v1/items?status=breached&target=resolution", "bob").json()
    second = quiet_api.get(f"/v1/items?agreement={DESK}&offset=1&limit=2", "bob").json()

    assert [c["item_id"] for c in breached["items"]] == ["D", "C"]
    assert [c["item_id"] for c in paused["items"]] == ["F"]
    assert [c["item_id"] for c in second["items"]] == ["D", "C"]
    # The bundled service desk agreement (it and sales) covers the same items.
    assert {(c["agreement_id"], c["item_id"]) for c in everywhere["items"]} >= {
        (DESK, "C"),
        ("it-service-desk-for-sales", "C"),
    }
    assert (second["total"], second["offset"], second["limit"]) == (4, 1, 2)
    assert quiet_api.get("/v1/items?status=late", "bob").status_code == 422


def test_an_items_timeline_explains_its_clocks(quiet_api: Api) -> None:
    body = quiet_api.get("/v1/items/C", "bob").json()

    assert body["item_id"] == "C"
    assert [e["kind"] for e in body["events"]] == ["created", "priority", "responded", "resolved"]
    resolution = next(
        t for t in body["targets"] if (t["agreement_id"], t["target_id"]) == (DESK, "resolution")
    )
    (cycle,) = resolution["cycles"]
    assert (cycle["status"], cycle["reason"], cycle["priority"]) == (
        "breached",
        "reached goal",
        "P1",
    )
    assert cycle["breached_at"] == "2026-03-04T12:00:00Z"
    assert cycle["goal_seconds"] == 4 * 3600
    assert DESK in {t["agreement_id"] for t in body["targets"]}
    assert quiet_api.get("/v1/items/no-such-item", "dana").status_code == 404


def test_the_report_is_the_cli_report_in_json_csv_and_html(quiet_api: Api, db: Session) -> None:
    expected = to_json(monthly_report(db, (2026, 3), now=NOW))

    as_json = quiet_api.get("/v1/reports/2026-03", "dana")
    as_csv = quiet_api.get("/v1/reports/2026-03?format=csv", "dana")
    as_html = quiet_api.get("/v1/reports/2026-03?format=html", "dana")

    assert as_json.headers["content-type"] == "application/json"
    report = as_json.json()
    assert {**report, "generated_at": None} == {**json.loads(expected), "generated_at": None}
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0].startswith("agreement_id,target_id,kind,row,period")
    assert as_html.text.lstrip().lower().startswith("<!doctype html>")
    assert quiet_api.get("/v1/reports/2026-13", "dana").status_code == 422


def test_a_partys_report_has_its_agreements_only(quiet_api: Api) -> None:
    bobs = quiet_api.get("/v1/reports/2026-03", "bob").json()
    one = quiet_api.get(f"/v1/reports/2026-03?agreement={DESK}", "bob").json()

    ids = {a["agreement_id"] for a in bobs["agreements"]}
    assert DESK in ids
    assert "web-hosting-for-marketing" not in ids
    assert [a["agreement_id"] for a in one["agreements"]] == [DESK]
    assert bobs["volume"] == []  # items of every department: the admin's report only


def test_the_audit_log_is_the_admins_and_an_agreements_is_its_parties(quiet_api: Api) -> None:
    everything = quiet_api.get("/v1/audit?limit=1000", "dana").json()["items"]
    desk = quiet_api.get(f"/v1/audit?agreement={DESK}", "bob").json()["items"]

    assert {e["action"] for e in everything} >= {"user.added", "token.created"}
    assert desk
    assert {e["agreement_id"] for e in desk} == {DESK}
    assert quiet_api.get("/v1/audit", "bob").status_code == 403
    first = quiet_api.get("/v1/audit?limit=2", "dana").json()
    after = quiet_api.get(f"/v1/audit?limit=2&before={first['next_before']}", "dana").json()
    assert [e["id"] for e in after["items"]] == [e["id"] for e in everything[2:4]]
