"""CLI commands (placeholder until its feature lands)."""

import typer


def register(app: typer.Typer) -> None:
    return None
