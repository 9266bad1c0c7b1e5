"""Typing under the contract: one SQL statement turns a chunk of text columns into canonical rows.

Per cell: trim; blank -> null; a redaction marker -> null and the column named in ``redacted_columns``;
then the contract's type. A value that does not parse in an optional column is nulled and named in
``invalid_columns`` (the detainer still counts); a row whose required value is missing, redacted or
unparseable gets a ``quarantine_reason`` and is written to the quarantine, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.contracts import Canonical, Layout, Redaction, fold_header
from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.readers import ROW_COLUMN, Chunk

PROVENANCE_COLUMNS = {
    "release_id": "VARCHAR",
    "layout": "VARCHAR",
    "layout_variant": "VARCHAR",
    "source_file": "VARCHAR",
    "source_sha256": "VARCHAR",
    "source_sheet": "VARCHAR",
    "source_sheet_index": "INTEGER",
    "source_row": "BIGINT",
}
FLAG_COLUMNS = {
    "redacted_columns": "VARCHAR[]",
    "invalid_columns": "VARCHAR[]",
    "extra": "MAP(VARCHAR, VARCHAR)",
    "quarantine_reason": "VARCHAR",
    "quarantine_detail": "VARCHAR",
}
SQL_TYPES = {"date": "DATE", "integer": "BIGINT", "boolean": "BOOLEAN", "string": "VARCHAR"}


@dataclass(frozen=True)
class ChunkMeta:
    release_id: str
    layout: Layout
    variant: str
    source_file: str
    source_sha256: str
    sheet_index: int
    from_xlsx: bool
    date1904: bool = False


@dataclass
class Mapping:
    canonical: dict[str, int]  # canonical column -> chunk column index
    extra: dict[str, int]  # kept raw header -> chunk column index


def map_columns(layout: Layout, headers: list[str]) -> Mapping:
    canonical: dict[str, int] = {}
    extra: dict[str, int] = {}
    for i, header in enumerate(headers):
        target = layout.columns.get(fold_header(header)) if header else None
        if target is not None and target not in canonical:
            canonical[target] = i
            continue
        # Unknown, unnamed, or a second spelling of a column already mapped: kept, not dropped.
        name = header.strip() if header and header.strip() else f"column_{i + 1}"
        while name in extra:
            name += "_"
        extra[name] = i
    return Mapping(canonical, extra)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _typed(kind: str, value: str, canon: Canonical, from_xlsx: bool, date1904: bool = False) -> str:
    if kind == "string":
        return value
    if kind == "integer":
        number = f"TRY_CAST({value} AS DOUBLE)"
        whole = f"{number} = floor({number}) AND abs({number}) < 1e15"
        return f"CASE WHEN {whole} THEN CAST({number} AS BIGINT) END"
    if kind == "boolean":
        return (
            f"CASE WHEN upper({value}) IN ('TRUE','T','YES','Y','1') THEN TRUE "
            f"WHEN upper({value}) IN ('FALSE','F','NO','N','0') THEN FALSE END"
        )
    formats = "[" + ", ".join(_lit(f) for f in canon.date_formats) + "]"
    # ISO dates and date-times (every xlsx date cell, most CSVs) parse natively; the list is the fallback.
    parsed = f"COALESCE(TRY_CAST({value} AS DATE), CAST(try_strptime({value}, {formats}) AS DATE))"
    if from_xlsx:
        # A date typed into a cell without a date format reaches us as Excel's day serial number, counted
        # from 1899-12-30 (1900 system, the default) or 1904-01-01 (1904 system, older Mac workbooks).
        epoch = "1904-01-01" if date1904 else "1899-12-30"
        serial = (
            f"CASE WHEN regexp_full_match({value}, '[1-9][0-9]{{4}}(\\.0+)?') "
            f"THEN CAST(DATE '{epoch}' + CAST(CAST({value} AS DOUBLE) AS INTEGER) AS DATE) END"
        )
        return f"COALESCE({parsed}, {serial})"
    return parsed


def check_cell_sizes(con: duckdb.DuckDBPyConnection, chunk: Chunk, file: str) -> None:
    limit = contracts.canonical().max_cell_chars
    n = len(chunk.headers)
    if n == 0 or chunk.table.num_rows == 0:
        return
    longest = ", ".join(f"max(length(c{i}))" for i in range(n))
    maxima = con.execute(f"SELECT {longest} FROM chunk").fetchall()[0]
    for i, m in enumerate(maxima):
        if m is not None and m > limit:
            row = con.execute(f"SELECT min({ROW_COLUMN}) FROM chunk WHERE length(c{i}) > {limit}").fetchall()[0]
            raise IngestError(
                file,
                f"cell holds {m:,} characters (more than the {limit:,} a spreadsheet cell can hold)",
                sheet=chunk.sheet,
                row=row[0] if row else None,
                column=chunk.headers[i] or f"column {i + 1}",
            )


def build_select(chunk: Chunk, meta: ChunkMeta) -> tuple[str, Mapping]:
    canon = contracts.canonical()
    red: Redaction = contracts.redaction()
    mapping = map_columns(meta.layout, chunk.headers)
    regex = _lit(red.pattern)

    cells = []  # per canonical column: (name, value expr, redacted expr, typed expr)
    for name, kind in canon.columns.items():
        if name in mapping.canonical:
            raw = f"NULLIF(trim(c{mapping.canonical[name]}), '')"
            if meta.layout.null_markers:
                markers = ", ".join(_lit(m) for m in meta.layout.null_markers)
                raw = f"CASE WHEN {raw} IN ({markers}) THEN NULL ELSE {raw} END"
            redacted = f"COALESCE(regexp_full_match({raw}, {regex}, 'i'), FALSE)"
            value = f"CASE WHEN {redacted} THEN NULL ELSE {raw} END"
            typed = _typed(kind, value, canon, meta.from_xlsx, meta.date1904)
            cells.append((name, kind, raw, redacted, value, typed))
        else:
            cells.append((name, kind, None, None, None, None))

    inner = [f"{ROW_COLUMN} AS source_row"]
    for name, _kind, raw, redacted, _value, typed in cells:
        if raw is None:
            continue
        inner.append(f"{raw} AS raw__{name}")
        inner.append(f"{redacted} AS red__{name}")
        inner.append(f"{typed} AS typ__{name}")
    all_blank = " AND ".join(f"NULLIF(trim(c{i}), '') IS NULL" for i in range(len(chunk.headers))) or "TRUE"
    inner.append(f"({all_blank}) AS empty_row")
    if mapping.extra:
        keys = "[" + ", ".join(_lit(k) for k in mapping.extra) + "]"
        vals = "[" + ", ".join(f"NULLIF(trim(c{i}), '')" for i in mapping.extra.values()) + "]"
        inner.append(f"MAP({keys}, {vals}) AS extra")
    else:
        inner.append("CAST(NULL AS MAP(VARCHAR, VARCHAR)) AS extra")

    outer = [
        f"{_lit(meta.release_id)} AS release_id",
        f"{_lit(meta.layout.id)} AS layout",
        f"{_lit(meta.variant)} AS layout_variant",
        f"{_lit(meta.source_file)} AS source_file",
        f"{_lit(meta.source_sha256)} AS source_sha256",
        f"{_lit(chunk.sheet) if chunk.sheet is not None else 'CAST(NULL AS VARCHAR)'} AS source_sheet",
        f"CAST({meta.sheet_index} AS INTEGER) AS source_sheet_index",
        "source_row",
    ]
    redacted_list, invalid_list = [], []
    for name, kind, raw, *_ in cells:
        if raw is None:
            outer.append(f"CAST(NULL AS {SQL_TYPES[kind]}) AS {name}")
            continue
        outer.append(f"typ__{name} AS {name}")
        redacted_list.append(f"CASE WHEN red__{name} THEN {_lit(name)} END")
        if name not in canon.required_values:
            invalid_list.append(
                f"CASE WHEN raw__{name} IS NOT NULL AND NOT red__{name} AND typ__{name} IS NULL THEN {_lit(name)} END"
            )
    outer.append(f"list_filter([{', '.join(redacted_list)}]::VARCHAR[], lambda x: x IS NOT NULL) AS redacted_columns")
    outer.append(f"list_filter([{', '.join(invalid_list)}]::VARCHAR[], lambda x: x IS NOT NULL) AS invalid_columns")
    outer.append("extra")

    reasons = ["WHEN empty_row THEN 'empty_row'"]
    details = ["WHEN empty_row THEN 'every cell blank'"]
    for name in canon.required_values:
        reasons += [
            f"WHEN raw__{name} IS NULL THEN 'missing_{name}'",
            f"WHEN red__{name} THEN 'redacted_{name}'",
            f"WHEN typ__{name} IS NULL THEN 'unparseable_{name}'",
        ]
        details += [
            f"WHEN raw__{name} IS NULL THEN {_lit(name + ' is blank')}",
            f"WHEN red__{name} THEN {_lit(name + ' redacted: ')} || raw__{name}",
            f"WHEN typ__{name} IS NULL THEN {_lit(name + ' does not parse: ')} || raw__{name}",
        ]
    outer.append(f"CASE {' '.join(reasons)} END AS quarantine_reason")
    outer.append(f"CASE {' '.join(details)} END AS quarantine_detail")
    sql = f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM chunk)"
    return sql, mapping


def check_required_parse(con: duckdb.DuckDBPyConnection, table: str, chunk: Chunk, mapping: Mapping, file: str) -> None:
    """Refuse a sheet whose required dates mostly fail to parse: that is a wrong file, not bad rows."""
    canon = contracts.canonical()
    for name in canon.required_values:
        bad, seen, first_row, first_value = con.execute(
            f"""SELECT count(*) FILTER (WHERE quarantine_reason = 'unparseable_{name}'),
                       count(*) FILTER (WHERE quarantine_reason IS NULL
                                        OR quarantine_reason = 'unparseable_{name}'),
                       min(source_row) FILTER (WHERE quarantine_reason = 'unparseable_{name}'),
                       arg_min(quarantine_detail, source_row)
                           FILTER (WHERE quarantine_reason = 'unparseable_{name}')
                FROM {table}"""
        ).fetchall()[0]
        if seen and bad / seen > canon.fatal_unparseable_share:
            raw_header = chunk.headers[mapping.canonical[name]] if name in mapping.canonical else name
            raise IngestError(
                file,
                f"{bad:,} of {seen:,} values in {name} do not parse as dates "
                f"(first: {first_value}); expected one of {', '.join(canon.date_formats)}",
                sheet=chunk.sheet,
                row=first_row,
                column=raw_header,
            )
