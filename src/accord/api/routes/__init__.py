"""The API's routers, all under /v1 except health, metrics and docs; `ROUTERS` is what the app
includes, in this order."""

from __future__ import annotations

from fastapi import APIRouter

from accord.api.routes import (
    agreements,
    audit,
    catalog,
    documents,
    health,
    ingest,
    items,
    lifecycle,
    negotiation,
    reports,
    status,
    tokens,
    users,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    users.router,
    agreements.router,
    catalog.router,
    documents.router,
    lifecycle.router,
    negotiation.router,
    status.router,
    items.router,
    reports.router,
    audit.router,
    tokens.router,
    ingest.router,
    health.router,
)
