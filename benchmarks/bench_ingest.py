"""Ingest speed and memory against pandas/openpyxl and a bare fastexcel read, on one generated release.

    python benchmarks/bench_ingest.py --rows 200000

Each measurement runs in its own subprocess so its peak RSS is its own (read with ``os.wait4``); the
timer inside the subprocess starts after imports, so interpreter start-up is not counted. The release is
generated once and cached (see ``sanctuary_atlas.ingest.generate.cached_release``). Cases:

- ``ours``: ``ingest([file], Store(tmpdir))``: hash, read, type, Parquet write, duplicates, publish.
- ``fastexcel``: ``fastexcel.read_excel(p).load_sheet(name).to_arrow()`` for every sheet (the target).
- ``fastexcel_text``: the same with ``header_row=None, dtypes="string"``, as our reader calls it.
- ``pandas``: ``pd.read_excel(p, engine="openpyxl", header=6, sheet_name=None)`` + ``pd.to_datetime``.
- ``profile``: ``ours`` again with each stage timed (file hash, xlsx read, each kind of DuckDB statement).
- ``fy2015``: ``ours`` on the real FY2015 CSV, for rows/s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FY2015 = ROOT / "data" / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"


# --- workers (run in a subprocess each) -----------------------------------------------------------------


def _rss_now_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _work_ours(path: Path) -> dict:
    from sanctuary_atlas.ingest.pipeline import ingest
    from sanctuary_atlas.store import Store

    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        base = _rss_now_mb()
        t = time.perf_counter()
        summary = ingest([path], Store(Path(tmp)))
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "baseline_rss_mb": base, **summary.totals()}


def _work_fastexcel(path: Path, text: bool) -> dict:
    import fastexcel
    import pyarrow as pa

    base = _rss_now_mb()
    t = time.perf_counter()
    reader = fastexcel.read_excel(str(path))
    rows, sizes = 0, []
    for name in reader.sheet_names:
        if text:
            batch = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
        else:
            batch = reader.load_sheet(name).to_arrow()
        rows += batch.num_rows
        sizes.append(pa.Table.from_batches([batch]).nbytes)
        del batch
    seconds = time.perf_counter() - t
    sheet_mb = [s / 2**20 for s in sizes]
    return {"seconds": seconds, "baseline_rss_mb": base, "rows": rows, "sheet_arrow_mb": sheet_mb}


def _work_pandas(path: Path) -> dict:
    import pandas as pd

    from sanctuary_atlas.ingest.generate import DATE_COLUMNS

    base = _rss_now_mb()
    t = time.perf_counter()
    frames = pd.read_excel(path, engine="openpyxl", header=6, sheet_name=None)
    rows = 0
    for frame in frames.values():
        for column in DATE_COLUMNS & set(frame.columns):
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
        rows += len(frame)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "baseline_rss_mb": base, "rows": rows}


class _Stages:
    """Seconds and peak RSS per ingest stage; a sampler thread reads VmRSS every 10 ms."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak_mb: dict[str, float] = {}
        self.current = "other (sniff, staging, publish, Python)"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            rss = _rss_now_mb()
            if rss > self.peak_mb.get(self.current, 0.0):
                self.peak_mb[self.current] = rss

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        previous, self.current = self.current, name
        t = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t
            self.current = previous

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class _TimedConnection:
    """A DuckDB connection that books the time of each statement under the stage it belongs to."""

    def __init__(self, con, book: _Stages) -> None:
        self._con, self._book = con, book

    def execute(self, sql: str, *args):
        head = " ".join(sql.split())[:120]
        if "TEMP TABLE typed" in head:
            kind = "duckdb: typing SQL (text -> canonical, into a temp table)"
        elif head.startswith("COPY") and "duplicate_of_sheet" in sql:
            kind = "duckdb: duplicate flagging (window over all parts)"
        elif head.startswith("COPY"):
            kind = "duckdb: Parquet write (COPY ... zstd)"
        elif "max(length(" in head:
            kind = "duckdb: cell-size check"
        elif "unparseable_" in sql:
            kind = "duckdb: required-date check"
        else:
            kind = "duckdb: counts and summary queries"
        with self._book.stage(kind):
            return self._con.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


def _work_profile(path: Path) -> dict:
    import duckdb

    from sanctuary_atlas.ingest import pipeline
    from sanctuary_atlas.store import Store

    book = _Stages()
    real_connect, real_read, real_sha = duckdb.connect, pipeline.read_chunks, pipeline.file_sha256

    def connect(*args, **kwargs):
        con = real_connect(*args, **kwargs)
        return _TimedConnection(con, book) if not args else con  # only the in-memory work connection

    def read_chunks(*args, **kwargs):
        it = real_read(*args, **kwargs)
        while True:
            with book.stage("read: fastexcel text read + Arrow assembly"):
                chunk = next(it, None)
            if chunk is None:
                return
            yield chunk

    def sha(p: Path) -> str:
        with book.stage("file SHA-256"):
            return real_sha(p)

    pipeline.duckdb.connect, pipeline.read_chunks, pipeline.file_sha256 = connect, read_chunks, sha
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        t = time.perf_counter()
        pipeline.ingest([path], Store(Path(tmp)))
        total = time.perf_counter() - t
    book.stop()
    other = "other (sniff, staging, publish, Python)"
    book.seconds[other] = total - sum(v for k, v in book.seconds.items() if k != other)
    return {"seconds": total, "stages": book.seconds, "stage_peak_rss_mb": book.peak_mb}


