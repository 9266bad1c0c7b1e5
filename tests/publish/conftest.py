from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

REPO = Path(__file__).resolve().parents[2]
FY2015 = REPO / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("publish") / "store")
    ingest([FY2015], store)
    build(store)
    return store
