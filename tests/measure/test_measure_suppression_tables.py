"""Suppression of whole tables whose rows also add up into coarser published tables (margins), with the
groups too small to list pooled into one row (``suppress_pooled``).

An independent attacker, written from the publication model rather than from the implementation: a
linear programme (scipy's HiGHS) with a variable for every count cell of every listed row, of the pooled
row, of every coarser row (line) and of every unseen share of a line that comes from pooled groups. It
knows:

- per listed row, the pooled row and every coarser row: issued = all buckets; denominator = the
  in-denominator buckets; issued = denominator + the out-of-denominator buckets;
- a published number is exact; "<k" is 1..k-1; "suppressed" is >= k; "withheld" is >= 0 (no claim); a
  listed row has issued >= k; a row shown with issued "<k" (only the pooled row can be) has issued 1..k-1
  and every other cell 0..k-1;
- each margin groups all the rows (listed and pooled alike, by their own keys) into lines; a coarser
  table publishes each line as ``suppress_rows([line], k)`` shows it (from the true sums); per line and
  column: line = its listed members + R, where R >= 0 is the unseen share of its pooled members (absent
  when it has none). A line of exactly one listed row and nothing else adds nothing;
- a margin putting every row in one line (the nation): line = all listed rows + the pooled row;
- per other margin, when rows are pooled: pooled row = the R of its lines + R_none (>= 0: pooled rows
  with no key).

For every cell shown "<k" whose true value is non-zero (and every small cell shown "withheld"), and every
small non-zero cell of a coarser row's unseen share R (the pooled groups in it: one group's own counts
where it holds one), the least and greatest value it can take must be at least 1 apart. Cells that stay
pinned even when every non-zero cell of the listed rows and the pooled row is hidden are given away by the
coarser tables alone; they are reported beside a failure, not counted as one.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outcome_rows import IN_DEN, NAMES, OUT_DEN, outcome_row
from scipy import sparse
from scipy.optimize import linprog

from sanctuary_atlas.measure import suppress as suppress_module
from sanctuary_atlas.measure.suppress import COMPLEMENTARY, suppress_rows
from sanctuary_atlas.measure.vocabulary import normalise_reason, reason_map

suppress_table = getattr(suppress_module, "suppress_table", None)
suppress_pooled = getattr(suppress_module, "suppress_pooled", None)
# A hidden cell labelled with no claim about its size (0 or more).
WITHHELD = getattr(suppress_module, "WITHHELD", "withheld")
pytestmark = pytest.mark.skipif(suppress_pooled is None, reason="suppress_pooled is not there yet")

_row = outcome_row
CELLS = [*NAMES, "issued", "denominator"]
WIDTH = len(CELLS)
COL = {c: j for j, c in enumerate(CELLS)}
RATES = {
    "decline_rate": ("declined", "denominator"),
    "honor_rate": ("honored", "denominator"),
    "unknown_share": ("unknown", "issued", "superseded"),
}
MARGINS = [lambda r: r["state"], lambda r: "all"]
FY2015 = Path(__file__).resolve().parents[2] / "data/ice-detainers-fy2015-nprapps/detainers_fy2015ytd.csv.gz"
TOL = 1e-7


def _sum(rows: list[dict]) -> dict:
    return _row({n: sum(int(r[n]) for r in rows) for n in NAMES})


class _Line:
    """A row of a coarser table: the listed rows (positions among the listed) and the small rows it adds
    up; ``nation``: it takes in every row, so the pooled row stands for all its small ones."""

    def __init__(self, listed: list[int], small: list[dict], total: dict, nation: bool) -> None:
        self.listed, self.small, self.total, self.nation = listed, small, total, nation


def _lines(rows: list[dict], k: int, margins) -> tuple[list[_Line], list[tuple[list[int], list[dict]]]]:
    """The lines of every margin, and per margin that splits the small rows, the lines with small
    members (whose shares R, with R_none, add up to the pooled row) and the small rows with no key."""
    position: dict[int, int] = {}
    for i, row in enumerate(rows):
        if row["issued"] >= k:
            position[i] = len(position)
    any_small = len(position) < len(rows)
    lines: list[_Line] = []
    partitions: list[tuple[list[int], list[dict]]] = []
    for margin in margins:
        keys = [margin(row) for row in rows]
        if any_small and len(set(keys)) == 1 and keys[0] is not None:
            lines.append(_Line(list(range(len(position))), [r for r in rows if r["issued"] < k], _sum(rows), True))
            continue
        groups: dict = {}
        for i, key in enumerate(keys):
            if key is not None:
                groups.setdefault(key, []).append(i)
        shares = []
        for members in groups.values():
            listed = [position[i] for i in members if i in position]
            small = [rows[i] for i in members if i not in position]
            if not small and len(listed) < 2:
                continue
            if small:
                shares.append(len(lines))
            lines.append(_Line(listed, small, _sum([rows[i] for i in members]), False))
        if any_small:
            partitions.append((shares, [rows[i] for i, key in enumerate(keys) if key is None and i not in position]))
    return lines, partitions


def _bounds(shown: dict, truth: dict, k: int, listed: bool) -> list[tuple[float, float | None]]:
    label = f"<{k}"
    # A row hidden whole (only the pooled row can be): issued 1..k-1, every other cell 0..k-1. Its issued
    # may be relabelled "withheld"; a row with every cell hidden is then read as possibly hidden whole.
    whole = shown["issued"] == label or (
        not listed and shown["issued"] == WITHHELD and all(shown[c] in (label, WITHHELD) for c in CELLS)
    )
    out: list[tuple[float, float | None]] = []
    for c in CELLS:
        v = shown[c]
        if v == label:
            out.append((1 if c == "issued" or not whole else 0, k - 1))
        elif v == WITHHELD:
            out.append((0, None))
        elif v == COMPLEMENTARY:
            out.append((k, None))
        else:
            out.append((v, v))
    if listed:
        low, high = out[COL["issued"]]
        out[COL["issued"]] = (max(low, k), high)
    return out


def _few(items: list[str], most: int = 12) -> str:
    return str(items[:most]) + (f" (+{len(items) - most} more)" if len(items) > most else "")


class Attack:
    """The attacker's linear programme over a publication (``listed`` rows and ``pooled`` row as shown);
    ``rows`` (all the true rows) give the coarser tables' rows and the true values."""

    def __init__(self, rows: list[dict], k: int, margins, listed: list[dict], pooled: dict | None) -> None:
        self.k = k
        label = f"<{k}"
        true_listed = [r for r in rows if r["issued"] >= k]
        small = [r for r in rows if r["issued"] < k]
        published = list(zip(listed, true_listed, strict=True))
        if small:
            published.append((pooled, _sum(small)))
        self.n_listed = len(listed)
        lines, partitions = _lines(rows, k, margins)
        self.lines = lines
        bounds: list[tuple[float, float | None]] = []
        self.truth: list[int] = []
        self.targets: list[int] = []  # variables shown "<k" with a non-zero true value, or small and "withheld"
        self.where: dict[int, tuple[int, str]] = {}
        self.blocks = [f"listed{i}" for i in range(self.n_listed)] + (["pooled"] if small else [])
        for i, (shown, truth) in enumerate(published):
            for c, bound in zip(CELLS, _bounds(shown, truth, k, i < self.n_listed), strict=True):
                var = len(bounds)
                value = int(truth[c])
                self.where[var] = (i, c)
                if (shown[c] == label and value > 0) or (shown[c] == WITHHELD and 0 < value < k):
                    self.targets.append(var)
                self.truth.append(value)
                bounds.append(bound)
        pooled_base = self.n_listed * WIDTH if small else None
        line_base = len(bounds)
        coarse = suppress_rows([dict(line.total) for line in lines], k) if lines else []
        self.coarse_shown = coarse
        for li, (line, shown) in enumerate(zip(lines, coarse, strict=True)):
            self.blocks.append(f"line{li}")
            self.truth.extend(int(line.total[c]) for c in CELLS)
            bounds.extend(_bounds(shown, line.total, k, False))
        share_base: dict[int, int] = {}  # line index -> first variable of its unseen share R
        for li, line in enumerate(lines):
            if line.small and not line.nation:
                share_base[li] = len(bounds)
                self.blocks.append(f"R(line{li})")
                part = _sum(line.small)
                for c in CELLS:
                    # The pooled groups' share of a coarser row is a small count like any other (where the
                    # row holds one pooled group, it is that group's): it must not be pinned either.
                    var = len(bounds) + COL[c]
                    self.where[var] = (var // WIDTH, c)
                    if 0 < part[c] < k:
                        self.targets.append(var)
                self.truth.extend(int(part[c]) for c in CELLS)
                bounds.extend([(0, None)] * WIDTH)
        none_base = []
        for mi, (_, unkeyed) in enumerate(partitions):
            self.blocks.append(f"R_none(partition{mi})")
            none_base.append(len(bounds))
            part = _sum(unkeyed)
            self.truth.extend(int(part[c]) for c in CELLS)
            bounds.extend([(0, None)] * WIDTH)
        n = len(bounds)

        eq_rows: list[int] = []
        eq_cols: list[int] = []
        eq_vals: list[float] = []
        n_eq = 0

        def equation(terms: list[tuple[int, float]]) -> None:
            nonlocal n_eq
            for var, coef in terms:
                eq_rows.append(n_eq)
                eq_cols.append(var)
                eq_vals.append(coef)
            n_eq += 1

        for b in [*range(0, line_base, WIDTH), *range(line_base, line_base + len(lines) * WIDTH, WIDTH)]:
            equation([(b + COL["issued"], -1.0)] + [(b + COL[c], 1.0) for c in NAMES])
            equation([(b + COL["denominator"], -1.0)] + [(b + COL[c], 1.0) for c in IN_DEN])
            equation([(b + COL["issued"], -1.0), (b + COL["denominator"], 1.0)] + [(b + COL[c], 1.0) for c in OUT_DEN])
        for li, line in enumerate(lines):
            t = line_base + li * WIDTH
            parts = [m * WIDTH for m in line.listed]
            if line.nation:
                parts.append(pooled_base)
            elif li in share_base:
                parts.append(share_base[li])
            for j in range(WIDTH):
                equation([(t + j, -1.0)] + [(p + j, 1.0) for p in parts])
        for (shares, _), rest in zip(partitions, none_base, strict=True):
            parts = [share_base[li] for li in shares] + [rest]
            for j in range(WIDTH):
                equation([(pooled_base + j, -1.0)] + [(p + j, 1.0) for p in parts])
        self.a_eq = sparse.csr_array((eq_vals, (eq_rows, eq_cols)), shape=(n_eq, n))
        self.b_eq = np.zeros(n_eq)
        self.bounds = bounds
        self.n = n

    def solve(self, objective: np.ndarray, full: bool = False):
        res = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs")
        if res.status == 3:  # unbounded: far enough is as good as any distance (the cell is not pinned)
            capped = [(low, 10**7 if high is None else high) for low, high in self.bounds]
            res = linprog(objective, A_eq=self.a_eq, b_eq=self.b_eq, bounds=capped, method="highs")
        assert res.status == 0, f"the publication is inconsistent with the model: {res.message}"
        return res if full else res.x

    def name(self, var: int) -> str:
        return f"{self.blocks[var // WIDTH]}.{CELLS[var % WIDTH]}"

    def explain(self, var: int) -> str:
        """What pins ``var``: the relations and the labels' bounds the LP's optimal duals use (at the
        least and at the greatest value)."""
        out = []
        objective = np.zeros(self.n)
        objective[var] = 1.0
        a_eq = self.a_eq.tocsr()
        for sense, sign in (("min", 1.0), ("max", -1.0)):
            res = self.solve(sign * objective, full=True)
            relations = []
            for e in np.flatnonzero(np.abs(res.eqlin.marginals) > 1e-9):
                terms = a_eq[[e], :]
                total = [self.name(v) for v, c in zip(terms.indices, terms.data, strict=True) if c < 0]
                parts = [self.name(v) for v, c in zip(terms.indices, terms.data, strict=True) if c > 0]
                relations.append(f"{' + '.join(total)} = {' + '.join(parts)}")
            labels = []
            for v in np.flatnonzero((np.abs(res.lower.marginals) > 1e-9) | (np.abs(res.upper.marginals) > 1e-9)):
                low = abs(res.lower.marginals[v]) > 1e-9
                labels.append(f"{self.name(v)} {'>=' if low else '<='} {self.bounds[v][0 if low else 1]}")
            out.append(f"    {sense} {res.x[var]:g}: relations {_few(relations)}; bounds {_few(labels)}")
        return "\n".join(out)

    def range(self, var: int) -> tuple[float, float]:
        objective = np.zeros(self.n)
        objective[var] = 1.0
        return float(self.solve(objective)[var]), float(self.solve(-objective)[var])

    def certify(self, cells: set[int], seed: int = 0) -> set[int]:
        """The cells not yet shown to have a range of at least 1. A feasible point where a cell is at
        least 1 away from its true value (which is feasible too) shows that, so a few LPs that push all
        the cells at once away from their true values clear most of them."""
        rng = random.Random(seed)
        for attempt in range(4):
            if not cells:
                break
            objective = np.zeros(self.n)
            for var in cells:
                low, high = self.bounds[var]
                up = high is None or high - self.truth[var] >= self.truth[var] - low  # more room above
                if attempt == 1:
                    up = not up
                elif attempt > 1:
                    up = rng.random() < 0.5
                objective[var] = -1.0 if up else 1.0
            x = self.solve(objective)
            cells = {v for v in cells if abs(x[v] - self.truth[v]) < 1 - TOL}
        return cells

    def pinned(self, cells: set[int] | None = None) -> list[tuple[int, str, int, float, float]]:
        """Every target cell (of ``cells``) whose least and greatest possible values are less than 1 apart:
        (row, column, true value, least, greatest); row ``n_listed`` is the pooled row."""
        found = []
        for var in sorted(self.certify(set(self.targets) if cells is None else cells)):
            low, high = self.range(var)
            if high - low < 1 - TOL:
                row, column = self.where[var]
                found.append((row, column, self.truth[var], low, high))
        return found


def _check_row(before: dict, after: dict, k: int, whole: bool) -> None:
    label = f"<{k}"
    for key in set(before) - set(CELLS) - set(RATES):
        assert after[key] == before[key], key
    if after["issued"] == label:
        assert whole, (before, after)
    if whole:
        assert all(after[c] in (label, WITHHELD) for c in CELLS), (before, after)
    for c in CELLS:
        v = after[c]
        if v == label:
            assert before[c] < k, (c, before, after)
            if not whole:
                assert before[c] >= 1, (c, before, after)
        elif v == COMPLEMENTARY:
            assert before[c] >= k, (c, before, after)
        elif v == WITHHELD:
            pass  # hidden, no claim about its size
        else:
            assert isinstance(v, int), (c, v)
            assert v == before[c], (c, before, after)
            assert not 0 < v < k, (c, before, after)
    hidden = {c for c in CELLS if after[c] in (label, COMPLEMENTARY, WITHHELD)}
    for rate, inputs in RATES.items():
        if hidden.intersection(inputs):
            assert after[rate] is None, (rate, after)
        else:
            assert after[rate] == before[rate], (rate, before, after)


def _check_labels(rows: list[dict], listed: list[dict], pooled: dict | None, k: int) -> None:
    """Cell-by-cell contract of the published rows: the listed ones are the rows with issued >= k, in
    order; the others are only in the pooled row."""
    true_listed = [r for r in rows if r["issued"] >= k]
    small = [r for r in rows if r["issued"] < k]
    assert len(listed) == len(true_listed)
    for before, after in zip(true_listed, listed, strict=True):
        assert set(after) == set(before)
        _check_row(before, after, k, whole=False)
    if not small:
        assert pooled is None
        return
    assert pooled is not None
    assert pooled["groups"] == len(small)
    truth = _sum(small)
    assert set(CELLS) | set(RATES) <= set(pooled)
    _check_row(truth, pooled, k, whole=0 < truth["issued"] < k)


def _publish(rows: list[dict], k: int, margins=MARGINS) -> tuple[list[dict], dict | None, Attack]:
    listed, pooled = suppress_pooled([dict(r) for r in rows], k, margins)
    _check_labels(rows, listed, pooled, k)
    return listed, pooled, Attack(rows, k, margins, listed, pooled)


def _hide_all(row: dict, k: int) -> dict:
    label = f"<{k}"
    shown = dict(row)
    for c in CELLS:
        if 0 < row["issued"] < k or 0 < row[c] < k:
            shown[c] = label
        elif row[c] >= k:
            shown[c] = COMPLEMENTARY
    return shown


def _everything_hidden(rows: list[dict], k: int) -> tuple[list[dict], dict | None]:
    """The most any suppression labelled with "<k" and "suppressed" can hide: every non-zero cell of the
    listed rows and of the pooled row (a zero cannot be labelled so outside a row hidden whole). Its
    feasible region contains that of every such publication, so a cell pinned even here is given away by
    the margins alone (say, six cities with one detainer each in a state whose published total is 6)."""
    small = [r for r in rows if r["issued"] < k]
    listed = [_hide_all(r, k) for r in rows if r["issued"] >= k]
    return listed, _hide_all(_sum(small), k) if small else None


def _avoidable(rows: list[dict], k: int, margins, attack: Attack) -> tuple[list, list]:
    """The pinned target cells, split into (avoidable, unavoidable): unavoidable ones stay pinned even when
    every non-zero cell of the listed rows and the pooled row is hidden (``_everything_hidden``)."""
    open_ = attack.certify(set(attack.targets))
    if not open_:
        return [], []
    best = Attack(rows, k, margins, *_everything_hidden(rows, k))
    best_targets = set(best.targets)
    unavoidable = best.pinned(open_ & best_targets)  # the same variables: both programmes number cells alike
    doomed = {row * WIDTH + COL[column] for row, column, *_ in unavoidable}
    return attack.pinned(open_ - doomed), unavoidable


def _report(
    rows: list[dict], listed: list[dict], pooled: dict | None, attack: Attack, found: list, unavoidable=()
) -> str:
    k = attack.k
    out = [f"k={k}; cells the attacker pins down (row, column, true, LP min, LP max): {found}"]
    if unavoidable:
        out.append(f"  (also pinned, but by the margins alone whatever is hidden: {unavoidable})")
    true_listed = [r for r in rows if r["issued"] >= k]
    small = [r for r in rows if r["issued"] < k]
    out.append(f"  columns {CELLS}")
    for i, (a, b) in enumerate(zip(true_listed, listed, strict=True)):
        out.append(f"  listed {i}: true {[a.get('state'), a.get('county')] + [a[c] for c in CELLS]}")
        out.append(f"            shown {[b[c] for c in CELLS]}")
    for a in small:
        out.append(f"  small: true {[a.get('state'), a.get('county')] + [a[c] for c in CELLS]}")
    if pooled is not None:
        truth = _sum(small)
        out.append(f"  pooled {len(listed)}: true {[truth[c] for c in CELLS]}")
        out.append(f"            shown {[pooled[c] for c in CELLS]}")
    for li, (line, shown) in enumerate(zip(attack.lines, attack.coarse_shown, strict=True)):
        what = "nation" if line.nation else f"listed {line.listed} + {len(line.small)} small"
        out.append(f"  line{li} ({what}): true {[line.total[c] for c in CELLS]}")
        out.append(f"            shown {[shown[c] for c in CELLS]}")
    for row, column, *_ in found:
        out.append(f"  why {attack.name(row * WIDTH + COL[column])}:")
        out.append(attack.explain(row * WIDTH + COL[column]))
    return "\n".join(out)


def _assert_safe(rows: list[dict], k: int, margins=MARGINS) -> tuple[list[dict], dict | None, Attack]:
    listed, pooled, attack = _publish(rows, k, margins)
    avoidable, unavoidable = _avoidable(rows, k, margins, attack)
    assert not avoidable, _report(rows, listed, pooled, attack, avoidable, unavoidable)
    # nothing here is given away by the margins alone
    assert not unavoidable, _report(rows, listed, pooled, attack, unavoidable)
    return listed, pooled, attack


# -- the property test: small hierarchical tables ---------------------------------------------------

counts = st.lists(st.one_of(st.integers(0, 6), st.integers(0, 400)), min_size=len(NAMES), max_size=len(NAMES))
# Rows with a handful of detainers, so that pooled rows (issued < k) turn up often.
tiny = st.lists(st.sampled_from([0, 0, 0, 0, 0, 1, 1, 2]), min_size=len(NAMES), max_size=len(NAMES))
states = st.lists(st.lists(st.one_of(counts, counts, tiny), min_size=1, max_size=5), min_size=1, max_size=4)


def _table(drawn: list[list[list[int]]]) -> list[dict]:
    return [
        _row(c, state=f"S{s}", county=f"S{s}-C{j}") for s, counties in enumerate(drawn) for j, c in enumerate(counties)
    ]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=states, k=st.integers(3, 7))
