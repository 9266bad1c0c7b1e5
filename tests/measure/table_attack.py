"""An independent attacker on suppressed tables whose rows also add up into coarser published tables
(margins), with the groups too small to list pooled into one row (``suppress_pooled``).

The attacker, written from the publication model rather than from the implementation: a
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
  when it has none). A line of exactly one listed row and nothing else is that row: the reader sees every
  cell the row rule shows of it, whatever the table hides;
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
from collections import Counter

import numpy as np
from outcome_rows import IN_DEN, NAMES, OUT_DEN, outcome_row
from scipy import sparse
from scipy.optimize import linprog

from sanctuary_atlas.measure.suppress import COMPLEMENTARY, WITHHELD, suppress_pooled, suppress_rows

CELLS = [*NAMES, "issued", "denominator"]
WIDTH = len(CELLS)
COL = {c: j for j, c in enumerate(CELLS)}
RATES = {
    "decline_rate": ("declined", "denominator"),
    "honor_rate": ("honored", "denominator"),
    "unknown_share": ("unknown", "issued", "superseded"),
}
MARGINS = [lambda r: r["state"], lambda r: "all"]
TOL = 1e-7


def sum_rows(rows: list[dict]) -> dict:
    return outcome_row({n: sum(int(r[n]) for r in rows) for n in NAMES})


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
            lines.append(_Line(list(range(len(position))), [r for r in rows if r["issued"] < k], sum_rows(rows), True))
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
            lines.append(_Line(listed, small, sum_rows([rows[i] for i in members]), False))
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


def _seen_alone(shown: dict, truth: dict, k: int) -> dict:
    """A row as a reader of both tables sees it: this table's labels, and every cell the row rule shows."""
    rule = suppress_rows([truth], k)[0]
    return {**shown, **{c: truth[c] for c in CELLS if not isinstance(rule[c], str)}}


class Attack:
    """The attacker's linear programme over a publication (``listed`` rows and ``pooled`` row as shown);
    ``rows`` (all the true rows) give the coarser tables' rows and the true values."""

    def __init__(self, rows: list[dict], k: int, margins, listed: list[dict], pooled: dict | None) -> None:
        self.k = k
        label = f"<{k}"
        true_listed = [r for r in rows if r["issued"] >= k]
        small = [r for r in rows if r["issued"] < k]
        # A listed row alone in its coarser row (the only row of its state) is published there too, as the
        # row rule at least hides it: the reader sees every cell that shows.
        alone = set()
        for margin in margins:
            keys = [margin(row) for row in rows]
            count = Counter(keys)
            alone.update(i for i, key in enumerate(keys) if key is not None and count[key] == 1)
        position = [i for i, row in enumerate(rows) if row["issued"] >= k]
        listed = [
            _seen_alone(shown, truth, k) if i in alone else shown
            for i, shown, truth in zip(position, listed, true_listed, strict=True)
        ]
        published = list(zip(listed, true_listed, strict=True))
        if small:
            published.append((pooled, sum_rows(small)))
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
                part = sum_rows(line.small)
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
            part = sum_rows(unkeyed)
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
    truth = sum_rows(small)
    assert set(CELLS) | set(RATES) <= set(pooled)
    _check_row(truth, pooled, k, whole=0 < truth["issued"] < k)


def publish(rows: list[dict], k: int, margins=MARGINS) -> tuple[list[dict], dict | None, Attack]:
    listed, pooled = suppress_pooled([dict(r) for r in rows], k, margins)
    _check_labels(rows, listed, pooled, k)
    return listed, pooled, Attack(rows, k, margins, listed, pooled)


def everything_hidden(rows: list[dict], k: int) -> tuple[list[dict], dict | None]:
    """The most any suppression can hide: every cell of the listed rows and of the pooled row shown
    "withheld" (no claim; a listed row is still known to hold at least k). Its feasible region contains
    that of every publication, so a cell pinned even here is given away by the coarser tables alone (say,
    a state's one listed county with pooled ones: the state's row less the pooled share)."""
    small = [r for r in rows if r["issued"] < k]
    listed = [dict(r, **dict.fromkeys(CELLS, WITHHELD)) for r in rows if r["issued"] >= k]
    return listed, dict(sum_rows(small), **dict.fromkeys(CELLS, WITHHELD)) if small else None


def split_pinned(rows: list[dict], k: int, margins, attack: Attack) -> tuple[list, list]:
    """The pinned target cells, split into (avoidable, unavoidable): unavoidable ones stay pinned even when
    every cell of the listed rows and the pooled row is hidden (``everything_hidden``)."""
    open_ = attack.certify(set(attack.targets))
    found = attack.pinned(open_) if open_ else []
    if not found:
        return [], []
    best = Attack(rows, k, margins, *everything_hidden(rows, k))
    cell = {f: f[0] * WIDTH + COL[f[1]] for f in found}  # both programmes number their variables alike
    doomed = {row * WIDTH + COL[column] for row, column, *_ in best.pinned(set(cell.values()) & set(best.targets))}
    return [f for f in found if cell[f] not in doomed], [f for f in found if cell[f] in doomed]


def report(
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
        truth = sum_rows(small)
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


def assert_safe(rows: list[dict], k: int, margins=MARGINS) -> tuple[list[dict], dict | None, Attack]:
    listed, pooled, attack = publish(rows, k, margins)
    avoidable, unavoidable = split_pinned(rows, k, margins, attack)
    assert not avoidable, report(rows, listed, pooled, attack, avoidable, unavoidable)
    # nothing here is given away by the margins alone
    assert not unavoidable, report(rows, listed, pooled, attack, unavoidable)
    return listed, pooled, attack
