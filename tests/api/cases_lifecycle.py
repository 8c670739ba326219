"""Permission cases of the lifecycle routes (collected by tests/api/test_permissions.py).

The shared desk agreement is active and stays so: routes that would change it for good
(terminate, renew) act on a fresh active copy made for each call.
"""

from __future__ import annotations

from accord.domain.access import Scope
from tests.api.cases import (
    ADMIN_ONLY,
    AGREEMENT_READ,
    EVERYONE,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    A,
    Case,
    desk_text,
)
from tests.api.conftest import DESK, Api, fresh

CONFLICT = 409


def fresh_active(api: Api) -> str:
    """A copy of the desk agreement under a new id, put in force by the admin."""
    new_id = fresh("life")
    text = desk_text(api).replace(f"id: {DESK}\n", f"id: {new_id}\n")
    headers = {**api.auth("dana"), "Content-Type": "application/yaml"}
    assert api.client.post("/v1/agreements", content=text, headers=headers).status_code == 201
    activated = api.client.post(f"/v1/agreements/{new_id}/activate", headers=api.auth("dana"))
    assert activated.status_code == OK, activated.text
    return f"/v1/agreements/{new_id}"


CASES = [
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/lifecycle",
        f"{A}/lifecycle",
        AGREEMENT_READ,
        Scope.READ,
    ),
    # The desk's latest version is in force already: there is nothing to submit or approve.
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/submit",
        f"{A}/submit",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": CONFLICT, "dana": CONFLICT},
        Scope.WRITE,
    ),
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/approve",
        f"{A}/approve",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": CONFLICT, "dana": CONFLICT},
        Scope.WRITE,
    ),
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/activate",
        f"{A}/activate",
        {**ADMIN_ONLY, "dana": CONFLICT},
        Scope.WRITE,
        admin=True,
    ),
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/terminate",
        f"{A}/terminate",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
        body=lambda api: {"json": {"reason": "the service moved to a vendor"}},
        path_for=lambda api: f"{fresh_active(api)}/terminate",
    ),
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/renew",
        f"{A}/renew",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
        path_for=lambda api: f"{fresh_active(api)}/renew",
    ),
    Case(
        "GET", "/v1/agreements/{agreement_id}/reviews", f"{A}/reviews", AGREEMENT_READ, Scope.READ
    ),
    # A scheduled review of an agreement in force: recorded, the state stays active.
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/reviews",
        f"{A}/reviews",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
        body=lambda api: {"json": {"outcome": "continue", "notes": "figures discussed"}},
    ),
    Case("GET", "/v1/reviews/due", "/v1/reviews/due?within=30", EVERYONE, Scope.READ),
    Case(
        "POST",
        "/v1/agreements/{agreement_id}/check",
        f"{A}/check",
        {"charlie": NOT_FOUND, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
    ),
    Case("POST", "/v1/lifecycle/check", "/v1/lifecycle/check", ADMIN_ONLY, Scope.WRITE, admin=True),
]