def test_no_small_cell_of_a_pooled_table_can_be_worked_out_from_rows_and_margins(
    drawn: list[list[list[int]]], k: int
) -> None:
    rows = _table(drawn)
    listed, pooled, attack = _publish(rows, k)
    avoidable, unavoidable = _avoidable(rows, k, MARGINS, attack)
    assert not avoidable, _report(rows, listed, pooled, attack, avoidable, unavoidable)


# Two keys that do not nest (a state and an authority type): the table by state, the table by type and the
# nation are all published, as `outcomes --group-by state,authority_type` assumes.
CROSSED = [lambda r: r["state"], lambda r: r["county"].split("-")[1], lambda r: "all"]
crossed = st.lists(st.lists(st.one_of(counts, counts, tiny, st.none()), min_size=1, max_size=3), min_size=1, max_size=4)


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=crossed, k=st.integers(3, 7))
def test_no_small_cell_of_a_crossed_table_can_be_worked_out(drawn: list[list[list[int] | None]], k: int) -> None:
    rows = [
        _row(c, state=f"S{s}", county=f"S{s}-T{j}")
        for s, types in enumerate(drawn)
        for j, c in enumerate(types)
        if c is not None  # not every state has every type
    ]
    if not rows:
        return
    listed, pooled, attack = _publish(rows, k, CROSSED)
    avoidable, unavoidable = _avoidable(rows, k, CROSSED, attack)
    assert not avoidable, _report(rows, listed, pooled, attack, avoidable, unavoidable)


