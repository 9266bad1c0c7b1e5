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
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.chunks import ROW_COLUMN, Chunk, EmptySheet, assemble, find_header
from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.sniff import FileKind
from sanctuary_atlas.ingest.xlsx import xlsx_chunks

__all__ = ["ROW_COLUMN", "Chunk", "EmptySheet", "read_chunks"]

CSV_CHUNK_ROWS = 500_000


def read_chunks(path: Path, kind: FileKind) -> Iterator[Chunk | EmptySheet]:
    if kind == "xlsx":
        yield from xlsx_chunks(path)
    elif kind == "csv":
        yield from _csv_chunks(path)
    else:
        yield from _parquet_chunks(path)


# --- csv --------------------------------------------------------------------------------------------


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _open_text(path: Path, encoding: str) -> io.TextIOBase:
    """The file as text, gunzipped if need be; utf-8-sig drops the byte-order mark Excel's "CSV UTF-8" writes."""
    text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
    if _is_gzip(path):
        return gzip.open(path, "rt", encoding=text_encoding, errors="strict", newline="")  # type: ignore[return-value]
    return open(path, encoding=text_encoding, errors="strict", newline="")


def _csv_head(path: Path, encoding: str, n: int) -> tuple[list[list[str]], str]:
    with _open_text(path, encoding) as fh:
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
    k = find_header(head, path, None)
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
    with _open_text(path, encoding) as fh:
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
        table=assemble(columns, first_row),
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
        find_header([headers], path, None)
    next_row = 2  # row 1 is the header, as if the same table were a CSV
    for batch in pf.iter_batches(batch_size=CSV_CHUNK_ROWS):
        columns = [_as_text(batch.column(i)) for i in range(batch.num_columns)]
        yield Chunk(
            sheet=None,
            header_row=1,
            headers=headers,
            table=assemble(columns, next_row),
        )
        next_row += batch.num_rows


def _as_text(array: pa.Array) -> pa.Array:
    """Parquet columns arrive typed; dates become ISO text so one contract types every input the same way."""
    return array.cast(pa.string())
