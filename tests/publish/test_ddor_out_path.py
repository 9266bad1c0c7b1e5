"""``ddor --out``: a missing directory is refused before any work; a failed write names the user's path only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sanctuary_atlas.store import Store

WEEK = ["--from", "2015-02-01", "--to", "2015-02-07"]


def _ddor(store: Store, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sanctuary-atlas", "ddor", *WEEK, "--out", str(out), "--store", str(store.root), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in stderr, stderr
    return lines[0]


def test_a_missing_out_directory_is_refused_before_the_report_is_computed(tmp_path: Path) -> None:
    # An empty store: computing the report would fail with "holds no releases"; the --out check comes first.
    out = tmp_path / "does" / "not" / "exist" / "report.html"
    done = _ddor(Store(tmp_path / "empty"), out)
    assert done.returncode == 2, done.stderr
    line = _one_error_line(done.stderr)
    assert f"directory {out.parent} does not exist" in line and str(out) in line, line
    assert "holds no releases" not in done.stderr
    assert not (tmp_path / "does").exists()


def test_a_missing_out_directory_is_never_created(built_store: Store, tmp_path: Path) -> None:
    for fmt in ("json", "html"):
        out = tmp_path / f"new-{fmt}" / "sub" / f"report.{fmt}"
        done = _ddor(built_store, out)
        assert done.returncode == 2, (fmt, done.stdout, done.stderr)
        assert "does not exist" in _one_error_line(done.stderr)
        assert done.stdout == ""
        assert not (tmp_path / f"new-{fmt}").exists()
    # The same report into a directory that exists is written.
    out = tmp_path / "report.json"
    done = _ddor(built_store, out)
    assert done.returncode == 0 and out.stat().st_size > 0, done.stderr


def test_a_failed_write_names_the_out_path_not_the_temporary_file(built_store: Store, tmp_path: Path) -> None:
    # A file name of exactly the longest length the file system allows: --out itself is a valid name, but the
    # temporary file written beside it (".NAME.PID.tmp") is too long, so the write fails for real.
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    for fmt in ("json", "csv", "html", "pdf"):
        out = tmp_path / ("r" * (longest - len(fmt) - 1) + f".{fmt}")
        assert len(out.name) == longest
        done = _ddor(built_store, out)
        assert done.returncode == 2, (fmt, done.stderr)
        line = _one_error_line(done.stderr)
        assert line == f"error: could not write {out}: File name too long", (fmt, line)
        assert ".tmp" not in done.stderr, done.stderr
        assert not out.exists()
    assert list(tmp_path.iterdir()) == []