@settings(max_examples=60, deadline=None)
@given(drawn=states, k=st.integers(0, 7))
def test_without_margins_each_row_is_suppressed_on_its_own(drawn: list[list[list[int]]], k: int) -> None:
    rows = _table(drawn)
    out = suppress_table([dict(r) for r in rows], k)
    assert out == [suppress_rows([dict(r)], k)[0] for r in rows]
    if k == 0:
        assert out == rows
    assert suppress_table([dict(r) for r in rows], 0, MARGINS) == rows
    assert suppress_pooled([dict(r) for r in rows], 0, MARGINS) == (rows, None)


# -- hand examples -----------------------------------------------------------------------------------


def test_a_small_decline_is_not_given_away_by_the_state_total() -> None:
    # Declined 2 and 40 in one state's two counties: state declined = 42 is published, so hiding the 2
    # alone would leave 42 - 40. The 40 (or something that makes it unknown) has to go too.
    rows = [
        _row({"honored": 150, "declined": 2, "lifted_by_ice": 30, "unknown": 80}, state="TX", county="A"),
        _row({"honored": 90, "declined": 40, "lifted_by_ice": 12, "unknown": 60}, state="TX", county="B"),
    ]
    listed, pooled, attack = _publish(rows, 5, MARGINS[:1])
    assert pooled is None
    assert listed[0]["declined"] == "<5"
    low, high = attack.range(COL["declined"])
    assert high - low >= 1 - TOL, (low, high, listed)
    _assert_safe(rows, 5, MARGINS[:1])
    # the same with the national line on top and a third county elsewhere
    third = _row({"honored": 70, "declined": 9, "unknown": 20}, state="CA", county="C")
    _assert_safe([*rows, third], 5)


