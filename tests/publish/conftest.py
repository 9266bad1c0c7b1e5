"""Paths for the publish tests (the built FY2015 store is tests/conftest.py's ``built_store``)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FY2015 = REPO / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"
