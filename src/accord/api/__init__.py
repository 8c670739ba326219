"""accord as a server: the REST API (FastAPI). Entry point layer: parses requests, calls one
service, renders; it never imports the CLI, nor the CLI it."""

from accord.api.app import ApiSettings, create_app

__all__ = ["ApiSettings", "create_app"]
