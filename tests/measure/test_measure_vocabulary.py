"""Every lift reason in the shipped data has a bucket; the vocabulary files are internally consistent."""

from __future__ import annotations

import duckdb

from sanctuary_atlas.measure.vocabulary import bucket_names, buckets, normalise_reason, reason_map

from .conftest import FY2015, MN, PA


def _raw_reasons() -> set[str]:
    con = duckdb.connect()
    seen: set[str] = set()
    for path, col in ((FY2015, '"Detainer Lift Reason"'), (PA, "lift_reason"), (MN, "detainer_lift_reason")):
        rows = con.execute(f"SELECT DISTINCT {col} FROM read_csv('{path}', all_varchar=true)").fetchall()
        seen |= {r[0] for r in rows if r[0] not in (None, "", "NA")}
    return seen


def test_every_shipped_lift_reason_is_mapped() -> None:
    mapping = reason_map()
    unmapped = sorted(r for r in _raw_reasons() if normalise_reason(r) not in mapping)
    assert unmapped == []


def test_design_vocabulary_buckets_all_present() -> None:
    assert bucket_names() == [
        "honored",
        "declined",
        "insufficient_notice",
        "not_picked_up",
        "transferred",
        "released_other",
        "lifted_by_ice",
        "superseded",
        "unknown",
    ]
    assert {b.name for b in buckets() if not b.in_denominator} == {"superseded", "unknown"}


def test_transfers_are_never_declines() -> None:
    # The 2017 DDOR counted transfers as refusals; the vocabulary must not.
    assert reason_map()["TRANSFERRED"] == "transferred"
    assert reason_map()["DETAINER DECLINED BY LEA"] == "declined"
