"""Checks of an agreement that span fields: calendars, holiday regions, priorities, target ids,
which keys each target kind takes, alert rules that could never fire, and the governance
sections (consequences on known targets with bands that never overlap, termination rules).

They run on the raw YAML values, so they are reported even when unrelated fields are broken;
shapes and types are the models' business (`accord.spec.models`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import holidays

from accord.domain.agreements import CLOCK_KINDS, RuleKind, TargetKind
from accord.domain.calendars import DAY_NAMES, CalendarSpec, parse_day_spec
from accord.domain.durations import parse_fraction
from accord.domain.measures import SRE_WORKBOOK_ALERTS, parse_burn_rate, plain
from accord.errors import FieldIssue, ValidationError
from accord.spec.yamlload import child_path

_CLOCKS = frozenset(CLOCK_KINDS)
_COUNT = frozenset({TargetKind.COUNT})
_DELIVERY = frozenset({TargetKind.DELIVERY})
_AVAILABILITY = frozenset({TargetKind.AVAILABILITY})
# The target keys that only some kinds take (every kind takes the others).
_KEY_KINDS: dict[str, frozenset[TargetKind]] = {
    "goal": _CLOCKS,
    "pause_states": _CLOCKS,
    "stop_on": _CLOCKS,
    "on_priority_change": _CLOCKS,
    "on_reopen": _CLOCKS,
    "warn_at": _CLOCKS,
    "priorities": _COUNT,
    "due": _DELIVERY,
    "maintenance": _AVAILABILITY,
    "minimum_downtime": _AVAILABILITY,
    "clock": _AVAILABILITY,
    "alerts": _AVAILABILITY,
}
_REQUIRED_KEYS: dict[TargetKind, tuple[str, str]] = {
    TargetKind.RESPONSE: ("goal", "a goal per priority, e.g. {P1: 30m, P2: 1h}"),
    TargetKind.RESOLUTION: ("goal", "a goal per priority, e.g. {P1: 4h, P2: 8h}"),
    TargetKind.DELIVERY: ("due", 'a schedule, e.g. {every: mon, at: "10:00"}'),
}


def _get(data: object, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def parse_calendars(data: object) -> tuple[dict[str, CalendarSpec], list[FieldIssue]]:
    """Parse each of `spec.calendars`; issues are placed under `spec.calendars.<name>`."""
    raw = _get(data, "spec", "calendars")
    if not isinstance(raw, Mapping):
        return {}, []  # the model reports the missing or misshapen mapping
    calendars: dict[str, CalendarSpec] = {}
    issues: list[FieldIssue] = []
    for name, body in raw.items():
        prefix = child_path("spec.calendars", name)
        try:
            calendars[name] = CalendarSpec.from_dict(body)
        except ValidationError as exc:
            own = _merge_weekday_issues(exc.issues, _get(body, "hours"))
            issues.extend(issue.under(prefix) for issue in own)
        issues.extend(issue.under(prefix) for issue in _holiday_region_issues(body))
    return calendars, issues


def _merge_weekday_issues(issues: list[FieldIssue], hours: object) -> list[FieldIssue]:
    """Report a problem of `mon-fri` once, at the key the user wrote, not once per weekday.

    The calendar checks each weekday (`hours.mon`, `hours.tue`, ...); issues with the same
    message on several weekdays become one, placed at the single written key that covers all of
    those days, else at `hours` naming the days.
    """

    def weekday(issue: FieldIssue) -> str | None:
        day = issue.path.removeprefix("hours.")
        return day if issue.path.startswith("hours.") and day in DAY_NAMES else None

    days_by_message: dict[str, list[str]] = {}
    for issue in issues:
        day = weekday(issue)
        if day is not None:
            days_by_message.setdefault(issue.message, []).append(day)
    written = [str(key) for key in hours] if isinstance(hours, Mapping) else []
    result: list[FieldIssue] = []
    for issue in issues:
        if weekday(issue) is None:
            result.append(issue)
            continue
        days = days_by_message.pop(issue.message, None)
        if days is None:
            continue  # already reported with the first weekday that had it
        covering = [key for key in written if _covers(key, days)]
        if len(covering) == 1:
            result.append(FieldIssue(f"hours.{covering[0]}", issue.message))
        elif len(days) > 1:
            result.append(FieldIssue("hours", f"{issue.message} (on {', '.join(days)})"))
        else:
            result.append(issue)
    return result


def _covers(day_spec: str, days: list[str]) -> bool:
    try:
        covered = {DAY_NAMES[day] for day in parse_day_spec(day_spec)}
    except ValueError:
        return False
    return set(days) <= covered


@lru_cache(maxsize=1)
def _holiday_regions() -> dict[str, list[str]]:
    regions: dict[str, list[str]] = holidays.list_supported_countries()
    return regions


def _did_you_mean(value: str, choices: Sequence[str]) -> str:
    if value.upper() in choices:
        return f"; did you mean '{value.upper()}'?"
    hint = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean '{hint[0]}'?" if hint else ""


def _holiday_region_issues(body: object) -> list[FieldIssue]:
    """The country and subdivision must be ones the `holidays` package knows."""
    country = _get(body, "holidays", "country")
    if country is None or isinstance(country, dict | list):
        return []
    regions = _holiday_regions()
    code = str(country)
    if code not in regions:
        message = f"'{code}' is not a country the holidays package knows"
        return [FieldIssue("holidays.country", message + _did_you_mean(code, list(regions)))]
    subdivision = _get(body, "holidays", "subdivision")
    if subdivision is None or isinstance(subdivision, dict | list):
        return []
    known = regions[code]
    if str(subdivision) in known:
        return []
    message = f"'{subdivision}' is not a subdivision of {code} the holidays package knows"
    hint = _did_you_mean(str(subdivision), known)
    if not known:
        hint = f" ({code} has none)"
    elif not hint and len(known) <= 40:
        hint = f" (known: {', '.join(known)})"
    return [FieldIssue("holidays.subdivision", message + hint)]


def _texts(value: object) -> list[str] | None:
    """The items of a list of plain values as text (None when it is not such a list)."""
    if not isinstance(value, list):
        return None
    return [str(item) for item in value if item is not None and not isinstance(item, dict | list)]


def cross_check(data: object) -> list[FieldIssue]:
    """Check goals against priorities, target calendars against calendars, ids for clashes."""
    issues: list[FieldIssue] = []
    priorities = _texts(_get(data, "spec", "priorities"))
    listed: set[str] = set()
    for index, priority in enumerate(priorities or []):
        if priority in listed:
            issues.append(FieldIssue(f"spec.priorities[{index}]", f"'{priority}' is listed twice"))
        listed.add(priority)
    default = _get(data, "spec", "default_priority")
    if priorities is not None and default is not None and str(default) not in priorities:
        issues.append(
            FieldIssue(
                "spec.default_priority",
                f"'{default}' is not one of this agreement's priorities ({', '.join(priorities)})",
            )
        )
    calendars = _get(data, "spec", "calendars")
    names = list(calendars) if isinstance(calendars, Mapping) else None
    targets = _get(data, "spec", "targets")
    first_use: dict[str, int] = {}
    for index, target in enumerate(targets if isinstance(targets, list) else []):
        if isinstance(target, Mapping):
            issues.extend(_target_issues(target, f"spec.targets[{index}]", priorities, names))
            target_id = target.get("id")
            if target_id is not None and not isinstance(target_id, dict | list):
                if str(target_id) in first_use:
                    earlier = first_use[str(target_id)]
                    issues.append(
                        FieldIssue(
                            f"spec.targets[{index}].id",
                            f"target id '{target_id}' is already used by spec.targets[{earlier}]",
                        )
                    )
                first_use.setdefault(str(target_id), index)
    issues.extend(_governance_issues(data, list(first_use)))
    return issues


def _governance_issues(data: object, target_ids: list[str]) -> list[FieldIssue]:
    """Consequences and termination rules name target ids of this agreement; bands of one
    consequence never overlap; each termination rule has the keys of its kind."""
    issues: list[FieldIssue] = []
    consequences = _get(data, "spec", "consequences")
    if isinstance(consequences, Mapping):
        if consequences.get("currency") is not None and consequences.get("charge") is None:
            message = "a currency goes with a charge: write charge: 12000 too"
            issues.append(FieldIssue("spec.consequences.currency", message))
        items = consequences.get("items")
        for index, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, Mapping):
                continue
            path = f"spec.consequences.items[{index}]"
            issues.extend(_target_ref(item.get("target"), f"{path}.target", target_ids))
            issues.extend(_band_issues(item.get("bands"), f"{path}.bands"))
    rules = _get(data, "spec", "termination")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if isinstance(rule, Mapping):
            issues.extend(_rule_issues(rule, f"spec.termination[{index}]", target_ids))
    return issues


def _target_ref(value: object, path: str, target_ids: list[str]) -> list[FieldIssue]:
    if value is None or isinstance(value, dict | list) or str(value) in target_ids:
        return []
    hint = difflib.get_close_matches(str(value), target_ids, n=1)
    if hint:
        suffix = f"; did you mean '{hint[0]}'?"
    else:
        suffix = f" (targets: {', '.join(target_ids)})" if target_ids else ""
    return [FieldIssue(path, f"'{value}' is not a target of this agreement{suffix}")]


def _bound(value: object) -> Any:
    try:
        return None if value is None else parse_fraction(value)
    except ValueError:
        return "bad"  # the model reports it


def _band_issues(bands: object, path: str) -> list[FieldIssue]:
    """Each band is `[at_least, below)`; two bands of one ladder may not share an attainment."""
    if not isinstance(bands, list):
        return []
    spans: list[tuple[int, Any, Any]] = []
    issues = []
    for index, band in enumerate(bands):
        if not isinstance(band, Mapping):
            continue
        low, high = _bound(band.get("at_least")), _bound(band.get("below"))
        if "bad" in (low, high):
            continue
        if low is not None and high is not None and low >= high:
            message = f"at_least {plain(low * 100)}% is not below {plain(high * 100)}%"
            issues.append(FieldIssue(f"{path}[{index}]", message))
            continue
        spans.append((index, low, high))
    for i, (index, low, high) in enumerate(spans):
        for other, o_low, o_high in spans[:i]:
            starts_before_end = o_high is None or low is None or low < o_high
            ends_after_start = high is None or o_low is None or o_low < high
            if starts_before_end and ends_after_start:
                message = (
                    f"overlaps band {other}: an attainment would fall in both; "
                    "bands never overlap, so exactly one applies"
                )
                issues.append(FieldIssue(f"{path}[{index}]", message))
                break
    return issues


def _rule_issues(rule: Mapping[str, Any], path: str, target_ids: list[str]) -> list[FieldIssue]:
    """missed-in-a-row takes `periods` (required) and `targets`; not-approved-within `days`."""
    try:
        kind = RuleKind(str(rule.get("rule")))
    except ValueError:
        return []  # the model reports an unknown or missing rule
    needed, example = (
        ("periods", "periods: 3") if kind is RuleKind.MISSED_IN_A_ROW else ("days", "days: 30")
    )
    takes = {"periods", "targets"} if kind is RuleKind.MISSED_IN_A_ROW else {"days"}
    issues = []
    if rule.get(needed) is None:
        issues.append(FieldIssue(f"{path}.{needed}", f"required for {kind.value}: {example}"))
    for key in ("periods", "days", "targets"):
        if key in rule and key not in takes:
            message = f"a {kind.value} rule takes no {key} (only {', '.join(sorted(takes))})"
            issues.append(FieldIssue(f"{path}.{key}", message))
    targets = rule.get("targets")
    if kind is RuleKind.MISSED_IN_A_ROW and isinstance(targets, list):
        for index, value in enumerate(targets):
            issues.extend(_target_ref(value, f"{path}.targets[{index}]", target_ids))
    return issues


def _target_issues(
    target: Mapping[str, Any],
    path: str,
    priorities: list[str] | None,
    calendar_names: list[str] | None,
) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    raw = target.get("calendar")
    calendar = None if raw is None or isinstance(raw, bool | dict | list) else str(raw)
    if calendar_names is not None and calendar is not None and calendar not in calendar_names:
        hint = difflib.get_close_matches(calendar, calendar_names, n=1)
        if hint:
            suffix = f"; did you mean '{hint[0]}'?"
        else:
            suffix = f"; defined: {', '.join(calendar_names)}" if calendar_names else ""
        issues.append(
            FieldIssue(f"{path}.calendar", f"calendar '{calendar}' is not defined{suffix}")
        )
    goal = target.get("goal")
    if priorities is not None and isinstance(goal, Mapping):
        for key in goal:
            if key not in priorities:
                issues.append(
                    FieldIssue(f"{path}.goal.{key}", "no such priority in this agreement")
                )
    selected = target.get("priorities")
    if priorities is not None and selected is not None:
        for value in _texts(selected) or _texts([selected]) or []:
            if value not in priorities:
                message = f"'{value}' is not one of this agreement's priorities"
                issues.append(FieldIssue(f"{path}.priorities", message))
    kind = _kind(target.get("kind"))
    if kind is not None:
        issues.extend(_kind_issues(target, path, kind))
    return issues


def _kind(value: object) -> TargetKind | None:
    try:
        return TargetKind(str(value))
    except ValueError:
        return None  # the model reports an unknown kind


def _kind_names(kinds: frozenset[TargetKind]) -> str:
    names = [kind.value for kind in TargetKind if kind in kinds]
    return " and ".join(names)


def _kind_issues(target: Mapping[str, Any], path: str, kind: TargetKind) -> list[FieldIssue]:
    """Keys a kind does not take, keys it needs, the objective's form, and dead alert rules."""
    issues: list[FieldIssue] = []
    for key, kinds in _KEY_KINDS.items():
        if key in target and kind not in kinds:
            article = "an" if kind.value[0] in "aeiou" else "a"
            only = _kind_names(kinds)
            message = f"{article} {kind.value} target takes no {key} (only {only} targets do)"
            issues.append(FieldIssue(f"{path}.{key}", message))
    if kind in _REQUIRED_KEYS:
        key, example = _REQUIRED_KEYS[kind]
        if target.get(key) is None:
            issues.append(
                FieldIssue(f"{path}.{key}", f"required for {kind.value} targets: {example}")
            )
    issue = _objective_issue(target.get("objective"), kind)
    if issue is not None:
        issues.append(FieldIssue(f"{path}.objective", issue))
    if kind in _AVAILABILITY:
        issues.extend(_alert_issues(target, path))
    return issues


