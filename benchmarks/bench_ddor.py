"""DDOR speed: a fresh ``sanctuary-atlas ddor`` process per report, as a user runs it (target < 3 s, PDF included).

    python benchmarks/bench_ddor.py                     # a store of the bundled releases, 3 rounds
    python benchmarks/bench_ddor.py --store ./store --repeat 5 --json out.json

Every run is a new process, timed from launch to exit (imports, store, queries, renderers, writing). Two
cases, interleaved run by run so that the machine's drift falls on both alike:

- ``cached``: the store as ``build`` leaves it, with the report's SQL compiled (``measure/compiled.py``);
- ``compile``: the cached SQL deleted before each run, so the report imports Ibis and compiles its
  queries, as every report did before the cache. The ratio compile / cached is the cache's gain.

With ``--baseline SRC`` (the ``src`` directory of another checkout, say a ``git worktree`` of the last
commit), a third case runs that code the same way (``baseline``, cached), interleaved with the others, on
its own copy of the store: the SQL cache is keyed on the code, so two versions sharing a store would evict
each other's entries and both would compile every time. The ratio this code / baseline is then printed.

Weeks are drawn from both national and Pennsylvania data (``--weeks`` to choose others). The output is a
Markdown table of min / median / max seconds per format and case.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.measure.compiled import CACHE_PREFIX
from sanctuary_atlas.store import Store

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = [
    ROOT / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz",
    ROOT / "data/ice-detainers-pa-2008-2015/pa_detainers.csv.gz",
    ROOT / "data/ice-detainers-ddp-format-mn-sample/st_cloud_denied.csv",
]
WEEKS = ["2014-10-05", "2015-02-01", "2015-06-07", "2010-03-07"]
FORMATS = ["json", "html", "pdf"]
CASES = ["cached", "compile"]


def _run(store: Store, week: str, fmt: str, out_dir: Path, src: Path | None = None) -> float:
    """One fresh ``ddor`` process; with ``src``, the package found there (PYTHONPATH) instead of this one."""
    start = date.fromisoformat(week)
    args = ["--from", week, "--to", str(start + timedelta(days=6)), "--format", fmt]
    out = out_dir / f"ddor.{fmt}"
    command = ["sanctuary-atlas"]
    env = None
    if src is not None:
        command = [sys.executable, "-c", "from sanctuary_atlas.cli import main; main()"]
        env = {**os.environ, "PYTHONPATH": str(src)}
    began = time.perf_counter()
    subprocess.run(
        [*command, "ddor", *args, "--out", str(out), "--store", str(store.root)],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - began


def _drop_cache(store: Store) -> None:
    for path in (store.root / "cache").glob(f"{CACHE_PREFIX}*.json"):
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build one from the bundled data)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds over every week, format and case")
    parser.add_argument("--weeks", nargs="*", default=WEEKS, help="first days of the weeks to report")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    parser.add_argument("--baseline", type=Path, help="src directory of the code to compare with (cached case)")
    opts = parser.parse_args()
    cases = [*CASES, "baseline"] if opts.baseline else CASES

    with tempfile.TemporaryDirectory() as tmp:
        if opts.store:
            store = Store(opts.store)
        else:
            store = Store(Path(tmp) / "store")
            ingest(BUNDLED, store)
            build(store)
        _run(store, opts.weeks[0], "json", Path(tmp))  # the page cache warm, as for any second report
        baseline = None
        if opts.baseline:
            baseline = Store(Path(tmp) / "baseline-store")
            shutil.copytree(store.root, baseline.root)
            _run(baseline, opts.weeks[0], "json", Path(tmp), opts.baseline)  # its own SQL cache
        times: dict[tuple[str, str], list[float]] = {(f, c): [] for f in FORMATS for c in cases}
        for _ in range(opts.repeat):
            for week in opts.weeks:
                for fmt in FORMATS:
                    for case in cases:
                        if case == "compile":
                            _drop_cache(store)
                        if case == "baseline":
                            assert baseline is not None
                            times[(fmt, case)].append(_run(baseline, week, fmt, Path(tmp), opts.baseline))
                        else:
                            times[(fmt, case)].append(_run(store, week, fmt, Path(tmp)))
        _run(store, opts.weeks[0], "json", Path(tmp))  # leave the cache in place for the user's store

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{len(opts.weeks)} weeks x {opts.repeat} rounds per cell; seconds per fresh `ddor` process\n")
    print("| format | case | min | median | max | compile / cached, cached / baseline (median) |")
    print("|---|---|---:|---:|---:|---:|")
    for fmt in FORMATS:
        cached = statistics.median(times[(fmt, "cached")])
        for case in cases:
            t = times[(fmt, case)]
            ratio = ""
            if case == "compile":
                ratio = f"{statistics.median(t) / cached:.2f}x"
            elif case == "baseline":
                ratio = f"{cached / statistics.median(t):.2f}x"
            print(f"| {fmt} | {case} | {min(t):.2f} | {statistics.median(t):.2f} | {max(t):.2f} | {ratio} |")
    if opts.json:
        opts.json.write_text(json.dumps({f"{f} {c}": v for (f, c), v in times.items()}, indent=2))


if __name__ == "__main__":
    main()
