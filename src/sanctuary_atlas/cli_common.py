"""Options and helpers shared by every command that touches the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sanctuary_atlas.paths import STORE_ENV, default_store
from sanctuary_atlas.store import Store

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=f"Store directory (default: ${STORE_ENV}, else a per-user data directory).",
        show_default=False,
    ),
]

err_console = Console(stderr=True)


def open_store(store: Path | None) -> Store:
    return Store(store if store is not None else default_store())


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one error line and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
