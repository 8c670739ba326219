"""Agreements stored as versions: what changed, who applied it and when, and which is in force."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from accord.domain.access import Principal
from accord.errors import AccordError, ValidationError
from accord.services.agreements import (
    ApplyOutcome,
    agreements_in_force,
    apply_agreements,
    diff,
    history,
    list_agreements,
    normalise_text,
)
from accord.services.evaluation import to_ns
from accord.services.lifecycle import activate_applied
from accord.spec import example_agreements_dir
from tests.builders import instant

DESK = "it-service-desk-for-sales"
MONDAY = instant("2026-03-02T09:00:00Z")
TUESDAY = instant("2026-03-03T09:00:00Z")
FRIDAY = instant("2026-03-06T09:00:00Z")


@pytest.fixture
def desk_file(tmp_path: Path) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_bytes((example_agreements_dir() / f"{DESK}.yaml").read_bytes())
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_applying_a_file_twice_stores_one_version(session: Session, desk_file: Path) -> None:
    first = apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    again = apply_agreements(session, [desk_file], actor="bob", now=TUESDAY)
    assert first == [ApplyOutcome(DESK, 1, True, desk_file)]
    assert again == [ApplyOutcome(DESK, 1, False, desk_file)]
    assert [(v.version, v.applied_by, v.applied_at) for v in history(session, DESK)] == [
        (1, "alice", MONDAY)
    ]


def test_a_changed_file_becomes_version_2_and_version_1_stays(
    session: Session, desk_file: Path
) -> None:
    apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    edit(desk_file, "objective: 95%", "objective: 97%")
    outcome = apply_agreements(session, [desk_file], actor="bob", now=TUESDAY)
    assert outcome == [ApplyOutcome(DESK, 2, True, desk_file)]
    versions = history(session, DESK)
    assert [(v.version, v.applied_by, v.applied_at) for v in versions] == [
        (1, "alice", MONDAY),
        (2, "bob", TUESDAY),
    ]
    assert versions[1].source_path == str(desk_file.resolve())
    assert versions[0].content_sha256 != versions[1].content_sha256


def test_line_endings_and_trailing_spaces_are_not_a_change(
    session: Session, desk_file: Path
) -> None:
    apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    text = desk_file.read_text(encoding="utf-8")
    crlf = "\ufeff" + text.replace("\n", "  \r\n") + "\r\n\r\n"
    desk_file.write_bytes(crlf.encode("utf-8"))
    assert apply_agreements(session, [desk_file], actor="bob", now=TUESDAY)[0].changed is False


def test_normalised_text_has_lf_line_ends_and_one_final_newline() -> None:
    assert normalise_text("a: 1  \r\nb: 2\r\n\r\n") == "a: 1\nb: 2\n"
    assert normalise_text("a: 1") == "a: 1\n"


def test_an_invalid_file_stores_nothing(session: Session, desk_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        desk_file.read_text(encoding="utf-8").replace(DESK, "broken").replace("P1: 30m", "P9: 30m"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as raised:
        apply_agreements(session, [desk_file, broken], actor="alice", now=MONDAY)
    assert all(issue.file == str(broken) for issue in raised.value.issues)
    assert list_agreements(session) == []


def test_list_shows_each_agreement_at_its_latest_version(session: Session) -> None:
    apply_agreements(session, [example_agreements_dir()], actor="alice", now=MONDAY)
    summaries = list_agreements(session)
    assert [(s.agreement_id, s.version, s.applied_by) for s in summaries] == [
        ("it-service-desk-for-sales", 1, "alice"),
        ("leads-marketing-to-sales", 1, "alice"),
        ("web-hosting-for-marketing", 1, "alice"),
    ]
    assert summaries[0].title == "IT service desk for Sales"


def test_diff_shows_the_changed_lines_of_the_stored_yaml(session: Session, desk_file: Path) -> None:
    apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    edit(desk_file, "P1: 4h,", "P1: 2h,")
    apply_agreements(session, [desk_file], actor="bob", now=TUESDAY)
    text = diff(session, DESK, 1, 2)
    assert text.startswith(f"--- {DESK} v1\n+++ {DESK} v2\n@@ ")
    assert "\n-      goal: {P1: 4h, P2: 8h, P3: 24h, P4: 40h}\n" in text
    assert "\n+      goal: {P1: 2h, P2: 8h, P3: 24h, P4: 40h}\n" in text
    assert diff(session, DESK, 2, 2) == ""


def test_unknown_agreements_and_versions_are_clear_errors(
    session: Session, desk_file: Path
) -> None:
    apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    with pytest.raises(AccordError, match="no agreement 'nope' is stored"):
        history(session, "nope")
    with pytest.raises(AccordError, match="no agreement 'nope' is stored"):
        diff(session, "nope", 1, 2)
    with pytest.raises(AccordError, match=r"has no version 3 \(it has 1\)"):
        diff(session, DESK, 1, 3)


def activated(session: Session, path: Path, actor: str, at: datetime) -> None:
    """Apply `path` and put it in force at once, as `apply --activate` does."""
    applied = apply_agreements(session, [path], actor=actor, now=at)
    activate_applied(session, Principal.operator(actor), applied, now=at)


def test_each_version_is_in_force_from_its_activation_the_first_since_ever(
    session: Session, desk_file: Path
) -> None:
    activated(session, desk_file, "alice", MONDAY)
    edit(desk_file, "objective: 95%", "objective: 97%")
    activated(session, desk_file, "bob", TUESDAY)
    edit(desk_file, "objective: 97%", "objective: 99%")
    activated(session, desk_file, "carol", FRIDAY)
    [(latest, windows)] = agreements_in_force(session)
    assert str(latest.target("response").objective) == "0.99"
    assert [(w.version, w.from_ns, w.until_ns) for w in windows] == [
        (1, None, to_ns(TUESDAY)),
        (2, to_ns(TUESDAY), to_ns(FRIDAY)),
        (3, to_ns(FRIDAY), None),
    ]
    assert [str(w.agreement.target("response").objective) for w in windows] == [
        "0.95",
        "0.97",
        "0.99",
    ]
    # A clock that started before anything was activated binds to version 1; one that starts
    # at the instant version 2 is activated binds to version 2 (windows are half-open).
    assert windows[0].holds(to_ns(MONDAY) - 10**12)
    assert windows[1].holds(to_ns(TUESDAY))
    assert not windows[0].holds(to_ns(TUESDAY))


def test_a_draft_is_never_in_force_and_a_version_counts_from_its_activation_not_its_storing(
    session: Session, desk_file: Path
) -> None:
    apply_agreements(session, [desk_file], actor="alice", now=MONDAY)
    assert agreements_in_force(session) == []
    edit(desk_file, "objective: 95%", "objective: 97%")
    applied = apply_agreements(session, [desk_file], actor="alice", now=TUESDAY)
    activate_applied(session, Principal.operator("dana"), applied, now=FRIDAY)
    [(latest, windows)] = agreements_in_force(session)
    assert str(latest.target("response").objective) == "0.97"
    assert [(w.version, w.from_ns, w.until_ns) for w in windows] == [(2, None, None)]
    assert windows[0].applied_at == FRIDAY
    [listed] = list_agreements(session)
    assert (listed.version, listed.state, listed.in_force_version) == (2, "active", 2)
