"""Measure-layer speed: ``outcomes`` on DuckDB and on Spark over 10M rows, and ``build`` on real and 1M stores.

    python benchmarks/bench_measure.py                      # 10M-row measures, FY2015 and 1M-row builds
    python benchmarks/bench_measure.py --rows 2000000 --skip-spark --json out.json

The generated data are drawn from the real FY2015 release: every generated row copies the facility (name,
city, state) and the lift reason of one real FY2015 row picked by a hash of its row number, so facilities,
reasons and their joint distribution are the real ones; prepare dates spread evenly over five fiscal years.
Everything is vectorised in DuckDB (``range()`` and a join), so 10M rows take seconds, not the hours the
xlsx generator would. Generated files are cached under ``.cache/generated/`` (``SANCTUARY_ATLAS_CACHE``).

Cases:

- ``outcomes`` grouped by state x month and by facility x fiscal_year, on DuckDB and on local Spark
  (``local[2]``), the same Ibis expression for both. ``first`` includes reading Parquet metadata and, for
  Spark, JIT warm-up; ``best`` is the best of ``--repeat`` further runs. Spark start-up is timed apart.
- ``build`` (resolve distinct facilities + publish ``detainers_resolved``) on the real FY2015 store
  (target < 10 s) and on a 1M-row store (target < 60 s) made by ingesting a generated CSV in the cleaned
  (DDP) layout of ``data/ice-detainers-ddp-format-mn-sample/st_cloud_denied.csv``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import ibis

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.generate import cache_dir
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.measure import engines
from sanctuary_atlas.measure.outcomes import Period, outcomes
from sanctuary_atlas.store import Store

ROOT = Path(__file__).resolve().parents[1]
FY2015 = ROOT / "data" / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"
DDP_SAMPLE = ROOT / "data" / "ice-detainers-ddp-format-mn-sample" / "st_cloud_denied.csv"
ALL = Period(None, None)
GROUPINGS = {"state x month": ["state", "month"], "facility x fiscal_year": ["facility", "fiscal_year"]}
# Bump when the generated shape changes, so a stale cached file is never reused.
GENERATOR_VERSION = 1


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _load() -> float:
    return os.getloadavg()[0]


# --- data -----------------------------------------------------------------------------------------------


def _real_rows(con: duckdb.DuckDBPyConnection, fy2015_store: Store) -> None:
    """``real``: the FY2015 rows numbered 0..n-1, the pool every generated row copies from."""
    src = fy2015_store.connect()
    pool = src.sql(
        """SELECT facility_name, facility_code, facility_city, facility_state, facility_aor, lift_reason
           FROM detainers ORDER BY source_row"""
    ).to_arrow_table()
    con.register("pool", pool)
    con.execute("CREATE OR REPLACE TABLE real AS SELECT row_number() OVER () - 1 AS k, * FROM pool")


def measure_dataset(rows: int, fy2015_store: Store) -> Path:
    """A detainer Parquet file of ``rows`` rows with the columns ``outcomes`` reads (cached)."""
    path = cache_dir() / f"measure-v{GENERATOR_VERSION}-{rows}.parquet"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    _real_rows(con, fy2015_store)
    n_real = con.execute("SELECT count(*) FROM real").fetchone()[0]
    tmp = path.with_suffix(".tmp")
    # hash() is deterministic, so the same --rows always gives the same file; 1826 days = FY2012..FY2016.
    con.execute(
        f"""COPY (
            SELECT 'bench-{rows}' AS release_id, 0::INTEGER AS source_sheet_index, g.i AS source_row,
                   DATE '2011-10-01' + (hash(g.i, 'date') % 1826)::INTEGER AS prepare_date,
                   r.facility_name, r.facility_code, r.facility_city, r.facility_state, r.facility_aor,
                   r.lift_reason, false AS is_duplicate
            FROM range({rows}) g(i) JOIN real r ON r.k = hash(g.i, 'row') % {n_real}
        ) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)"""
    )
    tmp.rename(path)
    return path


def ddp_csv(rows: int, fy2015_store: Store) -> Path:
    """A cleaned-layout (DDP) CSV of ``rows`` detainers, real facilities and reasons, unique person ids."""
    path = cache_dir() / f"ddp-v{GENERATOR_VERSION}-{rows}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    header = DDP_SAMPLE.read_text().splitlines()[0]
    columns = [c.strip('"') for c in header.split(",")]
    fill = {
        "": "g.i + 1",
        "detainer_prepare_date": "DATE '2023-10-01' + (hash(g.i, 'date') % 912)::INTEGER",
        "facility_state": "r.facility_state",
        "facility_aor": "r.facility_aor",
        "detention_facility": "r.facility_name",
        "detention_facility_code": "r.facility_code",
        "facility_city": "r.facility_city",
        "detainer_lift_reason": "r.lift_reason",
        "detainer_type": "'I247A - Immigration Detainer - Notice of Action (as of May 2025)'",
        # Unique per row, so the ingest's exact-duplicate flag (which needs a person id) finds none.
        "unique_identifier": "md5(g.i::VARCHAR)",
        "duplicate_likely": "'FALSE'",
        "file_original": "'bench.xlsx'",
        "sheet_original": "'FY2026'",
        "row_original": "g.i + 2",
    }
    select = ", ".join(f"{fill.get(c, 'NULL')} AS c{n}" for n, c in enumerate(columns))
    con = duckdb.connect()
    _real_rows(con, fy2015_store)
    n_real = con.execute("SELECT count(*) FROM real").fetchone()[0]
    body = path.with_suffix(".body")
    con.execute(
        f"""COPY (SELECT {select} FROM range({rows}) g(i) JOIN real r ON r.k = hash(g.i, 'row') % {n_real}
                  ORDER BY g.i)
            TO '{body}' (FORMAT csv, HEADER false, NULLSTR 'NA')"""
    )
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out, body.open("rb") as src:
        out.write((header + "\n").encode())
        shutil.copyfileobj(src, out, 1 << 20)
    body.unlink()
    tmp.rename(path)
    return path


# --- cases ----------------------------------------------------------------------------------------------


def bench_outcomes(data: Path, repeat: int, spark: bool) -> list[dict[str, Any]]:
    tables: dict[str, Callable[[], ibis.Table]] = {
        "duckdb": lambda: ibis.duckdb.connect().read_parquet(data),
    }
    results: list[dict[str, Any]] = []
    if spark:
        startup, session = _timed(engines.spark_session)
        results.append({"case": "spark start-up", "engine": "spark", "seconds": startup})
        tables["spark"] = lambda: engines.spark_ibis_table(session.read.parquet(str(data)))
    for engine, make in tables.items():
        table = make()
        for label, keys in GROUPINGS.items():
            expr = outcomes(table, keys, ALL)
            first, out = _timed(expr.to_pyarrow)
            best = min(_timed(expr.to_pyarrow)[0] for _ in range(repeat))
            results.append(
                {
                    "case": f"outcomes by {label}",
                    "engine": engine,
                    "first": first,
                    "seconds": best,
                    "groups": out.num_rows,
                    "issued": sum(out.column("issued").to_pylist()),
                }
            )
            print(f"  {engine:6} {label:24} first {first:7.2f} s  best {best:7.2f} s", file=sys.stderr)
    engines.stop_spark()
    return results


def bench_build(label: str, sources: list[Path], workdir: Path) -> dict[str, Any]:
    """Cold: ``sanctuary-atlas build`` in a fresh process, as a user runs it (interpreter start-up, imports
    and loading the reference data included). Warm: ``build()`` again in this process, caches loaded."""
    store = Store(workdir / label.replace(" ", "-").replace(",", ""))
    ingest_s, _ = _timed(lambda: ingest(sources, store))
    main = "from sanctuary_atlas.cli import main; main()"
    command = [sys.executable, "-c", main, "build", "--store", str(store.root)]
    cold_s, _ = _timed(lambda: subprocess.run(command, check=True, capture_output=True))
    warm_s, built = _timed(lambda: build(store))
    # "Full build" in the issue is resolve + measure: add one county x month table over the built store.
    by_county = outcomes(engines.measured_table_for(store, "duckdb", True), ["county_fips", "month"], ALL)
    measure_s, _ = _timed(by_county.to_pyarrow)
    result = {
        "case": f"build {label}",
        "engine": "duckdb",
        "rows": built.detainers,
        "ingest_seconds": ingest_s,
        "first": cold_s,
        "seconds": warm_s,
        "measure_seconds": measure_s,
        "share_with_county": built.detainers_with_county / built.detainers,
        "facilities": built.facilities,
    }
    print(
        f"  build {label}: ingest {ingest_s:.2f} s, build cold {cold_s:.2f} s, warm {warm_s:.2f} s, "
        f"then outcomes by county x month {measure_s:.2f} s",
        file=sys.stderr,
    )
    shutil.rmtree(store.root, ignore_errors=True)
    return result


def report(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        f"{meta['rows']:,} generated rows; {meta['cpus']} CPUs; load {meta['load_start']:.1f} -> "
        f"{meta['load_end']:.1f}; python {meta['python']}, duckdb {meta['duckdb']}, ibis {meta['ibis']}, "
        f"pyspark {meta.get('pyspark', '-')}",
        "",
        "| case | engine | first or cold (s) | best or warm (s) | spark / duckdb |",
        "|---|---|---:|---:|---:|",
    ]
    duck = {r["case"]: r["seconds"] for r in results if r["engine"] == "duckdb"}
    for r in results:
        ratio = ""
        if r["engine"] == "spark" and r["case"] in duck:
            ratio = f"{r['seconds'] / duck[r['case']]:.1f}x"
        first = f"{r['first']:.2f}" if "first" in r else ""
        case = r["case"]
        if "rows" in r:
            case += (
                f" ({r['rows']:,} rows; before it ingest {r['ingest_seconds']:.1f} s; after it outcomes by"
                f" county x month {r['measure_seconds']:.2f} s)"
            )
        lines.append(f"| {case} | {r['engine']} | {first} | {r['seconds']:.2f} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="rows of the measures dataset")
    parser.add_argument("--build-rows", type=int, default=1_000_000, help="rows of the generated build store")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs after the first (best reported)")
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()

    meta: dict[str, Any] = {
        "rows": args.rows,
        "cpus": os.cpu_count(),
        "load_start": _load(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ibis": ibis.__version__,
    }
    if not args.skip_spark:
        import pyspark

        meta["pyspark"] = pyspark.__version__
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-measure-") as tmp:
        work = Path(tmp)
        print("FY2015 store (the pool of real rows)", file=sys.stderr)
        if not args.skip_build:
            results.append(bench_build("FY2015", [FY2015], work))
        pool = Store(work / "pool")
        ingest([FY2015], pool)
        gen_s, data = _timed(lambda: measure_dataset(args.rows, pool))
        print(f"measures dataset {data} ({gen_s:.1f} s, cached after the first run)", file=sys.stderr)
        results.extend(bench_outcomes(data, args.repeat, spark=not args.skip_spark))
        if not args.skip_build:
            gen_s, csv_path = _timed(lambda: ddp_csv(args.build_rows, pool))
            print(f"build CSV {csv_path} ({gen_s:.1f} s)", file=sys.stderr)
            results.append(bench_build(f"{args.build_rows:,}-row store", [csv_path], work))
    meta["load_end"] = _load()
    print(report(results, meta))
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
