"""Options and helpers shared by every command that touches the store."""

from __future__ import annotations

import re
from datetime import date
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


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(value: str, option: str) -> date:
    """A date option's value, which must be exactly ``YYYY-MM-DD``; one ``error:`` line otherwise.

    ``date.fromisoformat`` alone also takes ``20150201`` and ``2015-W05-1``: those are refused here.
    """
    if _ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # e.g. 2015-02-30: the right shape, not a day
    raise fail(f"{option} {value!r} is not a date (use YYYY-MM-DD)")
