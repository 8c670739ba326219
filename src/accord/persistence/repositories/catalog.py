"""The service catalog: store a service (insert or replace by id), read one, list them all.

Stores what it is given; validating the `kind: Service` text is the service layer's job.
Flushes, never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.domain.catalog import CatalogService, ServiceType
from accord.persistence.records import ServiceRecord
from accord.persistence.repositories.agreements import content_digest

__all__ = ["CatalogRepository", "catalog_service"]


def catalog_service(record: ServiceRecord) -> CatalogService:
    """The domain service a record holds."""
    return CatalogService(
        id=record.id,
        title=record.title,
        type=ServiceType(record.type),
        owner=record.owner,
        description=record.description,
        hours=record.hours,
        contact=record.contact,
    )


class CatalogRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, service_id: str) -> ServiceRecord | None:
        return self._session.get(ServiceRecord, service_id)

    def all(self) -> list[ServiceRecord]:
        """Every service, by id."""
        return list(self._session.scalars(select(ServiceRecord).order_by(ServiceRecord.id)))

    def put(self, service: CatalogService, content: str, *, at: datetime, by: str) -> ServiceRecord:
        """Insert the service, or replace the stored one of the same id, with its text."""
        record = self.get(service.id)
        if record is None:
            record = ServiceRecord(id=service.id)
            self._session.add(record)
        record.title = service.title
        record.type = service.type.value
        record.owner = service.owner
        record.description = service.description
        record.hours = service.hours
        record.contact = service.contact
        record.content = content
        record.content_sha256 = content_digest(content)
        record.updated_at = at
        record.updated_by = by
        self._session.flush()
        return record