def test_a_small_county_is_pooled_and_not_given_away_by_the_state_total() -> None:
    # Issued 3 next to issued 300: the 3 is not listed but pooled; the state's issued 303 minus the 300
    # would be the pooled row's 3, so the 300 has to go (or the pooled row be unknown otherwise).
    rows = [
        _row({"honored": 1, "unknown": 2}, state="GA", county="small"),
        _row({"honored": 120, "declined": 30, "lifted_by_ice": 50, "unknown": 100}, state="GA", county="big"),
    ]
    listed, pooled, attack = _publish(rows, 5, MARGINS[:1])
    assert [r["county"] for r in listed] == ["big"]
    assert pooled is not None and pooled["groups"] == 1
    assert all(pooled[c] in ("<5", WITHHELD) for c in CELLS)
    assert listed[0]["issued"] != 300
    low, high = attack.range(len(listed) * WIDTH + COL["issued"])
    assert high - low >= 1 - TOL, (low, high, listed, pooled)
    _assert_safe(rows, 5, MARGINS[:1])
    _assert_safe(rows, 5)
    _assert_safe([*rows, _row({"honored": 200, "unknown": 7}, state="AZ", county="x")], 5)


def test_a_pooled_county_alone_in_its_state_is_not_given_away_by_the_state_total() -> None:
    # Georgia's total less its listed county is Georgia's share of the pooled row: one small county's own
    # counts (declined 2), for anyone who knows which county that is. The pooled row, summed over both
    # states, hides it; the state total less the listed county must too.
    big = {"honored": 120, "declined": 30, "lifted_by_ice": 50, "unknown": 100}
    rows = [
        _row({"honored": 1, "declined": 2}, state="GA", county="small"),
        _row(big, state="GA", county="big"),
        _row({"honored": 4}, state="AZ", county="small"),
        _row({**big, "declined": 41}, state="AZ", county="big"),
    ]
    _, pooled, attack = _publish(rows, 5)
    assert pooled is not None and pooled["groups"] == 2
    share = [b for b in attack.blocks if b.startswith("R(")]
    assert len(share) == 2  # one unseen share per state
    _assert_safe(rows, 5)


