"""The two readers suppression runs against its own output, on relations small enough to work out by hand:
interval narrowing (``disclosure.narrow``) and the exact check (``disclosure_lp.pinned``)."""

from __future__ import annotations

from sanctuary_atlas.measure.disclosure import INF, Relations, narrow
from sanctuary_atlas.measure.disclosure_lp import pinned


def _relations(n: int, *sums: tuple[int, list[int]]) -> Relations:
    return Relations(n, list(sums))


def test_a_cell_is_pinned_by_a_published_total_less_a_published_part() -> None:
    # cells: 0 = total 10 (shown), 1 = a (true 2, shown "<5"), 2 = b (true 8, shown)
    rel = _relations(3, (0, [1, 2]))
    lo, hi = [10, 1, 8], [10, 4, 8]
    found = pinned(rel, lo, hi, [10, 2, 8], [1])
    assert list(found) == [1]
    assert found[1] == [0]  # the one relation of the proof
    narrowed_lo, narrowed_hi = list(lo), list(hi)
    narrow(rel, narrowed_lo, narrowed_hi)
    assert narrowed_lo[1] == narrowed_hi[1] == 2


def test_a_cell_two_hidden_parts_share_is_not_pinned() -> None:
    # total 10 = a + b, a = 2 and b = 8 both hidden: a can be 1..4 ("<5"), b 6..9.
    rel = _relations(3, (0, [1, 2]))
    assert pinned(rel, [10, 1, 5], [10, 4, INF], [10, 2, 8], [1]) == {}


def test_a_chain_of_relations_pins_only_once_its_last_link_is_published() -> None:
    # Two rows (issued = x + y: 4 and 4, shown) and two column totals (x: 5, y: 3, shown); x1 = 2, y1 = 2,
    # x2 = 3, y2 = 1, all shown "<5" (1..4). With x1 = t: y1 = 4 - t, x2 = 5 - t, y2 = t - 1, and the
    # labels leave t in 2..3: every cell has two possible values. Publishing x1 pins the other three,
    # y2 through two relations at once.
    # cells: 0 issued1, 1 x1, 2 y1, 3 issued2, 4 x2, 5 y2, 6 x total, 7 y total
    rel = _relations(8, (0, [1, 2]), (3, [4, 5]), (6, [1, 4]), (7, [2, 5]))
    values = [4, 2, 2, 4, 3, 1, 5, 3]
    lo = [4, 1, 1, 4, 1, 1, 5, 3]
    hi = [4, 4, 4, 4, 4, 4, 5, 3]
    assert pinned(rel, lo, hi, values, [1, 2, 4, 5]) == {}
    lo[1] = hi[1] = 2  # x1 published
    found = pinned(rel, lo, hi, values, [2, 4, 5])
    assert sorted(found) == [2, 4, 5]
    assert len(found[5]) >= 2  # y2 = issued2 - (x total - x1): no single relation gives it


def test_a_cell_free_to_grow_without_end_is_not_pinned() -> None:
    # issued (hidden, "suppressed": 5 or more) = a (known to be 2 or more, true 2) + b (shown 7): a can only
    # go up, and without end, so the programme's maximum is unbounded: free, not pinned.
    rel = _relations(3, (0, [1, 2]))
    assert pinned(rel, [5, 2, 7], [INF, INF, 7], [9, 2, 7], [1]) == {}
    # With issued shown (9), a is 9 - 7 = 2 exactly; with b hidden too (5 or more), a is 2..4 again.
    assert list(pinned(rel, [9, 2, 7], [9, INF, 7], [9, 2, 7], [1]) or {}) == [1]
    assert pinned(rel, [9, 2, 5], [9, INF, INF], [9, 2, 7], [1]) == {}


def test_the_exact_check_declines_a_programme_over_its_limit() -> None:
    rel = _relations(3, (0, [1, 2]))
    assert pinned(rel, [10, 1, 5], [10, 4, INF], [10, 2, 8], [1], limit=1) is None
    assert pinned(rel, [10, 1, 5], [10, 4, INF], [10, 2, 8], [1], limit=2) == {}
