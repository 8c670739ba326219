"""`accord agreements new|validate` on files (no workspace) and `accord catalog apply|list` in
a workspace, end to end through the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app
from accord.spec import example_agreements_dir, example_catalog_dir, load_agreement_file
from accord.spec.templates import template_text


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1", "USER": "alice"})


def invoke(runner: CliRunner, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return result.exit_code, result.output


def test_new_writes_a_template_to_standard_output(runner: CliRunner) -> None:
    code, output = invoke(runner, "agreements", "new", "--template", "web-hosting")
    assert code == 0
    assert output == template_text("web-hosting")


def test_new_writes_a_file_that_validates_and_refuses_to_overwrite_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "desk.yaml"
    code, output = invoke(runner, "agreements", "new", "-t", "service-desk", "--out", out)
    assert code == 0, output
    assert f"wrote the service-desk template to {out}" in output
    assert load_agreement_file(out).id == "service-desk-for-sales"

    out.write_text("mine")
    code, output = invoke(runner, "agreements", "new", "-t", "network", "--out", out)
    assert (code, out.read_text()) == (1, "mine")
    assert f"error: {out} exists; --force overwrites it" in output

    code, _ = invoke(runner, "agreements", "new", "-t", "network", "--out", out, "--force")
    assert code == 0
    assert out.read_text() == template_text("network")


def test_new_with_an_unknown_template_names_the_templates(runner: CliRunner) -> None:
    code, output = invoke(runner, "agreements", "new", "--template", "helpdesk")
    assert code == 2
    assert "service-desk, web-hosting, network, sales-marketing" in output


def test_validate_checks_agreements_against_service_files_given_together(
    runner: CliRunner, tmp_path: Path
) -> None:
    shutil.copytree(example_catalog_dir(), tmp_path / "catalog")
    (tmp_path / "desk.yaml").write_text(
        template_text("service-desk").replace("[service-desk]", "[service-dsk]")
    )

    code, output = invoke(runner, "agreements", "validate", tmp_path)

    assert code == 1
    assert f"ok  {tmp_path / 'catalog' / 'crm.yaml'}" in output
    assert (
        f"{tmp_path / 'desk.yaml'}:13: spec.services[0]: service 'service-dsk' is not in the "
        "service catalog; did you mean 'service-desk'?"
    ) in output
    alone_code, alone = invoke(runner, "agreements", "validate", tmp_path / "desk.yaml")
    assert (alone_code, alone.strip()) == (0, f"ok  {tmp_path / 'desk.yaml'}")


def test_validate_accepts_the_bundled_agreements_with_the_bundled_catalog(
    runner: CliRunner,
) -> None:
    code, output = invoke(
        runner, "agreements", "validate", example_agreements_dir(), example_catalog_dir()
    )
    assert code == 0, output
    assert output.count("ok  ") == 8


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke(runner, "init")[0] == 0
    return tmp_path


def test_catalog_apply_and_list_in_a_workspace(runner: CliRunner, workspace: Path) -> None:
    assert invoke(runner, "catalog", "list") == (
        0,
        "the catalog is empty; `accord catalog apply DIR` stores services\n",
    )
    code, output = invoke(runner, "catalog", "apply", example_catalog_dir())
    assert code == 0, output
    assert "network: stored" in output
    code, output = invoke(runner, "catalog", "apply", example_catalog_dir())
    assert "network: unchanged" in output

    code, output = invoke(runner, "catalog", "list")
    assert code == 0
    rows = [line.split() for line in output.splitlines()[1:]]
    assert [row[:3] for row in rows] == [
        ["crm", "application", "it"],
        ["lead-management", "business-function", "marketing"],
        ["network", "infrastructure", "it"],
        ["service-desk", "business-function", "it"],
        ["web-hosting", "infrastructure", "it"],
    ]


def test_with_a_stored_catalog_apply_refuses_an_unknown_service(
    runner: CliRunner, workspace: Path
) -> None:
    invoke(runner, "catalog", "apply", example_catalog_dir() / "network.yaml")
    desk = workspace / "desk.yaml"
    desk.write_text(template_text("service-desk"))

    code, output = invoke(runner, "agreements", "apply", desk)

    assert code == 1
    assert "spec.services[0]: service 'service-desk' is not in the service catalog" in output


def test_catalog_apply_as_a_user_without_the_role_is_refused(
    runner: CliRunner, workspace: Path
) -> None:
    assert invoke(runner, "departments", "add", "sales")[0] == 0
    added = invoke(runner, "users", "add", "bob", "-d", "sales", "-r", "editor", "--no-password")
    assert added[0] == 0, added[1]
    code, output = invoke(
        runner, "catalog", "apply", example_catalog_dir() / "network.yaml", "--as", "bob"
    )
    assert code == 1
    assert "error: writing service 'network' needs the editor role in it" in output
