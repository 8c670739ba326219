"""Editing a target in agreement text: only the changed nodes change, whatever the layout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.errors import AccordError
from accord.spec.edits import edit_target, percent_text

UNINDENTED = """\
spec:
  targets:
  - id: response   # first answer
    goal:
      P1: 30m      # a comment on P1
      p2: 1h
    pause_states:
    - awaiting customer
    objective: 95%
"""


def test_block_style_and_unindented_sequences_are_kept() -> None:
    edited = edit_target(
        UNINDENTED,
        "response",
        goals={"P2": "2h", "P3": "4h"},
        objective=Decimal("0.925"),
        pause_states=["awaiting customer", "on hold"],
    )
    assert edited == (
        "spec:\n"
        "  targets:\n"
        "  - id: response   # first answer\n"
        "    goal:\n"
        "      P1: 30m      # a comment on P1\n"
        "      p2: 2h\n"
        "      P3: 4h\n"
        "    pause_states:\n"
        "    - awaiting customer\n"
        "    - on hold\n"
        "    objective: 92.5%\n"
    )


def test_new_pause_states_go_after_the_goal_in_flow_style() -> None:
    text = "spec:\n  targets:\n    - id: r\n      goal: {P1: 1h}\n      objective: 90%\n"
    edited = edit_target(text, "r", pause_states=["awaiting customer"])
    assert edited == (
        "spec:\n  targets:\n    - id: r\n      goal: {P1: 1h}\n"
        "      pause_states: [awaiting customer]\n      objective: 90%\n"
    )


def test_an_unknown_target_is_an_error() -> None:
    with pytest.raises(AccordError, match="no target 'speed'"):
        edit_target(UNINDENTED, "speed", objective=Decimal("0.9"))


@pytest.mark.parametrize(
    ("fraction", "text"), [("0.95", "95%"), ("0.925", "92.5%"), ("1", "100%"), ("0.999", "99.9%")]
)
def test_objectives_are_written_as_percentages(fraction: str, text: str) -> None:
    assert percent_text(Decimal(fraction)) == text
