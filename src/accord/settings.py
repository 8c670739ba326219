"""Typed settings read from the environment (prefix `ACCORD_`), built once by an entry point.

Holds values only: finding the workspace and opening the database belong to the services.
"""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """What the environment says.

    `database_url` (`ACCORD_DATABASE_URL`): a SQLAlchemy URL such as
    `postgresql+psycopg://user@host/db`; it overrides the URL recorded in the workspace. An
    empty value counts as unset.
    """

    model_config = SettingsConfigDict(env_prefix="ACCORD_", extra="ignore")

    database_url: str | None = None

    @field_validator("database_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return value.strip()
