"""The `accord` command line (Typer): entry points that parse, call one service and render."""
