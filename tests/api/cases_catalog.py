"""Permission cases of the catalog and template routes (collected by
tests/api/test_permissions.py).

The catalog is no secret: any credential with the `read` scope reads it. A service is written
by an editor of its owner department or an admin; an outsider is told what is missing (403).
The requests first make sure the bundled catalog is stored, so the services they name exist
and every agreement the other cases write names a catalog service.
"""

from __future__ import annotations

from typing import Any

from accord.domain.access import Scope
from accord.spec import example_catalog_dir
from tests.api.cases import EVERYONE, FORBIDDEN, OK, Case
from tests.api.conftest import Api

YAML = {"Content-Type": "application/yaml"}
NETWORK = example_catalog_dir() / "network.yaml"  # owned by it: Alice edits it


def ensure_catalog(api: Api) -> None:
    """Store the bundled catalog as the admin (unchanged when it is stored already)."""
    for path in sorted(example_catalog_dir().glob("*.yaml")):
        response = api.client.put(
            f"/v1/services/{path.stem}",
            content=path.read_text(encoding="utf-8"),
            headers={**YAML, **api.auth("dana")},
        )
        assert response.status_code == OK, response.text


def _stored(api: Api) -> dict[str, Any]:
    ensure_catalog(api)
    return {}


def _network(api: Api) -> dict[str, Any]:
    ensure_catalog(api)
    return {"content": NETWORK.read_text(encoding="utf-8"), "headers": YAML}


CASES = [
    Case("GET", "/v1/services", "/v1/services", EVERYONE, Scope.READ, body=_stored),
    Case(
        "GET",
        "/v1/services/{service_id}",
        "/v1/services/network",
        EVERYONE,
        Scope.READ,
        body=_stored,
    ),
    Case(
        "PUT",
        "/v1/services/{service_id}",
        "/v1/services/network",
        {"charlie": FORBIDDEN, "bob": FORBIDDEN, "alice": OK, "dana": OK},
        Scope.WRITE,
        body=_network,
    ),
    Case("GET", "/v1/templates", "/v1/templates", EVERYONE, Scope.READ),
    Case("GET", "/v1/templates/{name}", "/v1/templates/network", EVERYONE, Scope.READ),
]