def test_small_counties_of_several_states_pool_together() -> None:
    # Small counties in two states: each state's share of the pooled row is unseen, but the shares add
    # up to the pooled row, and the nation adds up the listed rows and the pooled row.
    rows = [
        _row({"honored": 2, "declined": 1}, state="NV", county="a"),
        _row({"honored": 80, "declined": 30, "transferred": 6, "unknown": 50}, state="NV", county="b"),
        _row({"honored": 1, "unknown": 1}, state="AZ", county="c"),
        _row({"honored": 70, "declined": 35, "transferred": 9, "unknown": 40}, state="AZ", county="d"),
        _row({"honored": 20, "declined": 15, "transferred": 7, "unknown": 30}, state="AZ", county="e"),
    ]
    for k in (4, 5, 6):  # with k = 3 Nevada's small county (issued 3) is listed
        listed, pooled, _ = _assert_safe(rows, k)
        assert pooled is not None and pooled["groups"] == 2 and len(listed) == 3


def test_two_small_cells_of_one_column_in_a_state() -> None:
    # Transferred 1 and 2 in Nevada's two counties: Nevada's transferred total (3) is published only as
    # "<5", and the counties' other columns are large, so both the 1 and the 2 keep two possible values.
    rows = [
        _row({"honored": 80, "declined": 30, "transferred": 1, "unknown": 50}, state="NV", county="a"),
        _row({"honored": 60, "declined": 25, "transferred": 2, "unknown": 45}, state="NV", county="b"),
        _row({"honored": 70, "declined": 35, "transferred": 9, "unknown": 40}, state="AZ", county="c"),
        _row({"honored": 20, "declined": 15, "transferred": 7, "unknown": 30}, state="AZ", county="d"),
    ]
    _assert_safe(rows, 5)


