"""What the signed agreement document says, section by section, as plain blocks of text.

Builds a `Document` (title, facts, numbered sections of paragraphs, lists, tables and signature
blocks) from an agreement; `accord.reports.document` renders it as Markdown, HTML and PDF. Words
only what the agreement, the catalog and the approvals state; it formats no markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from accord.domain.agreements import (
    Agreement,
    AgreementType,
    Band,
    Consequence,
    ConsequenceKind,
    RuleKind,
    Target,
    TargetKind,
    TerminationRule,
)
from accord.domain.lifecycle import AgreementState, Approval
from accord.domain.measures import plain
from accord.reports.words import (
    Catalog,
    calendar_words,
    join_words,
    percent_words,
    period_words,
    plural,
    target_sentences,
)

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Heading",
    "Paragraph",
    "Section",
    "Signature",
    "Table",
    "Terms",
    "build_document",
    "date_words",
]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_TYPE_WORDS = {
    AgreementType.CUSTOMER: "customer agreement (one customer, the services it receives)",
    AgreementType.SERVICE: "service agreement (one service, for those who use it)",
    AgreementType.MULTI_LEVEL: "multi-level agreement",
}
_KIND_WORDS = {
    TargetKind.RESPONSE: "first response time",
    TargetKind.RESOLUTION: "resolution time",
    TargetKind.COUNT: "volume",
    TargetKind.DELIVERY: "on-time delivery",
    TargetKind.AVAILABILITY: "availability",
}
_CONSEQUENCE_WORDS = {
    ConsequenceKind.CREDIT: "credit to the customer",
    ConsequenceKind.CHARGEBACK: "chargeback of the charge",
    ConsequenceKind.BONUS: "bonus to the provider",
}
BLANK = "_" * 32


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Terms:
    """Terms and their meaning (definitions, facts): a definition list."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a section (a target, one side's responsibilities)."""

    text: str


@dataclass(frozen=True, slots=True)
class Signature:
    """One party's signature block: its approvals in words, or blank lines to sign on."""

    party: str
    role: str  # provider | customer
    approvals: tuple[str, ...] = ()


Block = Paragraph | Bullets | Terms | Table | Heading | Signature


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """The agreement as a document: numbered sections in the order they are read."""

    title: str
    subtitle: str
    status: str | None  # `Version 3 · active`, when known
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]


def build_document(
    agreement: Agreement,
    *,
    catalog: Catalog | None = None,
    version: int | None = None,
    state: AgreementState | None = None,
    approvals: Sequence[Approval] = (),
) -> Document:
    """The document of one agreement (version): what each section says, in order.

    Sections the agreement does not fill (definitions, responsibilities, reporting and review,
    consequences, termination) are left out rather than printed empty: lint names what is
    missing. The signatures close every document.
    """
    status_parts = []
    if version is not None:
        status_parts.append(f"Version {version}")
    if state is not None:
        status_parts.append(state.value)
    sections = [
        _parties(agreement, catalog or {}),
        _validity(agreement),
        _definitions(agreement),
        _hours(agreement),
        _service_levels(agreement, catalog or {}),
        _responsibilities(agreement),
        _reporting(agreement),
        _consequences(agreement),
        _termination(agreement),
        _signatures(agreement, approvals),
    ]
    kind = "Operational level agreement" if agreement.supports else "Service level agreement"
    return Document(
        title=agreement.title,
        subtitle=f"{kind} between {agreement.provider} and {agreement.customer}",
        status=" · ".join(status_parts) or None,
        facts=_facts(agreement, version, state),
        sections=tuple(s for s in sections if s.blocks),
    )