def _worker(case: str, path: Path) -> None:
    if case in ("ours", "fy2015"):
        out = _work_ours(path)
    elif case == "fastexcel":
        out = _work_fastexcel(path, text=False)
    elif case == "fastexcel_text":
        out = _work_fastexcel(path, text=True)
    elif case == "pandas":
        out = _work_pandas(path)
    elif case == "profile":
        out = _work_profile(path)
    else:
        raise SystemExit(f"unknown case {case}")
    print(json.dumps(out))


# --- driver -------------------------------------------------------------------------------------------------


def _run(case: str, path: Path) -> dict:
    """One worker in a fresh subprocess; its own peak RSS from wait4."""
    cmd = [sys.executable, __file__, "--worker", case, "--file", str(path)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"worker {case} failed ({proc.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux: kilobytes
    return result


def _best(case: str, path: Path, repeat: int) -> dict:
    runs = [_run(case, path) for _ in range(repeat)]
    for r in runs:
        print(f"  {case}: {r['seconds']:.2f}s, peak RSS {r['peak_rss_mb']:.0f} MB", file=sys.stderr)
    best = min(runs, key=lambda r: r["seconds"])
    best["median_seconds"] = statistics.median(r["seconds"] for r in runs)
    best["runs"] = len(runs)
    return best


def _sheet_xml_mb(path: Path) -> list[float]:
    with zipfile.ZipFile(path) as zf:
        return [i.file_size / 2**20 for i in zf.infolist() if i.filename.startswith("xl/worksheets/sheet")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--sheets", type=int, default=4, help="sheets the release is split over")
    parser.add_argument("--seed", type=int, default=20231001)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each fast case (pandas runs once)")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker, args.file)
        return

    from sanctuary_atlas.ingest.generate import cached_release

    t = time.perf_counter()
    path = cached_release(args.rows, "xlsx", seed=args.seed, sheets=args.sheets)
    print(f"release: {path} ({path.stat().st_size / 2**20:.1f} MB, ready in {time.perf_counter() - t:.1f}s)",
          file=sys.stderr)  # fmt: skip
    path.read_bytes()  # warm the page cache so the first case does not pay for the disk alone
    load_before = os.getloadavg()[0]
    results: dict[str, dict] = {}
    for case in ("fastexcel", "fastexcel_text", "ours"):
        results[case] = _best(case, path, args.repeat)
    if not args.skip_pandas:
        results["pandas"] = _best("pandas", path, 1)
    results["profile"] = _run("profile", path)
    results["fy2015"] = _best("fy2015", FY2015, args.repeat)
    report = {
        "rows": args.rows,
        "sheets": args.sheets,
        "file": path.name,
        "file_mb": path.stat().st_size / 2**20,
        "sheet_xml_mb": _sheet_xml_mb(path),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "load_average": [load_before, os.getloadavg()[0]],
        "results": results,
    }  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(_markdown(report))


def _markdown(report: dict) -> str:
    res = report["results"]
    ours = res["ours"]["seconds"]
    sheet_mb = max(res["fastexcel_text"]["sheet_arrow_mb"])
    lines = [
        f"Release: {report['rows']:,} rows x 65 columns on {report['sheets']} sheets, "
        f"{report['file_mb']:.1f} MB xlsx ({max(report['sheet_xml_mb']):.0f} MB XML per sheet); "
        f"{report['machine']}; 1-min load average {report['load_average'][0]:.1f} at start, "
        f"{report['load_average'][1]:.1f} at end (other work on the machine inflates every figure alike).",
        "",
        "| case | seconds (best) | rows/s | vs ours | peak RSS MB | RSS at start MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {"ours": "ours: `ingest`", "fastexcel": "bare fastexcel (typed)",
             "fastexcel_text": "fastexcel, text (as our reader)",
             "pandas": "pandas + openpyxl + to_datetime"}  # fmt: skip
    for case, label in names.items():
        if case not in res:
            continue
        r = res[case]
        rows = r.get("rows_read", r.get("rows", report["rows"]))
        lines.append(
            f"| {label} | {r['seconds']:.2f} | {rows / r['seconds']:,.0f} | {r['seconds'] / ours:.2f}x "
            f"| {r['peak_rss_mb']:.0f} | {r['baseline_rss_mb']:.0f} |"
        )
    lines.append("")
    if "pandas" in res:
        speedup = res["pandas"]["seconds"] / ours
        lines.append(f"- ours is {speedup:.1f}x faster than pandas/openpyxl (target >= 20x)")
    ratio = ours / res["fastexcel"]["seconds"]
    lines.append(f"- ours takes {ratio:.2f}x the bare fastexcel read (target <= 1.3x)")
    lines.append(
        f"- one sheet as Arrow text: {sheet_mb:.0f} MB; whole release: "
        f"{sum(res['fastexcel_text']['sheet_arrow_mb']):.0f} MB; ours peaks at "
        f"{res['ours']['peak_rss_mb']:.0f} MB RSS "
        f"({res['ours']['peak_rss_mb'] - res['ours']['baseline_rss_mb']:.0f} MB above its start)"
    )
    fy = res["fy2015"]
    lines.append(
        f"- FY2015 CSV (real, {fy['rows_read']:,} rows): {fy['seconds']:.2f}s, "
        f"{fy['rows_read'] / fy['seconds']:,.0f} rows/s, peak RSS {fy['peak_rss_mb']:.0f} MB"
    )
    lines += ["", "Where our ingest spends its time and memory (one profiled run):", "",
              "| stage | seconds | share | peak RSS MB during stage |", "|---|---:|---:|---:|"]  # fmt: skip
    prof = res["profile"]
    peaks = prof.get("stage_peak_rss_mb", {})
    for stage, s in sorted(prof["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {stage} | {s:.2f} | {s / prof['seconds']:.0%} | {peaks.get(stage, float('nan')):.0f} |")
    lines.append(f"| total | {prof['seconds']:.2f} | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
