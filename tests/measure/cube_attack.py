"""An attacker that reads together every table one period publishes for a lattice of keys (by a and b, by
a, by b, the nation), written from the publication model of ``outcomes`` and not from its code.

A linear programme (scipy's HiGHS) with a variable for every count cell of every listed row and every
pooled row of every table, and, for each finer table F and coarser table C (C's keys are F's less one)
when F pools groups, the unseen share R(F, C, c) >= 0 of F's pooled groups in each listed row c of C, and
R(F, C, pool) in C's pooled row. The reader knows:

- per row, pooled row and share: issued = all buckets; denominator = the in-denominator buckets;
  issued = denominator + the out-of-denominator buckets;
- a number is exact; "<k" is 1..k-1 (0..k-1 for the cells of a pooled row whose issued is "<k");
  "suppressed" is >= k; "withheld" is >= 0; a listed row has issued >= k; a pooled row of n groups has
  issued n..n(k-1) (each pooled group holds 1..k-1 detainers);
- per pair (F, C) and column: c = F's listed rows in c + R(F, C, c); C's pooled row = F's listed rows
  in no listed row of C + R(F, C, pool); F's pooled row = the sum of its shares R(F, C, .), since each of
  its groups lies in one row of C, listed or pooled.

Targets: every cell shown "<k" or "withheld" whose true value is 1..k-1, and every share cell whose true
value is 1..k-1. A target is pinned when its least and greatest values over the programme are less than 1
apart.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from outcome_rows import IN_DEN, NAMES, OUT_DEN
from scipy import sparse
from scipy.optimize import linprog

CELLS = [*NAMES, "issued", "denominator"]
WIDTH = len(CELLS)
COL = {c: j for j, c in enumerate(CELLS)}
COLUMN = {"state": "facility_state"}  # the key columns ``outcomes`` names apart from their --group-by key
CAP = 10.0**7  # stands for "no upper bound": far above any count, so a capped cell is never pinned
TOL = 1e-6
POOL = "pooled"
UNSEEN = "unseen"  # what a share R "shows"

Key = tuple


class ModelError(Exception):
    """The publication does not fit the model (nor the truth the publication): the attacker is wrong, not the
    tables safe. Not an AssertionError, so that a test expecting a leak cannot mistake it for one."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ModelError(message)


@dataclass
class Table:
    """One published table: its listed rows and pooled row as shown, and the true rows (``--min-cell 0``)."""

    keys: tuple[str, ...]
    listed: dict[Key, dict]
    pooled: dict | None
    truth: dict[Key, dict]

    @classmethod
    def read(cls, keys: tuple[str, ...], published: dict, true: dict) -> Table:
        columns = [COLUMN.get(k, k) for k in keys]

        def by_key(rows: list[dict]) -> dict[Key, dict]:
            out = {tuple(r[c] for c in columns): r for r in rows}
            _require(len(out) == len(rows), f"rows of {keys} with one key twice")
            return out

        _require("pooled" not in true, "the truth pools groups: was it asked with --min-cell 0?")
        return cls(keys, by_key(published["rows"]), published.get("pooled"), by_key(true["rows"]))

    @property
    def name(self) -> str:
        return "x".join(self.keys) or "nation"

    def pooled_truth(self) -> dict[str, int]:
        return _sum(r for key, r in self.truth.items() if key not in self.listed)


def _sum(rows: Iterable[dict]) -> dict[str, int]:
    rows = list(rows)
    return {c: sum(int(r[c]) for r in rows) for c in CELLS}


@dataclass
class Pin:
    """A target the attacker finds exactly (or to within less than 1): where, as shown, its truth, its range."""

    where: str
    shown: object
    truth: int
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.where}: shown {self.shown!r}, true {self.truth}, LP range [{self.low:.3f}, {self.high:.3f}]"


