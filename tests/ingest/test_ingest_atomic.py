"""The store changes all at once or not at all: idempotent re-ingest, a bad last file, a killed ingest."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ingest_kit import CLI, DDP_SAMPLE, FY2015, PA, run_cli, snapshot, staging_files, write_fy2015_csv

from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

# --- idempotent re-ingest ----------------------------------------------------------------------------


def test_same_file_again_is_a_noop(store_dir: Path) -> None:
    before = snapshot(store_dir)
    (first,) = Store(store_dir).release_ids()
    (f,) = ingest([DDP_SAMPLE], Store(store_dir)).files
    assert f.status == "already_ingested"
    assert f.release_id == first
    assert snapshot(store_dir) == before


def test_same_bytes_under_another_name_is_a_noop(store_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "renamed_copy_of_sample.csv"
    shutil.copyfile(DDP_SAMPLE, copy)
    before = snapshot(store_dir)
    (f,) = ingest([copy], Store(store_dir)).files
    assert f.status == "already_ingested"
    assert snapshot(store_dir) == before
    with Store(store_dir).connect() as con:
        assert con.execute("SELECT count(*) FROM detainers").fetchone() == (22,)


def test_same_file_twice_in_one_call_loads_once(tmp_path: Path) -> None:
    copy = tmp_path / "again.csv"
    shutil.copyfile(DDP_SAMPLE, copy)
    store = Store(tmp_path / "store")
    summary = ingest([DDP_SAMPLE, copy], store)
    assert [f.status for f in summary.files] == ["ingested", "already_ingested"]
    assert summary.totals()["rows_read"] == 22
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM detainers").fetchone() == (22,)
        assert con.execute("SELECT count(*) FROM releases").fetchone() == (1,)


def test_cli_reingest_says_so(store_dir: Path) -> None:
    before = snapshot(store_dir)
    proc = run_cli("ingest", DDP_SAMPLE, "--store", store_dir)
    assert proc.returncode == 0, proc.stderr
    assert "already ingested" in proc.stdout.lower()
    assert snapshot(store_dir) == before


# --- a bad file among good ones -----------------------------------------------------------------------


def _bad_csv(tmp_path: Path) -> Path:
    return write_fy2015_csv(tmp_path / "bad_dates.csv", [["garbage", "I247", "X", "PA", "YORK", ""]] * 5)


def test_bad_last_file_leaves_no_trace_of_good_ones(store_dir: Path, tmp_path: Path, good_xlsx: Path) -> None:
    before = snapshot(store_dir)
    with pytest.raises(IngestError) as info:
        ingest([PA, good_xlsx, _bad_csv(tmp_path)], Store(store_dir))
    assert Path(info.value.file).name == "bad_dates.csv"
    assert snapshot(store_dir) == before
    assert staging_files(store_dir) == []
    with Store(store_dir).connect() as con:
        assert con.execute("SELECT count(*) FROM detainers").fetchone() == (22,)


def test_bad_last_file_cli(store_dir: Path, tmp_path: Path, good_xlsx: Path) -> None:
    before = snapshot(store_dir)
    proc = run_cli("ingest", good_xlsx, _bad_csv(tmp_path), "--store", store_dir)
    assert proc.returncode != 0
    assert snapshot(store_dir) == before
    assert staging_files(store_dir) == []


# --- killed part-way ----------------------------------------------------------------------------------


def test_killed_ingest_leaves_store_as_before(store_dir: Path, good_xlsx: Path) -> None:
    """SIGKILL a multi-file CLI ingest at several points; the store must read as before, and once the
    next ingest has tidied up, be exactly as before (or, if the kill came after publishing, complete)."""
    before = snapshot(store_dir)
    args = [str(CLI), "ingest", str(FY2015), str(PA), str(good_xlsx), "--store", str(store_dir)]
    # How long an uninterrupted run takes on this machine, so the kills land inside it.
    probe = Store(store_dir.parent / "probe")
    t0 = time.monotonic()
    subprocess.run([*args[:-1], str(probe.root)], check=True, capture_output=True)
    full = time.monotonic() - t0
    kills = 0
    for fraction in (0.2, 0.5, 0.85):
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * fraction)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        after = snapshot(store_dir)
        if after["catalog"] != before["catalog"]:
            # The kill landed after the commit: then all three releases are there, not some.
            assert len(after["catalog"]["releases"]) == len(before["catalog"]["releases"]) + 3
            return
        with Store(store_dir).connect() as con:
            assert con.execute("SELECT count(*) FROM detainers").fetchone() == (22,)
        # The next ingest (here a no-op re-ingest) clears what the killed one left behind.
        assert [f.status for f in ingest([DDP_SAMPLE], Store(store_dir)).files] == ["already_ingested"]
        assert snapshot(store_dir) == before
        assert staging_files(store_dir) == []
    assert kills >= 2, f"only {kills} kills landed mid-ingest (run takes {full:.1f}s)"


def test_second_ingest_does_not_destroy_a_running_one(store_dir: Path, good_xlsx: Path) -> None:
    store = Store(store_dir)
    second: list[subprocess.CompletedProcess[str]] = []

    def on_event(event: str, data: dict) -> None:
        if event == "chunk_done" and not second:
            second.append(run_cli("ingest", good_xlsx, "--store", store_dir))

    (first,) = ingest([PA], store, on_event).files
    assert second, "the second ingest never ran"
    assert first.status == "ingested"
    # The second may succeed or refuse cleanly (store busy); it must not break the first.
    assert second[0].returncode == 0 or "Traceback" not in second[0].stderr
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM detainers WHERE release_id = ?", [first.release_id]).fetchone() == (
            32_757,
        )
