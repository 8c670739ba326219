"""Repositories: the queries behind the services, one class per stored noun.

They add and flush, never commit: the entry point that opened the session owns the transaction.
"""

from accord.persistence.repositories.agreements import AgreementRepository, content_digest
from accord.persistence.repositories.catalog import CatalogRepository
from accord.persistence.repositories.events import (
    AddResult,
    EventRepository,
    EventRow,
    dedupe_key,
)
from accord.persistence.repositories.imports import ImportRepository
from accord.persistence.repositories.lifecycle import LifecycleRepository
from accord.persistence.repositories.proposals import ProposalRepository

__all__ = [
    "AddResult",
    "AgreementRepository",
    "CatalogRepository",
    "EventRepository",
    "EventRow",
    "ImportRepository",
    "LifecycleRepository",
    "ProposalRepository",
    "content_digest",
    "dedupe_key",
]
