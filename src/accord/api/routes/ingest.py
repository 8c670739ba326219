"""`/v1/events` and `/v1/webhooks/{source}`: item events pushed as they happen.

Authenticates (a token with the `ingest` scope, or for a webhook its source's HMAC signature),
reads the JSON body, calls one service of `accord.services.ingestion` in one transaction, and
counts the events in the metrics. The rules (rows, mappings, identity) live in the service.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from accord.api import metrics
from accord.api.deps import Now, SessionDep, get_context, get_optional_principal, get_principal
from accord.api.errors import ERROR_RESPONSES, PayloadError
from accord.api.schemas import ErrorRead
from accord.domain.access import (
    ForbiddenError,
    Principal,
    Scope,
    UnauthenticatedError,
    can_ingest,
)
from accord.domain.events import EventKind
from accord.errors import FieldIssue, ValidationError
from accord.services import ingestion

__all__ = [
    "SIGNATURE_HEADER",
    "IngestRead",
    "RejectedRowRead",
    "WebhookSecrets",
    "router",
]

SIGNATURE_HEADER = "X-Accord-Signature"
_JSON_TYPES = ("application/json", "text/json")
_SOURCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
_NO_INGEST = "pushing events needs a token with the 'ingest' scope"

router = APIRouter(tags=["ingestion"], responses=ERROR_RESPONSES)

WebhookSource = Annotated[
    str, Path(max_length=100, description=" | ".join(ingestion.WEBHOOK_SOURCES))
]


class RejectedRowRead(BaseModel):
    """A row of the batch that was not stored: its index (from 0) and why."""

    index: int
    message: str


class IngestRead(BaseModel):
    """What a push did: `accepted` events were valid, `added` of them new, `duplicates`
    already stored (a retry or a replay counts once); `rejected` rows by index."""

    accepted: int
    added: int
    duplicates: int
    rejected: list[RejectedRowRead]

    @classmethod
    def of(cls, result: ingestion.IngestResult) -> IngestRead:
        rejected = [RejectedRowRead(index=r.index, message=r.message) for r in result.rejected]
        return cls(
            accepted=result.accepted,
            added=result.added,
            duplicates=result.duplicates,
            rejected=rejected,
        )


class WebhookSecrets(BaseSettings):
    """The shared secret that signs each source's webhooks, from the environment:
    `ACCORD_WEBHOOK_SECRET_SERVICENOW`, `..._JIRA`, `..._ZENDESK`. Unset (or blank): signed
    webhooks of that source are refused; a token with the `ingest` scope still works."""

    model_config = SettingsConfigDict(env_prefix="ACCORD_WEBHOOK_SECRET_", extra="ignore")

    servicenow: SecretStr | None = None
    jira: SecretStr | None = None
    zendesk: SecretStr | None = None

    @field_validator("servicenow", "jira", "zendesk")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value().strip() else None

    def secret(self, source: str) -> str | None:
        """The secret of `source`; None for a source without one (or without webhooks)."""
        if source not in ingestion.WEBHOOK_SOURCES:
            return None
        value: SecretStr | None = getattr(self, source)
        return None if value is None else value.get_secret_value()


_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["item_id", "at", "event"],
    "properties": {
        "item_id": {"type": ["string", "integer"], "description": "The item (ticket) id."},
        "at": {
            "type": "string",
            "description": "ISO 8601 with an offset or Z, e.g. 2026-03-02T09:00:00+01:00.",
        },
        "event": {"type": "string", "enum": [kind.value for kind in EventKind]},
        "value": {
            "type": ["string", "number", "null"],
            "description": "priority (P1), state, field (name=value), outage (its end).",
        },
        "event_id": {
            "type": ["string", "integer", "null"],
            "description": "The source's id of the event: a retry with it counts once.",
        },
    },
}
_EVENTS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "maxItems": ingestion.MAX_BATCH_EVENTS,
    "items": _EVENT_SCHEMA,
}
EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _EVENTS_SCHEMA,
                        {
                            "type": "object",
                            "required": ["events"],
                            "properties": {"events": _EVENTS_SCHEMA},
                        },
                    ]
                }
            }
        },
    }
}
WEBHOOK_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": (
                        "One ticket's current state, keyed by the columns of the source's "
                        "export (see docs/api-ingestion.md)."
                    ),
                    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
                }
            }
        },
    }
}
_BODY_RESPONSES: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorRead, "description": "The body is too large"},
    415: {"model": ErrorRead, "description": "The body is not JSON"},
}


def ingest_principal(request: Request) -> Principal:
    """The caller, who must hold the `ingest` scope: 401, then 403, before the body is read."""
    principal = get_principal(request)
    if not can_ingest(principal):
        raise ForbiddenError(_NO_INGEST)
    return principal


async def raw_body(request: Request) -> bytes:
    """The body as sent, within the app's limit (413) and of a JSON type when one is named."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and media not in _JSON_TYPES and not media.endswith("+json"):
        raise PayloadError("send the body as application/json", 415)
    limit = get_context(request).max_body_bytes
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadError(f"a body is at most {limit:,} bytes", 413)
    return bytes(body)


