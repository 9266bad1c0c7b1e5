"""The two commands as a user runs them: ``sanctuary-atlas ingest`` and ``sanctuary-atlas status``."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from ingest_kit import CLI, DDP_SAMPLE, FY2015, PA, error_lines, run_cli


@pytest.fixture
def ingested(bundled_cli: tuple[Path, dict]) -> tuple[Path, dict]:
    """``sanctuary-atlas ingest FY2015 PA SAMPLE --json`` (run once per session, in conftest)."""
    return bundled_cli


def test_ingest_json_summary(ingested: tuple[Path, dict]) -> None:
    _, out = ingested
    assert out["rows_read"] == 79_053 + 32_757 + 22
    assert out["rows_loaded"] + out["rows_quarantined"] == out["rows_read"]
    assert isinstance(out["rows_duplicate_flagged"], int)
    by_name = {Path(f["path"]).name: f for f in out["files"]}
    for path, rows in ((FY2015, 79_053), (PA, 32_757), (DDP_SAMPLE, 22)):
        f = by_name[path.name]
        assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f["rows_read"] == rows
        assert f["layout"]
        assert f["sheets"] and sum(s["rows_read"] for s in f["sheets"]) == rows
    assert by_name[FY2015.name]["layout"] != by_name[DDP_SAMPLE.name]["layout"]


def test_status_json_lists_releases_with_accounting(ingested: tuple[Path, dict]) -> None:
    store, out = ingested
    proc = run_cli("status", "--store", store, "--json")
    assert proc.returncode == 0, proc.stderr
    releases = {r["source_sha256"]: r for r in json.loads(proc.stdout)["releases"]}
    assert set(releases) == {f["sha256"] for f in out["files"]}
    for f in out["files"]:
        r = releases[f["sha256"]]
        assert (r["rows_read"], r["rows_loaded"], r["rows_quarantined"]) == (
            f["rows_read"],
            f["rows_loaded"],
            f["rows_quarantined"],
        )


def test_status_human_output(ingested: tuple[Path, dict]) -> None:
    store, out = ingested
    proc = run_cli("status", "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "79,053" in proc.stdout
    for f in out["files"]:
        assert f["release_id"] in proc.stdout


def test_ingest_human_output_shows_accounting(tmp_path: Path) -> None:
    proc = run_cli("ingest", DDP_SAMPLE, "--store", tmp_path / "store")
    assert proc.returncode == 0, proc.stderr
    assert DDP_SAMPLE.name in proc.stdout
    assert "22" in proc.stdout


def test_status_without_store_fails_cleanly(tmp_path: Path) -> None:
    proc = run_cli("status", "--store", tmp_path / "nowhere")
    assert proc.returncode != 0
    assert len(error_lines(proc.stderr)) == 1
    assert "Traceback" not in proc.stderr


def test_missing_input_file_fails_cleanly(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_release.xlsx"
    proc = run_cli("ingest", missing, "--store", tmp_path / "store")
    assert proc.returncode != 0
    (line,) = error_lines(proc.stderr)
    assert str(missing) in line
    assert not (tmp_path / "store" / "catalog.duckdb").exists()


def test_store_from_environment(tmp_path: Path) -> None:
    store = tmp_path / "env_store"
    env = {**os.environ, "SANCTUARY_ATLAS_STORE": str(store), "NO_COLOR": "1"}
    proc = subprocess.run(
        [str(CLI), "ingest", str(DDP_SAMPLE), "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (store / "catalog.duckdb").exists()
    assert json.loads(proc.stdout)["rows_read"] == 22


def test_store_path_with_an_apostrophe(tmp_path: Path) -> None:
    store = tmp_path / "o'brien" / "store"
    proc = run_cli("ingest", DDP_SAMPLE, "--store", store, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_loaded"] == 22
