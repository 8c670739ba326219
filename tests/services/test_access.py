"""Who may read and write which agreement (Alice in IT, Bob in Sales, Charlie in Facilities),
the rules behind it, users and departments, and passwords hashed with argon2."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    ConflictError,
    Decision,
    ForbiddenError,
    Grant,
    NotFoundError,
    Principal,
    Role,
    Scope,
    UnauthenticatedError,
    can_ingest,
    can_issue_token,
    decide,
    parse_lifetime,
)
from accord.errors import ValidationError
from accord.persistence.records import UserRecord
from accord.services.access import (
    parties_of,
    require,
    require_admin,
    require_write,
    visible_agreements,
)
from accord.services.users import (
    add_department,
    add_user,
    authenticate,
    get_user,
    grant,
    list_users,
    remove_role,
    session_principal,
    session_secret,
    set_disabled,
    set_password,
)
from accord.spec import example_agreements_dir, load_agreement_file
from tests.services.personas import DESK, HOSTING, LEADS, NOW, OPERATOR, Company, make_company

PASSWORD = "correct horse battery staple"
READ_ONLY = frozenset({Scope.READ})


@pytest.fixture
def company(session: Session) -> Company:
    return make_company(session)


# The rules, as pure functions.

ALICE = Principal("alice", grants=frozenset({Grant("it", Role.EDITOR), Grant("it", "approver")}))
BOB = Principal("bob", grants=frozenset({Grant("sales", Role.VIEWER)}))
CHARLIE = Principal("charlie", grants=frozenset({Grant("facilities", Role.EDITOR)}))
ADMIN = Principal("dana", is_admin=True)
DESK_PARTIES = ("it", "sales")


@pytest.mark.parametrize(
    ("principal", "action", "expected"),
    [
        (ALICE, Action.READ, Decision.ALLOWED),
        (ALICE, Action.WRITE, Decision.ALLOWED),
        (ALICE, Action.APPROVE, Decision.ALLOWED),
        (BOB, Action.READ, Decision.ALLOWED),
        (BOB, Action.WRITE, Decision.FORBIDDEN),
        (BOB, Action.APPROVE, Decision.FORBIDDEN),
        (CHARLIE, Action.READ, Decision.NOT_FOUND),
        (CHARLIE, Action.WRITE, Decision.NOT_FOUND),
        (ADMIN, Action.WRITE, Decision.ALLOWED),
        (dataclasses.replace(ALICE, scopes=READ_ONLY), Action.WRITE, Decision.FORBIDDEN),
        (dataclasses.replace(ADMIN, scopes=READ_ONLY), Action.WRITE, Decision.FORBIDDEN),
        (dataclasses.replace(BOB, scopes=frozenset({Scope.INGEST})), Action.READ, "forbidden"),
        # Without the scope, an outsider hears the same as anyone: nothing about the agreement.
        (dataclasses.replace(CHARLIE, scopes=READ_ONLY), Action.WRITE, Decision.FORBIDDEN),
    ],
)
def test_the_rules_for_the_desk_agreement(
    principal: Principal, action: Action, expected: Decision
) -> None:
    assert decide(principal, action, DESK_PARTIES) == expected


def test_only_an_ingest_scope_may_push_events_and_a_login_has_none() -> None:
    assert not can_ingest(ADMIN)
    assert can_ingest(dataclasses.replace(BOB, scopes=frozenset({Scope.INGEST})))


def test_users_may_issue_themselves_read_and_write_tokens_only() -> None:
    assert can_issue_token(BOB, "bob", [Scope.READ, Scope.WRITE])
    assert not can_issue_token(BOB, "bob", [Scope.INGEST])
    assert not can_issue_token(BOB, "alice", [Scope.READ])
    assert can_issue_token(ADMIN, "bob", [Scope.INGEST])
    assert not can_issue_token(dataclasses.replace(ADMIN, scopes=READ_ONLY), "bob", [Scope.READ])


@pytest.mark.parametrize(
    ("text", "days"), [("90d", 90), ("2w", 14), ("12h", 0.5), ("30m", 30 / 1440)]
)
def test_lifetimes_read_as_calendar_time(text: str, days: float) -> None:
    assert parse_lifetime(text).total_seconds() == days * 86400


@pytest.mark.parametrize("text", ["", "0d", "90", "3y", "-1d", "1.5h"])
def test_a_lifetime_without_a_unit_or_amount_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="expires_in"):
        parse_lifetime(text)


# Stored agreements and the personas.


def test_the_parties_of_the_desk_are_it_and_sales(session: Session, company: Company) -> None:
    assert parties_of(session, DESK) == {"it", "sales"}


def test_bob_in_sales_can_read_the_desk_but_not_write_it(
    session: Session, company: Company
) -> None:
    assert require(session, company.bob, Action.READ, DESK) == {"it", "sales"}
    with pytest.raises(ForbiddenError, match="needs the editor role"):
        require(session, company.bob, Action.WRITE, DESK)


def test_alice_in_it_can_read_write_and_approve_the_desk(
    session: Session, company: Company
) -> None:
    for action in Action:
        require(session, company.alice, action, DESK)


def test_charlie_in_facilities_finds_nothing_where_the_desk_is(
    session: Session, company: Company
) -> None:
    for action in Action:
        with pytest.raises(NotFoundError) as hidden:
            require(session, company.charlie, action, DESK)
        with pytest.raises(NotFoundError) as missing:
            require(session, company.charlie, action, "no-such-agreement")
        assert str(hidden.value) == f"no agreement '{DESK}'"
        assert str(missing.value) == "no agreement 'no-such-agreement'"


def test_a_token_without_the_scope_is_forbidden_whether_the_agreement_exists_or_not(
    session: Session, company: Company
) -> None:
    charlie = dataclasses.replace(company.charlie, scopes=frozenset({Scope.INGEST}))
    for agreement_id in (DESK, "no-such-agreement"):
        with pytest.raises(ForbiddenError, match="'read' scope"):
            require(session, charlie, Action.READ, agreement_id)


def test_an_admin_sees_all_and_the_others_what_they_are_party_to(
    session: Session, company: Company
) -> None:
    def ids(principal: Principal) -> list[str]:
        return [summary.agreement_id for summary in visible_agreements(session, principal)]

    assert ids(company.dana) == [DESK, LEADS, HOSTING]
    assert ids(company.alice) == [DESK, HOSTING]
    assert ids(company.bob) == [DESK, LEADS]
    assert ids(company.charlie) == []
    with pytest.raises(ForbiddenError):
        visible_agreements(session, dataclasses.replace(company.dana, scopes=frozenset()))


def test_an_editor_cannot_take_an_agreement_over_nor_create_one_for_others(
    session: Session, company: Company
) -> None:
    desk = load_agreement_file(example_agreements_dir() / f"{DESK}.yaml")
    require_write(session, company.alice, desk)
    taken_over = dataclasses.replace(desk, provider="facilities")
    with pytest.raises(NotFoundError):
        require_write(session, company.charlie, taken_over)
    with pytest.raises(ForbiddenError):
        require_write(session, company.alice, taken_over)
    elsewhere = dataclasses.replace(desk, id="new-desk", provider="marketing")
    with pytest.raises(ForbiddenError):
        require_write(session, company.alice, elsewhere)
    require_write(session, company.charlie, dataclasses.replace(elsewhere, customer="facilities"))


# Users and departments.


def test_only_admins_manage_users(session: Session, company: Company) -> None:
    with pytest.raises(ForbiddenError):
        add_user(session, company.alice, "eve", None, now=NOW)
    with pytest.raises(ForbiddenError):
        list_users(session, company.bob)
    with pytest.raises(ForbiddenError):
        require_admin(dataclasses.replace(company.dana, scopes=READ_ONLY), change=True)
    require_admin(dataclasses.replace(company.dana, scopes=READ_ONLY), change=False)
    assert get_user(session, company.bob, "bob").name == "bob"
    with pytest.raises(ForbiddenError):
        get_user(session, company.bob, "alice")


def test_users_are_listed_with_their_roles(session: Session, company: Company) -> None:
    listed = {user.name: user for user in list_users(session, company.dana)}
    assert list(listed) == ["alice", "bob", "charlie", "dana", "sam"]
    assert listed["alice"].grants == (Grant("it", Role.APPROVER), Grant("it", Role.EDITOR))
    assert listed["dana"].is_admin
    assert not listed["bob"].is_admin
    assert not listed["bob"].has_password


def test_a_taken_name_and_a_bad_name_are_refused(session: Session, company: Company) -> None:
    with pytest.raises(ConflictError):
        add_user(session, OPERATOR, "bob", None, now=NOW)
    with pytest.raises(ConflictError):
        add_department(session, OPERATOR, "it", now=NOW)
    with pytest.raises(ValidationError, match="name"):
        add_user(session, OPERATOR, "bob smith", None, now=NOW)
    with pytest.raises(ValidationError, match="lowercase"):
        add_department(session, OPERATOR, "Human Resources", now=NOW)


def test_a_role_granted_and_removed_changes_what_bob_may_do(
    session: Session, company: Company
) -> None:
    assert company.bob.user_id is not None
    grant(session, OPERATOR, "bob", "sales", Role.EDITOR, now=NOW)
    grant(session, OPERATOR, "bob", "sales", Role.EDITOR, now=NOW)  # once is enough
    bob = session_principal(session, company.bob.user_id)
    require(session, bob, Action.WRITE, DESK)
    remove_role(session, OPERATOR, "bob", "sales", Role.EDITOR, now=NOW)
    with pytest.raises(ForbiddenError):
        require(session, session_principal(session, company.bob.user_id), Action.WRITE, DESK)
    with pytest.raises(NotFoundError, match="no department 'hr'"):
        grant(session, OPERATOR, "bob", "hr", Role.VIEWER, now=NOW)


# Passwords.


def test_a_password_is_stored_as_an_argon2_hash_and_checked(session: Session) -> None:
    add_user(session, OPERATOR, "alice", PASSWORD, now=NOW)
    stored = session.scalars(select(UserRecord.password_hash)).one()
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert authenticate(session, "alice", PASSWORD).name == "alice"


@pytest.mark.parametrize(
    ("name", "password"),
    [("alice", "correct horse battery stapler"), ("alice", ""), ("mallory", PASSWORD)],
)
def test_a_wrong_password_or_name_fails_alike(session: Session, name: str, password: str) -> None:
    add_user(session, OPERATOR, "alice", PASSWORD, now=NOW)
    with pytest.raises(UnauthenticatedError, match=r"^wrong user name or password$"):
        authenticate(session, name, password)


def test_a_disabled_user_or_one_without_a_password_cannot_sign_in(session: Session) -> None:
    alice = add_user(session, OPERATOR, "alice", PASSWORD, now=NOW)
    add_user(session, OPERATOR, "bot", None, now=NOW)
    set_disabled(session, OPERATOR, "alice", True, now=NOW)
    for name, password in (("alice", PASSWORD), ("bot", "")):
        with pytest.raises(UnauthenticatedError):
            authenticate(session, name, password)
    with pytest.raises(UnauthenticatedError):
        session_principal(session, alice.id)
    set_disabled(session, OPERATOR, "alice", False, now=NOW)
    assert session_principal(session, alice.id).name == "alice"


def test_a_short_password_is_refused(session: Session) -> None:
    with pytest.raises(ValidationError, match="password: too short"):
        add_user(session, OPERATOR, "alice", "short", now=NOW)


def test_users_may_change_their_own_password_and_only_theirs(session: Session) -> None:
    alice = add_user(session, OPERATOR, "alice", PASSWORD, now=NOW)
    add_user(session, OPERATOR, "bob", PASSWORD, now=NOW)
    principal = session_principal(session, alice.id)
    set_password(session, principal, "alice", "a new and longer one", now=NOW)
    assert authenticate(session, "alice", "a new and longer one").id == alice.id
    with pytest.raises(ForbiddenError):
        set_password(session, principal, "bob", "a new and longer one", now=NOW)


def test_every_server_on_the_database_signs_sessions_with_its_secret(session: Session) -> None:
    secret = session_secret(session)
    assert len(secret) >= 40
    assert session_secret(session) == secret