async def events_body(
    request: Request, principal: Annotated[Principal, Depends(ingest_principal)]
) -> list[object]:
    """The batch's rows: a JSON array, or an object whose `events` is one. Depends on the
    principal so that 401 and 403 come before the body is read."""
    payload = _json(await raw_body(request))
    if isinstance(payload, dict) and "events" in payload:
        payload = payload["events"]
    if not isinstance(payload, list):
        raise ValidationError(
            [FieldIssue("", "send a JSON array of events, or an object with an 'events' array")]
        )
    if len(payload) > ingestion.MAX_BATCH_EVENTS:
        message = f"at most {ingestion.MAX_BATCH_EVENTS:,} per request, got {len(payload):,}"
        raise ValidationError([FieldIssue("events", message)])
    return payload


@dataclass(frozen=True, slots=True)
class WebhookCall:
    """Who sent a webhook (a token's principal, or the source's signature) and its body."""

    principal: Principal
    body: bytes


async def webhook_call(
    request: Request,
    source: WebhookSource,
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            description="sha256=<hex HMAC-SHA256 of the raw body with the source's secret>; "
            "instead of a token",
        ),
    ] = None,
) -> WebhookCall:
    """Authenticate a webhook: by its signature when it carries one (401 when the signature
    does not match or the source has no secret), else by a token with the `ingest` scope (401
    without one, 403 without the scope). Nothing of the body is looked at before."""
    if signature is None:
        principal = get_optional_principal(request)
        if principal is None:
            raise UnauthenticatedError(
                f"send 'Authorization: Bearer <token>' or sign the body ({SIGNATURE_HEADER})"
            )
        if not can_ingest(principal):
            raise ForbiddenError(_NO_INGEST)
        return WebhookCall(principal, await raw_body(request))
    body = await raw_body(request)
    secret = _secrets(request).secret(source)
    if secret is None or not ingestion.signature_matches(secret, body, signature):
        raise UnauthenticatedError(
            f"the {SIGNATURE_HEADER} signature does not match the body (or no secret is set "
            "for this source)"
        )
    return WebhookCall(Principal(f"webhook:{source}", scopes=frozenset({Scope.INGEST})), body)


@router.post(
    "/v1/events",
    response_model=IngestRead,
    openapi_extra=EVENTS_BODY,
    responses=_BODY_RESPONSES,
    summary="Push a batch of item events (accord's own event fields); bad rows by index",
)
def post_events(
    rows: Annotated[list[object], Depends(events_body)],
    principal: Annotated[Principal, Depends(ingest_principal)],
    session: SessionDep,
    now: Now,
    source: Annotated[
        str,
        Query(
            pattern=_SOURCE_PATTERN,
            description="The source the events are stored under (items are per source).",
        ),
    ] = ingestion.API_SOURCE,
) -> IngestRead:
    with session.begin():
        result = ingestion.ingest_events(session, principal, rows, source=source, now=now)
    _count(source, result)
    return IngestRead.of(result)


@router.post(
    "/v1/webhooks/{source}",
    response_model=IngestRead,
    openapi_extra=WEBHOOK_BODY,
    responses=_BODY_RESPONSES,
    summary="A ServiceNow, Jira or Zendesk ticket's current state; what changed is stored",
)
def post_webhook(
    source: WebhookSource,
    call: Annotated[WebhookCall, Depends(webhook_call)],
    session: SessionDep,
    now: Now,
    timezone: Annotated[
        str | None,
        Query(max_length=100, description="IANA zone of times written without an offset."),
    ] = None,
) -> IngestRead:
    payload = _json(call.body)
    with session.begin():
        result = ingestion.ingest_webhook(
            session, call.principal, source, payload, now=now, timezone=timezone
        )
    _count(source, result)
    return IngestRead.of(result)


def _json(body: bytes) -> object:
    if not body.strip():
        raise ValidationError([FieldIssue("", "the body is empty; send JSON")])
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        reason = exc.msg
    except UnicodeDecodeError:
        reason = "not UTF-8"
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        reason = str(exc).split(":")[0]
    except RecursionError:
        reason = "nested too deeply"
    raise ValidationError([FieldIssue("", f"the body is not JSON ({reason})")])


def _secrets(request: Request) -> WebhookSecrets:
    """The webhook secrets, read from the environment once per app."""
    state = request.app.state
    secrets = getattr(state, "webhook_secrets", None)
    if not isinstance(secrets, WebhookSecrets):
        secrets = WebhookSecrets()
        state.webhook_secrets = secrets
    return secrets


def _count(source: str, result: ingestion.IngestResult) -> None:
    metrics.count_ingested(
        source, added=result.added, duplicates=result.duplicates, rejected=len(result.rejected)
    )
