"""`accord serve`: run the API (uvicorn, the app factory `accord.api.app:create_app`) on the
workspace found from the current folder, or on ACCORD_DATABASE_URL.

The CLI never imports the API: uvicorn loads it by name, in each worker process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from accord.cli.render import line
from accord.cli.workspace import open_workspace

APP_FACTORY = "accord.api.app:create_app"
WORKSPACE_ENV = "ACCORD_WORKSPACE"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus-client's multiprocess mode


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Serve the REST API: /v1/..., docs at /docs, /healthz, /readyz and /metrics.

    Needs a workspace here or above (`accord init`), or ACCORD_DATABASE_URL; its schema must be
    current (`accord db upgrade`). `accord users add NAME --admin` makes the first admin.
    """
    console = Console(highlight=False)
    workspace = open_workspace(console)
    workspace.dispose()
    saved = {name: os.environ.get(name) for name in (WORKSPACE_ENV, MULTIPROC_ENV)}
    # Workers (new processes) find the same workspace wherever they start.
    os.environ.setdefault(WORKSPACE_ENV, str(workspace.root))
    metrics_dir = None
    if workers > 1 and not os.environ.get(MULTIPROC_ENV):
        metrics_dir = tempfile.mkdtemp(prefix="accord-metrics-")
        os.environ[MULTIPROC_ENV] = metrics_dir
    plural = "worker" if workers == 1 else "workers"
    line(console, f"accord API on http://{host}:{port} ({workers} {plural}), docs at /docs")
    line(console, f"database {workspace.display_url()}")
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            server_header=False,
        )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
