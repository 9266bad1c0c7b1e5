"""The tables one period publishes for state and authority type (by both, by state, by type, the nation),
read together by ``cube_attack``: no small count may come out exactly, not a cell of a table nor the
share of the pooled groups in a coarser row."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest
from cube_attack import CELLS, CubeAttack, Pin, Table
from outcome_rows import IN_DEN
from published import outcomes_json

from sanctuary_atlas.store import Store

K = 5
KEYS = ("state", "authority_type")
JUNE_2015 = ("--from", "2015-06-01", "--to", "2015-06-30")
FEB_2015 = ("--from", "2015-02-01", "--to", "2015-02-28")
FY2015 = ("--from", "2014-10-01", "--to", "2015-09-30")
_lattices: dict[tuple, list[Table]] = {}


def _lattice(store: Store, period: tuple[str, ...]) -> list[Table]:
    """The four tables of the period as published, each with its truth; asked once per session (eight runs of
    the command)."""
    if (store.root, period) not in _lattices:
        a, b = KEYS
        _lattices[store.root, period] = [
            Table.read(keys, *(outcomes_json(store, ",".join(keys), period, k) for k in (K, 0)))
            for keys in [(a, b), (a,), (b,), ()]
        ]
    return _lattices[store.root, period]


def _failure(pins: list[Pin], attack: CubeAttack) -> str:
    lines = [f"{len(pins)} of {len(attack.targets)} small cells pinned by the tables read together (k={K}):"]
    return "\n".join([*lines, *(f"  {pin}" for pin in pins)])


@pytest.mark.slow
@pytest.mark.parametrize(
    "period",
    [
        pytest.param(JUNE_2015, id="june-2015"),
        pytest.param(FEB_2015, id="feb-2015"),
        pytest.param(FY2015, id="fy2015"),
    ],
)
def test_the_tables_of_a_period_read_together_pin_no_small_cell(built_store: Store, period: tuple[str, ...]) -> None:
    attack = CubeAttack(_lattice(built_store, period), K)
    if len(attack.targets) < 200:
        # pytest.fail, not assert: a period with nothing to find must not pass for the expected leak.
        pytest.fail(f"only {len(attack.targets)} small hidden cells to attack: the test would prove little")
    pins = attack.pinned()
    assert not pins, _failure(pins, attack)


def _naive(table: Table) -> Table:
    """The table as a careless publisher would show it: each small cell "<k" and nothing else hidden, the groups
    under k pooled with their exact sums."""
    listed = {
        key: {c: f"<{K}" if 0 < row[c] < K else row[c] for c in CELLS}
        for key, row in table.truth.items()
        if row["issued"] >= K
    }
    small = [row for key, row in table.truth.items() if key not in listed]
    pooled = {c: sum(row[c] for row in small) for c in CELLS} | {"groups": len(small)} if small else None
    return dataclasses.replace(table, listed=listed, pooled=pooled)


@pytest.mark.slow
def test_the_attacker_pins_a_pooled_share_of_careless_tables(built_store: Store) -> None:
    # In June 2015 the groups of unknown authority type are one large listed group and three pooled ones: with
    # the rows shown whole, the type's row less the listed group is the pooled groups' share, exactly.
    attack = CubeAttack([_naive(t) for t in _lattice(built_store, JUNE_2015)], K)
    shares = [pin for pin in attack.pinned() if pin.where.startswith("R(") and pin.where.endswith(" issued")]
    assert any("('unknown',)" in pin.where and pin.truth == 4 for pin in shares), shares


@pytest.mark.slow
def test_revealing_one_hidden_cell_beside_a_published_total_pins_its_partner(built_store: Store) -> None:
    # A listed row whose denominator is shown and whose in-denominator cells are exact but for two "<k" cells:
    # revealing one must give the other away, through the row's own identity.
    fine, *rest = _lattice(built_store, JUNE_2015)
    label = f"<{K}"
    for key, row in fine.listed.items():
        hidden = [c for c in IN_DEN if row[c] == label]
        exact = all(isinstance(row[c], int) for c in [*IN_DEN, "denominator"] if c not in hidden)
        if len(hidden) == 2 and exact and 0 < fine.truth[key][hidden[1]] < K:
            break
    else:
        pytest.fail("no listed row with two small cells beside a published denominator: pick another period")
    revealed = {**fine.listed, key: {**row, hidden[0]: fine.truth[key][hidden[0]]}}
    attack = CubeAttack([dataclasses.replace(fine, listed=revealed), *rest], K)
    pins = attack.pinned()
    assert f"{fine.name} {key} {hidden[1]}" in [pin.where for pin in pins], _failure(pins, attack)


@pytest.mark.slow
@pytest.mark.parametrize("period", [JUNE_2015, ("--from", "2015-02-01", "--to", "2015-02-07")], ids=["june", "week"])
def test_the_ddor_shows_state_and_federal_custody_as_the_table_by_type_does(
    built_store: Store, period: tuple[str, ...], tmp_path
) -> None:
    # The DDOR's custody rows are rows of the table by authority type. Suppressed apart, the two showed cells
    # the other hid (4 in June 2015, 7 in that week), and one reader holds both.
    out = tmp_path / "ddor.json"
    subprocess.run(
        ["sanctuary-atlas", "ddor", *period, "--store", str(built_store.root), "--format", "json", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    custody = json.loads(out.read_text())["state_and_federal_custody"]
    by_type = {r["authority_type"]: r for r in outcomes_json(built_store, "authority_type", period, K)["rows"]}
    assert len(custody) >= 3
    assert any(isinstance(r[c], str) for r in custody for c in CELLS)
    for row in custody:
        assert {c: row[c] for c in CELLS} == {c: by_type[row["authority_type"]][c] for c in CELLS}
