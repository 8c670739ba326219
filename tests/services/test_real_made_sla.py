"""accord's verdict against ServiceNow's own `made_sla` on the real UCI log (docs/real-data.md).

The goals are inputs found once by `bench/made_sla.py`; the test checks that evaluating the real
log with them still agrees with ServiceNow's verdict, so an engine change that breaks real
clocks fails here. The log is read in place from ../shared/data.
"""

from __future__ import annotations

import csv
import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from accord.persistence.repositories import EventRepository
from accord.services.evaluation import evaluate
from accord.services.imports import import_file
from accord.services.workspace import init_workspace
from accord.settings import Settings
from accord.spec import load_agreement_text

LOG = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "uci_incident_event_log.csv.gz"
)

AGREEMENT = """apiVersion: accord/v1
kind: Agreement
metadata: {{id: servicenow-study, title: ServiceNow made_sla study}}
spec:
  type: service
  provider: it
  customer: business
  services: [service-desk]
  validity: {{start: 2016-01-01, end: 2017-12-31}}
  priorities: [P1, P2, P3, P4]
  calendars:
    desk: {calendar}
  targets:
    - id: resolution
      kind: resolution
      calendar: desk
      goal: {goals}
      pause_states: {pauses}
      objective: 90%
{stop}"""
AWAITING = "[Awaiting User Info, Awaiting Vendor, Awaiting Problem, Awaiting Evidence]"
OFFICE = '{timezone: America/Sao_Paulo, hours: {mon-fri: ["08:00-20:00"]}}'


def made_sla() -> dict[str, bool]:
    last: dict[str, tuple[int, bool]] = {}
    with gzip.open(LOG, "rt", newline="") as handle:
        for row in csv.DictReader(handle):
            mod = int(row["sys_mod_count"])
            if row["number"] not in last or mod >= last[row["number"]][0]:
                last[row["number"]] = (mod, row["made_sla"] == "true")
    return {number: verdict for number, (_, verdict) in last.items()}


@pytest.fixture(scope="module")
def real_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, dict[str, bool]]:
    if not LOG.exists():
        pytest.fail(f"{LOG} is missing: the real logs live in ../shared/data (see its README)")
    workspace = init_workspace(tmp_path_factory.mktemp("ws"), Settings(database_url=None)).workspace
    factory = workspace.session_factory()
    summary = import_file(factory.begin, LOG, "servicenow", timezone="UTC")
    assert (summary.rows_read, summary.rows_rejected) == (141_712, 0)
    with factory.begin() as session:
        table = EventRepository(session).load_table()
    workspace.dispose()
    return table, made_sla()


def agreement_rate(table: object, made: dict[str, bool], text: str) -> float:
    agreement = load_agreement_text(text, "study.yaml")
    result = evaluate([agreement], table, datetime(2018, 1, 1, tzinfo=UTC))  # type: ignore[arg-type]
    verdict = {c.item_id: c.status != "breached" for c in result.clocks[0].rows()}
    assert len(verdict) == len(made) == 24_918
    return sum(verdict[i] == made[i] for i in verdict) / len(verdict)


def test_an_sla_run_to_closure_on_office_hours_matches_made_sla(
    real_log: tuple[object, dict[str, bool]],
) -> None:
    table, made = real_log
    text = AGREEMENT.format(
        calendar=OFFICE,
        goals="{P1: 379m, P2: 6m, P3: 4807m, P4: 10559m}",
        pauses="[]",
        stop="      stop_on: [closed]\n",
    )
    assert agreement_rate(table, made, text) >= 0.997


def test_pausing_on_awaiting_states_and_stopping_at_resolution_fits_worse(
    real_log: tuple[object, dict[str, bool]],
) -> None:
    table, made = real_log
    text = AGREEMENT.format(
        calendar="{timezone: UTC, hours: 24x7}",
        goals="{P1: 1m, P2: 5m, P3: 7320m, P4: 22063m}",
        pauses=AWAITING,
        stop="",
    )
    rate = agreement_rate(table, made, text)
    assert 0.82 <= rate < 0.83  # docs/real-data.md: 82.45%, the configuration the issue names
