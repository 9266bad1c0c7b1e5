"""Rows flagged as duplicates at ingest count nowhere in the DDOR, the fidelity flags included.

The releases bundled have no duplicate rows, so this builds a small one in the cleaned (DDP) layout from
the bundled sample's own header and a row of it: six declines at a county jail on six dates, then seven
more on one date, either as copies of a row (duplicates: same person, every field equal) or as seven other
people. Only the second may raise "declines concentrated on one date".
"""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from sanctuary_atlas.build import build
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

from .conftest import REPO

SAMPLE = REPO / "data/ice-detainers-ddp-format-mn-sample/st_cloud_denied.csv"


def _release(path: Path, extra_people: bool) -> Path:
    with SAMPLE.open(newline="") as handle:
        header, template = list(csv.reader(handle))[:2]
    col = {name: i for i, name in enumerate(header)}

    def row(day: int, person: str) -> list[str]:
        r = list(template)
        r[col["detainer_prepare_date"]] = f"2026-02-{day:02d}"
        r[col["detention_facility"]] = "HENNEPIN COUNTY JAIL"
        r[col["detention_facility_code"]] = "NA"
        r[col["facility_city"]] = "MINNEAPOLIS"
        r[col["facility_state"]] = "MINNESOTA"
        r[col["detainer_lift_reason"]] = "Detainer Declined by LEA"
        r[col["unique_identifier"]] = person
        return r

    rows = [row(day, f"person-{day}") for day in range(2, 8)]
    rows += [row(3, f"other-{i}" if extra_people else "person-3") for i in range(7)]
    for i, r in enumerate(rows, start=1):
        r[0] = str(i)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("extra_people", [False, True], ids=["copies", "other-people"])
def test_duplicates_count_nowhere(tmp_path: Path, extra_people: bool) -> None:
    store = Store(tmp_path / "store")
    summary = ingest([_release(tmp_path / "hennepin.csv", extra_people)], store)
    assert summary.totals()["rows_duplicate_flagged"] == (0 if extra_people else 7)
    build(store)
    out = tmp_path / "ddor.json"
    done = subprocess.run(
        [
            *("sanctuary-atlas", "ddor", "--from", "2026-02-01", "--to", "2026-02-08", "--format", "json"),
            *("--out", str(out), "--store", str(store.root)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    [row] = report["section_ii_declines"]
    assert row["authority_name"] == "Hennepin County, MN"
    assert row["declined"] == (13 if extra_people else 6)
    flags = {f["flag"] for f in report["section_iv_fidelity"]["flags"]}
    assert ("declines_concentrated_on_one_date" in flags) == extra_people
