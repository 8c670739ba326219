"""`accord agreements render` (a file, no workspace; an id, from the workspace) and
`accord agreements lint` (findings, the too-long document, exit codes), end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.spec import example_agreements_dir, example_catalog_dir
from accord.spec.templates import template_text

DESK_ID = "service-desk-for-sales"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "alice"})


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def desk_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The service-desk template as a file in a folder that is no workspace (the cwd)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "desk.yaml"
    path.write_text(template_text("service-desk"), encoding="utf-8")
    return path


def _padded(text: str) -> str:
    """The agreement with forty long definitions more: a document far over 5 pages."""
    meaning = "A term the parties argued about at length and wrote down in full. " * 6
    extra = "".join(f"    term {n}: {meaning.strip()}\n" for n in range(40))
    return text.replace("  definitions:\n", "  definitions:\n" + extra, 1)


def test_render_writes_markdown_and_html_of_a_file_without_a_workspace(
    runner: CliRunner, desk_file: Path
) -> None:
    code, output = invoke(runner, "agreements", "render", desk_file, "--format", "md")
    assert code == 0
    assert output == (f"wrote the md document of {DESK_ID} from {desk_file} to {DESK_ID}.md\n")
    markdown = Path(f"{DESK_ID}.md").read_text(encoding="utf-8")
    assert markdown.startswith("# IT service desk for Sales\n")
    assert "Signature: ________________________________" in markdown
    code, output = invoke(runner, "agreements", "render", desk_file, "--out", "desk.html")
    assert code == 0
    assert output.endswith("to desk.html\n")
    assert "<h2>5. Service levels</h2>" in Path("desk.html").read_text(encoding="utf-8")


def test_render_writes_a_pdf_read_back_with_its_title(runner: CliRunner, desk_file: Path) -> None:
    code, _ = invoke(runner, "agreements", "render", desk_file, "--out", "desk.pdf")
    assert code == 0
    reader = pypdf.PdfReader("desk.pdf")
    assert 1 <= len(reader.pages) <= 5
    assert "IT service desk for Sales" in reader.pages[0].extract_text()


def test_render_of_an_invalid_file_prints_its_issues_and_exits_1(
    runner: CliRunner, desk_file: Path
) -> None:
    desk_file.write_text(template_text("service-desk").replace("objective: 95%", "objective: 195%"))
    code, output = invoke(runner, "agreements", "render", desk_file, "--format", "md")
    assert code == 1
    assert f"{desk_file}:" in output
    assert "195%" in output
    assert not Path(f"{DESK_ID}.md").exists()


def test_render_by_id_reads_the_workspace_and_shows_version_and_state(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "agreements").mkdir()
    (tmp_path / "agreements" / "desk.yaml").write_text(template_text("service-desk"))
    assert invoke(runner, "init")[0] == 0
    assert invoke(runner, "agreements", "apply", "agreements")[0] == 0
    code, output = invoke(runner, "agreements", "render", DESK_ID, "--out", "signed.md")
    assert code == 0, output
    assert output.startswith(f"wrote the md document of {DESK_ID} version 1, draft to signed.md")
    markdown = Path("signed.md").read_text(encoding="utf-8")
    assert "- **Version:** 1\n- **State:** draft\n" in markdown
    code, output = invoke(runner, "agreements", "render", DESK_ID, "--version", "7")
    assert code == 1
    assert output.startswith("error: ")
    assert "7" in output
    code, output = invoke(runner, "agreements", "render", "no-such-agreement")
    assert code == 1
    assert output.startswith("error: ")


def test_lint_of_the_templates_with_the_catalog_finds_nothing_and_exits_0(
    runner: CliRunner, desk_file: Path
) -> None:
    catalog = example_agreements_dir().parent / "catalog"
    code, output = invoke(runner, "agreements", "lint", desk_file, catalog)
    assert code == 0, output
    assert output.splitlines()[0] == f"ok  {desk_file}"
    assert output.splitlines()[-1].startswith("6 files: 0 errors, 0 warnings, 0 notes")


def test_lint_with_only_notes_exits_0(runner: CliRunner, desk_file: Path) -> None:
    code, output = invoke(runner, "agreements", "lint", desk_file)
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith(f"{desk_file}:")
    assert lines[0].endswith(": info no-catalog: no service catalog known")
    assert lines[1].startswith("    No service catalog is known")
    assert lines[-1] == "1 file: 0 errors, 0 warnings, 1 note"


def test_a_document_over_5_pages_is_a_too_long_warning_and_exits_1(
    runner: CliRunner, desk_file: Path
) -> None:
    desk_file.write_text(_padded(template_text("service-desk")), encoding="utf-8")
    code, output = invoke(runner, "agreements", "lint", desk_file, "--format", "json")
    assert code == 1
    report = json.loads(output)
    too_long = [f for f in report["findings"] if f["code"] == "too-long"]
    assert len(too_long) == 1
    assert too_long[0]["severity"] == "warning"
    assert too_long[0]["file"] == str(desk_file)
    assert too_long[0]["field"] == "spec"
    assert too_long[0]["line"] == 9  # the line of `spec:`
    assert too_long[0]["message"].startswith("the rendered document is ")
    assert too_long[0]["message"].endswith(" pages long (at most 5)")
    assert report["ok"] is False
    assert report["counts"]["warning"] == 1


def test_an_invalid_file_is_an_error_and_exits_1(runner: CliRunner, desk_file: Path) -> None:
    desk_file.write_text(template_text("service-desk").replace("  provider: it\n", ""))
    code, output = invoke(runner, "agreements", "lint", desk_file)
    assert code == 1
    assert f"{desk_file}:" in output
    assert " error invalid: " in output
    assert output.splitlines()[-1].startswith("1 file: 1 error, 0 warnings")


def test_render_by_id_names_the_services_as_the_stored_catalog_does(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "desk.yaml").write_text(template_text("service-desk"))
    assert invoke(runner, "init")[0] == 0
    assert invoke(runner, "agreements", "apply", "desk.yaml")[0] == 0
    code, output = invoke(runner, "agreements", "render", DESK_ID, "--out", "before.md")
    assert code == 0, output
    assert "First point of contact" not in Path("before.md").read_text(encoding="utf-8")
    assert invoke(runner, "catalog", "apply", example_catalog_dir())[0] == 0
    code, output = invoke(runner, "agreements", "render", DESK_ID, "--out", "after.md")
    assert code == 0, output
    assert "First point of contact" in Path("after.md").read_text(encoding="utf-8")
