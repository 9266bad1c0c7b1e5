"""A store written in another format is refused with one clear message, never read wrongly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import STORE_FORMAT, Store, StoreFormatError

MN = Path(__file__).resolve().parents[1] / "data/ice-detainers-ddp-format-mn-sample/st_cloud_denied.csv"


def test_new_store_has_the_current_format_and_an_old_one_is_refused(tmp_path: Path) -> None:
    store = Store(tmp_path / "s")
    ingest([MN], store)
    with duckdb.connect(str(store.catalog_path), read_only=True) as con:
        assert con.execute("SELECT value FROM store_meta WHERE key = 'format'").fetchall() == [(STORE_FORMAT,)]
    store.connect().close()
    with duckdb.connect(str(store.catalog_path)) as con:
        con.execute("UPDATE store_meta SET value = '1' WHERE key = 'format'")
    with pytest.raises(StoreFormatError):
        store.connect()
    for args in (["status"], ["outcomes"], ["ingest", str(MN)]):
        done = subprocess.run(
            ["sanctuary-atlas", *args, "--store", str(store.root)], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 2 and "written in format 1" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
