"""Signing in with a password (a signed session cookie), API tokens (shown once, revocable,
expiring), and what happens when a user is disabled; all checked against the database, so any
app process on the same database accepts the same credentials."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi.testclient import TestClient

from accord.api import ApiSettings, create_app
from accord.api.auth import SESSION_COOKIE
from accord.timesource import FixedClock
from tests.api.conftest import NOW, PASSWORD, Api, fresh


@contextmanager
def another_process(api: Api, *, hours_later: int = 0) -> Iterator[TestClient]:
    """A second app on the same database, as another `accord serve` would be."""
    clock = FixedClock(NOW + timedelta(hours=hours_later))
    app = create_app(ApiSettings(database_url=api.database_url), clock=clock)
    with TestClient(app) as client:
        yield client


def test_a_password_login_sets_a_session_cookie_that_identifies_the_user(api: Api) -> None:
    with TestClient(api.app) as client:
        response = client.post("/v1/login", json={"name": "alice", "password": PASSWORD})

        assert response.status_code == 200
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        me = client.get("/v1/me").json()
        assert (me["name"], me["scopes"], me["token_id"]) == ("alice", ["read", "write"], None)
        assert client.get("/v1/agreements/desk").status_code == 200

        assert client.post("/v1/logout").status_code == 204
        assert client.get("/v1/me").status_code == 401


def test_a_wrong_password_and_an_unknown_user_read_the_same(api: Api) -> None:
    wrong = api.client.post("/v1/login", json={"name": "alice", "password": "not it at all"})
    unknown = api.client.post("/v1/login", json={"name": "nobody", "password": "not it at all"})
    tokens_only = api.client.post("/v1/login", json={"name": "bob", "password": "not it at all"})

    assert wrong.status_code == unknown.status_code == tokens_only.status_code == 401
    assert wrong.json() == unknown.json() == tokens_only.json()
    assert SESSION_COOKIE not in wrong.cookies


def test_a_forged_cookie_is_refused(api: Api) -> None:
    login = api.client.post("/v1/login", json={"name": "alice", "password": PASSWORD})
    value = login.cookies[SESSION_COOKIE]
    api.client.cookies.clear()
    payload, _, rest = value.partition(".")  # payload.timestamp.signature
    dana = "eyJ1aWQiOjR9"  # {"uid":4}: Dana's id under Alice's signature
    for forged in (f"{dana}.{rest}", f"{payload}.{rest[::-1]}", "garbage"):
        response = api.client.get("/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={forged}"})
        assert response.status_code == 401, forged
    genuine = api.client.get("/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={value}"})
    assert genuine.json()["name"] == "alice"


def test_another_server_on_the_same_database_accepts_the_session(api: Api) -> None:
    login = api.client.post("/v1/login", json={"name": "alice", "password": PASSWORD})
    cookie = login.cookies[SESSION_COOKIE]
    api.client.cookies.clear()

    with another_process(api) as other:
        other.cookies.set(SESSION_COOKIE, cookie)
        assert other.get("/v1/me").json()["name"] == "alice"


def test_a_token_is_shown_once_and_works_until_revoked(api: Api) -> None:
    created = api.client.post(
        "/v1/tokens", json={"scopes": ["read"], "label": "ci"}, headers=api.auth("alice")
    )
    assert created.status_code == 201, created.text
    token, info = created.json()["token"], created.json()["info"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert token.startswith("acc_")
    assert (info["user"], info["scopes"], info["state"]) == ("alice", ["read"], "active")
    assert token not in api.get("/v1/tokens", "alice").text

    assert api.client.get("/v1/me", headers=bearer).json()["scopes"] == ["read"]
    revoked = api.client.delete(f"/v1/tokens/{info['id']}", headers=api.auth("alice"))
    assert revoked.json()["state"] == "revoked"
    assert api.client.get("/v1/me", headers=bearer).status_code == 401


def test_a_token_stops_working_when_it_expires(api: Api) -> None:
    created = api.client.post(
        "/v1/tokens", json={"scopes": ["read"], "expires_in": "1h"}, headers=api.auth("alice")
    ).json()
    bearer = {"Authorization": f"Bearer {created['token']}"}

    assert api.client.get("/v1/me", headers=bearer).status_code == 200
    with another_process(api, hours_later=2) as later:
        assert later.get("/v1/me", headers=bearer).status_code == 401


def test_users_issue_themselves_read_and_write_tokens_only(api: Api) -> None:
    ingest = api.client.post("/v1/tokens", json={"scopes": ["ingest"]}, headers=api.auth("bob"))
    for_alice = api.client.post(
        "/v1/tokens", json={"user": "alice", "scopes": ["read"]}, headers=api.auth("bob")
    )
    assert (ingest.status_code, for_alice.status_code) == (403, 403)
    bad = api.client.post(
        "/v1/tokens", json={"scopes": ["read"], "expires_in": "soon"}, headers=api.auth("bob")
    )
    assert bad.status_code == 422
    assert bad.json()["issues"][0]["path"] == "expires_in"


def test_disabling_a_user_stops_their_sessions_and_tokens_at_once(api: Api) -> None:
    name = fresh("temp")
    admin = api.auth("dana")
    body = {"name": name, "password": PASSWORD, "grants": [{"department": "it", "role": "viewer"}]}
    assert api.client.post("/v1/users", json=body, headers=admin).status_code == 201
    token = api.client.post("/v1/tokens", json={"user": name, "scopes": ["read"]}, headers=admin)
    bearer = {"Authorization": f"Bearer {token.json()['token']}"}
    with TestClient(api.app) as client:
        client.post("/v1/login", json={"name": name, "password": PASSWORD})
        assert client.get("/v1/me").status_code == 200

        disabled = api.client.patch(f"/v1/users/{name}", json={"disabled": True}, headers=admin)

        assert disabled.json()["disabled_at"] is not None
        assert client.get("/v1/me").status_code == 401
        assert api.client.get("/v1/me", headers=bearer).status_code == 401


def test_credentials_other_than_bearer_tokens_are_refused(api: Api) -> None:
    for value in ("Basic YWxpY2U6cGFzcw==", "Bearer", "Bearer not-a-token", "Bearer acc_nope"):
        response = api.client.get("/v1/me", headers={"Authorization": value})
        assert response.status_code == 401, value
