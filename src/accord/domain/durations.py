"""Goal durations as agreements write them: business time (`30m`, `2h`, `1d`) or working days.

`d` is 24 business hours (ServiceNow's reading); `wd` is a day count, a different kind of goal:
due at the close of the N-th working day after the start day (SEMANTICS.md, "Units").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(wd|d|h|m|s)")


@dataclass(frozen=True, slots=True)
class Duration:
    """A goal: either `seconds` of business time, or a count of `working_days`.

    Exactly one of the two is meaningful: `working_days is None` means business time.
    `text` keeps what the user wrote, for messages and documents.
    """

    seconds: int
    working_days: int | None
    text: str

    @property
    def is_working_days(self) -> bool:
        return self.working_days is not None

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse `30m`, `1h30m`, `1.5h`, `1d`, `2wd`; raise ValueError with a readable reason.

        A working-day count cannot be combined with other units and must be a whole number;
        business time must come to a whole number of seconds and be positive.
        """
        raw = str(text).strip().lower()
        if not raw:
            raise ValueError("empty duration")
        pos = 0
        seconds = Decimal(0)
        working_days: int | None = None
        compact = raw.replace(" ", "")
        for match in _PART.finditer(compact):
            if match.start() != pos:
                break
            pos = match.end()
            amount = Decimal(match.group(1))
            unit = match.group(2)
            if unit == "wd":
                if working_days is not None or seconds:
                    raise ValueError(
                        f"'{text}': working days (wd) cannot be combined with other units"
                    )
                if amount != amount.to_integral_value():
                    raise ValueError(f"'{text}': working days must be a whole number")
                working_days = int(amount)
            else:
                if working_days is not None:
                    raise ValueError(
                        f"'{text}': working days (wd) cannot be combined with other units"
                    )
                seconds += amount * _UNIT_SECONDS[unit]
        if pos != len(compact) or pos == 0:
            raise ValueError(
                f"'{text}' is not a duration; write e.g. 30m, 4h, 1h30m, 1d (24 business hours) "
                "or 2wd (working days)"
            )
        if working_days is not None:
            return cls(seconds=0, working_days=working_days, text=str(text).strip())
        try:
            whole = int(seconds)
        except (InvalidOperation, ValueError) as exc:  # pragma: no cover - Decimal always converts
            raise ValueError(f"'{text}' is not a duration") from exc
        if whole != seconds:
            raise ValueError(f"'{text}' is not a whole number of seconds")
        if whole <= 0:
            raise ValueError(f"'{text}': a goal must be longer than zero")
        return cls(seconds=whole, working_days=None, text=str(text).strip())

    @property
    def uses_days_unit(self) -> bool:
        """True when the text uses `d` (24 business hours), which lint warns about off 24x7."""
        return self.working_days is None and bool(re.search(r"\d(\.\d+)?d", self.text.lower()))


def parse_fraction(value: object) -> Decimal:
    """Parse an objective or a threshold: `95%`, `0.95`, `95 %` -> Decimal('0.95').

    A bare number above 1 is refused (is `95` a percent or a typo?): write `95%`.
    """
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a fraction; write e.g. 95% or 0.95")
    text = str(value).strip()
    try:
        result = Decimal(text[:-1].strip()) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"'{value}' is not a fraction; write e.g. 95% or 0.95") from exc
    if not result.is_finite() or result < 0 or result > 1:
        raise ValueError(f"'{value}' must lie between 0% and 100%")
    return result.normalize() if result != 0 else Decimal(0)
