"""Resolving many records: distinct facilities once (a set operation), then a join; the batch CSV command.

``resolve_facilities`` reads the DISTINCT (name, city, state, code) of a table or view, resolves each once
and hands the result back to DuckDB as a relation, so a store of millions of detainers costs one pass per
distinct facility (a few thousand), never a Python loop per detainer.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from sanctuary_atlas.resolve.resolver import get_resolver

KEY_COLUMNS = ("facility_name", "facility_city", "facility_state", "facility_code")
OUT_COLUMNS = (
    "county_fips",
    "county_name",
    "authority_type",
    "authority_name",
    "authority_fips",
    "confidence",
    "evidence",
)
# Batch CSV: required input columns, with the spellings we accept for each.
BATCH_ALIASES = {
    "facility": ("facility", "facility_name", "detention_facility", "det_facility"),
    "city": ("city", "facility_city"),
    "state": ("state", "facility_state"),
    "facility_code": ("facility_code", "detention_facility_code", "code"),
}


class ResolveInputError(ValueError):
    """A batch file that cannot be read as asked; the message names the file and what is wrong."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def resolve_facilities(con: duckdb.DuckDBPyConnection, source: str) -> duckdb.DuckDBPyRelation:
    """One row per distinct (facility_name, facility_city, facility_state, facility_code) of ``source``.

    ``source`` is a table or view name with those four columns (facility_code may be all null). Join the
    result back on the four key columns with ``IS NOT DISTINCT FROM`` (nulls are keys too).
    """
    cols = {c.lower() for c in con.table(source).columns}
    code = "facility_code" if "facility_code" in cols else "NULL"
    distinct = con.sql(
        f"SELECT DISTINCT CAST(facility_name AS VARCHAR), CAST(facility_city AS VARCHAR), "
        f"CAST(facility_state AS VARCHAR), CAST({code} AS VARCHAR) FROM {_quote(source)}"
    ).fetchall()
    return con.from_arrow(_resolve_rows(distinct))


def _resolve_rows(rows: list[tuple[str | None, ...]]) -> pa.Table:
    resolver = get_resolver()
    data: dict[str, list[str | None]] = {c: [] for c in (*KEY_COLUMNS, *OUT_COLUMNS)}
    for name, city, state, code in rows:
        res = resolver.resolve(name, city, state, code)
        for col, val in zip(KEY_COLUMNS, (name, city, state, code), strict=True):
            data[col].append(val)
        for col in OUT_COLUMNS:
            data[col].append(getattr(res, col))
    return pa.table({c: pa.array(v, type=pa.string()) for c, v in data.items()})


def resolved_join_sql(source: str, resolved: str) -> str:
    """SQL joining every row of ``source`` to its facility's resolution (row count preserved)."""
    on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM r.{c}" for c in KEY_COLUMNS)
    outs = ", ".join(f"r.{c}" for c in OUT_COLUMNS)
    return f"SELECT s.*, {outs} FROM {_quote(source)} s LEFT JOIN {_quote(resolved)} r ON {on}"


def _find(header: list[str], wanted: str) -> str | None:
    lower = {h.strip().lower(): h for h in header}
    for alias in BATCH_ALIASES[wanted]:
        if alias in lower:
            return lower[alias]
    return None


def resolve_csv(input_path: Path, output_path: Path) -> int:
    """Resolve a user's CSV of facilities; the output has every input row (same order) plus OUT_COLUMNS.

    Returns the number of rows written. Raises ResolveInputError for a missing column or unreadable file.
    """
    try:
        raw = input_path.read_bytes()
    except OSError as exc:
        raise ResolveInputError(f"{input_path}: cannot read ({exc.strerror})") from exc
    if not raw.strip():
        raise ResolveInputError(f"{input_path}: the file is empty (expected a header: facility,city,state)")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResolveInputError(
            f"{input_path}: not UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 1]!r}); "
            "save it as UTF-8 and try again"
        ) from exc
    con = duckdb.connect()
    try:
        rel = con.read_csv(str(input_path), all_varchar=True, header=True, strict_mode=False, null_padding=True)
    except duckdb.Error as exc:
        raise ResolveInputError(f"{input_path}: not a readable CSV ({exc})") from exc
    header = list(rel.columns)
    names = {w: _find(header, w) for w in BATCH_ALIASES}
    for wanted in ("facility", "city", "state"):
        if names[wanted] is None:
            raise ResolveInputError(
                f"{input_path}: required column {wanted!r} is missing "
                f"(accepted names: {', '.join(BATCH_ALIASES[wanted])}; found: {', '.join(header)})"
            )
    code = _quote(names["facility_code"]) if names["facility_code"] else "NULL"
    con.register("batch_in", rel)
    con.sql(
        "CREATE TEMP TABLE batch AS SELECT row_number() OVER () AS __row, *, "
        f"{_quote(names['facility'])} AS facility_name, {_quote(names['city'])} AS facility_city, "
        f"{_quote(names['state'])} AS facility_state, CAST({code} AS VARCHAR) AS facility_code FROM batch_in"
    )
    resolved = resolve_facilities(con, "batch")
    con.register("resolved", resolved)
    keep = ", ".join(f"s.{_quote(h)}" for h in header)
    outs = ", ".join(f"r.{c}" for c in OUT_COLUMNS)
    on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM r.{c}" for c in KEY_COLUMNS)
    out = con.sql(f"SELECT {keep}, {outs} FROM batch s LEFT JOIN resolved r ON {on} ORDER BY s.__row")
    output_path.parent.mkdir(parents=True, exist_ok=True)
    out.write_csv(str(output_path), header=True)
    return int(con.sql("SELECT count(*) FROM batch").fetchall()[0][0])
