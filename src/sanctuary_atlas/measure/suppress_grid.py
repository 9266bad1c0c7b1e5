"""The cells of a table under suppression, the relations a reader can use against them, and the rounds
of hiding (``suppress.py`` states the rules; this is how they are carried out).

Cells are numbered row by row (``width`` count columns each): first the table's own rows, then one
row per line (the coarser row a margin adds rows into), then one row per pooled remainder (the share of
a line that comes from groups too small to list: known to be 0 or more, nothing else). Only the table's
own cells are ever hidden here; the others are what other tables show.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Sequence
from typing import Any

from sanctuary_atlas.measure.disclosure import INF, Relations, narrow
from sanctuary_atlas.measure.margins import lines_of
from sanctuary_atlas.measure.suppress import (
    COMPLEMENTARY,
    HEADLINE,
    POOLED,
    RATE_INPUTS,
    TOTALS,
    WITHHELD,
    Joint,
    Margin,
    suppress_rows,
)
from sanctuary_atlas.measure.vocabulary import buckets

# Rounds of hiding one small cell may take before it counts as unprotectable (its relation then blurs).
MAX_TRIES = 6
# The exact check (a linear programme): after checks 1 to 3 cells are hidden (one per proof, then whole
# proofs), after check 4 zeros are withheld; from check 5 on, each proof still standing loses every published
# cell of ours, zeros included, until none is left to hide, then blurs (its relations, then the table), each
# step checked again. Withholding comes earlier when no cell of ours is left to hide in a proof.
MAX_AUDITS = 4
# Unknowns (hidden cells, and the coarser rows' cells and pooled shares the labels leave open) beyond which
# the exact check is not run: FY2015 by county and month has some 73,000, and took 524 s with the check.
# Such a table rests on interval narrowing alone, and says so (``Grid.check``).
EXACT_LIMIT = 25_000


class Grid:
    """Cells of the table's rows, then of the coarser rows (lines) the margins add them into, then of the
    unknown remainders of those lines (the pooled rows' share of each line, never published)."""

    def __init__(
        self,
        rows: list[dict[str, Any]],
        k: int,
        margins: Sequence[Margin],
        remainder: Sequence[dict[str, Any]] = (),
        pooled: int | None = None,
        pooled_shown: bool = True,
        joint: Joint | None = None,
    ):
        self.k = k
        self.joint = joint
        self.pooled = pooled
        self.names = [b.name for b in buckets()]
        self.cols = [*self.names, "issued", "denominator"]
        self.col_of = {c: j for j, c in enumerate(self.cols)}
        in_den = [self.col_of[b.name] for b in buckets() if b.in_denominator]
        out_den = [self.col_of[b.name] for b in buckets() if not b.in_denominator]
        issued, den = self.col_of["issued"], self.col_of["denominator"]
        self.row_sums = [(den, in_den), (issued, [*out_den, den]), (issued, list(range(len(self.names))))]
        self.width = width = len(self.cols)
        self.n_rows = len(rows)
        values = [int(row[c]) for row in rows for c in self.cols]
        found, partitions, alone = lines_of(rows, margins, remainder, pooled, pooled_shown)
        lines: list[tuple[list[int], int | None]] = []  # own members, and the remainder's index if any
        rest_values: list[list[int]] = []
        self.line_margin = [mi for mi, _, _, _ in found]
        self.line_key = [key for _, key, _, _ in found]
        self.alone = alone
        for _, _, members, rest in found:
            rest_sum = [sum(int(row[c]) for row in rest) for c in self.cols] if rest else None
            values.extend(
                sum(values[m * width + j] for m in members) + (rest_sum[j] if rest_sum else 0) for j in range(width)
            )
            if rest_sum:
                rest_values.append(rest_sum)
            lines.append((members, len(rest_values) - 1 if rest_sum else None))
        # A coarser table suppressed together with this one publishes a pooled row too: the sum of its rows
        # under k, each a line here. It is one more line (members none: it adds up lines), the reader's too.
        self.pseudo: dict[int, list[int]] = {}
        for mi in sorted(set(self.line_margin)) if joint is not None else []:
            if joint.view(mi, POOLED) is None:
                continue
            keys = self.line_key
            under = [li for li, m in enumerate(self.line_margin) if m == mi and joint.view(m, keys[li]) is None]
            if not under:
                continue
            base = [(self.n_rows + li) * width for li in under]
            values.extend(sum(values[b + j] for b in base) for j in range(width))
            self.pseudo[len(lines)] = under
            self.line_margin.append(mi)
            self.line_key.append(POOLED)
            lines.append(([], None))
        self.n_coarse = n_coarse = self.n_rows + len(lines)
        n_rest_lines = len(rest_values)
        for _, unlined in partitions:  # remainder rows in no line of a margin add up into the pooled row too
            rest_values.append([sum(int(row[c]) for row in unlined) for c in self.cols])
        for rest_sum in rest_values:
            values.extend(rest_sum)
        self.values = values
        n = len(values)
        self.fixed = [i >= self.n_rows * width for i in range(n)]  # not ours to hide
        self.hidden = [False] * n
        self.primary = [False] * n
        # A remainder is known to be 0 or more, nothing else.
        self.vague = [i >= n_coarse * width for i in range(n)]
        for i in range(n_coarse * width, n):
            self.hidden[i] = True
        # A line's remainder is the pooled groups' share of it: a coarser total less the listed rows gives it,
        # and where the line holds one pooled group it is that group's count. Its small cells are guarded
        # like the table's own.
        self.n_guarded = (n_coarse + n_rest_lines) * width
        for i in range(n_coarse * width, self.n_guarded):
            self.primary[i] = 0 < values[i] < k
        self.whole = [False] * n_coarse
        for r in range(self.n_rows):
            base = r * width
            if r == pooled and not pooled_shown:  # never published: unknown to the reader, nothing to guard
                for j in range(width):
                    self.hidden[base + j] = self.vague[base + j] = self.fixed[base + j] = True
                continue
            if 0 < values[base + issued] < k:
                self.whole[r] = True  # hidden whole: every cell "<k"
                for j in range(width):
                    self.hidden[base + j] = self.primary[base + j] = True
            else:
                for j in range(width):
                    if 0 < values[base + j] < k:
                        self.hidden[base + j] = self.primary[base + j] = True
        if joint is not None:
            self._force(rows, pooled, joint)
        # A row alone in a coarser row (a county with one fiscal year in the period) is published there too,
        # under that table's suppression, which hides at least what the row rule hides: a reader of both sees
        # every cell the row rule shows, whatever this table hides, so those cells are not ours to hide.
        # Where the coarser table is suppressed together with this one, its own labels say what it shows;
        # what it hides, this row hides too (showing it here would give it away).
        # What the coarser tables' labels tell of a cell they hide, whatever this table labels it ("<k": 1 to
        # k-1), read only where the coarser table is suppressed together with this one: the row rule's labels
        # are a model of a coarser table, which may label a cell otherwise (and reading them cost a county
        # table by fiscal year over 2008-2015 twenty times the time). And per cell, the coarser rows that
        # show it (where hiding it would undo a proof).
        self.known: dict[int, tuple[float, float]] = {}
        self.shown_at: dict[int, list[tuple[int, Hashable]]] = {}
        alone_rows = sorted(alone)
        alone_views = self._views([rows[r] for r in alone_rows], [alone[r] for r in alone_rows])
        for r, views in zip(alone_rows, alone_views, strict=True):
            # Each coarser row once: (margin, key, how a table suppressed together shows it, or None).
            places = [(mi, key, joint.view(mi, key) if joint else None) for mi, key in alone[r]]
            exact = any(view is not None for _, _, view in places)
            for j, column in enumerate(self.cols):
                c = r * width + j
                labels = [view[column] for view in views]
                self.shown_at[c] = [
                    (mi, key) for mi, key, view in places if view is None or not isinstance(view[column], str)
                ]
                if any(not isinstance(label, str) for label in labels):
                    self.fixed[c] = True
                    continue
                if exact:
                    bounds = [_label_bounds(label, k) for label in labels]
                    self.known[c] = (max(b[0] for b in bounds), min(b[1] for b in bounds))
                if not self.hidden[c]:
                    self.hidden[c] = True
                    self.vague[c] = WITHHELD in labels or values[c] == 0
        # Among the tables suppressed together, where no pooled group falls outside a margin's lines (every
        # key of a table by state and type has its state row), their share there is 0: the reader sees that
        # every key has its coarser row. Used to find what to hide, not to decide what the coarser tables give
        # away whatever this table does. Not assumed of other tables (by state and month, it took "withheld"
        # from 1,147 cells to 2,598 in FY2015): an open question, docs/methodology.md.
        self.empty_shares: list[int] = []
        for pi, (_, unlined) in enumerate(partitions):
            if not unlined and joint is not None and joint.together:
                base = (n_coarse + n_rest_lines + pi) * width
                self.empty_shares.extend(range(base, base + width))
        self.known.update(dict.fromkeys(self.empty_shares, (0, 0)))
        # A pooled row says how many groups it pools, each of 1 to k-1 detainers: its issued lies between. So
        # do the pooled rows of the coarser tables suppressed together with this one.
        self.own_pool: list[int] = []
        if pooled is not None and pooled_shown:
            self._pools(pooled, rows[pooled].get("groups"))
        for li in self.pseudo:
            view = joint.view(self.line_margin[li], POOLED) if joint is not None else None
            self._pools(self.n_rows + li, view.get("groups") if view else None)
        # A coarser row is assumed shown as the row rule alone shows it: its own small cells and their
        # complements hidden, nothing more (whatever else its table hides only helps); or, where its table is
        # suppressed together with this one, as that table shows it.
        coarse = [
            dict(zip(self.cols, values[(self.n_rows + li) * width :][:width], strict=True)) for li in range(len(lines))
        ]
        places = [[(self.line_margin[li], self.line_key[li])] for li in range(len(lines))]
        for li, (shown,) in enumerate(self._views(coarse, places)):
            r = self.n_rows + li
            self.whole[r] = 0 < values[r * width + issued] < k
            for j, column in enumerate(self.cols):
                if shown[column] == f"<{k}":
                    self.hidden[r * width + j] = self.primary[r * width + j] = True
                elif shown[column] == COMPLEMENTARY:
                    self.hidden[r * width + j] = True
                elif shown[column] == WITHHELD:  # blurred by the row rule: no claim about its size
                    self.hidden[r * width + j] = self.vague[r * width + j] = True
        rel = Relations(n)
        for r in range(n_coarse):
            base = r * width
            rel.sums.extend((base + t, [base + p for p in parts]) for t, parts in self.row_sums)
        rest_base = n_coarse * width
        for li, (members, rest) in enumerate(lines):
            base = (self.n_rows + li) * width
            if li in self.pseudo:
                for j in range(width):
                    rel.sums.append((base + j, [(self.n_rows + u) * width + j for u in self.pseudo[li]]))
                continue
            for j in range(width):
                parts = [m * width + j for m in members]
                if rest is not None:
                    parts.append(rest_base + rest * width + j)
                rel.sums.append((base + j, parts))
        if pooled is not None:
            # Per margin, the remainders of its lines (and of the rows in none) add up to the pooled row.
            for pi, (mi, _) in enumerate(partitions):
                group = [rest for li, (_, rest) in enumerate(lines) if rest is not None and self.line_margin[li] == mi]
                group.append(n_rest_lines + pi)
                for j in range(width):
                    rel.sums.append((pooled * width + j, [rest_base + g * width + j for g in group]))
        self._nested(rel, lines, partitions, pooled, n_rest_lines, rest_base)
        self.rel = rel
        # Small cells no further hiding protects, with the relations that pin each (empty: a combination the
        # exact check did not name): those relations blur.
        self.unprotected: dict[int, list[int]] = {}
        # Whether the last resort has blurred the whole table (it does so once).
        self._blurred_table = False
        # Small cells the coarser tables give away by themselves, with the relations of the reader's proof.
        self.beyond: dict[int, list[int]] = {}
        # How the table was checked (``suppress.Check``): the linear programme ran unless the table is too large
        # for it, or k <= 2 leaves nothing to check ("<2" says 1 by itself).
        self.check = "exact"

    def _pools(self, r: int, groups: int | None) -> None:
        """Row ``r`` pools ``groups`` groups under k: its issued is ``groups`` to ``groups`` * (k - 1)."""
        if not groups:
            return
        c = r * self.width + self.col_of["issued"]
        if r < self.n_rows:
            self.own_pool.append(c)
        lo, hi = self.known.get(c, (0, INF))
        self.known[c] = (max(lo, groups), min(hi, groups * (self.k - 1)))

    def _views(self, rows: list[dict[str, Any]], places: list[list[tuple[int, Hashable]]]) -> list[list[dict]]:
        """Per row, how the coarser tables at ``places`` (margin, key) publish it: as the tables suppressed
        together with this one show it, or else as the row rule alone shows it."""
        joint = self.joint
        views = [[v for mi, key in at if (v := joint.view(mi, key)) is not None] if joint else [] for at in places]
        plain = [i for i, found in enumerate(views) if not found]
        for i, rule in zip(plain, suppress_rows([rows[i] for i in plain], self.k) if plain else [], strict=True):
            views[i] = [rule]
        return views

    def _force(self, rows: list[dict[str, Any]], pooled: int | None, joint: Joint) -> None:
        """Hide the cells the tables suppressed together with this one need hidden (a zero as "withheld":
        "suppressed" would claim it is at least k)."""
        for r, row in enumerate(rows):
            if r == pooled:
                continue
            for column, vague in joint.forced(row).items():
                c = r * self.width + self.col_of[column]
                if not self.hidden[c]:
                    self.hidden[c] = True
                    self.vague[c] = vague or self.values[c] == 0
                elif vague and not self.whole[r]:
                    self.vague[c] = True  # hidden under a label that gave a finer table's cell away: blurred

    def protect(self) -> None:
        """Complement every relation, then hide further cells until no small cell can be worked out; then
        tell the tables suppressed together with this one what they must hide for it."""
        self._protect()
        if self.joint is not None:
            self.joint.demands.extend(self._demands())

    def _demands(self) -> list[list[tuple[int, Hashable, str, int]]]:
        """Per cell the coarser tables give away by themselves, the published coarser cells of the reader's
        proof (a coarser row's, or one of a row alone in a coarser row and so published there), best to
        hide first as ``_pick`` ranks them, zeros last (only "withheld" can hide a zero); after them, the
        coarser rows' cells of the proof hidden under a label that carries it ("<k" says 1 to k-1), to be
        blurred: they are given with the value 0, since like a zero they can only become "withheld"."""
        width, first_line, first_rest = self.width, self.n_rows * self.width, self.n_coarse * self.width
        out = []
        for relations in self.beyond.values():
            found: dict[tuple[int, Hashable, str], int] = {}
            labelled: dict[tuple[int, Hashable, str], int] = {}
            for c in {x for r in relations for x in self._cells(r)}:
                if not self.fixed[c] or c >= first_rest or (self.hidden[c] and (self.vague[c] or c < first_line)):
                    continue
                into = labelled if self.hidden[c] else found
                column = self.cols[c % width]
                if c >= first_line:
                    li = c // width - self.n_rows
                    if li in self.pseudo or (self.hidden[c] and self.whole[c // width]):
                        continue  # a coarser pooled row has no row to hide this in; a whole row stays "<k"
                    into[(self.line_margin[li], self.line_key[li], column)] = self.values[c]
                else:
                    for mi, key in self.shown_at.get(c, ()):
                        found[(mi, key, column)] = self.values[c]

            def rank(item: tuple[tuple[int, Hashable, str], int]) -> tuple:
                (_, _, column), value = item
                return (value == 0, column in TOTALS, column in HEADLINE, value, column)

            ordered = [(mi, key, column, value) for (mi, key, column), value in sorted(found.items(), key=rank)]
            ordered += [(mi, key, column, 0) for (mi, key, column), _ in sorted(labelled.items(), key=rank)]
            out.append(ordered)
        return out

    def _protect(self) -> None:
        # Rounds each cell narrowing exposes has had hiding tried for it (a cell the exact check pins is bounded
        # by the number of checks instead).
        tries: dict[int, int] = {}
        # Cells blurred because no hiding protects them: narrowing does not offer them again; the exact check
        # still does, since hiding elsewhere or blurring may have undone the proof (or not).
        past_help: set[int] = set()
        # Cells the coarser tables give away whatever this table shows: no longer targets. The answer does not
        # change as this table hides more, so each cell is asked once.
        beyond_us: set[int] = set()
        asked: set[int] = set()
        audits = 0
        while True:
            self._complement()
            if self.k <= 2:
                self.check = "not needed"
                return  # "<2" itself says 1: there is nothing more to protect
            lo, hi, targets = self._bounds()
            targets = [c for c in targets if c not in beyond_us]
            why = self._why
            exposed = [c for c in targets if lo[c] >= hi[c] and c not in past_help]
            through: dict[int, list[int]] = {}
            if not exposed:
                # Narrowing finds nothing more: the linear programme (slower) has the last word, a few times.
                audits += 1
                # Cells narrowing gave up on are checked too: the proof the programme finds points at better
                # cells to hide than the one relation narrowing last used.
                through = self._pinned(targets)
                if through is None:
                    self.check = "interval narrowing only"
                    return
                new = [c for c in through if c not in asked]
                if new:
                    asked.update(new)
                    given = self._beyond_us(new)
                    self.beyond.update(given)
                    beyond_us |= set(given)
                    through = {c: rs for c, rs in through.items() if c not in beyond_us}
                if not through:
                    return
                if audits > MAX_AUDITS:
                    # Hiding a cell or a proof at a time has had its chances. A proof of equalities alone (two
                    # rows' issued less their denominators, their other cells shown) pins its cell whatever the
                    # labels say, so blurring cannot undo it: every published cell of ours in each proof goes,
                    # zeros as "withheld", and the check runs again. What no hiding of ours reaches blurs, with
                    # every relation it is in, then (if still pinned through the labels of hidden cells
                    # elsewhere) every hidden cell of ours, each time checked again. Every pass hides or blurs
                    # more, so this ends.
                    if self._last_resort(through):
                        continue
                    # Nothing of ours is left to hide or blur: the coarser tables give these away, with
                    # what any reader knows of this table (a listed row's issued is at least k), so the
                    # tables suppressed together are asked to hide more (``_demands``).
                    self.beyond.update(through)
                    return
                if audits == MAX_AUDITS:
                    # What still pins a cell are published zeros and coarser tables' cells: the zeros of the
                    # proof are withheld ("withheld" claims nothing, so it may hide a 0), then one more check.
                    self._withhold_zeros(through)
                    continue
                exposed = list(through)
            added = False
            stuck: dict[int, list[int]] = {}
            for cell in exposed:
                tries[cell] = tries.get(cell, 0) + 1
                if cell in through:
                    # The reader's proof runs through these relations: hiding one of their published cells
                    # takes a step of it away.
                    proof = [c for r in through[cell] for c in self._cells(r)]
                    if audits >= MAX_AUDITS - 2:
                        # One cell at a time has not undone it: the proof loses every published cell of ours.
                        for c in proof:
                            if not self.fixed[c] and not self.hidden[c] and self.values[c] > 0:
                                self.hidden[c] = added = True
                    pick = self._pick(proof)
                    near = through[cell]
                else:
                    # The relation that closed the cell's bounds gets one more hidden cell; where none can be
                    # hidden there (all hidden already, zero, or another table's), its hidden cells blur, but
                    # only once a round hides nothing: another cell's pick may have covered it.
                    pick = self._pick(self._cells(why[cell])) if why[cell] >= 0 else None
                    near = sorted(self.rel.of()[cell], key=lambda r: len(self.rel.sums[r][1]))
                for r in near:
                    if pick is not None:
                        break
                    pick = self._pick(self._cells(r))
                if pick is None:  # one step further: the relations of the hidden cells next to it
                    pick = self._pick([c for r in self._beyond(near) for c in self._cells(r)])
                if tries[cell] > MAX_TRIES and cell not in through:
                    self.unprotected[cell] = [why[cell]] if why[cell] >= 0 else []
                elif pick is None:
                    if cell in through:
                        stuck[cell] = [*through[cell], *self._own(cell)]
                    else:
                        stuck[cell] = [why[cell]] if why[cell] >= 0 else []
                else:
                    self.hidden[pick] = True
                    added = True
            if not added:
                self.unprotected.update(stuck)
            past_help.update(self.unprotected)
            if not self._blur() and not added and through:
                if audits >= MAX_AUDITS:
                    # No single cell of ours helps: the proofs lose every published cell of ours, or failing
                    # that every hidden cell blurs, and the check runs again (it ends as the final check does).
                    if self._last_resort(through):
                        continue
                    self.beyond.update(through)  # as at the final check: nothing of ours is left
                    return
                # No cell of ours is left to hide in these proofs: published zeros and the coarser tables'
                # cells carry them. The zeros are withheld, and the last check follows.
                self._withhold_zeros(through)
                audits = MAX_AUDITS

    def _pinned(self, targets: list[int]) -> dict[int, list[int]] | None:
        """The exact check: small cells a linear programme pins, with the relations that pin each (None:
        the table is too large for it). It starts from the labels' bounds, not the narrowed ones: a cell
        narrowing fixed would be a constant to the programme, and the proof through it would not be seen."""
        from sanctuary_atlas.measure.disclosure_lp import pinned

        lo, hi, _ = self._bounds(narrowed=False)
        return pinned(self.rel, lo, hi, self.values, targets, limit=EXACT_LIMIT)

    def _nested(
        self,
        rel: Relations,
        lines: list[tuple[list[int], int | None]],
        partitions: list[tuple[int, list[dict[str, Any]]]],
        pooled: int | None,
        n_rest_lines: int,
        rest_base: int,
    ) -> None:
        """The nation's row is also the sum of every other margin's coarser rows (plus the rows and pooled
        groups in none of them). A linear programme finds that by adding equations; interval narrowing
        needs it written down."""
        width = self.width
        own_rows = [r for r in range(self.n_rows) if r != pooled]
        nations = [li for li, (members, rest) in enumerate(lines) if rest is None and len(members) == self.n_rows]
        partition_of = {mi: pi for pi, (mi, _) in enumerate(partitions)}
        for nation in nations:
            for mi in sorted(set(self.line_margin) - {self.line_margin[nation]}):
                fine = [li for li in range(len(lines)) if self.line_margin[li] == mi and li not in self.pseudo]
                covered = {m for li in fine for m in lines[li][0]}
                loose = [r for r in own_rows if r not in covered]
                if pooled is not None and mi not in partition_of:
                    continue  # the pooled groups' shares in this margin are not written down
                for j in range(width):
                    parts = [(self.n_rows + li) * width + j for li in fine] + [r * width + j for r in loose]
                    if pooled is not None:
                        parts.append(rest_base + (n_rest_lines + partition_of[mi]) * width + j)
                    rel.sums.append(((self.n_rows + nation) * width + j, parts))

    def _blur(self) -> bool:
        """Relabel as "withheld" (no claim about its size) every hidden cell of each relation holding a
        small cell that no further hiding protects. The labels themselves had given it away: a state's
        total of 7 declines over counties shown "suppressed", "<5" and "<5" leaves 5, 1 and 1."""
        changed = False
        for cell, pinned_by in self.unprotected.items():
            # The relations that pin it; and a coarser row's cell, the lines it is in; else its row's sums.
            relations = [*pinned_by, *self.rel.of()[cell]] if self.fixed[cell] else pinned_by or self._own(cell)
            for r in relations:
                for c in self._cells(r):
                    # A row hidden whole stays "<k" throughout: "withheld" on its issued would read as a
                    # listed row's, at least k, and its zeros' "<k" as 1 to k-1.
                    whole = c < self.n_rows * self.width and self.whole[c // self.width]
                    if self.hidden[c] and not self.fixed[c] and not self.vague[c] and not whole:
                        self.vague[c] = changed = True
        self.unprotected.clear()
        return changed

    def _blur_all(self) -> bool:
        """Relabel every hidden cell of ours "withheld"; a row hidden whole stays "<k" (as in ``_blur``), but
        for the pooled row, which blurs whole: "withheld" there claims nothing, since a pooled row is no
        listed row (of at least k), and no cell of it is left "<k" to be read as 1 to k-1."""
        changed = False
        for c in range(self.n_rows * self.width):
            whole = self.whole[c // self.width] and c // self.width != self.pooled
            if self.hidden[c] and not self.fixed[c] and not self.vague[c] and not whole:
                self.vague[c] = changed = True
        return changed

    def _beyond_us(self, cells: list[int]) -> dict[int, list[int]]:
        """Of ``cells``, those still pinned when every cell of this table may take any value from 0 up: the
        coarser tables give them away by themselves (as the reader is assumed to know them; a state's share
        of pooled groups is its total less its one county's, whichever of the county's cells are shown)."""
        from sanctuary_atlas.measure.disclosure_lp import pinned

        lo, hi, _ = self._bounds(narrowed=False)
        for c in range(len(lo)):
            if not self.fixed[c]:
                lo[c], hi[c] = self.known.get(c, (0, INF))
        # Nor what this table's own pooled row says of itself (its count of groups): that is ours too.
        for c in [*self.empty_shares, *self.own_pool]:
            lo[c], hi[c] = 0, INF
        return pinned(self.rel, lo, hi, self.values, cells, limit=EXACT_LIMIT) or {}

    def _last_resort(self, through: dict[int, list[int]]) -> bool:
        """The next step for cells still pinned after the fifth check (True: check again): the proofs lose
        their published cells of ours; else the hidden cells of their relations blur; else, once, every
        hidden cell of the table blurs. (Taking that back when no pinned cell came free by it left random
        single tables pinned, attack_rate.py seeds 2-3: a pin the check no longer names can still rest on
        those labels.)"""
        if self._hide_proofs(through):
            return True
        self.unprotected.update({c: [*rs, *self._own(c)] for c, rs in through.items()})
        if self._blur():
            return True
        if not self._blurred_table:
            self._blurred_table = True
            return self._blur_all()
        return False

    def _hide_proofs(self, through: dict[int, list[int]]) -> bool:
        """Hide every published cell of ours in the relations of each proof (a zero as "withheld": only
        that label may hide a 0); whether any was left to hide."""
        hid = False
        for relations in through.values():
            for r in relations:
                for c in self._cells(r):
                    if not self.fixed[c] and not self.hidden[c]:
                        self.hidden[c] = hid = True
                        self.vague[c] = self.values[c] == 0
        return hid

    def _withhold_zeros(self, through: dict[int, list[int]]) -> None:
        """Hide, as "withheld", every published zero of ours in the relations of each proof, in each pinned
        cell's own row and in the rows of the proof's hidden cells (a zero there bounds a hidden cell of
        the proof, those withheld here included)."""

        def withhold(relations: set[int]) -> None:
            for r in relations:
                for c in self._cells(r):
                    if not self.fixed[c] and not self.hidden[c] and self.values[c] == 0:
                        self.hidden[c] = self.vague[c] = True

        for cell, relations in through.items():
            near = {*relations, *self._own(cell)}
            withhold(near)
            rows = {x for r in near for x in self._cells(r) if self.hidden[x] and not self.fixed[x]}
            withhold(set().union(*(self._own(x) for x in rows)))

    def _own(self, cell: int) -> list[int]:
        """The sums of the cell's own row (a margin's relations hold more cells than a row is wide)."""
        return [r for r in self.rel.of()[cell] if len(self.rel.sums[r][1]) < self.width]

    def _beyond(self, relations: list[int]) -> list[int]:
        """Relations sharing a hidden cell with ``relations``, smallest first (a pin can run through one)."""
        of = self.rel.of()
        seen = set(relations)
        found = {q for r in relations for c in self._cells(r) if self.hidden[c] for q in of[c] if q not in seen}
        return sorted(found, key=lambda q: len(self.rel.sums[q][1]))[:50]

    def _cells(self, r: int) -> list[int]:
        total, parts = self.rel.sums[r]
        return [total, *parts]

    def _complement(self) -> None:
        """Hide more cells until no sum (totals are its cells too) has exactly one hidden cell."""
        sums, of = self.rel.sums, self.rel.of()
        n_sums = len(sums)
        hidden = self.hidden
        count = [get(hidden).count(True) for get in self.rel.cells_of()]
        # Relations in their order (each row's smallest sum first, lines last), as a cell hidden for a small
        # sum also sits in the larger ones.
        queue = [r for r in range(n_sums) if count[r] == 1]
        while queue:
            r = heapq.heappop(queue)
            if count[r] != 1:
                continue
            cells = [sums[r][0], *sums[r][1]]
            if any(self.fixed[c] and self.hidden[c] for c in cells):
                continue  # the one hidden cell is another table's (or a pooled remainder): not ours to guard
            pick = self._pick(cells)
            if pick is None:
                continue  # every other cell is zero (or another table's): the hidden one is pinned only to 0
            self.hidden[pick] = True
            for q in of[pick]:
                if q < n_sums:
                    count[q] += 1
                    if count[q] == 1:
                        heapq.heappush(queue, q)
            heapq.heappush(queue, r)

    def _pick(self, cells: list[int]) -> int | None:
        """The cell to hide next: one of ours, not hidden, non-zero (a zero protects nothing); ordinary
        buckets before the headline ones, totals last, smallest first."""
        candidates = [c for c in cells if not self.fixed[c] and not self.hidden[c] and self.values[c] > 0]
        if not candidates:
            return None

        def rank(c: int) -> tuple:
            column = self.cols[c % self.width]
            return (column in TOTALS, column in HEADLINE, self.values[c], c)

        return min(candidates, key=rank)

    def _bounds(self, narrowed: bool = True) -> tuple[list[float], list[float], list[int]]:
        """What a reader knows of every cell (from the labels, then narrowed through the relations), and
        the cells to guard."""
        lo: list[float] = []
        hi: list[float] = []
        k, width, issued = self.k, self.width, self.col_of["issued"]
        for cell, value in enumerate(self.values):
            if not self.hidden[cell]:
                lo.append(value)
                hi.append(value)
            elif self.vague[cell]:
                # "withheld" claims nothing, but a row of ours not hidden whole has at least k detainers.
                listed = cell % width == issued and not self.fixed[cell] and not self.whole[cell // width]
                lo.append(k if listed and value >= k else 0)
                hi.append(INF)
            elif self.whole[cell // width]:
                lo.append(1 if cell % width == issued else 0)
                hi.append(k - 1)
            elif self.primary[cell]:
                lo.append(1)
                hi.append(k - 1)
            else:
                lo.append(k)
                hi.append(INF)
        for c, (known_lo, known_hi) in self.known.items():
            lo[c], hi[c] = max(lo[c], known_lo), min(hi[c], known_hi)
        self._why = why = [-1] * len(lo)
        if narrowed:
            narrow(self.rel, lo, hi, why)
        # Small non-zero cells of this table, of the coarser rows it adds into (a coarser table's "<k"
        # must not be undone by this one) and of their pooled remainders. A zero is protected only by its
        # label: where a coarser total is 0, every cell in it is 0 anyway. A "withheld" cell is still
        # guarded: its label makes no claim, but the published cells around it can still add up to it.
        values = self.values
        targets = [c for c in range(self.n_guarded) if self.primary[c] and values[c]]
        return lo, hi, targets

    def shown(self, r: int, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        base = r * self.width
        label = f"<{self.k}"
        hidden_cols = {self.cols[j] for j in range(self.width) if self.hidden[base + j]}
        for j, column in enumerate(self.cols):
            if self.hidden[base + j]:
                out[column] = WITHHELD if self.vague[base + j] else label if self.primary[base + j] else COMPLEMENTARY
        for rate, inputs in RATE_INPUTS.items():
            if rate in out and hidden_cols.intersection(inputs):
                out[rate] = None
        return out


def _label_bounds(label: str, k: int) -> tuple[float, float]:
    """What a published label says of its cell (a row hidden whole is listed only when pooled, never alone)."""
    return (1, k - 1) if label == f"<{k}" else (k, INF) if label == COMPLEMENTARY else (0, INF)
