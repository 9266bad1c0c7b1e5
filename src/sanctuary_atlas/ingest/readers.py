"""Readers: every input kind becomes a series of chunks of all-text columns with their source row numbers.

Nothing here interprets values. Every cell is read as text (no reader guesses types from the first rows);
typing happens once, in SQL, under the column contract. A chunk is one xlsx sheet or a slice of a
CSV/Parquet file, so memory is bounded by the largest sheet, never by the whole release.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.sniff import FileKind

ROW_COLUMN = "__source_row"
CSV_CHUNK_ROWS = 500_000


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


def read_chunks(path: Path, kind: FileKind) -> Iterator[Chunk | EmptySheet]:
    if kind == "xlsx":
        yield from _xlsx_chunks(path)
    elif kind == "csv":
        yield from _csv_chunks(path)
    else:
        yield from _parquet_chunks(path)


def _find_header(rows: list[list[str | None]], path: Path, sheet: str | None, first_row: int = 1) -> int:
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


def _assemble(columns: list[pa.Array], first_row: int) -> pa.Table:
    n = len(columns[0]) if columns else 0
    rows = pa.array(range(first_row, first_row + n), pa.int64())
    names = [f"c{i}" for i in range(len(columns))] + [ROW_COLUMN]
    return pa.Table.from_arrays([*columns, rows], names=names)


# --- xlsx -------------------------------------------------------------------------------------------


def _xlsx_chunks(path: Path) -> Iterator[Chunk | EmptySheet]:
    try:
        reader = fastexcel.read_excel(str(path))
        names = list(reader.sheet_names)
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of broken file
        raise IngestError(path, f"xlsx could not be opened: {exc}") from None
    offsets, date1904 = _workbook_facts(path)
    search = contracts.max_header_search_rows()
    for name in names:
        try:
            batch = reader.load_sheet(name, header_row=None, dtypes="string", eager=True)
        except Exception as exc:
            raise IngestError(path, f"sheet could not be read: {exc}", sheet=name) from None
        if batch.num_rows == 0 or batch.num_columns == 0:
            yield EmptySheet(name)
            continue
        table = pa.Table.from_batches([batch])
        probe = table.slice(0, search).to_pylist()
        probe_rows = [list(r.values()) for r in probe]
        first_excel_row = offsets.get(name, 1)
        k = _find_header(probe_rows, path, name, first_excel_row)
        headers = [("" if h is None else str(h)) for h in probe_rows[k]]
        body = table.slice(k + 1)
        header_row = first_excel_row + k
        yield Chunk(
            sheet=name,
            header_row=header_row,
            headers=headers,
            table=_assemble([c.combine_chunks() for c in body.columns], header_row + 1),
            date1904=date1904,
        )


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?[A-Z]+\$?(\d+)')
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _workbook_facts(path: Path) -> tuple[dict[str, int], bool]:
    """Excel row number of each sheet's first used row, and whether the workbook uses the 1904 date system.

    The xlsx reader numbers rows from the first used cell, so a sheet whose rows 1-3 are blank would
    otherwise report row 4 as row 1. The sheet part's <dimension ref="B4:..."> says where the used range
    starts; only the first few KB of each part are read.
    """
    out: dict[str, int] = {}
    date1904 = False
    try:
        with zipfile.ZipFile(path) as zf:
            wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            props = wb.find("m:workbookPr", _NS)
            date1904 = props is not None and props.get("date1904", "0").lower() in ("1", "true")
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
            for sheet in wb.findall("m:sheets/m:sheet", _NS):
                rid = sheet.get(f"{{{_NS['r']}}}id")
                target = targets.get(rid, "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                try:
                    with zf.open(part) as fh:
                        head = fh.read(8192)
                except KeyError:
                    continue
                m = _DIMENSION.search(head)
                if m:
                    out[sheet.get("name", "")] = int(m.group(1))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}, False
    return out, date1904


# --- csv --------------------------------------------------------------------------------------------


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _csv_head(path: Path, encoding: str, n: int) -> tuple[list[list[str]], str]:
    opener = gzip.open if _is_gzip(path) else open
    # utf-8-sig: Excel's "CSV UTF-8" export starts with a byte-order mark that is not part of the header.
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with opener(path, "rt", encoding=text_encoding, errors="strict", newline="") as fh:  # type: ignore[operator]
        sample = fh.read(64 * 1024)
    first = sample.splitlines()[0] if sample else ""
    delimiter = max([",", "\t", "|", ";"], key=first.count)
    rows = list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:n]
    return rows, delimiter


def _detect_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else Windows-1252 (older releases were exported so)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    opener = gzip.open if _is_gzip(path) else open
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            while block := fh.read(16 * 1024**2):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    except (OSError, EOFError) as exc:
        raise IngestError(path, f"file could not be read: {exc}") from None
    return "utf-8"


def _csv_chunks(path: Path) -> Iterator[Chunk]:
    encoding = _detect_encoding(path)
    search = contracts.max_header_search_rows()
    try:
        head, delimiter = _csv_head(path, encoding, search)
    except UnicodeDecodeError:
        raise IngestError(path, "text is neither UTF-8 nor Windows-1252") from None
    if not head:
        raise IngestError(path, "CSV has no rows")
    k = _find_header(head, path, None)
    headers = head[k]
    names = [f"c{i}" for i in range(len(headers))]
    read = pacsv.ReadOptions(column_names=names, skip_rows=k + 1, block_size=16 * 1024**2, encoding=encoding)
    # Blank lines are kept (as rows of empty cells, quarantined as empty rows) so record numbers stay true.
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    source = pa.input_stream(str(path), compression="gzip" if _is_gzip(path) else None)
    try:
        reader = pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)
        next_row = k + 2
        pending: list[pa.RecordBatch] = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= CSV_CHUNK_ROWS:
                yield _csv_chunk(pending, headers, k + 1, next_row, encoding)
                next_row += pending_rows
                pending, pending_rows = [], 0
        if pending or next_row == k + 2:
            yield _csv_chunk(pending, headers, k + 1, next_row, encoding, schema=reader.schema)
    except pa.ArrowInvalid as exc:
        text = str(exc)
        m = re.search(r"Expected (\d+) columns, got (\d+)", text)
        if m:
            row = _first_ragged_record(path, encoding, delimiter, int(m.group(1)), k + 1)
            raise IngestError(path, f"row has {m.group(2)} fields where the header has {m.group(1)}", row=row) from None
        raise IngestError(path, f"CSV could not be parsed: {text}") from None
    finally:
        source.close()


def _first_ragged_record(path: Path, encoding: str, delimiter: str, expected: int, header_row: int) -> int | None:
    """The record number of the first row with the wrong number of fields (only on the error path)."""
    opener = gzip.open if _is_gzip(path) else open
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    with opener(path, "rt", encoding=text_encoding, newline="") as fh:  # type: ignore[operator]
        for number, record in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
            if number > header_row and record and len(record) != expected:
                return number
    return None


def _csv_chunk(
    batches: list[pa.RecordBatch],
    headers: list[str],
    header_row: int,
    first_row: int,
    encoding: str,
    schema: pa.Schema | None = None,
) -> Chunk:
    table = pa.Table.from_batches(batches, schema=schema) if batches or schema else pa.table({})
    columns = [table.column(i).combine_chunks() for i in range(table.num_columns)]
    return Chunk(
        sheet=None,
        header_row=header_row,
        headers=headers,
        table=_assemble(columns, first_row),
        encoding=encoding,
    )


# --- parquet ----------------------------------------------------------------------------------------


def _parquet_chunks(path: Path) -> Iterator[Chunk]:
    try:
        pf = pq.ParquetFile(str(path))
    except Exception as exc:
        raise IngestError(path, f"Parquet file could not be opened: {exc}") from None
    headers = list(pf.schema_arrow.names)
    if contracts.detect(headers) is None:
        _find_header([headers], path, None)
    next_row = 2  # row 1 is the header, as if the same table were a CSV
    for batch in pf.iter_batches(batch_size=CSV_CHUNK_ROWS):
        columns = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        yield Chunk(
            sheet=None,
            header_row=1,
            headers=headers,
            table=_assemble(columns, next_row),
        )
        next_row += batch.num_rows


def _as_text(array: pa.Array) -> pa.Array:
    """Parquet columns arrive typed; dates become ISO text so one contract types every input the same way."""
    return array.cast(pa.string())
