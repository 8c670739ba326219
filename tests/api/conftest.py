"""An API on each database (SQLite always, PostgreSQL when ACCORD_TEST_DATABASE_URL is set): its
own database, migrated and filled once per run with the personas (tests/services/personas.py),
the bundled agreements, the sample desk agreement and its events, and a token per persona.

The app commits, so these databases are not the rolled-back ones of tests/conftest.py; tests that
write use fresh names, or write what changes nothing (an unchanged agreement).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.api import ApiSettings, create_app
from accord.domain.access import Grant, Role, Scope
from accord.persistence.db import make_engine
from accord.persistence.migrate import upgrade
from accord.services import tokens, users
from accord.timesource import FixedClock
from tests.conftest import DATABASES, empty_database
from tests.services.personas import OPERATOR, make_company
from tests.services.samples import EVENTS, add_events, apply_agreement, utc

NOW = utc("2026-03-31T13:00:00Z")  # E is at risk, B, C and D breached (tests/services/samples)
DESK = "desk"  # between it and sales: Alice (it editor) and Bob (sales viewer) are parties
PASSWORD = "correct horse battery"
PERSONAS = ("alice", "bob", "charlie", "dana")


@dataclass
class Api:
    """A running app with its client, and the text of each token by name: a persona's own
    (`alice`: read and write; `dana`: the admin's, every scope) and `alice-read`,
    `alice-ingest`, `dana-read`, `dana-ingest` with those scopes only."""

    app: FastAPI
    client: TestClient
    database_url: str
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, path: str, who: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.auth(who), **kwargs)


def fresh(prefix: str) -> str:
    """A name no other test uses (the databases live for the whole run)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _fill(session: Session, folder: Path) -> tuple[dict[str, str], dict[str, int]]:
    company = make_company(session)
    users.set_password(session, OPERATOR, "alice", PASSWORD, now=NOW)
    users.add_user(
        session, OPERATOR, "erin", None, grants=[Grant("facilities", Role.VIEWER)], now=NOW
    )
    apply_agreement(session, folder)
    add_events(session, EVENTS)
    issued: dict[str, str] = {}
    ids: dict[str, int] = {}
    wanted = {
        "alice": ("alice", [Scope.READ, Scope.WRITE]),
        "bob": ("bob", [Scope.READ, Scope.WRITE]),
        "charlie": ("charlie", [Scope.READ, Scope.WRITE]),
        "dana": ("dana", list(Scope)),
        "sam": ("sam", [Scope.READ, Scope.WRITE]),
        "alice-read": ("alice", [Scope.READ]),
        "alice-ingest": ("alice", [Scope.INGEST]),
        "dana-read": ("dana", [Scope.READ]),
        "dana-ingest": ("dana", [Scope.INGEST]),
        "dana-spare": ("dana", [Scope.READ]),  # revoked by the permission tests
    }
    for name, (user, scopes) in wanted.items():
        token = tokens.create_token(session, OPERATOR, user, scopes, label=name, now=NOW)
        issued[name], ids[name] = token.plain, token.token.id
    assert company.dana.is_admin
    return issued, ids


@contextmanager
def running_api(kind: str, folder: Path) -> Iterator[Api]:
    """A new database of `kind`, filled, and an app on it with a client."""
    with empty_database(kind, folder) as url:
        upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine) as session, session.begin():
                issued, ids = _fill(session, folder / "agreements")
        finally:
            engine.dispose()
        app = create_app(ApiSettings(database_url=url, workspace=folder), clock=FixedClock(NOW))
        with TestClient(app) as client:
            yield Api(app, client, url, issued, ids)


@pytest.fixture(scope="session", params=DATABASES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The app on a filled database of each kind, for the whole run."""
    with running_api(request.param, tmp_path_factory.mktemp("api")) as running:
        yield running


@pytest.fixture(scope="module", params=DATABASES)
def quiet_api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Api]:
    """An app on a database of its own, for one module, where nothing adds events: for tests
    that compare figures with the sample's (the shared `api` gets events pushed into it)."""
    with running_api(request.param, tmp_path_factory.mktemp("quiet")) as running:
        yield running
