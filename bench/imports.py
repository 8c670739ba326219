"""Benchmark: import the whole ServiceNow log (141,712 rows) into fresh SQLite and PostgreSQL.

Run with `.venv/bin/python bench/imports.py` (options: `--runs N`, `--postgres URL`,
`--no-postgres`). Each run imports into a new database: a SQLite file in a temporary folder,
and a scratch database created on the PostgreSQL server and dropped afterwards. Also shown:
reading and deriving the events alone (no database), the share of the time the database adds.
The goal (issue 3) is under 5 seconds for each database, judged on the best run: other work on
the machine only ever adds time, so the best run is the closest to the import's own cost (the
median is printed beside it). Not part of the tests.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy.orm import sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from accord.ingest.sources import read_events  # noqa: E402
from accord.persistence.db import make_engine  # noqa: E402
from accord.persistence.migrate import upgrade  # noqa: E402
from accord.services.imports import import_file  # noqa: E402
from scratch import postgres_database, sqlite_database  # noqa: E402  (bench/ is on sys.path)

LOG = ROOT.parent / "shared" / "data" / "uci_incident_event_log.csv.gz"
SOURCE = "servicenow"
TIMEZONE = "America/Sao_Paulo"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
GOAL_SECONDS = 5.0


def time_import(database: Callable[[], AbstractContextManager[str]]) -> tuple[float, int, int]:
    """Seconds to import the log into a fresh, migrated database; rows read; events added."""
    with database() as url:
        upgrade(url)
        engine = make_engine(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        try:
            start = time.perf_counter()
            summary = import_file(factory.begin, LOG, SOURCE, timezone=TIMEZONE)
            seconds = time.perf_counter() - start
        finally:
            engine.dispose()
    return seconds, summary.rows_read, summary.events_added


def time_reading() -> tuple[float, int, int]:
    start = time.perf_counter()
    events, _, rows = read_events(LOG, SOURCE, timezone=TIMEZONE)
    return time.perf_counter() - start, rows, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (best and median)")
    parser.add_argument("--postgres", default=POSTGRES, help="a URL on the PostgreSQL server")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    options = parser.parse_args()
    if not LOG.is_file():
        sys.exit(f"{LOG} is missing (the real logs live in ../shared/data)")
    cases: list[tuple[str, Callable[[], tuple[float, int, int]]]] = [
        ("read + derive (no database)", time_reading),
        ("import into SQLite", lambda: time_import(sqlite_database)),
    ]
    if not options.no_postgres:
        server = options.postgres
        cases.append(
            ("import into PostgreSQL", lambda: time_import(lambda: postgres_database(server)))
        )
    print(f"{LOG.name}: {LOG.stat().st_size / 1e6:.1f} MB gzipped, {options.runs} runs per case")
    columns = ("rows", "events", "best s", "median s", "events/s")
    print(f"{'case':<30} " + " ".join(f"{c:>9}" for c in columns) + "  goal (best)")
    for label, run in cases:
        results = [run() for _ in range(options.runs)]
        best = min(r[0] for r in results)
        median = statistics.median(r[0] for r in results)
        _, rows, events = results[0]
        goal = "" if label.startswith("read") else ("ok" if best < GOAL_SECONDS else "MISSED")
        print(
            f"{label:<30} {rows:>9,} {events:>9,} {best:>9.2f} {median:>9.2f} "
            f"{events / best:>9,.0f}  {goal}"
        )


if __name__ == "__main__":
    main()