# Tables the random property once found pinned (found by a loop over the same generator), kept as cases.
# 1: the state S1's own cells were given away by S1's margins alone, and narrowing kept finding those, so
#    the exact check never ran for S2's superseded and unknown (1 and 1: S2's total less its other counties).
# 2: a county's superseded (2), once blurred to "withheld", was still the state total less the other
#    counties' issued less their denominators: a label making no claim does not undo an equation.
# 3: a small count pinned through the denominators and buckets of several counties: hiding one published
#    cell of the reader's proof at a time only re-routed it, so late rounds hide every cell of the proof.
PINNED_ONCE = [
    (
        5,
        [
            [
                [1, 0, 0, 2, 2, 2, 2, 2, 0],
                [55, 280, 5, 28, 3, 245, 2, 5, 253],
                [0, 4, 5, 5, 383, 221, 356, 345, 1],
                [201, 6, 2, 3, 338, 6, 0, 3, 0],
                [6, 50, 397, 3, 240, 82, 91, 105, 67],
            ],
            [
                [0, 2, 0, 0, 2, 0, 0, 1, 0],
                [1, 2, 0, 0, 0, 0, 2, 1, 1],
                [1, 0, 0, 0, 0, 1, 0, 0, 0],
                [2, 6, 4, 4, 4, 22, 314, 6, 0],
            ],
            [
                [295, 19, 162, 199, 251, 191, 0, 1, 1],
                [0, 0, 0, 0, 0, 2, 1, 0, 0],
                [6, 198, 280, 225, 244, 0, 6, 399, 2],
                [138, 346, 203, 281, 5, 367, 4, 242, 2],
            ],
        ],
    ),
    (
        3,
        [
            [
                [6, 359, 101, 4, 3, 3, 4, 5, 2],
                [365, 5, 0, 189, 334, 6, 1, 248, 4],
                [5, 4, 5, 184, 98, 2, 217, 377, 0],
                [0, 0, 0, 0, 2, 1, 0, 0, 1],
                [0, 0, 0, 0, 2, 1, 0, 0, 0],
            ],
            [
                [331, 51, 4, 6, 301, 6, 4, 4, 83],
                [0, 0, 2, 0, 0, 0, 0, 0, 0],
                [303, 34, 0, 3, 132, 21, 72, 231, 2],
                [1, 1, 0, 0, 0, 0, 0, 0, 0],
            ],
            [
                [1, 0, 0, 1, 0, 1, 1, 0, 0],
                [0, 0, 0, 0, 0, 1, 0, 2, 0],
                [26, 394, 4, 239, 291, 99, 0, 6, 2],
                [2, 0, 1, 0, 2, 0, 0, 0, 0],
                [55, 223, 4, 98, 6, 328, 2, 241, 5],
            ],
            [[2, 44, 231, 0, 268, 197, 121, 5, 0], [1, 4, 5, 0, 0, 6, 6, 2, 292], [230, 0, 2, 159, 256, 47, 4, 0, 6]],
        ],
    ),
    (
        6,
        [
            [[5, 11, 14, 5, 4, 270, 2, 288, 1], [1, 0, 0, 0, 0, 0, 1, 0, 0]],
            [
                [3, 52, 4, 4, 2, 376, 2, 168, 312],
                [5, 228, 115, 239, 79, 81, 5, 92, 3],
                [272, 5, 2, 363, 396, 6, 1, 319, 1],
                [19, 2, 5, 63, 4, 81, 5, 4, 5],
                [1, 0, 2, 36, 1, 247, 126, 377, 177],
            ],
            [[248, 120, 334, 87, 5, 5, 126, 3, 381]],
        ],
    ),
]


