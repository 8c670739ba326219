"""API tokens: shown once and stored as a hash only, scoped, expiring, revocable."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    ForbiddenError,
    NotFoundError,
    Scope,
    TokenState,
    UnauthenticatedError,
    can_ingest,
)
from accord.errors import ValidationError
from accord.persistence.records import TokenRecord
from accord.services.access import require
from accord.services.tokens import (
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    create_token,
    list_tokens,
    revoke_token,
    token_digest,
    verify_token,
)
from accord.services.users import set_disabled
from accord.timesource import FixedClock
from tests.services.personas import DESK, NOW, OPERATOR, Company, make_company

LATER = FixedClock(NOW + timedelta(days=89, hours=23))
EXPIRY = FixedClock(NOW + timedelta(days=90))


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


def every_stored_text(connection: Connection) -> str:
    """Every value of every table, as one text (to look for a secret anywhere)."""
    values = []
    for table in inspect(connection).get_table_names():
        for row in connection.execute(text(f"SELECT * FROM {table}")):
            values.extend(str(value) for value in row)
    return "\n".join(values)


def test_only_the_hash_of_a_token_is_stored(session: Session, company: Company) -> None:
    issued = create_token(session, OPERATOR, "bob", ["read"], label="reports", now=NOW)
    assert issued.plain.startswith(TOKEN_PREFIX)
    assert len(issued.plain) == len(TOKEN_PREFIX) + 43
    assert issued.plain not in repr(issued)
    session.flush()
    stored = session.scalars(select(TokenRecord.token_sha256)).one()
    assert stored == token_digest(issued.plain)
    assert issued.plain not in every_stored_text(session.connection())
    assert issued.plain[len(TOKEN_PREFIX) :] not in every_stored_text(session.connection())


def test_a_token_stands_for_its_user_with_its_scopes(session: Session, company: Company) -> None:
    issued = create_token(session, OPERATOR, "bob", [Scope.READ], now=NOW)
    bob = verify_token(session, issued.plain, now=NOW)
    assert (bob.name, bob.user_id, bob.token_id) == ("bob", company.bob.user_id, issued.token.id)
    assert bob.scopes == {Scope.READ}
    assert bob.grants == company.bob.grants
    require(session, bob, Action.READ, DESK)
    assert not can_ingest(bob)


def test_scopes_limit_even_what_the_user_may_do(session: Session, company: Company) -> None:
    ingest = create_token(session, OPERATOR, "alice", ["ingest"], now=NOW)
    alice = verify_token(session, ingest.plain, now=NOW)
    assert can_ingest(alice)
    with pytest.raises(ForbiddenError, match="'read' scope"):
        require(session, alice, Action.READ, DESK)
    reader = verify_token(
        session, create_token(session, OPERATOR, "alice", ["read"], now=NOW).plain, now=NOW
    )
    require(session, reader, Action.READ, DESK)
    with pytest.raises(ForbiddenError, match="'write' scope"):
        require(session, reader, Action.WRITE, DESK)


def test_a_token_works_until_it_expires(session: Session, company: Company) -> None:
    issued = create_token(
        session, OPERATOR, "bob", ["read"], expires_in=timedelta(days=90), now=NOW
    )
    assert issued.token.expires_at == EXPIRY.now()
    assert verify_token(session, issued.plain, now=LATER.now()).name == "bob"
    with pytest.raises(UnauthenticatedError, match="expired"):
        verify_token(session, issued.plain, now=EXPIRY.now())
    assert issued.token.state(LATER.now()) is TokenState.ACTIVE
    assert issued.token.state(EXPIRY.now()) is TokenState.EXPIRED


def test_a_revoked_token_stops_working_at_once(session: Session, company: Company) -> None:
    issued = create_token(session, OPERATOR, "bob", ["read"], now=NOW)
    revoked = revoke_token(session, OPERATOR, issued.token.id, now=LATER.now())
    assert revoked.revoked_at == LATER.now()
    assert revoked.state(LATER.now()) is TokenState.REVOKED
    with pytest.raises(UnauthenticatedError, match="revoked"):
        verify_token(session, issued.plain, now=LATER.now())
    again = revoke_token(session, OPERATOR, issued.token.id, now=EXPIRY.now())
    assert again.revoked_at == LATER.now()


@pytest.mark.parametrize("plain", ["", "acc_", "acc_not-a-token", "Bearer acc_x", "ghp_abc"])
def test_text_that_is_no_token_is_refused(session: Session, company: Company, plain: str) -> None:
    with pytest.raises(UnauthenticatedError):
        verify_token(session, plain, now=NOW)


def test_the_tokens_of_a_disabled_user_stop_working(session: Session, company: Company) -> None:
    issued = create_token(session, OPERATOR, "bob", ["read"], now=NOW)
    set_disabled(session, OPERATOR, "bob", True, now=NOW)
    with pytest.raises(UnauthenticatedError, match="disabled"):
        verify_token(session, issued.plain, now=NOW)


def test_last_use_is_noted_at_most_once_a_minute(session: Session, company: Company) -> None:
    issued = create_token(session, OPERATOR, "bob", ["read"], now=NOW)
    soon, later = NOW + timedelta(seconds=30), NOW + LAST_USED_RESOLUTION
    for at in (NOW, soon):
        verify_token(session, issued.plain, now=at)
    assert [t.last_used_at for t in list_tokens(session, OPERATOR, "bob")] == [NOW]
    verify_token(session, issued.plain, now=later)
    assert [t.last_used_at for t in list_tokens(session, OPERATOR, "bob")] == [later]


def test_users_manage_their_own_tokens_and_no_one_elses(session: Session, company: Company) -> None:
    mine = create_token(session, company.bob, "bob", ["read", "write"], now=NOW)
    alices = create_token(session, OPERATOR, "alice", ["read"], now=NOW)
    with pytest.raises(ForbiddenError):
        create_token(session, company.bob, "bob", ["ingest"], now=NOW)
    with pytest.raises(ForbiddenError):
        create_token(session, company.bob, "alice", ["read"], now=NOW)
    assert [t.id for t in list_tokens(session, company.bob)] == [mine.token.id]
    with pytest.raises(ForbiddenError):
        list_tokens(session, company.bob, "alice")
    with pytest.raises(NotFoundError, match=f"no token {alices.token.id}"):
        revoke_token(session, company.bob, alices.token.id, now=NOW)
    read_only = dataclasses.replace(company.bob, scopes=frozenset({Scope.READ}))
    with pytest.raises(NotFoundError):
        revoke_token(session, read_only, mine.token.id, now=NOW)
    revoke_token(session, company.bob, mine.token.id, now=NOW)
    assert [t.user for t in list_tokens(session, company.dana)] == ["bob", "alice"]


@pytest.mark.parametrize(
    ("scopes", "expires_in", "message"),
    [
        ([], None, "at least one scope"),
        (["admin"], None, "'admin' is not a scope"),
        (["read"], timedelta(0), "must be positive"),
    ],
)
def test_a_token_needs_real_scopes_and_a_positive_lifetime(
    session: Session,
    company: Company,
    scopes: list[str],
    expires_in: timedelta | None,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        create_token(session, OPERATOR, "bob", scopes, expires_in=expires_in, now=NOW)


def test_a_token_for_an_unknown_user_is_not_found(session: Session, company: Company) -> None:
    with pytest.raises(NotFoundError, match="no user 'mallory'"):
        create_token(session, OPERATOR, "mallory", ["read"], now=NOW)
