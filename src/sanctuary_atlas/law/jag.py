"""The Byrne JAG formula of 34 U.S.C. 10156, as paraphrased in ``data/reference/jag_formula.md``.

Arithmetic is exact (``Fraction``) and rounded to whole dollars only at the end, half up, because
BJS publishes whole-dollar allocations and rounding early would make the parts not add up to the
whole. The inputs (population, Part 1 violent crimes, spending) are the caller's; nothing here is
looked up. What the statute leaves to BJS practice (which years of crime data, how NIBRS-only
agencies count) is not modelled; see docs/law-and-money.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

MINIMUM_SHARE = Fraction(1, 400)  # 0.25 percent, 10156(a)(2)
STATE_SHARE = Fraction(3, 5)  # 60 percent to the state, 10156(b)
LOCAL_FLOOR = 10_000  # 10156(e)(2)
NO_LOCAL_SHARE = frozenset({"PR"})  # 10156(g): Puerto Rico's whole allocation goes to the Commonwealth


def dollars(value: Fraction | int | float) -> int:
    """Whole dollars, half up (Python's round() would round 0.5 to even)."""
    frac = Fraction(value)
    return int((Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def three_year_average(yearly_counts: Sequence[float]) -> Fraction:
    """Average yearly Part 1 violent crimes over the three most recent years given (oldest first)."""
    if not yearly_counts:
        raise ValueError("no violent-crime years given")
    recent = [Fraction(c) for c in yearly_counts[-3:]]
    return sum(recent, Fraction(0)) / len(recent)


def minimum_allocation(total: int | Fraction) -> int:
    return dollars(Fraction(total) * MINIMUM_SHARE)


@dataclass(frozen=True)
class StateInput:
    state: str
    population: int
    violent_crime_avg: Fraction | int  # three-year average, see three_year_average


@dataclass(frozen=True)
class StateAllocation:
    state: str
    step1: Fraction  # 10156(a)(1) before the minimum rule
    minimum_state: bool  # fell below 0.25 percent in step 1
    total: Fraction
    state_share: Fraction
    local_share: Fraction

    def rounded(self) -> dict[str, object]:
        return {
            "state": self.state,
            "minimum_state": self.minimum_state,
            "total": dollars(self.total),
            "state_share": dollars(self.state_share),
            "local_share": dollars(self.local_share),
        }


def _formula(amount: Fraction, states: Iterable[StateInput]) -> dict[str, Fraction]:
    states = list(states)
    pop = sum(s.population for s in states)
    crime = sum((Fraction(s.violent_crime_avg) for s in states), Fraction(0))
    if pop <= 0 or crime <= 0:
        raise ValueError("population and violent crime totals must be positive")
    half = amount / 2
    return {s.state: half * Fraction(s.population, pop) + half * Fraction(s.violent_crime_avg) / crime for s in states}


def state_allocations(
    total: int | Fraction, states: Sequence[StateInput], no_local_share: frozenset[str] = NO_LOCAL_SHARE
) -> list[StateAllocation]:
    """Steps 1-3: 50/50 population and violent crime, the 0.25 percent minimum, the 60/40 split."""
    total = Fraction(total)
    if len({s.state for s in states}) != len(states):
        raise ValueError("a state is listed twice")
    step1 = _formula(total, states)
    floor = total * MINIMUM_SHARE
    below = {name for name, amount in step1.items() if amount < floor}
    if below:
        # 10156(a)(2): every state first gets the minimum; the rest goes by the formula to the others
        # only, leaving out the population and crimes of the minimum-allocation states.
        rest = total - floor * len(states)
        if rest < 0:
            raise ValueError("total too small to give every state the minimum")
        extra = _formula(rest, [s for s in states if s.state not in below])
        final = {s.state: floor + extra.get(s.state, Fraction(0)) for s in states}
    else:
        final = step1
    out = []
    for s in states:
        amount = final[s.state]
        state_part = amount if s.state in no_local_share else amount * STATE_SHARE
        out.append(StateAllocation(s.state, step1[s.state], s.state in below, amount, state_part, amount - state_part))
    return out


def state_retention(
    state_share: Fraction | int, state_cj_spending: float, local_cj_spending: float
) -> tuple[Fraction, Fraction]:
    """10156(c): the state keeps its share of combined criminal-justice spending; it passes the rest on.

    Returns (kept, passed through to local governments).
    """
    state_cj, local_cj = Fraction(state_cj_spending), Fraction(local_cj_spending)
    if state_cj < 0 or local_cj < 0 or state_cj + local_cj == 0:
        raise ValueError("spending must be non-negative and not both zero")
    kept = Fraction(state_share) * state_cj / (state_cj + local_cj)
    return kept, Fraction(state_share) - kept


@dataclass(frozen=True)
class LocalInput:
    name: str
    violent_crime_avg: Fraction | int
    years_reported_last_10: int = 10
    cj_expenditure: Fraction | int | None = None  # None: no cap known


@dataclass(frozen=True)
class LocalAllocation:
    name: str
    amount: Fraction  # what the unit receives directly (0 if ineligible or moved to the state)
    formula_amount: Fraction  # before the $10,000 rule
    eligible: bool
    capped: bool
    to_state: bool  # under $10,000: goes to the state's direct grant
    reason: str


@dataclass(frozen=True)
class LocalResult:
    allocations: list[LocalAllocation]
    to_state: Fraction  # the under-$10,000 money added to the state's grant

    def amount(self, name: str) -> int:
        return next(dollars(a.amount) for a in self.allocations if a.name == name)


def local_allocations(
    local_amount: int | Fraction, units: Sequence[LocalInput], floor: int = LOCAL_FLOOR
) -> LocalResult:
    """10156(d)-(e): shares by violent crime, the reporting rule, the spending cap, the $10,000 rule.

    Units that reported fewer than 3 of the last 10 years get nothing and are left out of the
    denominator (they have no crime average to share by).
    """
    amount = Fraction(local_amount)
    eligible = [u for u in units if u.years_reported_last_10 >= 3]
    crimes = sum((Fraction(u.violent_crime_avg) for u in eligible), Fraction(0))
    share = {u.name: (amount * Fraction(u.violent_crime_avg) / crimes if crimes else Fraction(0)) for u in eligible}
    capped: set[str] = set()
    # Spread any amount above a unit's own spending over the uncapped units, until nothing exceeds.
    while True:
        over = {
            u.name
            for u in eligible
            if u.cj_expenditure is not None and u.name not in capped and share[u.name] > Fraction(u.cj_expenditure)
        }
        if not over:
            break
        excess = sum(
            (share[n] - Fraction(u.cj_expenditure))
            for u in eligible  # type: ignore[arg-type]
            if (n := u.name) in over
        )
        for u in eligible:
            if u.name in over:
                share[u.name] = Fraction(u.cj_expenditure)  # type: ignore[arg-type]
        capped |= over
        free = [u for u in eligible if u.name not in capped]
        base = sum((share[u.name] for u in free), Fraction(0))
        if not free or base == 0:
            break  # nowhere to put the excess; it stays unallocated (reported by the caller)
        for u in free:
            share[u.name] += excess * share[u.name] / base
    out, to_state = [], Fraction(0)
    for u in units:
        if u not in eligible:
            out.append(
                LocalAllocation(
                    u.name,
                    Fraction(0),
                    Fraction(0),
                    False,
                    False,
                    False,
                    "reported fewer than 3 of the last 10 years (10156(e)(3))",
                )
            )
            continue
        value = share[u.name]
        small = value < floor
        to_state += value if small else 0
        reason = "under $10,000: to the state (10156(e)(2))" if small else "share of violent crime"
        if u.name in capped:
            reason += "; capped at its criminal-justice spending (10156(e)(1))"
        out.append(
            LocalAllocation(u.name, Fraction(0) if small else value, value, True, u.name in capped, small, reason)
        )
    return LocalResult(out, to_state)


@dataclass(frozen=True)
class DisparateGroup:
    certified: str
    members: tuple[str, ...]  # the certified unit first
    joint_amount: int
    rule: str


def disparate_groups(amounts: Mapping[str, int], certified: Mapping[str, Sequence[str]]) -> list[DisparateGroup]:
    """10156(d)(4): a certified unit (it bears over 50% of the costs of a constituent unit's crimes,
    as certified by the AG - an input here) files jointly with its constituents when one constituent
    gets more than 150% of its allocation, or more than one gets more than 400% of it.

    The statute's two tests are read as the reference file paraphrases them; BJA's own wording of
    the 400% test (each unit, or the units together) was not read and may differ.
    """
    groups = []
    for unit, constituents in certified.items():
        base = amounts.get(unit, 0)
        over150 = [c for c in constituents if amounts.get(c, 0) > Fraction(3, 2) * base]
        over400 = [c for c in constituents if amounts.get(c, 0) > 4 * base]
        if len(over400) > 1:
            rule = "more than one constituent unit above 400% of the certified unit"
        elif over150:
            rule = "a constituent unit above 150% of the certified unit"
        else:
            continue
        members = (unit, *constituents)
        groups.append(DisparateGroup(unit, members, sum(amounts.get(m, 0) for m in members), rule))
    return groups
