"""Permission cases of the document and lint routes (collected by tests/api/test_permissions.py).

Reading an agreement's document is reading the agreement; lint stores nothing, so any
credential with the `read` scope may use it.
"""

from __future__ import annotations

from typing import Any

from accord.domain.access import Scope
from tests.api.cases import AGREEMENT_READ, EVERYONE, A, Case, desk_text
from tests.api.conftest import Api


def _desk_file(api: Api) -> dict[str, Any]:
    return {"content": desk_text(api), "headers": {"Content-Type": "application/yaml"}}


CASES = [
    Case(
        "GET",
        "/v1/agreements/{agreement_id}/document",
        f"{A}/document?format=md",
        AGREEMENT_READ,
        Scope.READ,
    ),
    Case("POST", "/v1/lint", "/v1/lint", EVERYONE, Scope.READ, body=_desk_file),
]
