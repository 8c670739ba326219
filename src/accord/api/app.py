"""The API application: `create_app(settings)` builds one FastAPI app on one workspace's
database, with authentication, metrics, error answers, the routes and the docs page.

One engine per process, one session per request, nothing else kept between requests: any
number of processes can serve one PostgreSQL database side by side.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from pydantic_settings import SettingsConfigDict

from accord.api.auth import (
    API_PREFIX,
    PUBLIC_PATHS,
    SESSION_COOKIE,
    Authenticator,
    AuthMiddleware,
    SessionSigner,
)
from accord.api.deps import ApiContext
from accord.api.errors import install_error_handlers
from accord.api.metrics import MetricsMiddleware
from accord.api.routes import ROUTERS
from accord.api.schemas import AgreementCreate
from accord.services.workspace import find_workspace
from accord.settings import Settings
from accord.timesource import Clock, SystemClock

__all__ = ["ApiSettings", "create_app"]

DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
SECURITY_SCHEMES: dict[str, Any] = {
    "token": {"type": "http", "scheme": "bearer", "description": "An API token, acc_..."},
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE},
}
_ASSETS_PACKAGE = "fastapi_offline"  # ships Swagger UI's files: the docs need no CDN


class ApiSettings(Settings):
    """The server's settings, from the environment (prefix `ACCORD_`).

    `workspace` (ACCORD_WORKSPACE): the folder to find the workspace from (default: the
    current folder); `database_url` (ACCORD_DATABASE_URL) overrides its database or stands
    for a workspace altogether. `secret_key` (ACCORD_SECRET_KEY) overrides the key that signs
    session cookies (by default the database's own, shared by every server on it, else the
    workspace's `secret_key`). `cookie_secure`: send the cookie over HTTPS only (behind TLS).
    """

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    workspace: Path | None = None
    secret_key: str | None = None
    session_max_age_seconds: int = 12 * 3600
    cookie_secure: bool = False
    max_body_bytes: int = 1024 * 1024


def create_app(settings: ApiSettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The API on the workspace that `settings` name (see `ApiSettings`); `clock` says what
    "now" is (tests fix it). Raise AccordError when there is no workspace to serve."""
    settings = settings if settings is not None else ApiSettings()
    workspace = find_workspace(settings.workspace or Path.cwd(), settings)
    sessions = workspace.session_factory()
    clock = clock if clock is not None else SystemClock()
    signer = SessionSigner(
        sessions,
        settings.session_max_age_seconds,
        key=settings.secret_key,
        fallback=workspace.secret_key,
    )
    authenticator = Authenticator(sessions, signer, clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        workspace.dispose()

    app = FastAPI(
        title="accord",
        summary="Internal service level agreements: agreements as code, SLA clocks, compliance.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.accord = ApiContext(
        workspace=workspace,
        sessions=sessions,
        clock=clock,
        signer=signer,
        authenticator=authenticator,
        cookie_secure=settings.cookie_secure,
        max_body_bytes=settings.max_body_bytes,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    _add_docs(app)
    app.openapi = _openapi_with_bodies(app)  # type: ignore[method-assign]
    # The last added runs first: metrics see every answer, 401s included.
    app.add_middleware(AuthMiddleware, authenticator=authenticator)
    app.add_middleware(MetricsMiddleware)
    return app


def _openapi_with_bodies(app: FastAPI) -> Any:
    """The generated spec, plus the schema of agreement bodies (read as text by the routes)
    and the credentials every /v1 route but login and logout takes (the docs' Authorize)."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = original()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            schemas["AgreementCreate"] = AgreementCreate.model_json_schema(by_alias=True)
            spec["components"]["securitySchemes"] = SECURITY_SCHEMES
            for path, operations in spec.get("paths", {}).items():
                if path.startswith(API_PREFIX) and path not in PUBLIC_PATHS:
                    for operation in operations.values():
                        operation.setdefault("security", [{"token": []}, {"session": []}])
            app.openapi_schema = spec
        return app.openapi_schema

    return openapi


def _assets() -> Path | None:
    try:
        folder = resources.files(_ASSETS_PACKAGE) / "static"
    except ModuleNotFoundError:
        return None
    path = Path(str(folder))
    return path if (path / "swagger-ui-bundle.js").is_file() else None


def _add_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI from files installed with accord; without them, a plain page that
    lists the operations."""
    assets = _assets()

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if assets is None:
            return HTMLResponse(_operations_page(app.openapi()))
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="accord API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon.png",
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        if assets is None or name not in DOCS_ASSETS:
            raise HTTPException(404, "no such file")
        return FileResponse(assets / name, media_type=DOCS_ASSETS[name])


def _operations_page(spec: dict[str, Any]) -> str:
    rows = []
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            cells = (method.upper(), path, operation.get("summary", ""))
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>accord API</title></head>"
        "<body><h1>accord API</h1><p>The full spec: <a href='/openapi.json'>/openapi.json</a>"
        f"</p><table>{''.join(rows)}</table></body></html>"
    )
