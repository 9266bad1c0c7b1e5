"""Command-line commands of this stage; ``register`` adds them to the main Typer app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Nothing registered yet."""