@pytest.mark.parametrize(("k", "drawn"), PINNED_ONCE, ids=["margins-first", "withheld-still-summed", "re-routed"])
def test_tables_once_pinned_are_protected(k: int, drawn: list[list[list[int]]]) -> None:
    rows = _table(drawn)
    listed, pooled, attack = _publish(rows, k)
    avoidable, unavoidable = _avoidable(rows, k, MARGINS, attack)
    assert not avoidable, _report(rows, listed, pooled, attack, avoidable, unavoidable)


def test_what_the_margins_alone_give_away_is_set_apart() -> None:
    # The attacker's own limit, not the suppression's: with transferred 1, 1 and 1 in Nevada's three
    # counties and k = 3, Nevada's transferred total (3) is published, and three cells of 1..2 adding up to
    # 3 are all 1, whatever this table hides (the coarser table would have to protect them itself). The
    # test counts such cells as unavoidable, not as failures.
    rows = [
        _row({"honored": 80, "declined": 30, "transferred": 1, "unknown": 50}, state="NV", county="a"),
        _row({"honored": 60, "declined": 25, "transferred": 1, "unknown": 45}, state="NV", county="b"),
        _row({"honored": 70, "declined": 35, "transferred": 1, "unknown": 40}, state="NV", county="c"),
        _row({"honored": 1, "declined": 1}, state="NV", county="d"),  # pooled: all its cells are 0 or more
    ]
    best = Attack(rows, 3, MARGINS, *_everything_hidden(rows, 3))
    column = COL["transferred"]
    assert [row for row, *_ in best.pinned({column, WIDTH + column, 2 * WIDTH + column})] == [0, 1, 2]


