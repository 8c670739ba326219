"""The governance sections of an `accord/v1` Agreement as pydantic models: definitions,
responsibilities, reporting, review, consequences and termination, and their domain objects.

Shapes and per-field parsing only; checks that span fields (a consequence's target, bands that
overlap, which keys a termination rule takes) live in `accord.spec.checks`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from accord.domain.agreements import (
    Band,
    Consequence,
    ConsequenceKind,
    Consequences,
    Reporting,
    RuleKind,
    TerminationRule,
)
from accord.domain.durations import parse_fraction
from accord.domain.periods import PeriodSpec

__all__ = [
    "BandModel",
    "ConsequenceModel",
    "ConsequencesModel",
    "ReportingModel",
    "ResponsibilitiesModel",
    "ReviewModel",
    "TerminationRuleModel",
    "build_consequences",
    "build_reporting",
    "build_termination",
]


def _share(value: object) -> Decimal:
    if value is None:
        raise ValueError("required: the value is empty")
    return parse_fraction(value)


def _percent(value: object) -> Decimal:
    """A share of the period's charge in (0, 100%]: 5%, 0.05."""
    fraction = _share(value)
    if fraction <= 0:
        raise ValueError(f"'{value}' must be more than 0% (and at most 100%)")
    return fraction


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise ValueError("write an amount such as 12000 or 12000.50")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not an amount; write e.g. 12000") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"'{value}' must be an amount of 0 or more")
    return amount


def _whole(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError(f"'{value}' must be a whole number, 1 or more")


def _period(value: object) -> PeriodSpec:
    if value is None:
        raise ValueError("required: the value is empty")
    return PeriodSpec.parse(value)


def _currency(value: object) -> str:
    text = str(value).strip()
    if len(text) != 3 or not text.isalpha() or not text.isupper():
        raise ValueError(f"'{value}' is not a currency code; write three capitals, e.g. EUR")
    return text


Share = Annotated[Decimal, PlainValidator(_share)]
Percent = Annotated[Decimal, PlainValidator(_percent)]
Amount = Annotated[Decimal, PlainValidator(_amount)]
Whole = Annotated[int, PlainValidator(_whole)]
Cadence = Annotated[PeriodSpec, PlainValidator(_period)]
Currency = Annotated[str, PlainValidator(_currency)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    # The same configuration as accord.spec.models.SpecModel (which imports this module).
    model_config = ConfigDict(
        extra="forbid", frozen=True, coerce_numbers_to_str=True, str_strip_whitespace=True
    )


class ResponsibilitiesModel(_Model):
    """What each side undertakes, one sentence per duty."""

    provider: list[Text] = []  # e.g. [Answer every ticket through the service portal.]
    customer: list[Text] = []  # e.g. [Report incidents through the portal or by phone.]


class ReportingModel(_Model):
    """How the provider reports on the agreement."""

    every: Cadence  # month | quarter | week | Nd: how often a report is sent
    to: Annotated[list[Text], Field(min_length=1)]  # who receives it: [sales leadership]
    description: str | None = None  # what the report holds, in words


class ReviewModel(_Model):
    """How often the parties review the agreement."""

    every: Cadence  # month | quarter | week | Nd, e.g. quarter


class BandModel(_Model):
    """Attainment in `[at_least, below)` -> `percent` of the period's charge."""

    at_least: Share | None = None  # lower bound, included; none: no lower bound
    below: Share | None = None  # upper bound, excluded; none: no upper bound
    percent: Percent  # share of the period's charge, in (0, 100%]


class ConsequenceModel(_Model):
    """A ladder of bands on one target's attainment per period."""

    target: Text  # a target id of this agreement
    kind: ConsequenceKind  # credit | chargeback | bonus
    bands: Annotated[list[BandModel], Field(min_length=1)]  # never overlapping
    description: str | None = None  # free text


class ConsequencesModel(_Model):
    """What follows from the figures, never above `cap` in one period."""

    cap: Percent | None = None  # the most all consequences of a period amount to: 25%
    charge: Amount | None = None  # the period's internal charge: 12000
    currency: Currency | None = None  # with charge: EUR
    description: str | None = None  # free text
    items: list[ConsequenceModel] = []  # one ladder per target


class TerminationRuleModel(_Model):
    """A rule that flags the agreement for review (and a review may end it)."""

    rule: RuleKind  # missed-in-a-row | not-approved-within
    periods: Whole | None = None  # missed-in-a-row: this many consecutive periods
    days: Whole | None = None  # not-approved-within: this many days after the first version
    targets: list[Text] = []  # missed-in-a-row: only these target ids (empty: any target)


def build_reporting(model: ReportingModel) -> Reporting:
    return Reporting(every=model.every, to=tuple(model.to), description=model.description)


def build_consequences(model: ConsequencesModel) -> Consequences:
    return Consequences(
        cap=model.cap,
        items=tuple(
            Consequence(
                target=item.target,
                kind=item.kind,
                bands=tuple(Band(b.at_least, b.below, b.percent) for b in item.bands),
                description=item.description,
            )
            for item in model.items
        ),
        charge=model.charge,
        currency=model.currency,
        description=model.description,
    )


def build_termination(rules: list[TerminationRuleModel]) -> tuple[TerminationRule, ...]:
    return tuple(
        TerminationRule(rule.rule, rule.periods, rule.days, frozenset(rule.targets))
        for rule in rules
    )
