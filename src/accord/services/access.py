"""Who may touch which stored agreement: its parties, the agreements a principal may see, and
checks that raise NotFoundError (outsiders) or ForbiddenError (parties without the role or scope).

Every entry point checks through here before calling the service that does the work. The rules
themselves are pure (`accord.domain.access`); users and tokens live in `users` and `tokens`.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session

from accord.domain.access import (
    Action,
    Decision,
    ForbiddenError,
    NotFoundError,
    Principal,
    Scope,
    can_administer,
    check,
    decide,
)
from accord.domain.agreements import Agreement
from accord.persistence.repositories import AgreementRepository
from accord.services.agreements import AgreementSummary, summary
from accord.spec import load_agreement_text

__all__ = [
    "parties",
    "parties_of",
    "require",
    "require_admin",
    "require_write",
    "visible_agreements",
]


def parties(agreement: Agreement) -> frozenset[str]:
    """The departments an agreement is between: its provider and its customer."""
    return frozenset({agreement.provider, agreement.customer})


def parties_of(session: Session, agreement_id: str) -> frozenset[str]:
    """The parties of the latest stored version of an agreement; NotFoundError when none is."""
    record = AgreementRepository(session).latest(agreement_id)
    if record is None:
        raise NotFoundError(f"no {_what(agreement_id)}")
    return parties(_parsed(record.content))


def require(
    session: Session, principal: Principal, action: Action, agreement_id: str
) -> frozenset[str]:
    """Return the agreement's parties if `principal` may do `action` to it; else raise.

    NotFoundError for an agreement that is not stored and for one the principal is no party to,
    with the same message, so that the answer tells an outsider nothing; ForbiddenError for a
    credential without the action's scope (checked first: it does not depend on the agreement)
    and for a party without the role. Admins may do anything their credential's scopes allow.
    """
    scope_only = decide(principal, action, ())
    if scope_only is Decision.FORBIDDEN:
        check(principal, action, (), what=_what(agreement_id))
    found = parties_of(session, agreement_id)
    check(principal, action, found, what=_what(agreement_id))
    return found


def require_write(session: Session, principal: Principal, agreement: Agreement) -> None:
    """Check that `principal` may store `agreement` as a new or next version.

    Both sides count: an editor of a party of the stored agreement (when one is stored: else
    NotFoundError or ForbiddenError as in `require`) who is also an editor of a party of the
    new content, so that nobody can take an agreement over by rewriting its provider and
    customer, nor create one between departments they do not belong to (ForbiddenError).
    """
    if AgreementRepository(session).latest(agreement.id) is not None:
        require(session, principal, Action.WRITE, agreement.id)
    if decide(principal, Action.WRITE, parties(agreement)) is not Decision.ALLOWED:
        names = " or ".join(sorted(parties(agreement)))
        raise ForbiddenError(
            f"writing agreement '{agreement.id}' needs the editor role in {names} "
            "and a credential with the 'write' scope"
        )


def require_admin(principal: Principal, *, change: bool) -> None:
    """Raise ForbiddenError unless `principal` is an admin whose credential allows it (`write`
    scope for a change, `read` to look)."""
    if not can_administer(principal, change=change):
        scope = Scope.WRITE if change else Scope.READ
        raise ForbiddenError(f"this needs an admin with a credential with the '{scope}' scope")


def visible_agreements(session: Session, principal: Principal) -> list[AgreementSummary]:
    """The stored agreements `principal` may read, by id: all for an admin, else those whose
    latest version names one of the principal's departments; ForbiddenError without `read` scope."""
    if Scope.READ not in principal.scopes:
        raise ForbiddenError("listing agreements needs a credential with the 'read' scope")
    summaries = []
    for record in AgreementRepository(session).all_latest():
        agreement = _parsed(record.content)
        if decide(principal, Action.READ, parties(agreement)) is Decision.ALLOWED:
            summaries.append(summary(session, record, agreement))
    return summaries


@lru_cache(maxsize=512)
def _parsed(content: str) -> Agreement:
    """The agreement stored as `content` (validated when it was applied); cached by content,
    which is exact: the same text is always the same agreement."""
    return load_agreement_text(content, "stored agreement")


def _what(agreement_id: str) -> str:
    return f"agreement '{agreement_id}'"
