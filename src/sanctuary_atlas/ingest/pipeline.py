"""Ingest: files in, staged releases out, published to the store all together or not at all.

Accounting is enforced, not just reported: for every sheet, rows read must equal rows loaded plus rows
quarantined, or nothing is published.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.prefetch import prefetch
from sanctuary_atlas.ingest.readers import Chunk, EmptySheet, read_chunks
from sanctuary_atlas.ingest.sniff import sniff
from sanctuary_atlas.ingest.transform import (
    ChunkMeta,
    build_select,
    check_cell_sizes,
    check_required_parse,
)
from sanctuary_atlas.store import StagedRelease, Store, sql_path

Progress = Callable[[str, dict], None]


@dataclass
class SheetResult:
    sheet: str | None
    status: str  # loaded | empty
    header_row: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class FileResult:
    path: str
    sha256: str
    status: str  # ingested | already_ingested
    release_id: str
    file_kind: str | None = None
    encoding: str | None = None
    layout: str | None = None
    layout_variant: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate_flagged: int = 0
    rows_with_redaction: int = 0
    rows_with_invalid_values: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    sheets: list[SheetResult] = field(default_factory=list)


@dataclass
class IngestSummary:
    store: str
    files: list[FileResult]

    def totals(self) -> dict[str, int]:
        new = [f for f in self.files if f.status == "ingested"]
        return {
            "files": len(self.files),
            "files_ingested": len(new),
            "files_already_ingested": len(self.files) - len(new),
            "rows_read": sum(f.rows_read for f in new),
            "rows_loaded": sum(f.rows_loaded for f in new),
            "rows_quarantined": sum(f.rows_quarantined for f in new),
            "rows_duplicate_flagged": sum(f.rows_duplicate_flagged for f in new),
        }

    def as_json(self) -> dict:
        return {"store": self.store, **self.totals(), "files": [asdict(f) for f in self.files]}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 * 1024**2):
            digest.update(block)
    return digest.hexdigest()


def release_id_for(path: Path, sha256: str) -> str:
    stem = path.name
    for suffix in (".gz", ".csv", ".xlsx", ".parquet", ".tsv", ".txt"):
        stem = stem.removesuffix(suffix)
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60] or "release"
    return f"{slug}-{sha256[:10]}"


def ingest(paths: list[Path], store: Store, progress: Progress | None = None) -> IngestSummary:
    """Ingest every file, then publish all new releases atomically. Raises IngestError on bad input."""
    fresh = not store.root.exists()
    try:
        with store.writer():
            return _ingest_locked(paths, store, progress)
    except BaseException:
        if fresh:  # a store this call created and could not fill: leave no trace of it
            shutil.rmtree(store.root, ignore_errors=True)
        raise


def _ingest_locked(paths: list[Path], store: Store, progress: Progress | None) -> IngestSummary:
    notify = progress or (lambda _event, _data: None)
    results: list[FileResult] = []
    staged: list[StagedRelease] = []
    seen: dict[str, str] = {}
    if store.exists():
        store.check_format()
        store.sweep()
    try:
        for path in paths:
            path = Path(path)
            notify("file_start", {"path": str(path)})
            sha = file_sha256(path) if path.is_file() else ""
            known = store.release_for_sha(sha) if sha else None
            if sha and (known or sha in seen):
                results.append(FileResult(str(path), sha, "already_ingested", known or seen[sha]))
                notify("file_done", {"path": str(path), "status": "already_ingested"})
                continue
            result, release = _stage_file(path, sha, store, notify)
            seen[sha] = result.release_id
            results.append(result)
            staged.append(release)
            notify("file_done", {"path": str(path), "status": "ingested"})
        store.publish(staged)
    finally:
        # Published directories were renamed away; whatever is left under staging is work to discard.
        for release in staged:
            shutil.rmtree(release.directory.parent, ignore_errors=True)
        staging_root = store.root / ".staging"
        if staging_root.exists() and not any(staging_root.iterdir()):
            staging_root.rmdir()
    return IngestSummary(str(store.root), results)


def _stage_file(path: Path, sha: str, store: Store, notify: Progress) -> tuple[FileResult, StagedRelease]:
    kind = sniff(path)
    release_id = release_id_for(path, sha)
    work = store.staging_dir()
    out = work / release_id
    (out / "rows").mkdir(parents=True)
    result = FileResult(str(path), sha, "ingested", release_id, file_kind=kind)
    try:
        index = 0
        # xlsx sheets are already loaded ahead on worker threads (ingest/xlsx.py); text files are read
        # one chunk ahead here, so reading and typing overlap either way.
        chunks = read_chunks(path, kind)
        for chunk in chunks if kind == "xlsx" else prefetch(chunks):
            if isinstance(chunk, EmptySheet):
                result.sheets.append(SheetResult(chunk.sheet, "empty"))
                notify("sheet_empty", {"sheet": chunk.sheet})
                continue
            rows = chunk.table.num_rows
            _stage_chunk(chunk, index, path, sha, release_id, out, result, work)
            del chunk
            # Arrow keeps freed buffers pooled; hand them back before the next sheet arrives.
            pa.default_memory_pool().release_unused()
            notify("chunk_done", {"rows": rows})
            index += 1
        if index == 0 or sum(sheet.rows_read for sheet in result.sheets) == 0:
            raise IngestError(path, "no data rows under the header (an empty release is not ingested)")
        con = _duckdb(work)
        try:
            _flag_duplicates(con, out)
            _summarise(con, out, result)
        finally:
            con.close()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    canon = contracts.canonical()
    layout = next(layout for layout in contracts.layouts() if layout.id == result.layout)
    release_row = {
        "release_id": release_id,
        "source_file": path.name,
        "source_sha256": sha,
        "size_bytes": path.stat().st_size,
        "file_kind": kind,
        "encoding": result.encoding,
        "layout": result.layout,
        "layout_variant": result.layout_variant,
        "layout_version": layout.version,
        "contract_version": canon.version,
        "ingested_at": datetime.now(UTC).replace(tzinfo=None),
        "rows_read": result.rows_read,
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "rows_duplicate_flagged": result.rows_duplicate_flagged,
        "rows_with_redaction": result.rows_with_redaction,
        "rows_with_invalid_values": result.rows_with_invalid_values,
        "prepare_date_min": result.__dict__.pop("_date_min", None),
        "prepare_date_max": result.__dict__.pop("_date_max", None),
        "extra_columns": result.extra_columns,
    }
    sheet_rows = [
        {
            "release_id": release_id,
            "sheet": s.sheet,
            "sheet_index": i,
            "status": s.status,
            "header_row": s.header_row,
            "rows_read": s.rows_read,
            "rows_loaded": s.rows_loaded,
            "rows_quarantined": s.rows_quarantined,
        }
        for i, s in enumerate(result.sheets)
    ]
    reason_rows = [{"release_id": release_id, "reason": k, "rows": v} for k, v in result.quarantine_reasons.items()]
    return result, StagedRelease(release_id, out, release_row, sheet_rows, reason_rows)


def _duckdb(work: Path) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory session per sheet: closing it is what returns DuckDB's memory to the system."""
    con = duckdb.connect(config={"temp_directory": str(work / "spill"), "preserve_insertion_order": True})
    return con


