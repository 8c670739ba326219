"""The workspace: a folder holding `.accord/workspace.toml` and, by default, its SQLite database.

Owns creating one (`init_workspace`), finding one from any subfolder (`find_workspace`), and
keeping its schema current. It never prompts and never commits data on a caller's behalf.
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import AccordError
from accord.persistence.db import is_sqlite, make_engine, normalise_url
from accord.persistence.migrate import current_revision, head_revision, upgrade
from accord.settings import Settings

WORKSPACE_DIR = ".accord"
WORKSPACE_FILE = "workspace.toml"
SQLITE_FILE = "accord.sqlite3"
# Written into workspace.toml: a SQLite path relative to the `.accord` folder, so that a
# workspace that is moved or copied keeps using its own database, never the original's.
DEFAULT_DATABASE_URL = f"sqlite:///{SQLITE_FILE}"
NO_WORKSPACE = "no accord workspace here or above; run `accord init`"

__all__ = [
    "InitOutcome",
    "UpgradeOutcome",
    "Workspace",
    "check_schema",
    "find_workspace",
    "init_workspace",
    "upgrade_database",
]


@dataclass(eq=False)
class Workspace:
    """Where accord keeps its data: `root` (the folder `.accord` is in) and the database.

    `database_url` is absolute (a relative SQLite path is resolved against `.accord`), with the
    psycopg 3 driver named for PostgreSQL. The engine is created on first use and shared.
    """

    root: Path
    database_url: str
    secret_key: str | None = None
    _engine: Engine | None = field(default=None, init=False, repr=False)

    @property
    def config_path(self) -> Path:
        return self.root / WORKSPACE_DIR / WORKSPACE_FILE

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.database_url)
        return self._engine

    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on this workspace's database; the caller owns each transaction."""
        return sessionmaker(bind=self.engine, expire_on_commit=False)

    def display_url(self) -> str:
        """The database URL with any password hidden (for messages)."""
        return make_url(self.database_url).render_as_string(hide_password=True)

    def dispose(self) -> None:
        """Close the engine's connections (a later use opens new ones)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@dataclass(frozen=True, slots=True)
class UpgradeOutcome:
    """The schema revision before (None: an empty database) and after an upgrade."""

    before: str | None
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class InitOutcome:
    workspace: Workspace
    created: bool  # False when the folder already was a workspace
    upgrade: UpgradeOutcome


def init_workspace(directory: Path, settings: Settings) -> InitOutcome:
    """Make `directory` a workspace (creating the folder if needed) and migrate to the latest.

    Steps: 1. an existing `.accord/workspace.toml` is kept as it is (its secret key too);
    2. otherwise it is written with the database URL (ACCORD_DATABASE_URL, else a SQLite file
    in `.accord`) and a new random secret key, readable by its owner only; 3. the database is
    upgraded to the latest migration. Running it again only upgrades, so it is idempotent.
    """
    root = directory.resolve()
    config = root / WORKSPACE_DIR / WORKSPACE_FILE
    created = not config.is_file()
    if created:
        config.parent.mkdir(parents=True, exist_ok=True)
        _write_config(config, settings.database_url or DEFAULT_DATABASE_URL)
    workspace = _load(root, settings)
    return InitOutcome(workspace, created, upgrade_database(workspace))


def find_workspace(start: Path, settings: Settings | None = None) -> Workspace:
    """The workspace in `start` or its nearest parent that has one.

    ACCORD_DATABASE_URL (in `settings`) overrides the database URL the workspace records; with
    that variable set, no workspace folder is needed at all (`root` is then `start`). Raise
    AccordError when neither is found.
    """
    settings = settings if settings is not None else Settings()
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / WORKSPACE_DIR / WORKSPACE_FILE).is_file():
            return _load(folder, settings)
    if settings.database_url:
        return Workspace(here, normalise_url(settings.database_url))
    raise AccordError(NO_WORKSPACE)


def upgrade_database(workspace: Workspace) -> UpgradeOutcome:
    """Migrate the workspace's database to the latest revision; a current one is left alone."""
    before = current_revision(workspace.database_url)
    upgrade(workspace.database_url)
    return UpgradeOutcome(before, head_revision())


def check_schema(workspace: Workspace) -> None:
    """Raise AccordError unless the database is at the revision this accord expects."""
    current, head = current_revision(workspace.database_url), head_revision()
    if current != head:
        found = f"revision {current}" if current else "no accord schema"
        raise AccordError(
            f"the database has {found}, this accord needs {head}: run `accord db upgrade`"
        )


def _write_config(path: Path, database_url: str) -> None:
    lines = [
        "# accord workspace, written by `accord init`.",
        "# ACCORD_DATABASE_URL overrides database_url; a relative SQLite path is relative",
        "# to this folder. Keep this file private: secret_key signs API sessions.",
        f"database_url = {json.dumps(database_url)}",
        f"secret_key = {json.dumps(secrets.token_urlsafe(32))}",
        "",
    ]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


def _load(root: Path, settings: Settings) -> Workspace:
    path = root / WORKSPACE_DIR / WORKSPACE_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccordError(f"{path}: not a readable workspace file ({exc})") from None
    recorded = data.get("database_url")
    secret_key = data.get("secret_key")
    if not isinstance(recorded, str) or not recorded:
        raise AccordError(f"{path}: database_url is missing")
    url = settings.database_url or _resolve_sqlite(recorded, path.parent)
    return Workspace(root, normalise_url(url), secret_key if isinstance(secret_key, str) else None)


def _resolve_sqlite(url: str, folder: Path) -> str:
    """A SQLite URL with a relative path made absolute against `folder`; others unchanged."""
    if not is_sqlite(url):
        return url
    parsed = make_url(url)
    database = parsed.database
    if not database or database == ":memory:" or Path(database).is_absolute():
        return url
    return parsed.set(database=str((folder / database).resolve())).render_as_string(
        hide_password=False
    )
