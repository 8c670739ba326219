"""schemathesis over /openapi.json: every operation, a bounded number of generated requests each,
as the admin (who may reach every route's deepest branch), and never a 5xx answer.

It runs on an app and database of its own: generated requests revoke tokens and disable users.
The operations are listed from the spec of an app that needs no database, so that each is a
test case of its own; schemathesis's pytest plugin is not used (it does not run on pytest 9).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from accord.api import ApiSettings, create_app
from tests.api.conftest import DATABASES, Api, running_api

MAX_EXAMPLES = 20


def _operations() -> list[tuple[str, str]]:
    spec = create_app(ApiSettings(database_url="sqlite://", workspace=Path.cwd())).openapi()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops]


OPERATIONS = _operations()


@pytest.fixture(scope="module", params=DATABASES)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Api, schemathesis.BaseSchema]]:
    with running_api(request.param, tmp_path_factory.mktemp("fuzz")) as running:
        yield running, schemathesis.openapi.from_asgi("/openapi.json", running.app)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_generated_request_gets_a_server_error(
    fuzzed: tuple[Api, schemathesis.BaseSchema], method: str, path: str
) -> None:
    api, schema = fuzzed
    operation = schema[path][method]
    headers = api.auth("dana")

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{method} {case.formatted_path}: {response.text}"

    check()