def date_words(day: date) -> str:
    """`1 January 2026`."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _facts(
    agreement: Agreement, version: int | None, state: AgreementState | None
) -> tuple[tuple[str, str], ...]:
    facts = [("Agreement", agreement.id)]
    if version is not None:
        facts.append(("Version", str(version)))
    if state is not None:
        facts.append(("State", state.value))
    facts.append(("In force", _validity_span(agreement)))
    return tuple(facts)


def _validity_span(agreement: Agreement) -> str:
    start = agreement.validity.start_on
    end: date | None = agreement.validity.end_on
    if end is None:
        return f"from {date_words(start)}, no end date"
    return f"{date_words(start)} to {date_words(end)}"


def _parties(agreement: Agreement, catalog: Catalog) -> Section:
    terms = [
        ("Provider", agreement.provider),
        ("Customer", agreement.customer),
        ("Type", _TYPE_WORDS[agreement.type]),
    ]
    if agreement.supports:
        terms.append(("Supports", f"the agreement {agreement.supports}"))
    blocks: list[Block] = [Terms(tuple(terms))]
    if agreement.description:
        blocks.append(Paragraph(agreement.description))
    if catalog and any(s in catalog for s in agreement.services):
        rows = []
        for service_id in agreement.services:
            known = catalog.get(service_id)
            if known is None:
                rows.append((service_id, "not in the catalog", "", "", ""))
                continue
            rows.append(
                (
                    f"{known.title} ({known.id})",
                    known.type.value.replace("-", " "),
                    known.owner,
                    known.hours or "",
                    known.contact or "",
                )
            )
        blocks.append(Paragraph("The services this agreement covers, from the service catalog:"))
        blocks.append(Table(("Service", "Type", "Owner", "Hours", "Contact"), tuple(rows)))
        blocks.extend(
            Paragraph(f"{catalog[s].title}: {catalog[s].description}")
            for s in agreement.services
            if s in catalog and catalog[s].description
        )
    else:
        services = join_words(list(agreement.services))
        noun = "service" if len(agreement.services) == 1 else "services"
        blocks.append(Paragraph(f"This agreement covers the {noun} {services}."))
    return Section("Parties and services", tuple(blocks))


def _validity(agreement: Agreement) -> Section:
    start = agreement.validity.start_on
    end: date | None = agreement.validity.end_on
    if end is None:
        text = f"This agreement is in force from {date_words(start)} until it is ended."
    else:
        text = (
            f"This agreement is in force from {date_words(start)} to {date_words(end)}, "
            "both days included."
        )
    blocks: list[Block] = [Paragraph(text)]
    if agreement.timezone:
        blocks.append(Paragraph(f"Its periods begin and end at midnight {agreement.timezone}."))
    return Section("Validity", tuple(blocks))


def _definitions(agreement: Agreement) -> Section:
    items = tuple((term, meaning) for term, meaning in agreement.definitions.items())
    return Section("Definitions", (Terms(items),) if items else ())


def _hours(agreement: Agreement) -> Section:
    used = dict.fromkeys(t.calendar for t in agreement.targets)
    terms = tuple((name, calendar_words(agreement.calendars[name])) for name in used)
    blocks: list[Block] = [Terms(terms)]
    goals = [goal for t in agreement.targets for goal in t.goals.values()]
    notes = []
    if any(not goal.is_working_days for goal in goals):
        notes.append(
            "Business time counts only the working hours of the target's calendar (a business "
            "day is 24 business hours)"
        )
    if any(goal.is_working_days for goal in goals):
        notes.append(
            "a goal in working days is due at the close of that working day after the day "
            "the clock starts"
        )
    if notes:
        blocks.append(Paragraph("; ".join(notes) + "."))
    return Section("Service hours", tuple(blocks))


def _service_levels(agreement: Agreement, catalog: Catalog) -> Section:
    blocks: list[Block] = []
    for target in agreement.targets:
        blocks.append(Heading(_target_title(target)))
        blocks.append(Bullets(tuple(target_sentences(agreement, target, catalog=catalog))))
    return Section("Service levels", tuple(blocks))


def _target_title(target: Target) -> str:
    name = target.id.replace("-", " ").replace("_", " ")
    return f"{name[:1].upper()}{name[1:]} ({_KIND_WORDS[target.kind]})"


def _responsibilities(agreement: Agreement) -> Section:
    blocks: list[Block] = []
    for role, party in (("provider", agreement.provider), ("customer", agreement.customer)):
        duties = tuple(agreement.responsibilities.get(role, ()))
        if duties:
            blocks.append(Heading(f"{party} ({role})"))
            blocks.append(Bullets(duties))
    return Section("Responsibilities", tuple(blocks))


def _reporting(agreement: Agreement) -> Section:
    blocks: list[Block] = []
    reporting = agreement.reporting
    if reporting is not None:
        to = f" to {join_words(list(reporting.to))}" if reporting.to else ""
        blocks.append(
            Paragraph(
                f"The provider ({agreement.provider}) reports the figures of every target "
                f"{period_words(reporting.every)}{to}."
            )
        )
        if reporting.description:
            blocks.append(Paragraph(reporting.description))
    if agreement.review is not None:
        blocks.append(
            Paragraph(
                f"The provider ({agreement.provider}) and the customer ({agreement.customer}) "
                f"review this agreement "
                f"{period_words(agreement.review)}: whether its targets still fit, and whether "
                "to continue, renegotiate or end it."
            )
        )
    return Section("Reporting and review", tuple(blocks))


def _consequences(agreement: Agreement) -> Section:
    consequences = agreement.consequences
    if consequences is None:
        return Section("Consequences", ())
    blocks: list[Block] = []
    charge = ""
    if consequences.charge is not None:
        currency = f" {consequences.currency}" if consequences.currency else ""
        charge = f"{plain(consequences.charge):,f}{currency}"
        blocks.append(Paragraph(f"The charge per period is {charge}."))
    if consequences.items:
        counted = {t.id for t in agreement.targets if t.kind is TargetKind.COUNT}
        rows = tuple(
            _band_row(item, band, consequences.charge, consequences.currency, counted)
            for item in consequences.items
            for band in item.bands
        )
        header = ("Target", "Consequence", "Attainment in the period", "Share of the charge")
        blocks.append(Paragraph("Exactly one band of each target applies per period:"))
        blocks.append(Table(header, rows))
        blocks.extend(
            Paragraph(item.description) for item in consequences.items if item.description
        )
    if consequences.cap is not None:
        of = f" ({_amount(consequences.cap, consequences.charge, consequences.currency)})"
        blocks.append(
            Paragraph(
                "All consequences of one period together never exceed "
                f"{percent_words(consequences.cap)} of that period's charge"
                f"{of if consequences.charge is not None else ''}."
            )
        )
    else:
        blocks.append(Paragraph("No cap on the consequences of a period is stated."))
    if consequences.description:
        blocks.append(Paragraph(consequences.description))
    return Section("Consequences", tuple(blocks))


def _band_row(
    item: Consequence,
    band: Band,
    charge: Decimal | None,
    currency: str | None,
    counted: set[str],
) -> tuple[str, ...]:
    """One band as a table row; a count target's attainment is 0 or 1, so its bands read as
    whether the bounds held."""
    if item.target in counted and band.lower is None and band.upper == 1:
        span = "bounds not held"
    elif item.target in counted and band.lower == 1 and band.upper is None:
        span = "bounds held"
    elif band.lower is not None and band.upper is not None:
        span = f"{percent_words(band.lower)} to below {percent_words(band.upper)}"
    elif band.upper is not None:
        span = f"below {percent_words(band.upper)}"
    elif band.lower is not None:
        span = f"{percent_words(band.lower)} or more"
    else:
        span = "any"
    share = percent_words(band.percent)
    if charge is not None:
        share += f" ({_amount(band.percent, charge, currency)})"
    return (item.target, _CONSEQUENCE_WORDS[item.kind], span, share)


def _amount(fraction: Decimal, charge: Decimal | None, currency: str | None) -> str:
    value = plain((fraction * (charge or 0)).quantize(Decimal("0.01")))
    return f"{value:,f}" + (f" {currency}" if currency else "")


def _termination(agreement: Agreement) -> Section:
    rules = tuple(_rule_words(rule) for rule in agreement.termination)
    if not rules:
        return Section("Termination", ())
    return Section(
        "Termination",
        (
            Bullets(rules),
            Paragraph(
                "When a rule fires, the agreement is flagged for review; the review continues, "
                "renegotiates or ends it."
            ),
        ),
    )


def _rule_words(rule: TerminationRule) -> str:
    if rule.kind is RuleKind.MISSED_IN_A_ROW:
        if rule.targets:
            names = join_words(sorted(rule.targets), "or")
            what = f"the target {names}" if len(rule.targets) == 1 else f"a target ({names})"
        else:
            what = "any target"
        periods = plural(rule.periods or 0, "period")
        return f"If {what} is missed in {periods} in a row."
    return f"If no version is approved within {plural(rule.days or 0, 'day')} of the first."


def _signatures(agreement: Agreement, approvals: Sequence[Approval]) -> Section:
    blocks: list[Block] = []
    for role, party in (("provider", agreement.provider), ("customer", agreement.customer)):
        own = [a for a in approvals if a.department == party]
        blocks.append(Signature(party, role, tuple(_approval_words(a) for a in own)))
    return Section("Signatures", tuple(blocks))


def _approval_words(approval: Approval) -> str:
    text = (
        f"Approved version {approval.version} by {approval.user} on {_when(approval.approved_at)}"
    )
    if approval.withdrawn_at is not None:
        reason = f" ({approval.withdrawn_reason})" if approval.withdrawn_reason else ""
        text += f"; withdrawn on {_when(approval.withdrawn_at)}{reason}"
    return text + "."


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
