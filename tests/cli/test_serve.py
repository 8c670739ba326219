"""`accord serve`: uvicorn on the app factory, on the workspace of the current folder, right
after `accord init`; and for real, on loopback, in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli import serve as serve_module
from accord.cli.main import app

ENV = ("ACCORD_WORKSPACE", "PROMETHEUS_MULTIPROC_DIR", "ACCORD_DATABASE_URL")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["init"]).exit_code == 0
    return tmp_path


def test_serve_runs_uvicorn_on_the_app_factory_of_this_workspace(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[tuple[Any, ...], dict[str, Any], dict[str, str | None]]] = []

    def fake_run(*args: Any, **kwargs: Any) -> None:
        calls.append((args, kwargs, {name: os.environ.get(name) for name in ENV}))

    monkeypatch.setattr(serve_module.uvicorn, "run", fake_run)
    result = CliRunner().invoke(app, ["serve", "--port", "8123", "--workers", "2"])

    assert result.exit_code == 0, result.output
    ((args, kwargs, env),) = calls
    assert args == ("accord.api.app:create_app",)
    assert (kwargs["factory"], kwargs["host"], kwargs["port"], kwargs["workers"]) == (
        True,
        "127.0.0.1",
        8123,
        2,
    )
    assert env["ACCORD_WORKSPACE"] == str(workspace.resolve())
    metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"]
    assert metrics_dir is not None
    assert not Path(metrics_dir).exists()  # removed when the server stops
    assert all(os.environ.get(name) is None for name in ENV)  # and the environment restored
    assert "http://127.0.0.1:8123 (2 workers)" in result.output


def test_serve_without_a_workspace_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "accord init" in result.output


def test_a_served_workspace_answers_on_loopback(workspace: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    accord = Path(sys.executable).with_name("accord")
    server = subprocess.Popen(
        [str(accord), "serve", "--port", str(port)],
        cwd=workspace,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert ready.json() == {"status": "ok", "detail": ""}
        assert httpx.get(f"{base}/v1/agreements", timeout=5).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)
