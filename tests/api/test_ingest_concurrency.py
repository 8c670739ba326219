"""Two real API processes (uvicorn) on one database receive the same stream of events and
webhooks at the same time; what they store together is exactly what one sequential ingestion
stores, per item and kind. On PostgreSQL, and on SQLite (two processes on one file).

The servers are started for the test on free loopback ports and stopped afterwards, also when
the test fails. The stream repeats events within itself, carries rows that are rejected, and
spreads each item over several batches, so both servers race on the same items throughout.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accord.domain.access import Principal
from accord.persistence.db import make_engine
from accord.persistence.migrate import upgrade
from accord.persistence.repositories import EventRepository
from accord.services.ingestion import ingest_events, ingest_webhook, sign_body
from accord.services.tokens import create_token
from accord.services.users import add_user
from tests.conftest import empty_database

pytestmark = pytest.mark.slow

HOST = "127.0.0.1"
SECRET = "concurrency-secret"
START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
BATCHES, BATCH_EVENTS, ITEMS, TICKETS = 24, 100, 120, 12
SENDERS_PER_SERVER = 2
STARTUP_SECONDS = 20.0
ROOT = Path(__file__).resolve().parents[2]

Kinds = Counter[tuple[str, str, str]]  # (source, item, kind) -> events stored


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def event_batches() -> list[list[dict[str, Any]]]:
    """The stream of batches. Item i's events are spread over several batches; half carry an
    event id, half are identified by their content; every batch repeats three events of the
    previous one and holds one bad row."""
    kinds = ["created", "priority", "state", "field", "responded", "resolved"]
    values = {"priority": "P2", "state": "Active", "field": "group=desk"}
    pool = []
    for n in range(BATCHES * (BATCH_EVENTS - 4)):
        item, step = n % ITEMS, n // ITEMS
        kind = kinds[step % len(kinds)]
        row: dict[str, Any] = {"item_id": f"INC{item:04d}", "at": _at(step), "event": kind}
        if kind in values:
            row["value"] = f"{values[kind]}{step}" if kind != "field" else f"step={step}"
        if n % 2:
            row["event_id"] = f"e{n}"
        pool.append(row)
    size = BATCH_EVENTS - 4
    batches = [pool[b * size : (b + 1) * size] for b in range(BATCHES)]
    for b in range(1, BATCHES):
        batches[b] = [*batches[b], *batches[b - 1][:3], {"item_id": "X", "at": "naive"}]
    return batches


def snapshots() -> list[list[dict[str, Any]]]:
    """Per ticket, its Jira snapshots in order: open, in progress, then closed."""
    tickets = []
    for t in range(TICKETS):
        key, opened = f"SD-{t}", START + timedelta(hours=t)
        base = {"Issue key": key, "Priority": "High", "Created": _iso(opened)}
        tickets.append(
            [
                {**base, "Status": "Open", "Updated": _iso(opened)},
                {**base, "Status": "In Progress", "Updated": _iso(opened + timedelta(minutes=9))},
                {
                    **base,
                    "Status": "Closed",
                    "Priority": "Highest",
                    "Updated": _iso(opened + timedelta(minutes=50)),
                    "Resolved": _iso(opened + timedelta(minutes=45)),
                },
            ]
        )
    return tickets


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def stored_kinds(engine: Engine) -> Kinds:
    with Session(engine) as session:
        return kinds_in(session)


def kinds_in(session: Session) -> Kinds:
    repository = EventRepository(session)
    counts: Kinds = Counter()
    items = {
        "api": [f"INC{i:04d}" for i in range(ITEMS)],
        "jira": [f"SD-{t}" for t in range(TICKETS)],
    }
    for source, ids in items.items():
        for item, rows in repository.history(source, ids).items():
            counts.update((source, item, row.kind.value) for row in rows)
    return counts


@dataclass
class Served:
    """A migrated database of one kind, an `ingest` token on it, and a sequential baseline."""

    url: str
    token: str
    baseline: Kinds
    baseline_added: int


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    """A fresh database of the kind of this run's `database_url`, and what ingesting the stream
    once, sequentially and in this process, stores (in a second fresh database)."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    with empty_database(kind, tmp_path) as url, empty_database(kind, tmp_path) as baseline_url:
        for each in (url, baseline_url):
            upgrade(each)
        engine = make_engine(url)
        try:
            with Session(engine) as session, session.begin():
                token = _token(session)
        finally:
            engine.dispose()
        baseline_engine = make_engine(baseline_url)
        try:
            added = _sequential(baseline_engine)
            baseline = stored_kinds(baseline_engine)
        finally:
            baseline_engine.dispose()
        yield Served(url, token, baseline, added)


