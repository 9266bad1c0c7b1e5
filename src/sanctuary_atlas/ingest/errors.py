"""The one error type that bad input produces: it names the place in the file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class IngestError(Exception):
    """Bad input. ``str()`` gives the single line shown to the user."""

    file: Path | str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [str(self.file)]
        if self.sheet is not None:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"