def _stage_chunk(
    chunk: Chunk,
    index: int,
    path: Path,
    sha: str,
    release_id: str,
    out: Path,
    result: FileResult,
    work: Path,
) -> None:
    detected = contracts.detect(chunk.headers)
    if detected is None:  # readers only yield chunks whose header matched; guard the invariant anyway
        raise IngestError(path, "header matches no known layout", sheet=chunk.sheet, row=chunk.header_row)
    layout, variant = detected
    if result.layout is None:
        result.layout, result.layout_variant, result.encoding = layout.id, variant.name, chunk.encoding
    elif result.layout != layout.id:
        raise IngestError(
            path,
            f"sheet has layout {layout.id} but earlier sheets have {result.layout}; one release, one layout",
            sheet=chunk.sheet,
            row=chunk.header_row,
        )
    meta = ChunkMeta(
        release_id,
        layout,
        variant.name,
        path.name,
        sha,
        index,
        from_xlsx=chunk.sheet is not None,
        date1904=chunk.date1904,
    )
    part = out / "rows" / f"part-{index:05d}.parquet"
    con = _duckdb(work)
    try:
        con.register("chunk", chunk.table)
        check_cell_sizes(con, chunk, str(path))
        sql, mapping = build_select(chunk, meta)
        # One pass: loaded and quarantined rows go to the same file, told apart by quarantine_reason;
        # the store's views split them. The scan keeps source order, so no sort is needed.
        con.execute(f"COPY ({sql}) TO {sql_path(part)} (FORMAT parquet, COMPRESSION zstd)")
        con.unregister("chunk")
        check_required_parse(con, f"read_parquet({sql_path(part)})", chunk, mapping, str(path))
        read, loaded, quarantined = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE quarantine_reason IS NULL),
                       count(*) FILTER (WHERE quarantine_reason IS NOT NULL)
                FROM read_parquet({sql_path(part)})"""
        ).fetchall()[0]
    finally:
        con.close()
    for extra in mapping.extra:
        if extra not in result.extra_columns:
            result.extra_columns.append(extra)
    if read != chunk.table.num_rows or read != loaded + quarantined:
        raise RuntimeError(f"accounting broke on {path} sheet {chunk.sheet}: {read} != {loaded} + {quarantined}")
    existing = next((s for s in result.sheets if s.sheet == chunk.sheet and s.status == "loaded"), None)
    if existing is None:
        existing = SheetResult(chunk.sheet, "loaded", header_row=chunk.header_row)
        result.sheets.append(existing)
    existing.rows_read += read
    existing.rows_loaded += loaded
    existing.rows_quarantined += quarantined


def _flag_duplicates(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """Flag, never delete: a row identical to an earlier one in every canonical field, person id included.

    Only rows with a person identifier are compared. Releases without one (2008-2017 detail) list many
    genuinely distinct detainers that share date, facility and outcome, so identity there is no evidence.
    Candidates are found first on (person, prepare date), which is cheap and rare, and only those rows are
    compared field by field.
    """
    fields = ", ".join(contracts.canonical().columns)
    parts = sql_path(out / "rows" / "*.parquet")
    con.execute(
        f"""COPY (
            WITH loaded AS (SELECT * FROM read_parquet({parts}) WHERE quarantine_reason IS NULL),
            candidates AS (
                SELECT person_id, prepare_date FROM loaded WHERE person_id IS NOT NULL
                GROUP BY ALL HAVING count(*) > 1
            )
            SELECT release_id, source_sheet_index, source_row, duplicate_of_sheet, duplicate_of_row FROM (
                SELECT release_id, source_sheet_index, source_row,
                       first_value(source_sheet) OVER w AS duplicate_of_sheet,
                       first_value(source_row) OVER w AS duplicate_of_row,
                       row_number() OVER w AS n
                FROM loaded SEMI JOIN candidates USING (person_id, prepare_date)
                WINDOW w AS (PARTITION BY {fields} ORDER BY source_sheet_index, source_row
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            ) WHERE n > 1
        ) TO {sql_path(out / "duplicates.parquet")} (FORMAT parquet)"""
    )


def _summarise(con: duckdb.DuckDBPyConnection, out: Path, result: FileResult) -> None:
    result.rows_read = sum(s.rows_read for s in result.sheets)
    result.rows_loaded = sum(s.rows_loaded for s in result.sheets)
    result.rows_quarantined = sum(s.rows_quarantined for s in result.sheets)
    if result.rows_read != result.rows_loaded + result.rows_quarantined:
        raise RuntimeError(f"accounting broke on {result.path}")
    result.rows_duplicate_flagged = con.execute(
        f"SELECT count(*) FROM read_parquet({sql_path(out / 'duplicates.parquet')})"
    ).fetchall()[0][0]
    red, inv, dmin, dmax = con.execute(
        f"""SELECT count(*) FILTER (WHERE len(redacted_columns) > 0),
                   count(*) FILTER (WHERE len(invalid_columns) > 0),
                   min(prepare_date), max(prepare_date)
            FROM read_parquet({sql_path(out / "rows" / "*.parquet")}) WHERE quarantine_reason IS NULL"""
    ).fetchall()[0]
    result.rows_with_redaction, result.rows_with_invalid_values = red, inv
    result.__dict__["_date_min"], result.__dict__["_date_max"] = dmin, dmax
    reasons = con.execute(
        f"SELECT quarantine_reason, count(*) FROM read_parquet({sql_path(out / 'rows' / '*.parquet')}) "
        "WHERE quarantine_reason IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
    ).fetchall()
    result.quarantine_reasons = {r: n for r, n in reasons}