def _token(session: Session) -> str:
    operator, now = Principal.operator("test"), datetime.now(UTC)
    add_user(session, operator, "desk-push", None, now=now)
    return create_token(session, operator, "desk-push", ["ingest"], now=now).plain


def _sequential(engine: Engine) -> int:
    """Ingest the stream once, request by request, in this process; the events added."""
    pusher, now, added = Principal.operator("baseline"), datetime.now(UTC), 0
    for batch in event_batches():
        with Session(engine) as session, session.begin():
            added += ingest_events(session, pusher, batch, now=now).added
    for ticket in snapshots():
        for payload in ticket:
            with Session(engine) as session, session.begin():
                added += ingest_webhook(session, pusher, "jira", payload, now=now).added
    return added


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def servers(served: Served, tmp_path: Path) -> Iterator[list[int]]:
    """Two uvicorn processes on the served database; stopped (killed if need be) afterwards."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")},
        "ACCORD_DATABASE_URL": served.url,
        "ACCORD_WORKSPACE": str(tmp_path),
        "ACCORD_WEBHOOK_SECRET_JIRA": SECRET,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    processes: list[tuple[int, subprocess.Popen[bytes]]] = []
    try:
        for _ in range(2):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "--factory", "accord.api.app:create_app"]
            command += ["--host", HOST, "--port", str(port), "--log-level", "warning"]
            with (tmp_path / f"server-{port}.log").open("wb") as log:
                process = subprocess.Popen(
                    command, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
                )
            processes.append((port, process))
        for port, process in processes:
            _wait_ready(port, process, tmp_path / f"server-{port}.log")
        yield [port for port, _ in processes]
    finally:
        for _, process in processes:
            process.terminate()
        for _, process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server on {port} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"server on {port} did not answer within {STARTUP_SECONDS:.0f} s")


@dataclass
class Tally:
    added: int = 0
    duplicates: int = 0
    rejected: int = 0
    failures: list[str] | None = None


def send(port: int, token: str, share: int, start: threading.Barrier, tally: Tally) -> None:
    """One sender: batches and tickets number `share`, `share + SENDERS_PER_SERVER`, ...; the
    snapshots of one ticket in order, as a service desk sends them."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    failures = tally.failures if tally.failures is not None else []
    requests: list[tuple[str, bytes, dict[str, str]]] = []
    bearer = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for batch in event_batches()[share::SENDERS_PER_SERVER]:
        requests.append(("/v1/events", json.dumps(batch).encode(), bearer))
    for ticket in snapshots()[share::SENDERS_PER_SERVER]:
        for payload in ticket:
            body = json.dumps(payload).encode()
            signed = {"X-Accord-Signature": sign_body(SECRET, body)}
            requests.append(
                ("/v1/webhooks/jira", body, {**signed, "Content-Type": "application/json"})
            )
    try:
        start.wait(timeout=30)
        for path, body, headers in requests:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            if response.status != 200:
                failures.append(f"{path} on {port}: {response.status} {answer[:300]!r}")
                continue
            counts = json.loads(answer)
            tally.added += counts["added"]
            tally.duplicates += counts["duplicates"]
            tally.rejected += len(counts["rejected"])
    except Exception as exc:  # reported by the test, not lost in a thread
        failures.append(f"sender {share} on {port}: {exc!r}")
    finally:
        connection.close()


def test_two_servers_ingesting_one_stream_store_what_one_sequential_ingestion_stores(
    served: Served, servers: list[int]
) -> None:
    senders = [(port, share) for port in servers for share in range(SENDERS_PER_SERVER)]
    start = threading.Barrier(len(senders))
    tallies = [Tally(failures=[]) for _ in senders]
    threads = [
        threading.Thread(target=send, args=(port, served.token, share, start, tally), daemon=True)
        for (port, share), tally in zip(senders, tallies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a sender did not finish"
    assert [f for t in tallies for f in (t.failures or [])] == []
    engine = make_engine(served.url)
    try:
        stored = stored_kinds(engine)
    finally:
        engine.dispose()
    assert stored == served.baseline
    assert sum(t.added for t in tallies) == served.baseline_added == sum(stored.values())
    assert sum(t.rejected for t in tallies) == 2 * (BATCHES - 1)
