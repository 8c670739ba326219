"""`kind: Service` documents (the service catalog) -> `CatalogService`, and the check of an
agreement's `spec.services` against a known catalog.

Reads values already parsed from YAML; the walk over files is `accord.spec.agreements`'.
Stores nothing: the stored catalog is the services layer's.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Literal

import pydantic
from pydantic import AfterValidator, Field

from accord.domain.catalog import CatalogService, ServiceType
from accord.errors import FieldIssue
from accord.spec.issues import issues_from_pydantic
from accord.spec.models import Slug, SpecModel, Text

__all__ = ["ServiceDocument", "read_service", "unknown_service_issues"]


def _at_most(limit: int) -> AfterValidator:
    """Texts the catalog stores in columns of `limit` characters."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"at most {limit} characters; this has {len(value)}")
        return value

    return AfterValidator(check)


class ServiceMetadataModel(SpecModel):
    id: Annotated[Slug, _at_most(100)]  # what agreements name in spec.services
    title: Annotated[Text, _at_most(200)]  # what people call it: IT service desk


class ServiceSpecModel(SpecModel):
    type: ServiceType  # application | infrastructure | business-function
    owner: Annotated[Slug, _at_most(100)]  # the department that provides it: it
    description: str | None = None  # what it is, in a sentence or two
    # when it is offered, in words: Mon-Fri 08:00-18:00
    hours: Annotated[str, _at_most(200)] | None = None
    # how to reach its owner: a queue, a mailbox
    contact: Annotated[str, _at_most(200)] | None = None


class ServiceDocument(SpecModel):
    """A whole `kind: Service` document, one entry of the service catalog. For example:

    ```yaml
    apiVersion: accord/v1
    kind: Service
    metadata:
      id: service-desk
      title: IT service desk
    spec:
      type: business-function             # application | infrastructure | business-function
      owner: it                           # the department that provides it
      description: First point of contact for incidents and requests.
      hours: Mon-Fri 08:00-18:00
      contact: servicedesk@example.com
    ```
    """

    api_version: Literal["accord/v1"] = Field(alias="apiVersion")  # format version
    kind: Literal["Service"]  # document kind
    metadata: ServiceMetadataModel
    spec: ServiceSpecModel


def read_service(data: object) -> tuple[CatalogService | None, list[FieldIssue]]:
    """Build a catalog service from a parsed document; else the issues (without lines)."""
    try:
        document = ServiceDocument.model_validate(data)
    except pydantic.ValidationError as exc:
        return None, issues_from_pydantic(exc, ServiceDocument)
    spec = document.spec
    return (
        CatalogService(
            id=document.metadata.id,
            title=document.metadata.title,
            type=spec.type,
            owner=spec.owner,
            description=spec.description,
            hours=spec.hours,
            contact=spec.contact,
        ),
        [],
    )


def unknown_service_issues(data: object, catalog: Mapping[str, CatalogService]) -> list[FieldIssue]:
    """An issue at `spec.services[i]` for each service the catalog does not hold, with the
    closest known id as a hint (or the known ids when there are few)."""
    spec = data.get("spec") if isinstance(data, Mapping) else None
    services = spec.get("services") if isinstance(spec, Mapping) else None
    if not isinstance(services, list):
        return []  # the model reports a missing or misshapen list
    known = sorted(catalog)
    issues = []
    for index, service in enumerate(services):
        if service is None or isinstance(service, dict | list) or str(service) in catalog:
            continue
        hint = difflib.get_close_matches(str(service), known, n=1)
        if hint:
            suffix = f"; did you mean '{hint[0]}'?"
        elif known and len(known) <= 12:
            suffix = f" (known: {', '.join(known)})"
        else:
            suffix = ""
        issues.append(
            FieldIssue(
                f"spec.services[{index}]",
                f"service '{service}' is not in the service catalog{suffix}",
            )
        )
    return issues
