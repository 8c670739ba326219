"""Negotiation over the API: simulate, propose, counter, accept, reject, on a fresh copy of the
desk agreement (between it and sales) so that the shared database's desk stays as it is.
The figures themselves are checked against a hand-computed history in tests/services."""

from __future__ import annotations

from typing import Any

from tests.api.cases_negotiation import fresh_agreement, sales_proposal
from tests.api.conftest import DESK, Api


def post(api: Api, path: str, who: str, body: dict[str, Any] | None = None) -> Any:
    return api.client.post(path, json=body, headers=api.auth(who))


def test_simulate_gives_the_evidence_and_a_suggestion(api: Api) -> None:
    response = post(
        api,
        f"/v1/agreements/{DESK}/simulate",
        "bob",
        {"target": "resolution", "goals": {"P1": "2h"}, "periods": 2, "suggest": True},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    simulation = body["simulation"]
    assert simulation["proposed"]["goals"] == {"P1": "2h", "P2": "8h"}
    assert simulation["current"]["goals"] == {"P1": "4h", "P2": "8h"}
    assert [p["label"] for p in simulation["periods"]] == ["2026-01", "2026-02"]  # as of 31 March
    assert set(simulation["pooled"]["priorities"]) == {"P1", "P2"}
    assert simulation["sentence"].startswith("with P1 2h, P2 8h: ")
    suggestion = body["suggestion"]
    assert [g["priority"] for g in suggestion["goals"]] == ["P1", "P2"]
    assert suggestion["objective"] == "0.8"


def test_the_story_over_http_sales_asks_it_counters_sales_accepts(api: Api) -> None:
    talks = fresh_agreement(api)
    asked = post(
        api,
        f"/v1/agreements/{talks}/proposals",
        "sam",
        {"target": "resolution", "goal": "2h", "comment": "Two hours for everything."},
    )
    assert asked.status_code == 201, asked.text
    asked_id = asked.json()["id"]
    assert (asked.json()["department"], asked.json()["status"]) == ("sales", "open")
    assert api.get(f"/v1/agreements/{talks}/lifecycle", "bob").json()["state"] == "negotiating"

    own = post(api, f"/v1/proposals/{asked_id}/accept", "sam")
    assert own.status_code == 403
    assert "only an editor or approver of it, the other party" in own.json()["detail"]

    week = post(
        api,
        f"/v1/proposals/{asked_id}/counter",
        "alice",
        {"goals": {"P1": "3h"}, "objective": "85%", "comment": "3h for P1, at 85%."},
    )
    assert week.status_code == 201, week.text
    assert week.json()["responds_to"] == asked_id
    assert week.json()["change"] == {
        "goals": {"P1": "3h"},
        "objective": "0.85",
        "pause_states": None,
    }

    accepted = post(api, f"/v1/proposals/{week.json()['id']}/accept", "sam", {"comment": "Ok."})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["resulting_version"]) == ("accepted", 2)
    content = api.get(f"/v1/agreements/{talks}", "bob").json()["content"]
    assert "goal: {P1: 3h, P2: 8h}" in content
    assert "objective: 85%" in content

    listed = api.get(f"/v1/agreements/{talks}/proposals", "bob").json()
    assert [(p["id"], p["status"]) for p in listed] == [
        (asked_id, "countered"),
        (week.json()["id"], "accepted"),
    ]
    opened = api.get(f"/v1/agreements/{talks}/proposals?status=open", "bob").json()
    assert opened == []
    actions = [e["action"] for e in api.get(f"/v1/audit?agreement={talks}", "bob").json()["items"]]
    assert {"proposal.made", "proposal.countered", "proposal.accepted"} <= set(actions)


def test_answering_twice_is_a_conflict_and_bad_input_is_422(api: Api) -> None:
    proposal_id = sales_proposal(api)
    assert post(api, f"/v1/proposals/{proposal_id}/reject", "alice", {"comment": "No."}).is_success
    again = post(api, f"/v1/proposals/{proposal_id}/reject", "alice", {"comment": "No!"})
    assert again.status_code == 409
    assert "only an open proposal is answered" in again.json()["detail"]
    talks = fresh_agreement(api)
    bad = post(
        api,
        f"/v1/agreements/{talks}/proposals",
        "alice",
        {"target": "resolution", "goal": "soon", "comment": "?"},
    )
    assert bad.status_code == 422
    assert bad.json()["issues"][0]["path"] == "goal[0]"
    nothing = post(api, f"/v1/agreements/{DESK}/simulate", "alice", {"target": "resolution"})
    assert nothing.status_code == 422
    missing = api.get("/v1/proposals/2147483647", "dana")
    assert missing.status_code == 404
