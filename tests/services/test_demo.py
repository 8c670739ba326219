"""The demo goes through init, apply, import, evaluate and report on a fresh SQLite workspace."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import AccordError
from accord.services.demo import DEMO_MARKER, run_workspace_demo
from accord.services.runs import DEMO_AS_OF


def test_the_demo_builds_a_workspace_and_evaluates_its_year(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    outcome = run_workspace_demo(root, scale=0.05)

    assert [report.ok for report in outcome.reports] == [True, True, True]
    assert [(a.version, a.changed) for a in outcome.applied] == [(1, True)] * 3
    assert (root / ".accord" / "accord.sqlite3").exists()
    assert outcome.imported is not None
    written = (root / "events.csv").read_text().splitlines()
    assert outcome.imported.rows_read == len(written) - 1  # every row, header aside
    assert outcome.imported.rows_rejected == 0
    assert outcome.imported.events_added == len(written) - 1
    assert outcome.result is not None
    assert outcome.result.as_of == DEMO_AS_OF
    item_ids = {line.split(",", 1)[0] for line in written[1:]}
    tickets = [i for i in item_ids if not i.startswith(("OUT-", "RPT-"))]
    assert len(tickets) == round(0.05 * 48_000)
    assert sum(i.startswith("OUT-") for i in item_ids) == 24  # outages of the web hosting
    assert 40 <= sum(i.startswith("RPT-") for i in item_ids) <= 52  # working Mondays, some missed
    assert outcome.report is not None
    assert outcome.report.period == "2026-12"
    assert {a.agreement_id for a in outcome.report.agreements} == {
        "it-service-desk-for-sales",
        "leads-marketing-to-sales",
        "web-hosting-for-marketing",
    }


def test_the_demo_replaces_its_own_folder_and_refuses_any_other(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    run_workspace_demo(root, scale=0.01)
    (root / "stale.txt").write_text("from the previous demo")
    again = run_workspace_demo(root, scale=0.01)
    assert again.result is not None
    assert not (root / "stale.txt").exists()
    assert (root / DEMO_MARKER).exists()

    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(AccordError, match="not empty"):
        run_workspace_demo(precious, scale=0.01)
    assert (precious / "notes.txt").read_text() == "keep me"
