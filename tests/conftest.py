"""Fixtures shared across test folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

FY2015 = Path(__file__).resolve().parents[1] / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """FY2015 ingested and built (facilities resolved): for tables by county or authority and the DDOR.
    Tests read it; none writes to it."""
    store = Store(tmp_path_factory.mktemp("built") / "store")
    ingest([FY2015], store)
    build(store)
    return store
