"""What every reader yields: a chunk of all-text columns with source row numbers, or an empty sheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.errors import IngestError

ROW_COLUMN = "__source_row"


@dataclass
class Chunk:
    sheet: str | None
    header_row: int  # 1-based row (record) number of the header in the source
    headers: list[str]  # raw header text, one per column of ``table`` except ROW_COLUMN
    table: pa.Table  # all string columns named c0..cN, plus ROW_COLUMN (int64)
    encoding: str = "utf-8"
    date1904: bool = False  # the workbook counts day serials from 1904 (Mac Excel), not 1900


@dataclass
class EmptySheet:
    sheet: str


def find_header(rows: list[list[str | None]], path: Path, sheet: str | None, first_row: int = 1) -> int:
    for i, row in enumerate(rows):
        if contracts.detect([c or "" for c in row]) is not None:
            return i
    for i, row in enumerate(rows):
        near = contracts.closest([c or "" for c in row])
        if near is not None and near[2]:
            layout, variant, missing = near
            raise IngestError(
                path,
                f"header looks like layout {layout.id} ({variant.name}) but lacks required "
                f"column(s) {', '.join(repr(m) for m in missing)}",
                sheet=sheet,
                row=first_row + i,
                column=missing[0],
            )
    raise IngestError(
        path,
        f"no header row of any known layout in the first {len(rows)} rows "
        f"(known layouts: {', '.join(layout.id for layout in contracts.layouts())})",
        sheet=sheet,
    )


def assemble(columns: list[pa.Array], first_row: int) -> pa.Table:
    n = len(columns[0]) if columns else 0
    rows = pa.array(range(first_row, first_row + n), pa.int64())
    names = [f"c{i}" for i in range(len(columns))] + [ROW_COLUMN]
    return pa.Table.from_arrays([*columns, rows], names=names)
