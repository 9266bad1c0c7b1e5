from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

# The tests' shared helpers (outcome_rows.py) import by name, as tests/ingest's ingest_kit does.
sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]
FY2015 = REPO / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"
PA = REPO / "data/ice-detainers-pa-2008-2015/pa_detainers.csv.gz"
MN = REPO / "data/ice-detainers-ddp-format-mn-sample/st_cloud_denied.csv"


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("measure") / "store")
    ingest([FY2015, PA, MN], store)
    return store
