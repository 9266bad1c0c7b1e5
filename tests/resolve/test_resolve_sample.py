"""Precision on the hand-checked sample (tests/resolve/data/hand_checked_facilities.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

from sanctuary_atlas.resolve.gazetteer import Gazetteer
from sanctuary_atlas.resolve.report import evaluate_sample
from sanctuary_atlas.resolve.rules import AUTHORITY_TYPES

SAMPLE = Path(__file__).parent / "data" / "hand_checked_facilities.csv"


def test_sample_is_large_and_valid() -> None:
    gaz = Gazetteer.load()
    with open(SAMPLE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 150
    assert sum(r["selection"] == "random_by_volume" for r in rows) >= 100
    keys = {(r["facility_name"], r["facility_city"], r["facility_state"]) for r in rows}
    assert len(keys) == len(rows)
    for r in rows:
        assert r["expected_authority_type"] in AUTHORITY_TYPES
        assert r["evidence"].strip()
        if r["expected_county_fips"]:
            county = gaz.county(r["expected_county_fips"])
            st = gaz.state(r["facility_state"])
            assert county is not None and st is not None and county.state == st.postal, r
            assert gaz.on_map(r["expected_county_fips"])


def test_high_confidence_precision_meets_targets() -> None:
    out = evaluate_sample(SAMPLE)
    high = out["by_confidence"]["high"]
    assert high["rows"] >= 120
    assert out["high_county_precision"] >= 0.99, out["misses"]
    assert out["high_type_precision"] >= 0.98, out["misses"]
