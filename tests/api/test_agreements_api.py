"""Agreements over the API: create and update from the same YAML or JSON as the files, read any
version, diff; validation errors with the CLI's field paths; unchanged text stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import yaml
from typer.testing import CliRunner

from accord.cli.main import app as cli
from tests.api.conftest import DESK, Api, fresh
from tests.services.samples import agreement_text

YAML = {"Content-Type": "application/yaml"}


def _desk_like(new_id: str, **replace: str) -> str:
    text = agreement_text().replace("id: desk\n", f"id: {new_id}\n")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def _post(api: Api, text: str, who: str = "alice", **headers: str) -> httpx.Response:
    return api.client.post(
        "/v1/agreements", content=text, headers={**YAML, **headers, **api.auth(who)}
    )


def test_an_agreement_created_from_yaml_reads_back_as_stored(api: Api) -> None:
    new_id = fresh("yaml")
    response = api.client.post(
        "/v1/agreements", content=_desk_like(new_id), headers={**YAML, **api.auth("alice")}
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["id"], created["version"], created["changed"]) == (new_id, 1, True)
    assert (created["provider"], created["customer"], created["applied_by"]) == (
        "it",
        "sales",
        "alice",
    )
    read = api.get(f"/v1/agreements/{new_id}", "bob").json()
    assert read["content"] == _desk_like(new_id)
    assert read["targets"] == ["response", "resolution"]
    assert api.get(f"/v1/agreements/{new_id}/versions/1", "bob").json() == read


def test_an_agreement_created_from_json_is_the_same_document(api: Api) -> None:
    new_id = fresh("json")
    document = yaml.safe_load(_desk_like(new_id))
    response = api.client.post(
        "/v1/agreements",
        content=json.dumps(document, default=str),
        headers=api.auth("alice") | {"Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Service desk"


def test_an_unchanged_update_stores_no_version_and_no_audit_entry(api: Api) -> None:
    new_id = fresh("same")
    api.client.post("/v1/agreements", content=_desk_like(new_id), headers=YAML | api.auth("alice"))
    audit_before = api.get(f"/v1/audit?agreement={new_id}", "alice").json()["items"]

    # CRLF line ends and trailing blanks are no change either.
    again = _desk_like(new_id).replace("\n", "  \r\n")
    response = api.client.put(
        f"/v1/agreements/{new_id}", content=again, headers=YAML | api.auth("alice")
    )

    assert response.status_code == 200, response.text
    assert (response.json()["version"], response.json()["changed"]) == (1, False)
    assert len(api.get(f"/v1/agreements/{new_id}/versions", "alice").json()) == 1
    assert api.get(f"/v1/audit?agreement={new_id}", "alice").json()["items"] == audit_before


def test_a_changed_update_is_the_next_version_and_the_diff_shows_it(api: Api) -> None:
    new_id = fresh("next")
    api.client.post("/v1/agreements", content=_desk_like(new_id), headers=YAML | api.auth("alice"))

    changed = _desk_like(new_id, **{"goal: {P1: 30m, P2: 1h}": "goal: {P1: 20m, P2: 1h}"})
    response = api.client.put(
        f"/v1/agreements/{new_id}", content=changed, headers=YAML | api.auth("alice")
    )

    assert (response.json()["version"], response.json()["changed"]) == (2, True)
    diff = api.get(f"/v1/agreements/{new_id}/diff?from=1&to=2", "bob").json()["diff"]
    assert "-      goal: {P1: 30m, P2: 1h}" in diff
    assert "+      goal: {P1: 20m, P2: 1h}" in diff
    assert [v["version"] for v in api.get(f"/v1/agreements/{new_id}/versions", "bob").json()] == [
        1,
        2,
    ]
    assert api.get(f"/v1/agreements/{new_id}/versions/1", "bob").json()["content"] != changed
    assert api.get(f"/v1/agreements/{new_id}/versions/3", "bob").status_code == 404
    assert api.get(f"/v1/agreements/{new_id}/diff?from=1&to=9", "bob").status_code == 404


def test_validation_errors_have_the_field_paths_and_lines_of_the_cli(
    api: Api, tmp_path: Path
) -> None:
    text = _desk_like(fresh("bad"), **{"P2: 8h": "P5: banana", "objective: 90%": "objective: 190%"})
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    printed = CliRunner().invoke(cli, ["agreements", "validate", str(path)]).output

    response = api.client.post("/v1/agreements", content=text, headers=YAML | api.auth("alice"))

    assert response.status_code == 422
    issues = response.json()["issues"]
    assert {i["path"] for i in issues} >= {"spec.targets[1].goal.P5", "spec.targets[0].objective"}
    # The CLI prints `file:line: path: message`; the API gives line, path and message.
    cli_lines = {line.removeprefix(f"{path}:") for line in printed.splitlines() if line.strip()}
    assert {f"{i['line']}: {i['path']}: {i['message']}" for i in issues} == cli_lines


def test_json_errors_name_the_same_paths(api: Api) -> None:
    document = yaml.safe_load(_desk_like(fresh("badjson"), **{"P2: 8h": "P5: banana"}))
    response = api.client.post(
        "/v1/agreements",
        content=json.dumps(document, default=str),
        headers={"Content-Type": "application/json"} | api.auth("alice"),
    )

    assert response.status_code == 422
    assert "spec.targets[1].goal.P5" in {i["path"] for i in response.json()["issues"]}


def test_an_update_must_keep_the_agreements_id(api: Api) -> None:
    response = api.client.put(
        f"/v1/agreements/{DESK}",
        content=_desk_like("another-id"),
        headers=YAML | api.auth("alice"),
    )

    assert response.status_code == 422
    assert response.json()["issues"][0]["path"] == "metadata.id"


def test_creating_an_existing_agreement_conflicts_for_a_party_and_is_unknown_to_others(
    api: Api,
) -> None:
    text = _desk_like(DESK)
    assert _post(api, text, "alice").status_code == 409
    assert _post(api, text, "charlie").status_code == 404


def test_nobody_takes_an_agreement_over_by_rewriting_its_parties(api: Api) -> None:
    # Alice edits for it; facilities and marketing are not hers to bind.
    text = _desk_like(DESK, **{"provider: it": "provider: facilities"})
    response = api.client.put(
        f"/v1/agreements/{DESK}", content=text, headers=YAML | api.auth("alice")
    )
    assert response.status_code == 403


def test_bodies_of_other_types_or_too_large_are_refused(api: Api) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"} | api.auth("alice")
    assert api.client.post("/v1/agreements", content="a=b", headers=form).status_code == 415
    huge = "# " + "x" * (2 * 1024 * 1024)
    assert _post(api, huge).status_code == 413
    latin = "title: caf\xe9".encode("latin-1")
    response = api.client.post("/v1/agreements", content=latin, headers=YAML | api.auth("alice"))
    assert response.status_code == 422


def test_the_list_is_paginated_and_shows_only_readable_agreements(api: Api) -> None:
    everything = api.get("/v1/agreements?limit=500", "dana").json()
    bobs = api.get("/v1/agreements?limit=500", "bob").json()
    page = api.get("/v1/agreements?offset=1&limit=2", "bob").json()

    assert bobs["total"] < everything["total"]
    assert "web-hosting-for-marketing" not in {a["id"] for a in bobs["items"]}
    assert {DESK, "it-service-desk-for-sales"} <= {a["id"] for a in bobs["items"]}
    assert page["items"] == bobs["items"][1:3]
    assert (page["total"], page["offset"], page["limit"]) == (bobs["total"], 1, 2)