def _objective_issue(objective: object, kind: TargetKind) -> str | None:
    """Count targets take bounds; clocks a share or a percentile; the others a share."""
    keys = {str(k) for k in objective} if isinstance(objective, Mapping) else set()
    if kind in _COUNT:
        if objective is None or keys & {"at_least", "at_most"}:
            return None
        return "a count target's objective gives bounds: {at_least: 20} and/or {at_most: 40}"
    if "percentile" in keys and kind not in _CLOCKS:
        return (
            "a percentile objective is for response and resolution targets; "
            "write a share such as 99.9%"
        )
    if keys & {"at_least", "at_most"} and "percentile" not in keys:
        return "at_least and at_most are for count targets; write a share such as 95%"
    return None


def _alert_issues(target: Mapping[str, Any], path: str) -> list[FieldIssue]:
    """A rule with burn rate x error budget > 1 can never fire: the error ratio is at most 1."""
    try:
        budget = 1 - parse_fraction(target.get("objective"))
    except ValueError:
        return []  # the model reports the objective
    alerts = target.get("alerts")
    rules: list[tuple[str, object]]
    if isinstance(alerts, str) and alerts.strip().lower() == "sre-workbook":
        rules = [(f"{path}.alerts", rule.burn_rate) for rule in SRE_WORKBOOK_ALERTS]
    elif isinstance(alerts, list):
        rules = [
            (f"{path}.alerts[{i}].burn_rate", rule.get("burn_rate"))
            for i, rule in enumerate(alerts)
            if isinstance(rule, Mapping)
        ]
    else:
        return []
    issues = []
    for rule_path, raw in rules:
        try:
            burn = parse_burn_rate(raw)
        except ValueError:
            continue  # the model reports the burn rate
        if burn * budget > 1:
            issues.append(
                FieldIssue(
                    rule_path,
                    f"a burn rate of {burn} can never fire with an error budget of {budget} "
                    f"({burn} x {budget} = {plain(burn * budget)} > 1, and an error "
                    "ratio never exceeds 1); lower the burn rate or raise the objective",
                )
            )
    return issues
