"""Agreement and Service files -> domain `Agreement` and `CatalogService` objects, or every
problem with its file, line and field.

Owns the public API of the spec layer, the walk over files and directories, the dispatch on
`kind`, and the building of domain objects once every check has passed. Reads files, never
writes; computes no clocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pydantic

from accord.domain.agreements import Agreement, Target, TargetKind, Validity
from accord.domain.calendars import CalendarSpec
from accord.domain.catalog import CatalogService
from accord.domain.events import EventKind
from accord.domain.measures import AvailabilityRules, BurnAlert, CountBounds, DeliverySchedule
from accord.errors import FieldIssue, ValidationError
from accord.spec.catalog import read_service, unknown_service_issues
from accord.spec.checks import cross_check, parse_calendars
from accord.spec.governance import build_consequences, build_reporting, build_termination
from accord.spec.issues import issues_from_pydantic
from accord.spec.models import AgreementDocument, DueModel, PercentileObjective, TargetModel
from accord.spec.yamlload import SourceMap, load_yaml

AGREEMENT_SUFFIXES = (".yaml", ".yml")
KINDS = ("Agreement", "Service")
_NOT_AN_AGREEMENT = "this is a Service document; an Agreement is expected here"
_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome of checking one file: its agreement or service when valid, else what is wrong.

    When `issues` is empty exactly one of `agreement` (a `kind: Agreement` file) and `service`
    (a `kind: Service` file) is set; otherwise neither is.
    """

    path: Path
    agreement: Agreement | None
    issues: list[FieldIssue] = field(default_factory=list)
    service: CatalogService | None = None

    @property
    def ok(self) -> bool:
        return not self.issues


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """One document read from text: what it built (nothing when `issues`), its kind as written
    (`Agreement` unless it says `Service`), its parsed values and where each field was written."""

    kind: str
    agreement: Agreement | None
    service: CatalogService | None
    issues: list[FieldIssue]
    data: object
    source_map: SourceMap


def load_agreement_text(
    text: str,
    source: str = "<string>",
    *,
    catalog: Mapping[str, CatalogService] | None = None,
) -> Agreement:
    """Build an agreement from YAML text; raise ValidationError listing every problem.

    Each issue carries `file=source` and the line of the field it names (or of the nearest
    enclosing field that is written, for a missing key). With a `catalog`, a service it does
    not hold is an issue at `spec.services[i]`; a `kind: Service` text is refused.
    """
    document = read_document(text, source, catalog=catalog)
    if document.service is not None:
        issue = FieldIssue("kind", _NOT_AN_AGREEMENT)
        raise ValidationError([document.source_map.locate(issue, source)])
    if document.agreement is None:
        raise ValidationError(document.issues)
    return document.agreement


def read_document(
    text: str, source: str, *, catalog: Mapping[str, CatalogService] | None = None
) -> ReadDocument:
    """Read an Agreement or a Service document from YAML text, with every problem located.

    Dispatches on `kind`: `Service` builds a catalog service, anything else is read as an
    agreement (a kind that is neither is an issue naming both). With a `catalog`, an
    agreement naming a service the catalog does not hold gets an issue at `spec.services[i]`.
    """
    loaded = load_yaml(text)
    if loaded.data is None:
        issues = [loaded.source_map.locate(i, source) for i in loaded.issues]
        return ReadDocument("Agreement", None, None, issues, None, loaded.source_map)
    if isinstance(loaded.data, Mapping) and loaded.data.get("kind") == "Service":
        service, issues = read_service(loaded.data)
        located = _sorted_unique(
            [loaded.source_map.locate(i, source) for i in [*loaded.issues, *issues]]
        )
        built = service if not located else None
        return ReadDocument("Service", None, built, located, loaded.data, loaded.source_map)
    agreement, issues, source_map = _read_text(text, source, catalog)
    return ReadDocument("Agreement", agreement, None, issues, loaded.data, source_map)


def load_agreement_file(path: Path) -> Agreement:
    """Build an agreement from one YAML file; raise ValidationError listing every problem."""
    if path.is_dir():
        report = _failure(path, "is a directory; name one agreement file")
    elif not path.exists():
        report = _failure(path, "no such file or directory")
    else:
        report, _ = _check_file(path, {})
    if report.service is not None:
        raise ValidationError([FieldIssue("kind", _NOT_AN_AGREEMENT, str(path))])
    if report.agreement is None:
        raise ValidationError(report.issues)
    return report.agreement


def validate_paths(
    paths: Sequence[Path], catalog: Mapping[str, CatalogService] | None = None
) -> list[FileReport]:
    """Check files and directories; return one report per Agreement or Service file, in order.

    A directory stands for every `*.yaml` and `*.yml` file below it (recursive, sorted, hidden
    ones skipped); a directory without any, or a missing path, gets a report with an issue. A file
    named twice is checked once. Two files of one kind with the same `metadata.id` make the later
    one fail. A catalog is known when `catalog` is given or Service files are among the inputs
    (the valid ones join `catalog`): then each agreement naming a service it does not hold fails
    with an issue at `spec.services[i]`.
    """
    reports = check_paths(paths)
    known = known_catalog(reports, catalog)
    if known is None:
        return [report for report, _ in reports]
    return [with_catalog(report, document, known) for report, document in reports]


def known_catalog(
    reports: Sequence[tuple[FileReport, ReadDocument | None]],
    catalog: Mapping[str, CatalogService] | None,
) -> dict[str, CatalogService] | None:
    """`catalog` joined by the valid services among `reports`; None when neither exists."""
    services = {r.service.id: r.service for r, _ in reports if r.service is not None}
    has_service_files = any(d is not None and d.kind == "Service" for _, d in reports)
    if catalog is None and not has_service_files:
        return None
    return {**(catalog or {}), **services}


