"""The permission cases' shape and shared pieces: `Case`, what each persona gets, request bodies.

`tests/api/test_permissions.py` runs every case of its own list and of each module
`tests/api/cases_*.py` (their `CASES`); a route without a case fails there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from accord.domain.access import Scope
from tests.api.conftest import DESK, Api, fresh

# Routes anyone may call: no credential, no scope.
PUBLIC = {
    ("POST", "/v1/login"),
    ("POST", "/v1/logout"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/assets/{name}"),
}
OK = 200
NOT_FOUND, FORBIDDEN = 404, 403
AGREEMENT_READ = {"charlie": NOT_FOUND, "bob": OK, "alice": OK, "dana": OK}
EVERYONE = dict.fromkeys(AGREEMENT_READ, OK)
ADMIN_ONLY = {"charlie": FORBIDDEN, "bob": FORBIDDEN, "alice": FORBIDDEN, "dana": OK}

Body = Callable[[Api], dict[str, Any]]  # keyword arguments of the request: json= or content=


def _new_agreement(api: Api) -> dict[str, Any]:
    text = desk_text(api).replace(f"id: {DESK}\n", f"id: {fresh('new')}\n")
    return {"content": text, "headers": {"Content-Type": "application/yaml"}}


def _unchanged_desk(api: Api) -> dict[str, Any]:
    return {"content": desk_text(api), "headers": {"Content-Type": "application/yaml"}}


def desk_text(api: Api) -> str:
    text: str = api.get(f"/v1/agreements/{DESK}", "dana").json()["content"]
    return text


@dataclass(frozen=True)
class Case:
    """One route: a concrete request, what each persona gets, the scope it needs (None: any
    credential) and, for lists, what makes Charlie's answer empty."""

    method: str
    template: str
    path: str
    expect: dict[str, int]
    scope: Scope | None
    body: Body | None = None
    empty: Callable[[httpx.Response], bool] | None = None
    admin: bool = field(default=False)
    # Makes the path for each call (a fresh agreement for a route that changes it for good);
    # `path` then only serves requests that are refused before anything is looked up.
    path_for: Callable[[Api], str] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.template)

    def call(self, api: Api, headers: dict[str, str]) -> httpx.Response:
        kwargs = self.body(api) if self.body is not None else {}
        merged = {**kwargs.pop("headers", {}), **headers}
        path = self.path_for(api) if self.path_for is not None else self.path
        return api.client.request(self.method, path, headers=merged, **kwargs)


def _no_items(response: httpx.Response) -> bool:
    body = response.json()
    return body["total"] == 0 and body["items"] == []


def _no_agreements(response: httpx.Response) -> bool:
    report = response.json()
    return report["agreements"] == [] and report["volume"] == []


def _only_own_tokens(response: httpx.Response) -> bool:
    return {t["user"] for t in response.json()} <= {"charlie"}


A = f"/v1/agreements/{DESK}"
