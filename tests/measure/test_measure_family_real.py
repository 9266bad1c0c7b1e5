"""Tables outside the cube (``measure/cube.py``), read together with their coarser tables by ``cube_attack``.

Only the tables by state and authority type are suppressed together; any other table is protected against
them as they are published, and against its other coarser tables as the row rule alone would show them. Two
families a reader can ask for one period, each with the tables one key coarser (the attacker knows that every
finer group lies in one row of each coarser table, listed or pooled):

- by state and month, by state, by month, the nation (FY2015): nothing pinned, with the pooled groups'
  shares known to lie in some row. Assuming that fact in the suppression of such tables too took FY2015's
  "withheld" cells by state and month from 1,147 to 2,598; this attack finds nothing that would buy.
- by county and authority type, by county, by type, the nation (June 2015): pins cells, a known limit. In
  Cleveland County, OK (40027) the county row (12 detainers, not in the cube) less the one listed county-type row
  (10, shown) leaves the pooled groups' share: 2. The table by county and type does not hide that row: it is
  alone in its row of the cube by state and type, which publishes it exactly, so the suppression counts the
  share as given away by the coarser tables ("left_to_coarser_tables" in the JSON) and nothing of its own
  can change that. Whether a reader can know that the row is alone when it is hidden (the suppression assumes
  so) is the open question; suppressing the tables by county together with the cube would close it either
  way (docs/methodology.md, "Limits").
"""

from __future__ import annotations

import pytest
from cube_attack import CubeAttack, Pin, Table
from published import outcomes_json

from sanctuary_atlas.store import Store

K = 5
FY2015 = ("--from", "2014-10-01", "--to", "2015-09-30")
JUNE_2015 = ("--from", "2015-06-01", "--to", "2015-06-30")
_found: dict[tuple, tuple[list[Pin], int, dict]] = {}


def _attack(store: Store, keys: tuple[str, str], period: tuple[str, ...]) -> tuple[list[Pin], int, dict]:
    """The pins the attacker finds in the family of ``keys`` for ``period``, how many targets it had, and the
    finest table's published JSON; once per session (eight runs of the command and the programme)."""
    if (store.root, keys, period) not in _found:
        a, b = keys
        published: dict[tuple[str, ...], dict] = {}
        tables = []
        for combo in [(a, b), (a,), (b,), ()]:
            published[combo] = outcomes_json(store, ",".join(combo), period, K)
            tables.append(Table.read(combo, published[combo], outcomes_json(store, ",".join(combo), period, 0)))
        attack = CubeAttack(tables, K)
        _found[store.root, keys, period] = (attack.pinned(), len(attack.targets), published[keys])
    return _found[store.root, keys, period]


def _failure(pins: list[Pin], targets: int) -> str:
    return "\n".join([f"{len(pins)} of {targets} small cells pinned (k={K}):", *(f"  {pin}" for pin in pins)])


@pytest.mark.slow
def test_state_by_month_read_with_its_coarser_tables_pins_no_small_cell(built_store: Store) -> None:
    pins, targets, _ = _attack(built_store, ("state", "month"), FY2015)
    if targets < 300:
        pytest.fail(f"only {targets} small hidden cells to attack: the test would prove little")
    assert not pins, _failure(pins, targets)


@pytest.mark.slow
def test_county_by_type_says_how_many_cells_it_leaves_to_its_coarser_tables(built_store: Store) -> None:
    # Every cell the attacker pins is one the table could not protect, and it counts them in its JSON.
    pins, targets, table = _attack(built_store, ("county_fips", "authority_type"), JUNE_2015)
    assert targets >= 300, f"only {targets} small hidden cells to attack"
    assert len(pins) <= table["left_to_coarser_tables"], _failure(pins, targets)


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="known limit: the tables by county are not suppressed together with the cube by state and type; a "
    "county's row less a listed county-type row gives a pooled share away (module docstring)",
)
def test_county_by_type_read_with_its_coarser_tables_pins_no_small_cell(built_store: Store) -> None:
    pins, targets, _ = _attack(built_store, ("county_fips", "authority_type"), JUNE_2015)
    assert not pins, _failure(pins, targets)