# -- real data: FY2015, one week, by state and city --------------------------------------------------


def _fy2015_week_rows(limit_states: int | None = None) -> list[dict]:
    duckdb = pytest.importorskip("duckdb")
    mapping = reason_map()
    con = duckdb.connect()
    raw = con.execute(
        f"""
        select "State" as state, "City" as city, "Detainer Lift Reason" as reason, count(*) as n
        from read_csv_auto('{FY2015}')
        where "Prepare Date" between date '2015-02-01' and date '2015-02-07'
        group by all
        """
    ).fetchall()
    # Map reasons in Python through the vocabulary (blank is unknown; an unmapped reason counts as unknown
    # too, as in measure.outcomes), then aggregate by (state, city) with DuckDB.
    mapped = []
    for state, city, reason, n in raw:
        key = normalise_reason(reason)
        mapped.append((state, city, "unknown" if key is None else mapping.get(key, "unknown"), n))
    con.execute("create table m (state varchar, city varchar, bucket varchar, n bigint)")
    con.executemany("insert into m values (?, ?, ?, ?)", mapped)
    sums = ", ".join(f"sum(case when bucket = '{b}' then n else 0 end)::bigint as {b}" for b in NAMES)
    where = ""
    if limit_states is not None:
        where = (
            "where state in (select state from m where state is not null group by state "
            f"order by sum(n) desc, state limit {limit_states})"
        )
    rows = con.execute(
        f"select state, city, {sums} from m {where} group by state, city order by state, city"
    ).fetchall()
    return [_row([int(v) for v in r[2:]], state=r[0], county=r[1]) for r in rows]


@pytest.mark.slow
def test_fy2015_week_by_state_and_city_survives_the_attack() -> None:
    # Every state that week, cities with fewer than 5 detainers pooled; state and national margins.
    if not FY2015.exists():
        pytest.skip("FY2015 data not present")
    rows = _fy2015_week_rows()
    k = 5
    listed, pooled, attack = _publish(rows, k)
    assert pooled is not None and pooled["groups"] > 100  # most cities have a handful of detainers a week
    assert len(attack.targets) > 50
    avoidable, unavoidable = _avoidable(rows, k, MARGINS, attack)
    assert not avoidable, _report(rows, listed, pooled, attack, avoidable, unavoidable)
