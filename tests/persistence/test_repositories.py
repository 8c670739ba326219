"""Agreement versions and import runs as stored by their repositories."""

from __future__ import annotations

from sqlalchemy.orm import Session

from accord.persistence.records import ImportStatus
from accord.persistence.repositories import AgreementRepository, ImportRepository, content_digest
from tests.builders import instant

MONDAY = instant("2026-03-02T09:00:00Z")
TUESDAY = instant("2026-03-03T09:00:00Z")


def test_versions_are_numbered_per_agreement(session: Session) -> None:
    agreements = AgreementRepository(session)
    first = agreements.add_version("desk", "a: 1\n", applied_at=MONDAY, applied_by="alice")
    other = agreements.add_version("hosting", "b: 1\n", applied_at=MONDAY, applied_by="bob")
    second = agreements.add_version(
        "desk", "a: 2\n", applied_at=TUESDAY, applied_by="bob", source_path="/x/desk.yaml"
    )
    assert (first.version, other.version, second.version) == (1, 1, 2)
    assert second.content_sha256 == content_digest("a: 2\n")
    assert [v.version for v in agreements.versions("desk")] == [1, 2]
    latest = agreements.latest("desk")
    assert latest is not None
    assert (latest.version, latest.applied_by, latest.applied_at) == (2, "bob", TUESDAY)
    first_again = agreements.version("desk", 1)
    assert first_again is not None
    assert first_again.content == "a: 1\n"
    assert [(v.agreement_id, v.version) for v in agreements.all_latest()] == [
        ("desk", 2),
        ("hosting", 1),
    ]


def test_an_agreement_never_applied_has_no_versions(session: Session) -> None:
    agreements = AgreementRepository(session)
    assert agreements.latest("nothing") is None
    assert agreements.versions("nothing") == []
    assert agreements.version("nothing", 1) is None
    assert agreements.all_latest() == []


def test_an_import_runs_then_finishes_with_its_counts_and_issues(session: Session) -> None:
    imports = ImportRepository(session)
    run = imports.start(
        source="servicenow", file_name="incidents.csv", timezone="Europe/Rome", started_at=MONDAY
    )
    assert run.status is ImportStatus.RUNNING
    assert imports.add_issues(run.pk, [(7, "unreadable time 'x'"), (3, "no item id")]) == 2
    imports.finish(
        run.pk,
        finished_at=TUESDAY,
        rows_read=10,
        rows_rejected=2,
        events_added=7,
        duplicates=1,
    )
    session.expire_all()
    stored = imports.get(run.pk)
    assert stored is not None
    assert (stored.status, stored.rows_read, stored.events_added, stored.finished_at) == (
        ImportStatus.DONE,
        10,
        7,
        TUESDAY,
    )
    assert [(i.line, i.message) for i in imports.issues(run.pk)] == [
        (3, "no item id"),
        (7, "unreadable time 'x'"),
    ]
    assert [r.pk for r in imports.recent()] == [run.pk]
