"""The service catalog: what a provider department offers, as immutable data.

Agreements name catalog services in `spec.services`; where a catalog is known, naming a service
it does not hold is an error (`accord.spec`). Built from `kind: Service` documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CatalogService", "ServiceType"]


class ServiceType(StrEnum):
    APPLICATION = "application"  # e.g. the CRM
    INFRASTRUCTURE = "infrastructure"  # e.g. the network, web hosting
    BUSINESS_FUNCTION = "business-function"  # e.g. the service desk, lead qualification


@dataclass(frozen=True, slots=True)
class CatalogService:
    """One service of the catalog, owned by a department (the one that provides it)."""

    id: str
    title: str
    type: ServiceType
    owner: str  # department name, e.g. it
    description: str | None = None
    hours: str | None = None  # when it is offered, in words: "Mon-Fri 08:00-18:00"
    contact: str | None = None  # how to reach its owner: a queue, a mailbox
