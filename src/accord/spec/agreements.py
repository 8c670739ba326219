"""Agreement files -> domain `Agreement` objects, or every problem with its file, line and field.

Owns the public API of the spec layer, the walk over files and directories, and the building
of domain objects once every check has passed. Reads files, never writes; computes no clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pydantic

from accord.domain.agreements import Agreement, Target, TargetKind, Validity
from accord.domain.calendars import CalendarSpec
from accord.domain.events import EventKind
from accord.domain.measures import AvailabilityRules, BurnAlert, CountBounds, DeliverySchedule
from accord.errors import FieldIssue, ValidationError
from accord.spec.checks import cross_check, parse_calendars
from accord.spec.issues import issues_from_pydantic
from accord.spec.models import AgreementDocument, DueModel, PercentileObjective, TargetModel
from accord.spec.yamlload import SourceMap, load_yaml

AGREEMENT_SUFFIXES = (".yaml", ".yml")
_EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "agreements"


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome of checking one file: its agreement when valid, else what is wrong.

    `agreement` is set exactly when `issues` is empty.
    """

    path: Path
    agreement: Agreement | None
    issues: list[FieldIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


def load_agreement_text(text: str, source: str = "<string>") -> Agreement:
    """Build an agreement from YAML text; raise ValidationError listing every problem.

    Each issue carries `file=source` and the line of the field it names (or of the nearest
    enclosing field that is written, for a missing key).
    """
    agreement, issues, _ = _read_text(text, source)
    if agreement is None:
        raise ValidationError(issues)
    return agreement


def load_agreement_file(path: Path) -> Agreement:
    """Build an agreement from one YAML file; raise ValidationError listing every problem."""
    if path.is_dir():
        report = _failure(path, "is a directory; name one agreement file")
    elif not path.exists():
        report = _failure(path, "no such file or directory")
    else:
        report = _check_file(path, {})
    if report.agreement is None:
        raise ValidationError(report.issues)
    return report.agreement


def validate_paths(paths: Sequence[Path]) -> list[FileReport]:
    """Check files and directories; return one report per agreement file, in order.

    A directory stands for every `*.yaml` and `*.yml` file below it (recursive, sorted, hidden
    ones skipped); a directory without any, or a missing path, gets a report with an issue. A file
    named twice is checked once. Two files with the same `metadata.id` make the later one fail.
    """
    reports: list[FileReport] = []
    seen_files: set[Path] = set()
    owners: dict[str, Path] = {}
    for path in paths:
        if path.is_dir():
            files = _agreement_files(path)
            if not files:
                reports.append(
                    _failure(path, "no agreement files (*.yaml, *.yml) in this directory")
                )
        elif path.exists():
            files = [path]
        else:
            reports.append(_failure(path, "no such file or directory"))
            continue
        for file in files:
            if file.resolve() in seen_files:
                continue
            seen_files.add(file.resolve())
            reports.append(_check_file(file, owners))
    return reports


def load_agreements(paths: Sequence[Path]) -> list[Agreement]:
    """Load every agreement under `paths`; raise ValidationError with the issues of all files."""
    reports = validate_paths(paths)
    issues = [issue for report in reports for issue in report.issues]
    if issues:
        raise ValidationError(issues)
    return [report.agreement for report in reports if report.agreement is not None]


def example_agreements_dir() -> Path:
    """The directory of the example agreements installed with accord (for `demo` and `init`)."""
    return _EXAMPLES


def _agreement_files(directory: Path) -> list[Path]:
    found = {
        file
        for file in directory.rglob("*")
        if file.suffix in AGREEMENT_SUFFIXES
        and file.is_file()
        and not any(part.startswith(".") for part in file.relative_to(directory).parts)
    }
    return sorted(found)


def _failure(path: Path, message: str) -> FileReport:
    return FileReport(path, None, [FieldIssue("", message, file=str(path))])


def _check_file(path: Path, owners: dict[str, Path]) -> FileReport:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return _failure(path, "not UTF-8 text")
    except OSError as exc:
        return _failure(path, f"cannot read the file: {exc.strerror or exc}")
    agreement, issues, source_map = _read_text(text, source)
    if agreement is None:
        return FileReport(path, None, issues)
    if agreement.id in owners:
        clash = FieldIssue(
            "metadata.id",
            f"agreement id '{agreement.id}' is already used by {owners[agreement.id]}",
        )
        return FileReport(path, None, [source_map.locate(clash, source)])
    owners[agreement.id] = path
    return FileReport(path, agreement, [])


def _read_text(text: str, source: str) -> tuple[Agreement | None, list[FieldIssue], SourceMap]:
    """Steps: 1. parse YAML with lines; 2. check shapes and types (pydantic); 3. parse the
    calendars; 4. check what spans fields; 5. only when nothing failed, build the domain object.
    """
    loaded = load_yaml(text)
    if loaded.data is None:
        return None, [loaded.source_map.locate(i, source) for i in loaded.issues], loaded.source_map
    if not isinstance(loaded.data, Mapping):
        issue = FieldIssue(
            "", "an agreement must be a mapping with apiVersion, kind, metadata, spec"
        )
        return None, [loaded.source_map.locate(issue, source)], loaded.source_map
    issues = list(loaded.issues)
    document: AgreementDocument | None = None
    try:
        document = AgreementDocument.model_validate(loaded.data)
    except pydantic.ValidationError as exc:
        issues.extend(issues_from_pydantic(exc, AgreementDocument))
    calendars, calendar_issues = parse_calendars(loaded.data)
    issues.extend(calendar_issues)
    issues.extend(cross_check(loaded.data))
    located = _sorted_unique([loaded.source_map.locate(issue, source) for issue in issues])
    if located or document is None:
        return None, located, loaded.source_map
    return _build(document, calendars), [], loaded.source_map


def _sorted_unique(issues: list[FieldIssue]) -> list[FieldIssue]:
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda issue: issue.line or 0)


