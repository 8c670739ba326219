"""Instants as text: exact integer nanoseconds in, ISO 8601 with Z out."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from accord.engine.events import NAT
from accord.errors import ValidationError
from accord.ingest.instants import format_instants, instant_to_datetime, parse_instant, zone

SECOND = 1_000_000_000
MARCH_2_8AM_UTC = 1_772_438_400 * SECOND


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-02T08:00:00Z", MARCH_2_8AM_UTC),
        ("2026-03-02T08:00:00z", MARCH_2_8AM_UTC),
        ("2026-03-02T09:00:00+01:00", MARCH_2_8AM_UTC),
        ("2026-03-02 03:00:00-05:00", MARCH_2_8AM_UTC),
        ("  2026-03-02T08:00Z ", MARCH_2_8AM_UTC),
        ("2026-03-02T08:00:00.5Z", MARCH_2_8AM_UTC + SECOND // 2),
        ("2026-03-02T08:00:00,000000001Z", MARCH_2_8AM_UTC + 1),
        ("2026-03-02T08:00:00.123456789+00:00", MARCH_2_8AM_UTC + 123_456_789),
        ("1969-12-31T23:59:59.999999999Z", -1),
    ],
)
def test_an_instant_is_parsed_to_exact_nanoseconds(text: str, expected: int) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-03-02T08:00:00", "naive timestamp '2026-03-02T08:00:00' has no offset"),
        ("03/02/2026 08:00", "unreadable time"),
        ("2026-03-02T08:00:00.1234567890Z", "more than nanosecond precision"),
        ("2026-03-02+05:00", "a date with an offset needs a time of day"),
        ("2026-03-02Z", "a date with an offset needs a time of day"),
    ],
)
def test_an_instant_that_cannot_be_placed_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_instant(text)


def test_an_unknown_zone_is_a_validation_error_with_a_suggestion() -> None:
    with pytest.raises(ValidationError, match="did you mean 'Europe/Berlin'"):
        zone("Europe/Berln")


def test_instants_format_as_utc_with_z_keeping_only_needed_fraction_digits() -> None:
    values = np.array(
        [MARCH_2_8AM_UTC, MARCH_2_8AM_UTC + SECOND // 2, MARCH_2_8AM_UTC + 1, NAT, -1],
        dtype=np.int64,
    )
    assert format_instants(values).tolist() == [
        "2026-03-02T08:00:00Z",
        "2026-03-02T08:00:00.5Z",
        "2026-03-02T08:00:00.000000001Z",
        "",
        "1969-12-31T23:59:59.999999999Z",
    ]


def test_nanoseconds_convert_to_an_aware_utc_datetime() -> None:
    assert instant_to_datetime(MARCH_2_8AM_UTC) == datetime(2026, 3, 2, 8, tzinfo=UTC)
