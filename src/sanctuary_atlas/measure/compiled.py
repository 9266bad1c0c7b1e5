"""The DDOR's queries compiled to DuckDB SQL once, kept in the store, and run without loading Ibis.

A fresh ``ddor`` process spends most of its time before the first row is read: importing Ibis (about half a
second) and compiling eight queries (about 60 ms each). The queries are the same for every period (it is
read from a bounds table, see ``ddor_queries``), so their SQL is compiled once, by ``build`` or by the first
report, and kept under ``<store>/cache/``. The cache is keyed on everything that determines the SQL: the
Ibis, sqlglot and DuckDB versions, the source and rules of the measure package, and the columns of the tables the
queries read. Any change gives a new key, and a missing, stale or unreadable entry is compiled again: the
cache can make a report slower, never different. ``tests/measure/test_compiled.py`` holds the two paths
to the same results.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import duckdb

from sanctuary_atlas.measure.ddor import BOUNDS_TABLE, QUERY_NAMES, Results, period_bounds
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.store import Store

SOURCE_TABLE = "detainers_resolved"
CACHE_PREFIX = "ddor-sql-"


def ddor_results(store: Store, con: duckdb.DuckDBPyConnection, period: Period) -> Results:
    """Rows of every DDOR query for ``period``, on ``con`` (a ``Store.connect`` session)."""
    _set_bounds(con, period)
    key = _fingerprint(con)
    entry = _load(store, key)
    if entry is not None:
        try:
            return _run_all(con, period, entry["queries"])
        except (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException):
            pass  # SQL this DuckDB does not understand (kept by another version, say): compile it again
    entry = _compile(con)
    _save(store, key, entry)
    return _run_all(con, period, entry["queries"])


# Queries run at once. Each spends most of its time (about 50 ms however small its answer) inside DuckDB,
# which releases Python's lock: on two cores a week's ten took 0.32 s instead of 0.55 s.
QUERY_THREADS = 3


def _run_all(con: duckdb.DuckDBPyConnection, period: Period, queries: dict[str, Any]) -> Results:
    """Every query's rows, each on its own cursor of ``con`` (DuckDB wants one per thread). A cursor shares
    the session's views but not its temporary tables, so each gets the period's bounds again."""

    def one(query: dict[str, Any]) -> list[dict[str, Any]]:
        cursor = con.cursor()
        try:
            _set_bounds(cursor, period)
            return _run(cursor, query)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=QUERY_THREADS) as pool:
        return dict(zip(queries, pool.map(one, queries.values()), strict=True))


def warm(store: Store) -> None:
    """Compile and keep the queries for the store's current build (``build`` calls it, under its lock) by
    running them once for a period with no data: the SQL does not depend on the period."""
    con = store.connect()
    try:
        ddor_results(store, con, Period(date(1900, 1, 1), date(1900, 1, 7)))
    finally:
        con.close()


def _set_bounds(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    bounds = period_bounds(period)
    columns = ", ".join(f"CAST(? AS DATE) AS {name}" for name in bounds)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {BOUNDS_TABLE} AS SELECT {columns}", list(bounds.values()))


def _fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    digest = hashlib.sha256()
    for dist in ("ibis-framework", "sqlglot", "duckdb"):
        digest.update(f"{dist}={metadata.version(dist)}\n".encode())
    package = resources.files("sanctuary_atlas.measure")
    files = [p for p in package.iterdir() if p.name.endswith(".py")]
    files += [p for p in package.joinpath("rules").iterdir() if p.is_file()]
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for table in (SOURCE_TABLE, BOUNDS_TABLE):
        digest.update(repr(con.execute(f"DESCRIBE {table}").fetchall()).encode())
    return digest.hexdigest()[:32]


def _path(store: Store, key: str) -> Path:
    return store.root / "cache" / f"{CACHE_PREFIX}{key}.json"


def _load(store: Store, key: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(_path(store, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("queries"), dict):
        return None
    if set(entry["queries"]) != set(QUERY_NAMES):
        return None
    for query in entry["queries"].values():
        if not (
            isinstance(query, dict) and isinstance(query.get("sql"), str) and isinstance(query.get("integers"), list)
        ):
            return None
    return entry


def _save(store: Store, key: str, entry: dict[str, Any]) -> None:
    path = _path(store, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({**entry, "key": key}, indent=1), encoding="utf-8")
        os.replace(tmp, path)
        for old in path.parent.glob(f"{CACHE_PREFIX}*.json"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only store still answers; it compiles every time


def _compile(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    import ibis

    from sanctuary_atlas.measure.ddor_queries import ddor_queries

    backend = ibis.duckdb.from_connection(con)
    queries = ddor_queries(backend.table(SOURCE_TABLE), backend.table(BOUNDS_TABLE))
    return {
        "queries": {
            name: {
                "sql": str(ibis.to_sql(expr, dialect="duckdb")),
                "integers": [col for col, dtype in expr.schema().items() if dtype.is_integer()],
            }
            for name, expr in queries.items()
        }
    }


def _run(con: duckdb.DuckDBPyConnection, query: dict[str, Any]) -> list[dict[str, Any]]:
    rel = con.sql(query["sql"])
    columns = rel.columns
    rows = [dict(zip(columns, values, strict=True)) for values in rel.fetchall()]
    # Ibis typed these columns as integers; make sure no engine-side wider type (a 128-bit sum, a decimal)
    # reaches the report as anything but a Python int.
    for name in query["integers"]:
        for row in rows:
            if row.get(name) is not None:
                row[name] = int(row[name])
    return rows
