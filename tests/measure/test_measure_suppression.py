"""Suppression: no published cell in 1..k-1, and no published total gives a hidden cell away."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_rows import IN_DEN, NAMES, OUT_DEN, outcome_row

from sanctuary_atlas.measure.suppress import COMPLEMENTARY, suppress_rows

_row = outcome_row


counts = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 400)), min_size=len(NAMES), max_size=len(NAMES))


@settings(max_examples=400, deadline=None)
@given(counts, st.integers(2, 11))
def test_no_small_cell_and_no_single_hidden_cell_in_a_published_sum(cells: list[int], k: int) -> None:
    original = _row(cells)
    out = suppress_rows([original], k)[0]
    label = f"<{k}"
    for name in [*NAMES, "issued", "denominator"]:
        value = out[name]
        if value == label:
            # "<k" is a statement about the true value: it must hold
            assert original[name] < k, (name, original[name])
        elif value != COMPLEMENTARY:
            assert not (0 < value < k), (name, value)
    hidden = {n for n in [*NAMES, "issued", "denominator"] if out[n] in (label, COMPLEMENTARY)}
    # Every published linear relation among cells, totals included: none may have exactly one hidden cell.
    equations = ([*NAMES, "issued"], [*IN_DEN, "denominator"], [*OUT_DEN, "denominator", "issued"])
    for cells_ in equations:
        assert sum(1 for c in cells_ if c in hidden) != 1, (cells_, out)
    # A hidden cell never lets a published rate give it back.
    if hidden & {"declined", "denominator"}:
        assert out["decline_rate"] is None
    if hidden & {"honored", "denominator"}:
        assert out["honor_rate"] is None
    if hidden & {"unknown", "issued", "superseded"}:
        assert out["unknown_share"] is None
    # A complement is never a cell that is zero (it would protect nothing).
    for name in hidden - {n for n in hidden if out[n] == label}:
        assert original[name] > 0, (name, out)


def test_min_cell_zero_publishes_exact_counts() -> None:
    row = _row([3, 1, 0, 0, 2, 0, 0, 0, 9])
    assert suppress_rows([row], 0) == [row]


def test_example_row_hides_the_complement() -> None:
    # honoured 40, declined 2: declined alone hidden would be issued minus the others, so one more goes.
    row = _row([40, 2, 0, 0, 30, 0, 12, 0, 20])
    out = suppress_rows([row], 5)[0]
    assert out["declined"] == "<5"
    assert sum(1 for n in NAMES if out[n] in ("<5", COMPLEMENTARY)) >= 2
    # the complement is a large cell: it is marked as hidden, not as small
    assert COMPLEMENTARY in {out[n] for n in NAMES}
    assert out["decline_rate"] is None
    assert out["honor_rate"] is not None or out["honored"] == "<5"


def test_headline_cells_are_not_the_complement_when_another_cell_can_be() -> None:
    # Travis County, FY2015 shape: transferred is small; the complement must not be the 63 declines.
    row = _row([172, 63, 0, 0, 2, 0, 150, 0, 858])
    out = suppress_rows([row], 5)[0]
    assert out["transferred"] == "<5"
    assert out["declined"] == 63 and out["honored"] == 172
    assert out["lifted_by_ice"] == COMPLEMENTARY
    assert out["decline_rate"] == 63 / (172 + 63 + 2 + 150)


def test_one_small_decline_costs_one_more_cell_not_three() -> None:
    # Maricopa County, first week of February 2015: 25 honoured, 1 declined, 35 unknown.
    row = _row([25, 1, 0, 0, 0, 0, 0, 0, 35])
    out = suppress_rows([row], 5)[0]
    assert out["declined"] == "<5" and out["honored"] == COMPLEMENTARY
    assert out["unknown"] == 35 and out["superseded"] == 0 and out["issued"] == 61


def test_small_denominator_is_not_left_alone() -> None:
    # Guam, FY2015: 13 issued, 9 unknown, 0 superseded, 4 known outcomes: denominator = 13 - 0 - 9.
    row = _row([3, 0, 0, 0, 1, 0, 0, 0, 9])
    out = suppress_rows([row], 5)[0]
    assert out["denominator"] == "<5"
    assert out["unknown"] == COMPLEMENTARY or out["issued"] == COMPLEMENTARY
    assert out["unknown_share"] is None


def _lp_range(out: dict, original: dict, k: int, target: str) -> tuple[float, float]:
    """An independent attacker: the least and greatest value of ``target`` consistent with every published
    cell, the row's sums, "<k" meaning 1..k-1 and "suppressed" meaning at least k (a linear programme)."""
    import numpy as np
    from scipy.optimize import linprog

    cells = [*NAMES, "issued", "denominator"]
    index = {c: i for i, c in enumerate(cells)}
    bounds_ = []
    for c in cells:
        if out[c] == f"<{k}":
            bounds_.append((1, k - 1))
        elif out[c] == COMPLEMENTARY:
            bounds_.append((k, None))
        else:
            bounds_.append((out[c], out[c]))
    rows = []
    for total, parts in (("issued", NAMES), ("denominator", IN_DEN), ("issued", [*OUT_DEN, "denominator"])):
        row = np.zeros(len(cells))
        row[index[total]] = -1
        for p in parts:
            row[index[p]] += 1
        rows.append(row)
    objective = np.zeros(len(cells))
    objective[index[target]] = 1
    low = linprog(objective, A_eq=np.array(rows), b_eq=np.zeros(len(rows)), bounds=bounds_)
    high = linprog(-objective, A_eq=np.array(rows), b_eq=np.zeros(len(rows)), bounds=bounds_)
    assert low.status == 0 and high.status == 0, (out, original)
    return low.fun, -high.fun


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(3, 11))  # with k = 2, "<2" can only mean 1: the label itself is exact
def test_no_small_cell_can_be_worked_out_from_the_published_row(cells: list[int], k: int) -> None:
    """Two hidden cells in a sum are not enough when the sum is small: "<5" + "<5" = 2 gives both away.
    For every cell shown as "<k", the published row must leave at least two whole values possible."""
    original = _row(cells)
    out = suppress_rows([original], k)[0]
    for name in [*NAMES, "denominator"]:
        if out[name] == f"<{k}" and original["issued"] >= k:
            low, high = _lp_range(out, original, k, name)
            assert high - low >= 1 - 1e-9, (name, low, high, out, original)


def test_two_small_cells_summing_to_two_are_protected() -> None:
    # Nevada, FY2015: not picked up 1 and transferred 1 beside 187 honoured and 240 declined; the
    # denominator 459 left exactly 2 for the two "<5" cells.
    row = _row([187, 240, 0, 1, 1, 0, 30, 0, 630])
    out = suppress_rows([row], 5)[0]
    assert out["not_picked_up"] == out["transferred"] == "<5"
    low, high = _lp_range(out, row, 5, "not_picked_up")
    assert high - low >= 1
