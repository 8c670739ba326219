"""Benchmarks: calendar arithmetic and full clock evaluation, with throughput and peak memory.

Run with `scripts/bench` (all cases) or `scripts/bench --quick` (the 1M cases only). Each case
runs in its own process so that its peak resident memory is its own. Not part of the tests:
speed goals live here, not in timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BERLIN = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": ["09:00-17:00"]},
    "holidays": {"country": "DE", "subdivision": "BE"},
}
TWO_YEARS_NS = 2 * 365 * 86400 * 10**9
START_NS = int(np.datetime64("2026-01-01T00:00", "ns").astype(np.int64))


def _peak_gb() -> float:
    """Peak resident memory since the last `_reset_peak()` (or the process start)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _reset_peak() -> None:
    """Start measuring peak memory afresh (Linux: writing 5 to clear_refs resets VmHWM)."""
    import gc

    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def case_calendar(n: int) -> dict[str, float]:
    """elapsed and add over n random pairs within two years on the Berlin office calendar."""
    from accord.engine.calendars import BusinessCalendar

    rng = np.random.default_rng(42)
    starts = (START_NS + rng.integers(0, TWO_YEARS_NS, n)).view("datetime64[ns]")
    ends = starts + rng.integers(0, 30 * 86400 * 10**9, n).astype("timedelta64[ns]")
    cal = BusinessCalendar.from_dict(BERLIN)
    cal.elapsed(starts[:1000], ends[:1000])  # build the index once, as a long-lived process would
    best_elapsed = best_add = float("inf")
    seconds = cal.elapsed(starts, ends)
    for _ in range(3):
        t0 = time.perf_counter()
        seconds = cal.elapsed(starts, ends)
        best_elapsed = min(best_elapsed, time.perf_counter() - t0)
        t0 = time.perf_counter()
        due = cal.add(starts, seconds)
        best_add = min(best_add, time.perf_counter() - t0)
    if not np.array_equal(cal.elapsed(starts, due), seconds):
        raise AssertionError("elapsed(a, add(a, s)) != s")
    return {
        "elapsed_per_s": n / best_elapsed,
        "add_per_s": n / best_add,
        "peak_gb": _peak_gb(),
    }


def case_evaluate(n: int) -> dict[str, float]:
    """Evaluate the bundled service-desk agreement over n synthetic items (in memory)."""
    from accord.ingest.synthetic import generate_events
    from accord.services.evaluation import evaluate
    from accord.spec import example_agreements_dir, load_agreement_file

    agreement = load_agreement_file(example_agreements_dir() / "it-service-desk-for-sales.yaml")
    t0 = time.perf_counter()
    table = generate_events(n, seed=7, start=date(2026, 1, 1), days=365)
    generated = time.perf_counter() - t0
    peak_generation = _peak_gb()
    _reset_peak()
    t0 = time.perf_counter()
    result = evaluate([agreement], table, datetime(2027, 1, 1, tzinfo=UTC))
    seconds = time.perf_counter() - t0
    clocks = sum(len(c) for c in result.clocks)
    return {
        "events": float(len(table)),
        "generate_s": generated,
        "evaluate_s": seconds,
        "items_per_s": n / seconds,
        "clocks": float(clocks),
        "peak_gb": _peak_gb(),
        "peak_generation_gb": peak_generation,
    }


def case_files(n: int) -> dict[str, float]:
    """Write n synthetic items as an event CSV, read it back, write the clocks CSV."""
    import tempfile

    from accord.ingest.eventlog import read_event_log, write_event_log
    from accord.ingest.synthetic import generate_events
    from accord.reports.tables import write_clocks_csv
    from accord.services.evaluation import evaluate
    from accord.spec import example_agreements_dir, load_agreement_file

    agreement = load_agreement_file(example_agreements_dir() / "it-service-desk-for-sales.yaml")
    table = generate_events(n, seed=7, start=date(2026, 1, 1), days=365)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        t0 = time.perf_counter()
        write_event_log(table, path)
        wrote = time.perf_counter() - t0
        t0 = time.perf_counter()
        read = read_event_log(path)
        reading = time.perf_counter() - t0
        result = evaluate([agreement], read.table, datetime(2027, 1, 1, tzinfo=UTC))
        t0 = time.perf_counter()
        write_clocks_csv(result, Path(tmp) / "clocks.csv")
        clocks_written = time.perf_counter() - t0
    return {
        "events": float(len(table)),
        "write_events_s": wrote,
        "read_events_s": reading,
        "read_events_per_s": len(table) / reading,
        "write_clocks_s": clocks_written,
        "peak_gb": _peak_gb(),
    }


CASES = {"calendar": case_calendar, "evaluate": case_evaluate, "files": case_files}


def _run_child(case: str, n: int) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run(
        [sys.executable, __file__, "--child", case, str(n)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the 1M cases")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n = args.child
        print(json.dumps(CASES[case](int(n))))
        return
    sizes = [1_000_000] if args.quick else [1_000_000, 10_000_000]
    print(f"accord benchmarks on {os.cpu_count()} cores, numpy {np.__version__}")
    print()
    print(f"{'case':<34}{'throughput':>22}{'peak memory':>14}")
    for n in sizes:
        r = _run_child("calendar", n)
        rate = r["elapsed_per_s"] / 1e6
        print(f"{f'calendar.elapsed, {n:,} pairs':<34}{rate:>16.1f} M/s{r['peak_gb']:>12.2f} GB")
        print(f"{f'calendar.add, {n:,} pairs':<34}{r['add_per_s'] / 1e6:>16.1f} M/s{'':>14}")
    for n in sizes:
        r = _run_child("evaluate", n)
        line = f"{r['items_per_s'] / 1e6:.2f} M items/s"
        print(f"{f'evaluate, {n:,} items':<34}{line:>22}{r['peak_gb']:>12.2f} GB")
        print(
            f"    {r['events']:,.0f} events, {r['clocks']:,.0f} clocks, evaluation "
            f"{r['evaluate_s']:.2f} s; peak memory includes the event table"
        )
        print(
            f"    generation (not measured above): {r['generate_s']:.2f} s, "
            f"peak {r['peak_generation_gb']:.2f} GB"
        )
    r = _run_child("files", 1_000_000)
    line = f"{r['read_events_per_s'] / 1e6:.2f} M events/s"
    print(f"{'read event CSV, 1,000,000 items':<34}{line:>22}{r['peak_gb']:>12.2f} GB")
    print(
        f"    {r['events']:,.0f} events: read {r['read_events_s']:.2f} s, "
        f"write events {r['write_events_s']:.2f} s, write clocks {r['write_clocks_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
