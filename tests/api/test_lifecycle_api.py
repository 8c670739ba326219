"""The lifecycle over HTTP: a new agreement is a draft, both parties approve it into force, a
change withdraws approvals, refusals answer 409 with the reason, reviews and checks."""

from __future__ import annotations

from tests.api.cases import desk_text
from tests.api.conftest import DESK, Api, fresh


def post(api: Api, path: str, who: str, **kwargs: object) -> object:
    return api.client.post(path, headers=api.auth(who), **kwargs)  # type: ignore[arg-type]


def create(api: Api, who: str = "alice") -> str:
    new_id = fresh("api-life")
    text = desk_text(api).replace(f"id: {DESK}\n", f"id: {new_id}\n")
    headers = {**api.auth(who), "Content-Type": "application/yaml"}
    response = api.client.post("/v1/agreements", content=text, headers=headers)
    assert response.status_code == 201, response.text
    state = api.get(f"/v1/agreements/{new_id}/lifecycle", who).json()
    assert (state["state"], state["in_force_version"]) == ("draft", None)
    return new_id


def test_both_parties_approve_a_new_agreement_into_force(api: Api) -> None:
    new_id = create(api)
    path = f"/v1/agreements/{new_id}"
    body = api.get(f"{path}/lifecycle", "bob").json()
    assert (body["state"], body["awaiting"], body["parties"]) == (
        "draft",
        ["it", "sales"],
        ["it", "sales"],
    )
    assert "approve" in body["allowed"]
    first = api.client.post(f"{path}/approve", headers=api.auth("alice"))
    assert first.status_code == 200, first.text
    assert (first.json()["state"], first.json()["awaiting"]) == ("pending-approval", ["sales"])
    second = api.client.post(f"{path}/approve", headers=api.auth("sam"), json={"version": 1})
    assert second.status_code == 200, second.text
    body = second.json()
    assert (body["state"], body["in_force_version"]) == ("active", 1)
    assert [(a["department"], a["user"]) for a in body["approvals"]] == [
        ("it", "alice"),
        ("sales", "sam"),
    ]
    listed = api.get("/v1/agreements?limit=500", "bob").json()["items"]
    [mine] = [item for item in listed if item["id"] == new_id]
    assert (mine["state"], mine["in_force_version"]) == ("active", 1)


def test_a_change_withdraws_the_approvals_and_refusals_answer_409(api: Api) -> None:
    new_id = create(api)
    path = f"/v1/agreements/{new_id}"
    assert api.client.post(f"{path}/approve", headers=api.auth("alice")).status_code == 200
    text = api.get(path, "alice").json()["content"].replace("objective: 90%", "objective: 91%")
    headers = {**api.auth("alice"), "Content-Type": "application/yaml"}
    assert api.client.put(path, content=text, headers=headers).status_code == 200
    body = api.get(f"{path}/lifecycle", "alice").json()
    assert (body["state"], body["latest_version"], body["approvals"]) == ("draft", 2, [])
    stale = api.client.post(f"{path}/approve", headers=api.auth("sam"), json={"version": 1})
    assert stale.status_code == 409
    assert stale.json()["detail"].endswith(
        "version 1 is not the latest (2); only the latest version is approved "
        "(a change withdraws earlier approvals)"
    )
    ended = api.client.post(
        f"{path}/terminate", headers=api.auth("alice"), json={"reason": "replaced"}
    )
    assert ended.status_code == 200
    assert (ended.json()["state"], ended.json()["reason"]) == ("terminated", "replaced")
    refused = api.client.post(f"{path}/submit", headers=api.auth("alice"))
    assert refused.status_code == 409
    assert refused.json()["detail"].startswith(f"agreement '{new_id}' is terminated: cannot submit")


def test_an_admin_activates_and_a_review_is_recorded(api: Api) -> None:
    new_id = create(api)
    path = f"/v1/agreements/{new_id}"
    assert api.client.post(f"{path}/activate", headers=api.auth("alice")).status_code == 403
    activated = api.client.post(f"{path}/activate", headers=api.auth("dana"))
    assert activated.json()["reason"] == "version 1 activated by an admin"
    review = api.client.post(
        f"{path}/reviews",
        headers=api.auth("sam"),
        json={"outcome": "continue", "notes": "figures discussed"},
    )
    assert review.status_code == 200, review.text
    [entry] = api.get(f"{path}/reviews", "bob").json()
    assert (entry["kind"], entry["actor"], entry["outcome"], entry["notes"]) == (
        "completed",
        "sam",
        "continue",
        "figures discussed",
    )
    assert api.client.post(f"{path}/check", headers=api.auth("alice")).json() == []
