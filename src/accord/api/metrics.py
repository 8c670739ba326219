"""Prometheus metrics of the API: requests and their latency by route template and status, events
ingested, clocks at risk. Counts only; it decides nothing.

One process has its own registry. `accord serve --workers N` sets PROMETHEUS_MULTIPROC_DIR
before the workers start, and `/metrics` then adds up every worker's files (prometheus-client's
multiprocess mode), so a scrape of any worker sees the whole server.
"""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CLOCKS_AT_RISK",
    "EVENTS_INGESTED",
    "MULTIPROC_ENV",
    "REQUESTS",
    "REQUEST_SECONDS",
    "MetricsMiddleware",
    "count_ingested",
    "render",
    "set_clocks_at_risk",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "<unmatched>"  # requests no route took: one label, not one per path tried

REQUESTS = Counter(
    "accord_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "accord_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EVENTS_INGESTED = Counter(
    "accord_events_ingested",
    "Item events received by ingestion, by source and outcome (added, duplicate, rejected).",
    ["source", "outcome"],
)
CLOCKS_AT_RISK = Gauge(
    "accord_clocks_at_risk",
    "Running clocks past their warning threshold, per agreement and target, as last computed.",
    ["agreement", "target"],
    multiprocess_mode="mostrecent",
)


def count_ingested(source: str, *, added: int, duplicates: int = 0, rejected: int = 0) -> None:
    """Count what one ingestion request did (call it after its transaction committed)."""
    for outcome, n in (("added", added), ("duplicate", duplicates), ("rejected", rejected)):
        if n:
            EVENTS_INGESTED.labels(source=source, outcome=outcome).inc(n)


def set_clocks_at_risk(agreement_id: str, target_id: str, count: int) -> None:
    """Note how many clocks of a target are at risk, as a status just computed says."""
    CLOCKS_AT_RISK.labels(agreement=agreement_id, target=target_id).set(count)


def render() -> tuple[bytes, str]:
    """The metrics in Prometheus text format, and its content type."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Counts and times every HTTP request by the template of the route that answered it
    (`/v1/agreements/{agreement_id}`), so that ids never become labels."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", UNMATCHED) if isinstance(route, BaseRoute) else None
            labels = {
                "method": scope["method"],
                "route": template or UNMATCHED,
                "status": str(status),
            }
            REQUESTS.labels(**labels).inc()
            REQUEST_SECONDS.labels(**labels).observe(time.perf_counter() - started)