class CubeAttack:
    """The programme over the tables of one lattice (any order; pairs are found by their keys)."""

    def __init__(self, tables: list[Table], k: int) -> None:
        self.k = k
        self.bounds: list[tuple[float, float]] = []
        self.truth: list[int] = []
        self.where: list[str] = []
        self.shown: list[object] = []
        self.targets: list[int] = []
        self._eq: tuple[list[int], list[int], list[float]] = ([], [], [])
        self._n_eq = 0
        base: dict[tuple[str, object], int] = {}
        for t in tables:
            for key, row in t.listed.items():
                base[t.name, key] = self._block(f"{t.name} {key}", row, t.truth[key], listed=True)
            if t.pooled is not None:
                groups = t.pooled["groups"]
                _require(groups == len(t.truth) - len(t.listed), f"{t.name}: pooled groups miscounted")
                base[t.name, POOL] = self._block(f"{t.name} pooled", t.pooled, t.pooled_truth(), groups=groups)
        for fine in tables:
            for coarse in tables:
                if len(coarse.keys) == len(fine.keys) - 1 and set(coarse.keys) < set(fine.keys):
                    self._margin(fine, coarse, base)
        x = np.array(self.truth, dtype=float)
        low, high = np.array(self.bounds).T
        # The truth is one reading of the publication: if it breaks the model, the model is wrong.
        outside = [self.where[v] for v in np.flatnonzero((x < low) | (x > high))]
        _require(not outside, f"true values outside the bounds their labels give: {outside}")
        self.a_eq = sparse.csr_array((self._eq[2], self._eq[:2]), shape=(self._n_eq, len(self.truth)))
        broken = np.flatnonzero(self.a_eq @ x)
        _require(not len(broken), f"the truth breaks {len(broken)} relations of the model")

    def _block(self, where: str, shown: dict | None, truth: dict, listed: bool = False, groups: int = 0) -> int:
        """Twelve variables for a row (``shown`` as published; None for an unseen share), with its bounds and
        identities; returns the first."""
        start = len(self.truth)
        label = f"<{self.k}"
        whole = shown is not None and shown["issued"] == label
        for c in CELLS:
            value = shown[c] if shown is not None else UNSEEN
            if isinstance(value, int):
                low, high = value, value
            elif value == label:
                # A pooled row shown "<k" whole may hold zeros under its other labels.
                low, high = (0 if whole and c != "issued" else 1), self.k - 1
            elif value == "suppressed":
                low, high = self.k, CAP
            else:  # "withheld", or a share nobody sees
                low, high = 0, CAP
            if c == "issued" and listed:
                low = max(low, self.k)
            if c == "issued" and groups:
                low, high = max(low, groups), min(high, groups * (self.k - 1))
            if 0 < truth[c] < self.k and value in (label, "withheld", UNSEEN):
                self.targets.append(len(self.truth))
            self.where.append(f"{where} {c}")
            self.shown.append(value)
            self.truth.append(int(truth[c]))
            self.bounds.append((low, high))
        cell = {c: start + j for j, c in enumerate(CELLS)}
        self._equation([(cell["issued"], -1.0)] + [(cell[c], 1.0) for c in NAMES])
        self._equation([(cell["denominator"], -1.0)] + [(cell[c], 1.0) for c in IN_DEN])
        self._equation([(cell["issued"], -1.0), (cell["denominator"], 1.0)] + [(cell[c], 1.0) for c in OUT_DEN])
        return start

    def _equation(self, terms: list[tuple[int, float]]) -> None:
        for var, coef in terms:
            self._eq[0].append(self._n_eq)
            self._eq[1].append(var)
            self._eq[2].append(coef)
        self._n_eq += 1

    def _margin(self, fine: Table, coarse: Table, base: dict[tuple[str, object], int]) -> None:
        """The relations between a finer table and a coarser one, with the shares of the finer's pooled
        groups in each row of the coarser."""
        at = [fine.keys.index(key) for key in coarse.keys]

        def up(key: Key) -> Key:
            return tuple(key[i] for i in at)

        members: dict[object, list[int]] = {}
        for key in fine.listed:
            line = _line(up(key), coarse)
            _require(line != POOL or coarse.pooled is not None, f"{fine.name} {key} is in no row of {coarse.name}")
            members.setdefault(line, []).append(base[fine.name, key])
        unlisted = [(key, r) for key, r in fine.truth.items() if key not in fine.listed]
        lines = list(coarse.listed) + ([POOL] if coarse.pooled is not None else [])
        shares = []
        for line in lines:
            parts = members.get(line, [])
            if fine.pooled is not None:
                # The truth of a share: what the coarser row holds beyond the finer table's listed rows.
                small = [r for key, r in unlisted if _line(up(key), coarse) == line]
                share = self._block(f"R({fine.name} -> {coarse.name}, {line})", None, _sum(small))
                shares.append(share)
                parts = [*parts, share]
            total = base[coarse.name, line]
            for j in range(WIDTH):
                self._equation([(total + j, -1.0)] + [(p + j, 1.0) for p in parts])
        if fine.pooled is not None:
            pooled = base[fine.name, POOL]
            for j in range(WIDTH):
                self._equation([(pooled + j, -1.0)] + [(s + j, 1.0) for s in shares])

    def solve(self, objective: np.ndarray) -> np.ndarray:
        res = linprog(objective, A_eq=self.a_eq, b_eq=np.zeros(self._n_eq), bounds=self.bounds, method="highs")
        _require(res.status == 0, f"the publication is inconsistent with the model: {res.message}")
        return res.x

    def range(self, var: int) -> tuple[float, float]:
        objective = np.zeros(len(self.truth))
        objective[var] = 1.0
        return float(self.solve(objective)[var]), float(self.solve(-objective)[var])

    def certify(self, cells: set[int], seed: int = 0) -> set[int]:
        """The cells not yet shown to range over at least 1: a feasible point at least 1 away from a
        cell's true value (feasible too) shows it, and a few programmes pushing every cell at once away
        from its truth clear most of them before one pair of programmes per cell."""
        rng = random.Random(seed)
        for attempt in range(4):
            if not cells:
                break
            objective = np.zeros(len(self.truth))
            for var in cells:
                low, high = self.bounds[var]
                up = high - self.truth[var] >= self.truth[var] - low
                up = (not up) if attempt == 1 else (rng.random() < 0.5 if attempt > 1 else up)
                objective[var] = -1.0 if up else 1.0
            x = self.solve(objective)
            cells = {v for v in cells if abs(x[v] - self.truth[v]) < 1 - TOL}
        return cells

    def pinned(self) -> list[Pin]:
        found = []
        for var in sorted(self.certify(set(self.targets))):
            low, high = self.range(var)
            if high - low < 1 - TOL:
                found.append(Pin(self.where[var], self.shown[var], self.truth[var], low, high))
        return found


def _line(key: Key, coarse: Table) -> object:
    return key if key in coarse.listed else POOL
