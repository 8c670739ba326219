"""Permission cases of the negotiation routes: Charlie gets nothing, Bob (a sales viewer) reads
and simulates but neither proposes nor answers, Alice (IT) proposes and answers Sales'
proposals, Dana (the admin) may do it all.

The cases run in any order and again and again on one shared database, so each writing case
makes a fresh agreement (a copy of the desk) and, to answer, a fresh proposal by Sam (Sales):
the desk itself never starts negotiating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from accord.domain.access import Scope
from tests.api.cases import AGREEMENT_READ, FORBIDDEN, NOT_FOUND, OK, A, Case, desk_text
from tests.api.conftest import DESK, Api, fresh

WRITE_FOR_IT = {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": 201, "dana": 201}
ANSWER = {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK}


@dataclass(frozen=True)
class FreshCase(Case):
    """A case whose path is made per call (`path` is only what 401 checks use)."""

    make_path: Callable[[Api], str] | None = None

    def call(self, api: Api, headers: dict[str, str]) -> httpx.Response:
        path = self.make_path(api) if self.make_path is not None else self.path
        kwargs = self.body(api) if self.body is not None else {}
        merged = {**kwargs.pop("headers", {}), **headers}
        return api.client.request(self.method, path, headers=merged, **kwargs)


def fresh_agreement(api: Api) -> str:
    """A new agreement between it and sales (the desk's text under a new id); its id."""
    agreement_id = fresh("talks")
    text = desk_text(api).replace(f"id: {DESK}\n", f"id: {agreement_id}\n")
    response = api.client.post(
        "/v1/agreements",
        content=text,
        headers={"Content-Type": "application/yaml", **api.auth("dana")},
    )
    assert response.status_code == 201, response.text
    return agreement_id


def sales_proposal(api: Api) -> int:
    """A fresh agreement with an open proposal by Sam, for Sales; the proposal's id."""
    agreement_id = fresh_agreement(api)
    response = api.client.post(
        f"/v1/agreements/{agreement_id}/proposals",
        json={"target": "resolution", "goal": "6h", "comment": "Six hours, please."},
        headers=api.auth("sam"),
    )
    assert response.status_code == 201, response.text
    proposal_id: int = response.json()["id"]
    return proposal_id


def _proposals_of_fresh(api: Api) -> str:
    return f"/v1/agreements/{fresh_agreement(api)}/proposals"


def _answer(verb: str) -> Callable[[Api], str]:
    return lambda api: f"/v1/proposals/{sales_proposal(api)}/{verb}"


def _json(body: dict[str, Any]) -> Callable[[Api], dict[str, Any]]:
    return lambda api: {"json": body}


CASES: list[Case] = [
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/simulate",
        f"{A}/simulate",
        AGREEMENT_READ,
        Scope.READ,
        body=_json({"target": "resolution", "goal": "8h", "suggest": True}),
    ),
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/proposals",
        f"{A}/proposals",
        AGREEMENT_READ,
        Scope.READ,
    ),
    FreshCase(
        "POST",
        "/v1/agreements/{agreement_id}/proposals",
        "/v1/agreements/talks/proposals",
        WRITE_FOR_IT,
        Scope.WRITE,
        body=_json(
            {"target": "resolution", "goal": "6h", "comment": "We can do 6h.", "department": "it"}
        ),
        make_path=_proposals_of_fresh,
    ),
    FreshCase(
        "GET",
        "/v1/proposals/{proposal_id}",
        "/v1/proposals/1",
        AGREEMENT_READ,
        Scope.READ,
        make_path=lambda api: f"/v1/proposals/{sales_proposal(api)}",
    ),
    FreshCase(
        "POST",
        "/v1/proposals/{proposal_id}/counter",
        "/v1/proposals/1/counter",
        WRITE_FOR_IT,
        Scope.WRITE,
        body=_json({"goal": "7h", "comment": "Seven."}),
        make_path=_answer("counter"),
    ),
    FreshCase(
        "POST",
        "/v1/proposals/{proposal_id}/accept",
        "/v1/proposals/1/accept",
        ANSWER,
        Scope.WRITE,
        body=_json({"comment": "Fine."}),
        make_path=_answer("accept"),
    ),
    FreshCase(
        "POST",
        "/v1/proposals/{proposal_id}/reject",
        "/v1/proposals/1/reject",
        ANSWER,
        Scope.WRITE,
        body=_json({"comment": "No."}),
        make_path=_answer("reject"),
    ),
]
