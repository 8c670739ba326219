"""The bodies of the catalog and template routes: services as written and as read, templates.

Shapes and renaming only; no rule lives here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.services.catalog import ServiceApplied, StoredService

__all__ = [
    "ServiceAppliedRead",
    "ServiceRead",
    "ServiceWrite",
    "TemplateRead",
    "TemplateSummaryRead",
]


class ServiceWrite(BaseModel):
    """A `kind: Service` document as JSON; the same document may be sent as YAML
    (`application/yaml` or `text/plain`). It is validated as the CLI validates files."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")
    kind: Literal["Service"]
    metadata: dict[str, Any] = Field(description="id (a slug), title")
    spec: dict[str, Any] = Field(description="type, owner, description, hours, contact")


class ServiceRead(BaseModel):
    """A service of the catalog, its text as last applied, when and by whom."""

    id: str
    title: str
    type: str  # application | infrastructure | business-function
    owner: str
    description: str | None
    hours: str | None
    contact: str | None
    content: str
    updated_at: datetime
    updated_by: str

    @classmethod
    def of(cls, stored: StoredService) -> ServiceRead:
        s = stored.service
        return cls(
            id=s.id,
            title=s.title,
            type=s.type.value,
            owner=s.owner,
            description=s.description,
            hours=s.hours,
            contact=s.contact,
            content=stored.content,
            updated_at=stored.updated_at,
            updated_by=stored.updated_by,
        )


class ServiceAppliedRead(ServiceRead):
    """The service after a write; `changed` False: the catalog already said the same."""

    changed: bool

    @classmethod
    def of_applied(cls, applied: ServiceApplied, stored: StoredService) -> ServiceAppliedRead:
        return cls(**ServiceRead.of(stored).model_dump(), changed=applied.changed)


class TemplateSummaryRead(BaseModel):
    name: str  # what `GET /v1/templates/{name}` and `accord agreements new --template` take
    title: str  # the title of the agreement it writes


class TemplateRead(TemplateSummaryRead):
    content: str  # the template's YAML text
