"""Fixtures for the ingest tests. Helpers live in ``ingest_kit`` (importable because of the path below)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ingest_kit import DDP_SAMPLE, FY2015, PA, make_records, run_cli, write_raw_xlsx

from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one small real release (the 2023+ sample), built once."""
    root = tmp_path_factory.mktemp("template") / "store"
    ingest([DDP_SAMPLE], Store(root))
    return root


@pytest.fixture
def store_dir(template_store: Path, tmp_path: Path) -> Path:
    """A private copy of the template store, so a test may try to damage it."""
    root = tmp_path / "store"
    shutil.copytree(template_store, root)
    return root


@pytest.fixture(scope="session")
def good_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small valid 2023+ raw workbook (two sheets), for tests that damage or reuse a real xlsx."""
    path = tmp_path_factory.mktemp("good") / "lesa_detainers_fy24_small.xlsx"
    return write_raw_xlsx(path, make_records({"FY2024": 300, "FY2025": 200}, seed=3, sparse_blank=100))


@pytest.fixture(scope="session")
def bundled_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The three bundled real files ingested once through the real CLI: (store dir, --json output)."""
    store = tmp_path_factory.mktemp("bundled") / "store"
    proc = run_cli("ingest", FY2015, PA, DDP_SAMPLE, "--store", store, "--json")
    assert proc.returncode == 0, proc.stderr
    return store, json.loads(proc.stdout)
