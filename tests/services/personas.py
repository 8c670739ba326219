"""Alice in IT (editor and approver), Bob in Sales (viewer), Charlie in Facilities (editor, no
party to anything stored), Dana the admin, Sam in Sales (editor and approver); and the bundled
agreements they argue over.

`it-service-desk-for-sales` is between it and sales, `leads-marketing-to-sales` between
marketing and sales, `web-hosting-for-marketing` between it and marketing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from accord.domain.access import Grant, Principal, Role
from accord.services.agreements import apply_agreements
from accord.services.lifecycle import activate_applied
from accord.services.users import add_department, add_user, session_principal
from accord.spec import example_agreements_dir
from tests.builders import instant

DESK = "it-service-desk-for-sales"
LEADS = "leads-marketing-to-sales"
HOSTING = "web-hosting-for-marketing"
NOW = instant("2026-03-02T09:00:00Z")
OPERATOR = Principal.operator("root")


@dataclass(frozen=True)
class Company:
    alice: Principal
    bob: Principal
    charlie: Principal
    dana: Principal
    sam: Principal  # sales editor and approver: the customer's side in negotiations


def make_company(session: Session) -> Company:
    """Departments, the four people (no passwords: tests of passwords add their own), and the
    bundled agreements applied by the operator."""
    for name in ("it", "sales", "marketing", "facilities"):
        add_department(session, OPERATOR, name, now=NOW)
    people = {
        "alice": [Grant("it", Role.EDITOR), Grant("it", Role.APPROVER)],
        "bob": [Grant("sales", Role.VIEWER)],
        "charlie": [Grant("facilities", Role.EDITOR)],
        "dana": [],
        "sam": [Grant("sales", Role.EDITOR), Grant("sales", Role.APPROVER)],
    }
    ids = {
        name: add_user(
            session, OPERATOR, name, None, is_admin=name == "dana", grants=grants, now=NOW
        ).id
        for name, grants in people.items()
    }
    applied = apply_agreements(session, [example_agreements_dir()], actor="root", now=NOW)
    activate_applied(session, OPERATOR, applied, now=NOW)
    return Company(*(session_principal(session, ids[name]) for name in people))