def with_catalog(
    report: FileReport, document: ReadDocument | None, catalog: Mapping[str, CatalogService]
) -> FileReport:
    """`report` failed with an issue per service its agreement names that `catalog` lacks
    (added to its other issues); unchanged for a Service file or when every service is known."""
    if document is None or document.kind != "Agreement" or document.data is None:
        return report
    issues = [
        document.source_map.locate(issue, str(report.path))
        for issue in unknown_service_issues(document.data, catalog)
    ]
    if not issues:
        return report
    return FileReport(report.path, None, _sorted_unique([*report.issues, *issues]))


def check_paths(paths: Sequence[Path]) -> list[tuple[FileReport, ReadDocument | None]]:
    """One report per file (with the document read, None when unreadable), catalog aside."""
    reports: list[tuple[FileReport, ReadDocument | None]] = []
    seen_files: set[Path] = set()
    owners: dict[tuple[str, str], Path] = {}
    for path in paths:
        if path.is_dir():
            files = _agreement_files(path)
            if not files:
                message = "no agreement files (*.yaml, *.yml) in this directory"
                reports.append((_failure(path, message), None))
        elif path.exists():
            files = [path]
        else:
            reports.append((_failure(path, "no such file or directory"), None))
            continue
        for file in files:
            if file.resolve() in seen_files:
                continue
            seen_files.add(file.resolve())
            reports.append(_check_file(file, owners))
    return reports


def load_agreements(paths: Sequence[Path]) -> list[Agreement]:
    """Load every agreement under `paths`; raise ValidationError with the issues of all files.

    Service files among them are the catalog the agreements are checked against.
    """
    reports = validate_paths(paths)
    issues = [issue for report in reports for issue in report.issues]
    if issues:
        raise ValidationError(issues)
    return [report.agreement for report in reports if report.agreement is not None]


def example_agreements_dir() -> Path:
    """The directory of the example agreements installed with accord (for `demo` and `init`)."""
    return _EXAMPLES / "agreements"


def example_catalog_dir() -> Path:
    """The directory of the example service catalog (`kind: Service`) installed with accord."""
    return _EXAMPLES / "catalog"


def example_templates_dir() -> Path:
    """The directory of the agreement templates installed with accord."""
    return _EXAMPLES / "templates"


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


def read_file(path: Path) -> tuple[str | None, FileReport | None]:
    """The UTF-8 text of `path`, else a failed report saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, _failure(path, "not UTF-8 text")
    except OSError as exc:
        return None, _failure(path, f"cannot read the file: {exc.strerror or exc}")


def _check_file(
    path: Path, owners: dict[tuple[str, str], Path]
) -> tuple[FileReport, ReadDocument | None]:
    source = str(path)
    text, failed = read_file(path)
    if text is None:
        assert failed is not None
        return failed, None
    document = read_document(text, source)
    built = document.agreement or document.service
    if built is None:
        return FileReport(path, None, document.issues), document
    key = (document.kind, built.id)
    if key in owners:
        clash = FieldIssue(
            "metadata.id",
            f"{document.kind.lower()} id '{built.id}' is already used by {owners[key]}",
        )
        return FileReport(path, None, [document.source_map.locate(clash, source)]), document
    owners[key] = path
    return FileReport(path, document.agreement, [], document.service), document


def _read_text(
    text: str, source: str, catalog: Mapping[str, CatalogService] | None = None
) -> tuple[Agreement | None, list[FieldIssue], SourceMap]:
    """Steps: 1. parse YAML with lines; 2. check shapes and types (pydantic); 3. parse the
    calendars; 4. check what spans fields (and the services, against a catalog); 5. only when
    nothing failed, build the domain object.
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
        issues.extend(_kind_named(issues_from_pydantic(exc, AgreementDocument), loaded.data))
    calendars, calendar_issues = parse_calendars(loaded.data)
    issues.extend(calendar_issues)
    issues.extend(cross_check(loaded.data))
    if catalog is not None:
        issues.extend(unknown_service_issues(loaded.data, catalog))
    located = _sorted_unique([loaded.source_map.locate(issue, source) for issue in issues])
    if located or document is None:
        return None, located, loaded.source_map
    return _build(document, calendars), [], loaded.source_map


def _kind_named(issues: list[FieldIssue], data: Mapping[str, object]) -> list[FieldIssue]:
    """A `kind` that is neither Agreement nor Service: say both are allowed."""
    kind = data.get("kind")
    if kind is None:
        return issues
    return [
        FieldIssue("kind", f"'{kind}' is not one of: {', '.join(KINDS)}")
        if issue.path == "kind"
        else issue
        for issue in issues
    ]


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
        definitions=dict(spec.definitions),
        responsibilities=(
            {}
            if spec.responsibilities is None
            else {
                side: tuple(duties)
                for side, duties in (
                    ("provider", spec.responsibilities.provider),
                    ("customer", spec.responsibilities.customer),
                )
                if duties
            }
        ),
        reporting=None if spec.reporting is None else build_reporting(spec.reporting),
        review=None if spec.review is None else spec.review.every,
        consequences=None if spec.consequences is None else build_consequences(spec.consequences),
        termination=build_termination(spec.termination),
        supports=spec.supports,
        items=spec.items or "items",
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
        source=target.source,
        items=target.items,
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
