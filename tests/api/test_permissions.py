"""Every route of the app, for every persona: Charlie (facilities, party to nothing) gets
nothing, Bob (sales viewer) reads but does not write, Alice (it editor) writes, nobody gets in
without a credential, and a token without the route's scope is refused.

The cases are keyed by (method, route template); a route added to the app without a case here
fails `test_every_route_has_a_permission_case`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import replace

import pytest
from starlette.routing import BaseRoute, Route

import tests.api
from accord.domain.access import Scope
from tests.api.cases import (
    ADMIN_ONLY,
    AGREEMENT_READ,
    EVERYONE,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    PUBLIC,
    A,
    Case,
    _new_agreement,
    _no_agreements,
    _no_items,
    _unchanged_desk,
)
from tests.api.conftest import DESK, Api, fresh

CASES = [
    Case("GET", "/v1/me", "/v1/me", EVERYONE, None),
    Case(
        "GET",
        "/v1/agreements",
        "/v1/agreements",
        EVERYONE,
        Scope.READ,
        empty=_no_items,
    ),
    Case(
        "POST",
        "/v1/agreements",
        "/v1/agreements",
        {"charlie": FORBIDDEN, "bob": FORBIDDEN, "alice": 201, "dana": 201},
        Scope.WRITE,
        body=_new_agreement,
    ),
    Case("GET", "/v1/agreements/{agreement_id}", A, AGREEMENT_READ, Scope.READ),
    Case(
        "PUT",
        "/v1/agreements/{agreement_id}",
        A,
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
        body=_unchanged_desk,
    ),
    Case(
        "GET", "/v1/agreements/{agreement_id}/versions", f"{A}/versions", AGREEMENT_READ, Scope.READ
    ),
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/versions/{version}",
        f"{A}/versions/1",
        AGREEMENT_READ,
        Scope.READ,
    ),
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/diff",
        f"{A}/diff?from=1&to=1",
        AGREEMENT_READ,
        Scope.READ,
    ),
    Case("GET", "/v1/agreements/{agreement_id}/status", f"{A}/status", AGREEMENT_READ, Scope.READ),
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/compliance",
        f"{A}/compliance",
        AGREEMENT_READ,
        Scope.READ,
    ),
    Case(
        "GET",
        "/v1/items",
        "/v1/items",
        EVERYONE,
        Scope.READ,
        empty=_no_items,
    ),
    Case("GET", "/v1/items/{item_id}", "/v1/items/E", AGREEMENT_READ, Scope.READ),
    Case(
        "GET",
        "/v1/reports/{period}",
        "/v1/reports/2026-03",
        EVERYONE,
        Scope.READ,
        empty=_no_agreements,
    ),
    Case("GET", "/v1/audit", f"/v1/audit?agreement={DESK}", AGREEMENT_READ, Scope.READ),
    Case("GET", "/v1/users", "/v1/users", ADMIN_ONLY, Scope.READ, admin=True),
    Case(
        "POST",
        "/v1/users",
        "/v1/users",
        {**ADMIN_ONLY, "dana": 201},
        Scope.WRITE,
        body=lambda api: {"json": {"name": fresh("user")}},
        admin=True,
    ),
    Case("GET", "/v1/users/{name}", "/v1/users/erin", ADMIN_ONLY, Scope.READ, admin=True),
    Case(
        "PATCH",
        "/v1/users/{name}",
        "/v1/users/erin",
        ADMIN_ONLY,
        Scope.WRITE,
        body=lambda api: {"json": {"disabled": False}},
        admin=True,
    ),
    Case(
        "POST",
        "/v1/users/{name}/roles",
        "/v1/users/erin/roles",
        ADMIN_ONLY,
        Scope.WRITE,
        body=lambda api: {"json": {"department": "facilities", "role": "viewer"}},
        admin=True,
    ),
    Case(
        "DELETE",
        "/v1/users/{name}/roles/{department}/{role}",
        "/v1/users/erin/roles/marketing/approver",
        ADMIN_ONLY,
        Scope.WRITE,
        admin=True,
    ),
    Case("GET", "/v1/departments", "/v1/departments", ADMIN_ONLY, Scope.READ, admin=True),
    Case(
        "POST",
        "/v1/departments",
        "/v1/departments",
        {**ADMIN_ONLY, "dana": 201},
        Scope.WRITE,
        body=lambda api: {"json": {"name": fresh("dept")}},
        admin=True,
    ),
    Case(
        "GET",
        "/v1/tokens",
        "/v1/tokens?user=dana",
        ADMIN_ONLY,
        Scope.READ,
        admin=True,
    ),
    Case(
        "POST",
        "/v1/tokens",
        "/v1/tokens",
        {**ADMIN_ONLY, "dana": 201},
        Scope.WRITE,
        body=lambda api: {"json": {"user": "dana", "scopes": ["read"]}},
        admin=True,
    ),
    Case(
        "DELETE",
        "/v1/tokens/{token_id}",
        "/v1/tokens/{spare}",
        {"charlie": NOT_FOUND, "bob": NOT_FOUND, "alice": NOT_FOUND, "dana": OK},
        Scope.WRITE,
        admin=True,
    ),
    # Ingestion: events belong to no department, so the `ingest` scope is all that counts.
    Case(
        "POST",
        "/v1/events",
        "/v1/events",
        {**ADMIN_ONLY, "dana": OK},
        Scope.INGEST,
        body=lambda api: {"json": {"events": []}},
        admin=True,
    ),
    Case(
        "POST",
        "/v1/webhooks/{source}",
        "/v1/webhooks/servicenow",
        {**ADMIN_ONLY, "dana": 422},  # let in; an empty snapshot names no ticket
        Scope.INGEST,
        body=lambda api: {"json": {}},
        admin=True,
    ),
]


def _area_cases() -> list[Case]:
    """The `CASES` of every module `tests/api/cases_*.py`, by module name."""
    found: list[Case] = []
    for module in sorted(pkgutil.iter_modules(tests.api.__path__), key=lambda m: m.name):
        if module.name.startswith("cases_"):
            found.extend(importlib.import_module(f"tests.api.{module.name}").CASES)
    return found


CASES += _area_cases()
IDS = [f"{c.method} {c.template}" for c in CASES]


def _resolved(case: Case, api: Api) -> Case:
    return replace(case, path=case.path.replace("{spare}", str(api.token_ids["dana-spare"])))


def _as_if_missing(case: Case) -> str | None:
    """The same request about a thing that does not exist (None: the route names none)."""
    if case.path_for is not None:
        return None  # a fresh thing per call: its name is not the one to hide
    if case.path.startswith(A):
        return case.path.replace(DESK, "no-such-agreement")
    if "agreement=" in case.path:
        return case.path.replace(DESK, "no-such-agreement")
    if case.path == "/v1/items/E":
        return "/v1/items/no-such-item"
    return None


def _routes(api: Api) -> set[tuple[str, str]]:
    """Every (method, path template) the app answers: its routes, those of the routers it
    includes (walked), and, to be sure, every operation of its OpenAPI spec."""
    found = {(m, path) for m, path in _walk(api.app.routes, "") if m != "HEAD"}
    for path, operations in api.app.openapi()["paths"].items():
        found.update((method.upper(), path) for method in operations)
    return found


def _walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str]]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI >= 0.160 nests routers
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(included.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, Route):  # APIRoute is one too
            yield from ((method, prefix + route.path) for method in route.methods or ())


def test_every_route_has_a_permission_case(api: Api) -> None:
    cased = {c.key for c in CASES}
    assert len(cased) == len(CASES), "one case per route"
    assert _routes(api) - PUBLIC - cased == set(), "routes without a permission case"
    assert cased - _routes(api) == set(), "cases of routes the app does not have"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_without_a_credential_every_route_answers_401_before_reading_the_body(
    api: Api, case: Case
) -> None:
    case = _resolved(case, api)
    invalid = {"content": b"{not json", "headers": {"Content-Type": "application/json"}}
    for kwargs in ({}, invalid):
        response = api.client.request(case.method, case.path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_charlie_of_an_unrelated_department_gets_nothing(api: Api, case: Case) -> None:
    case = _resolved(case, api)
    response = case.call(api, api.auth("charlie"))
    assert response.status_code == case.expect["charlie"], response.text
    missing = _as_if_missing(case)
    if response.status_code == NOT_FOUND and missing is not None:
        # Word for word what anyone gets for a thing that does not exist: no hint.
        other = replace(case, path=missing).call(api, api.auth("charlie"))
        assert other.status_code == NOT_FOUND
        hidden = response.json()["detail"].replace(DESK, "no-such-agreement")
        assert hidden.replace("'E'", "'no-such-item'") == other.json()["detail"]
    if case.empty is not None:
        assert case.empty(response), response.text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bob_a_viewer_of_a_party_reads_but_does_not_write(api: Api, case: Case) -> None:
    case = _resolved(case, api)
    response = case.call(api, api.auth("bob"))
    assert response.status_code == case.expect["bob"], response.text
    if case.empty is not None and case.key != ("GET", "/v1/tokens"):
        assert not case.empty(response), "Bob is a party: he sees the desk agreement"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_alice_an_editor_of_a_party_writes(api: Api, case: Case) -> None:
    case = _resolved(case, api)
    response = case.call(api, api.auth("alice"))
    assert response.status_code == case.expect["alice"], response.text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_admin_may_do_everything(api: Api, case: Case) -> None:
    case = _resolved(case, api)
    response = case.call(api, api.auth("dana"))
    assert response.status_code == case.expect["dana"], response.text


@pytest.mark.parametrize("case", [c for c in CASES if c.scope is not None], ids=lambda c: c.key)
def test_a_token_without_the_routes_scope_gets_403(api: Api, case: Case) -> None:
    case = _resolved(case, api)
    owner = "dana" if case.admin else "alice"
    lacking = f"{owner}-ingest" if case.scope is Scope.READ else f"{owner}-read"
    response = case.call(api, api.auth(lacking))
    assert response.status_code == FORBIDDEN, response.text