def _build(document: AgreementDocument, calendars: dict[str, CalendarSpec]) -> Agreement:
    spec = document.spec
    return Agreement(
        id=document.metadata.id,
        title=document.metadata.title,
        type=spec.type,
        provider=spec.provider,
        customer=spec.customer,
        services=tuple(spec.services),
        validity=Validity(start_on=spec.validity.start, end_on=spec.validity.end),
        priorities=tuple(spec.priorities),
        calendars=calendars,
        targets=tuple(_build_target(target) for target in spec.targets),
        default_priority=spec.default_priority,
        timezone=spec.timezone,
        description=document.metadata.description,
    )


def _build_target(target: TargetModel) -> Target:
    """The domain target; `checks` has made sure each kind has its keys and no others."""
    objective = target.objective
    percentile = count = None
    if isinstance(objective, PercentileObjective):
        percentile = objective.percentile
        fraction = percentile / 100
    elif isinstance(objective, CountBounds):
        count, fraction = objective, Decimal(1)
    else:
        fraction = objective
    return Target(
        id=target.id,
        kind=target.kind,
        calendar=target.calendar,
        goals=dict(target.goal or {}),
        objective=fraction,
        period=target.period,
        pause_states=frozenset(target.pause_states),
        stop_on=(
            None if target.stop_on is None else frozenset(EventKind(e) for e in target.stop_on)
        ),
        on_priority_change=target.on_priority_change,
        on_reopen=target.on_reopen,
        warn_at=target.warn_at,
        match=dict(target.match),
        description=target.description,
        percentile=percentile,
        count=count,
        priorities=target.priorities,
        due=_schedule(target.due) if target.due is not None else None,
        availability=(
            AvailabilityRules(
                maintenance=target.maintenance,
                minimum_downtime_seconds=target.minimum_downtime,
                basis=target.clock,
                alerts=tuple(
                    BurnAlert(rule.burn_rate, rule.long_window, rule.short_window)
                    for rule in target.alerts
                ),
            )
            if target.kind is TargetKind.AVAILABILITY
            else None
        ),
    )


def _schedule(due: DueModel) -> DeliverySchedule:
    return DeliverySchedule(
        weekdays=due.every or frozenset(),
        month_day=due.day,
        at_minute=due.at,
        window_seconds=due.window,
        on_closed_day=due.on_closed_day,
    )
