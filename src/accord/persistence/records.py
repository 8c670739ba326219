"""The tables, as SQLAlchemy 2 typed records (one class per table, named `...Record`).

Owns the shape of stored data; the migrations in `migrations/versions` must create exactly this
shape. No queries here (see `repositories`), no rules about what the data means.

Event instants are stored as `at_ns`, integer UTC nanoseconds in a BIGINT, not as timestamps:
PostgreSQL timestamps stop at microseconds and SQLite has no timestamp type at all, whereas an
integer is exact on both, sorts correctly, and loads straight into the engine's int64 columns.
Other instants (`*_at`) are audit times and use `UTCDateTime` (microseconds).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from accord.domain.access import Role
from accord.persistence.db import UTCDateTime

# Constraint names are fixed so that migrations can name them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A 64-bit key that is still SQLite's auto-incrementing rowid (only INTEGER PRIMARY KEY is).
BigKey = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ImportStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AgreementRecord(Base):
    """An agreement id and where it stands in its life; its content lives in its versions.

    `state` is an `accord.domain.lifecycle.AgreementState` value; `in_force_version` the
    version active now (None before the first activation); `ended_at` when it expired or was
    terminated (clocks that start later bind to no version).
    """

    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(32), default="draft")
    state_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    in_force_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AgreementVersionRecord(Base):
    """One applied version of an agreement: the YAML exactly as stored, who applied it, when."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("agreements.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per agreement
    content: Mapped[str] = mapped_column(Text)  # normalised YAML text
    content_sha256: Mapped[str] = mapped_column(String(64))  # hex digest of `content` (UTF-8)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_by: Mapped[str] = mapped_column(String(200))
    source_path: Mapped[str | None] = mapped_column(Text, nullable=True)


class ActivationRecord(Base):
    """A version became the one in force at `activated_at`, until the next activation (or the
    agreement's end). `via`: `approval` (every party approved), `admin` (`apply --activate`),
    `migration` (stored before approvals existed)."""

    __tablename__ = "agreement_activations"
    __table_args__ = (UniqueConstraint("agreement_id", "version"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("agreements.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    activated_by: Mapped[str] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(16))


class ApprovalRecord(Base):
    """An approver of a party department approved one exact version; a later version withdraws
    it (`withdrawn_at`). One approval per department and version: a second one is refused."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("agreement_id", "version", "department"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("agreements.id", ondelete="CASCADE")
    )
    version: Mapped[int] = mapped_column(Integer)
    department: Mapped[str] = mapped_column(String(100))
    user_name: Mapped[str] = mapped_column(String(200))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReviewRecord(Base):
    """A review of an agreement: a rule that flagged it (`kind` flagged, with the `rule_key`
    that fired, so one firing flags once) or a review a user completed (`outcome`: continue,
    renegotiate, terminate)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("agreement_id", "rule_key"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # flagged | completed
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rule_key: Mapped[str | None] = mapped_column(String(300), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class ItemRecord(Base):
    """An item (incident, request, lead) as a source names it."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(400))
    # When the database first saw the item (the database's clock), not when it was opened.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), server_default=func.now())


class ImportRecord(Base):
    """One run of an import of a file, with its counts; `running` until it finishes or fails."""

    __tablename__ = "imports"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    events_added: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ImportStatus] = mapped_column(
        Enum(
            ImportStatus,
            native_enum=False,
            length=16,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        ),
        default=ImportStatus.RUNNING,
    )


class ImportIssueRecord(Base):
    """A row of an import that could not be read: its line and why."""

    __tablename__ = "import_issues"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_pk: Mapped[int] = mapped_column(ForeignKey("imports.pk", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)


class EventRecord(Base):
    """One event of one item.

    `kind` is `accord.domain.events.EVENT_CODES[kind]` (so those codes must never be renumbered);
    `value` is '' for kinds that carry none. `dedupe_key` identifies the event within its item:
    `id:<source event id>` when the source has ids, else `h:<sha1 of at_ns|kind|value>`; the
    unique constraint on (item, key) makes the same event stored twice impossible.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("item_pk", "dedupe_key"),
        Index("ix_events_item_pk_at_ns", "item_pk", "at_ns"),
    )

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    item_pk: Mapped[int] = mapped_column(ForeignKey("items.pk", ondelete="CASCADE"))
    at_ns: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[int] = mapped_column(SmallInteger)
    value: Mapped[str] = mapped_column(Text, default="")
    dedupe_key: Mapped[str] = mapped_column(Text)
    import_pk: Mapped[int | None] = mapped_column(
        ForeignKey("imports.pk", ondelete="SET NULL"), nullable=True
    )


# Added by migration 0002: evaluations "as of" an instant filter on it across all items.
Index("ix_events_at_ns", EventRecord.at_ns)


# Access and audit (migration 0003). Names are the people's and departments' own; secrets are
# stored as hashes only, except `secrets`, which servers need in the clear to sign sessions.


class SecretRecord(Base):
    """A random secret shared by every server on this database (made by migration 0003)."""

    __tablename__ = "secrets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)  # e.g. session
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DepartmentRecord(Base):
    """A department, named as agreements name their provider and customer (`it`, `sales`)."""

    __tablename__ = "departments"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserRecord(Base):
    """A person or a machine that signs in; `password_hash` None means tokens only."""

    __tablename__ = "users"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)  # argon2id, PHC form
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class MembershipRecord(Base):
    """One role of one user in one department (a user may hold several)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_pk", "department_pk", "role"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"))
    department_pk: Mapped[int] = mapped_column(
        ForeignKey("departments.pk", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=16,
            values_callable=lambda roles: [role.value for role in roles],
        )
    )


class TokenRecord(Base):
    """An API token: only the SHA-256 of its text is kept, so a stolen database holds none."""

    __tablename__ = "api_tokens"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_pk: Mapped[int] = mapped_column(ForeignKey("users.pk", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)  # hex
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scopes: Mapped[str] = mapped_column(String(64))  # space-separated, sorted: "ingest read"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class AuditRecord(Base):
    """Who did what, when; `agreement_id` (no foreign key: the log outlives what it names)
    lets the agreement's parties read it. `details` is a JSON object as text."""

    __tablename__ = "audit_log"

    pk: Mapped[int] = mapped_column(BigKey, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))  # accord.domain.audit.AuditAction
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(200))
    agreement_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")


# Negotiation (migration 0006).


class ProposalRecord(Base):
    """A proposed change to one target of an agreement, made for a party `department`, with
    its comment and evidence (JSON objects as text), and how the other party answered it.

    `status` is an `accord.domain.negotiation.ProposalStatus` value; `responds_to` the proposal
    this one counters; `resulting_version` the version an acceptance stored.
    """

    __tablename__ = "proposals"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(
        String(200), ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    base_version: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(Text)  # goals as text per priority, objective, states
    comment: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)  # the simulation when it was made
    proposed_by: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    responds_to: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.pk", ondelete="SET NULL"), nullable=True
    )
    answered_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    resulting_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


# The service catalog (migration 0005).


class ServiceRecord(Base):
    """A service of the catalog, as its `kind: Service` text was last applied (`content`),
    with the fields agreements and listings read kept in columns."""

    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # metadata.id, a slug
    title: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))  # accord.domain.catalog.ServiceType
    owner: Mapped[str] = mapped_column(String(100), index=True)  # the providing department
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    hours: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))
