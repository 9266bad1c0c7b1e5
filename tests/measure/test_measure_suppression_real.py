"""Suppression of real FY2015 tables from a built store (the rows `outcomes --min-cell 0` counts,
suppressed with their state, type and national margins), attacked by ``table_attack``; and the assumption
the protection rests on: a coarser table, as `outcomes` publishes it, hides at least what each of its rows
would hide on its own (the reader is assumed to know it so)."""

from __future__ import annotations

import json
import subprocess

import pytest
from outcome_rows import NAMES, outcome_row
from table_attack import CELLS, publish, report, split_pinned

from sanctuary_atlas.measure.suppress import suppress_rows
from sanctuary_atlas.store import Store

FY2015 = ["--from", "2014-10-01", "--to", "2015-09-30"]
K = 5


def _outcomes(store: Store, keys: str, period: list[str], k: int) -> list[dict]:
    args = ["--store", str(store.root), "--group-by", keys, *period, "--format", "json", "--min-cell", str(k)]
    done = subprocess.run(
        ["sanctuary-atlas", "outcomes", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)["rows"]


@pytest.mark.slow
def test_fy2015_state_by_authority_type_pins_no_small_cell(built_store: Store) -> None:
    # 268 rows, some 470 small cells; the tables by state, by authority type and the nation published too.
    # Before zeros could be withheld, one decline of 1 was pinned through published zeros and the margins.
    true = _outcomes(built_store, "state,authority_type", FY2015, 0)
    rows = [
        outcome_row({n: int(r[n]) for n in NAMES}, state=r["facility_state"], county=r["authority_type"]) for r in true
    ]
    margins = [lambda r: r["state"], lambda r: r["county"], lambda r: "all"]
    listed, pooled, attack = publish(rows, K, margins)
    assert len(attack.targets) > 400
    avoidable, unavoidable = split_pinned(rows, K, margins, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)
    assert not unavoidable, report(rows, listed, pooled, attack, unavoidable)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("keys", "period"),
    [
        ("state", FY2015),
        ("authority_type", FY2015),
        ("month", FY2015),
        ("state", ["--from", "2015-02-01", "--to", "2015-02-07"]),
        ("authority_type", ["--from", "2015-06-01", "--to", "2015-06-30"]),
    ],
)
def test_a_coarser_table_hides_at_least_what_its_rows_hide_alone(
    built_store: Store, keys: str, period: list[str]
) -> None:
    true = _outcomes(built_store, keys, period, 0)
    published = _outcomes(built_store, keys, period, K)
    column = next(c for c in true[0] if c not in CELLS and not c.endswith(("_rate", "_share")))
    shown = {r[column]: r for r in published}
    alone = suppress_rows([dict(r) for r in true], K)
    assert any(isinstance(r[c], str) for r in alone for c in CELLS)  # the row rule hides something here
    for truth, own in zip(true, alone, strict=True):
        row = shown.get(truth[column])
        if row is None:  # pooled: the reader sees less still
            assert truth["issued"] < K
            continue
        revealed = [c for c in CELLS if isinstance(own[c], str) and not isinstance(row[c], str)]
        assert not revealed, (truth[column], revealed)
