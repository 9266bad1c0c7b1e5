"""The JAG formula (34 U.S.C. 10156) on hand-worked examples derived from the statute, and the
published BJS figure that can be checked."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary_atlas.law.jag import (
    LocalInput,
    StateInput,
    disparate_groups,
    dollars,
    local_allocations,
    minimum_allocation,
    state_allocations,
    state_retention,
    three_year_average,
)


def test_fy2013_minimum_matches_bjs(reg) -> None:
    # BJS, JAG Program 2013 (NCJ 242412): total $278,392,240, 0.25% minimum $695,981.
    total = reg.amounts["F004"].amount_usd
    assert total == 278_392_240
    assert minimum_allocation(total) == 695_981
    assert "695,981" in reg.amounts["F004"].what_it_is


def test_half_population_half_violent_crime() -> None:
    # Hand-worked: X has 60% of people and 25% of crime: 0.5*1e6*0.6 + 0.5*1e6*0.25 = 425,000.
    result = {a.state: a for a in state_allocations(1_000_000, [StateInput("X", 600, 100), StateInput("Y", 400, 300)])}
    assert dollars(result["X"].total) == 425_000 and dollars(result["Y"].total) == 575_000
    assert not result["X"].minimum_state
    # 60/40 split (10156(b))
    assert dollars(result["X"].state_share) == 255_000 and dollars(result["X"].local_share) == 170_000


def test_minimum_allocation_redistributes_among_the_others_only() -> None:
    # C would get 1e6/2001 = $499.75 < $2,500, so every state gets $2,500 first and the $992,500 left
    # is split between A and B alone (C's people and crimes left out): $496,250 each.
    result = {
        a.state: a
        for a in state_allocations(
            1_000_000, [StateInput("A", 1000, 1000), StateInput("B", 1000, 1000), StateInput("C", 1, 1)]
        )
    }
    assert result["C"].minimum_state and dollars(result["C"].total) == 2_500
    assert dollars(result["A"].total) == dollars(result["B"].total) == 498_750
    assert sum(a.total for a in result.values()) == 1_000_000


def test_puerto_rico_keeps_everything() -> None:
    result = {
        a.state: a for a in state_allocations(1_000_000, [StateInput("PR", 500, 500), StateInput("OH", 500, 500)])
    }
    assert result["PR"].state_share == result["PR"].total and result["PR"].local_share == 0
    assert dollars(result["OH"].local_share) == 200_000


def test_state_keeps_its_share_of_spending() -> None:
    kept, passed = state_retention(600_000, state_cj_spending=3, local_cj_spending=1)
    assert (kept, passed) == (450_000, 150_000)


def test_local_shares_ten_thousand_rule_and_reporting_rule() -> None:
    # Eligible crimes 600+300+50 = 950 of a $100,000 local amount. The town's $5,263.16 is under
    # $10,000 and goes to the state; the village reported only 2 of 10 years and gets nothing.
    result = local_allocations(
        100_000,
        [
            LocalInput("City1", 600),
            LocalInput("City2", 300),
            LocalInput("Town", 50),
            LocalInput("Village", 50, years_reported_last_10=2),
        ],
    )
    assert result.amount("City1") == 63_158 and result.amount("City2") == 31_579
    assert result.amount("Town") == 0 and dollars(result.to_state) == 5_263
    village = next(a for a in result.allocations if a.name == "Village")
    assert not village.eligible and "10156(e)(3)" in village.reason


def test_spending_cap_spreads_the_excess() -> None:
    result = local_allocations(100_000, [LocalInput("A", 500, cj_expenditure=20_000), LocalInput("B", 500)])
    assert result.amount("A") == 20_000 and result.amount("B") == 80_000


def test_disparate_jurisdictions() -> None:
    # A city gets 175% of its county's allocation: they must apply jointly for $55,000.
    groups = disparate_groups({"County": 20_000, "City": 35_000}, {"County": ["City"]})
    assert [(g.members, g.joint_amount) for g in groups] == [(("County", "City"), 55_000)]
    # 140% and 130%: no disparity.
    assert disparate_groups({"County": 20_000, "A": 28_000, "B": 26_000}, {"County": ["A", "B"]}) == []


def test_three_year_average_uses_the_three_most_recent_years() -> None:
    assert three_year_average([999, 10, 20, 30]) == 20
    assert three_year_average([10, 20]) == 15


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1_000_000, max_value=10**9),
    st.lists(st.tuples(st.integers(1, 40_000_000), st.integers(1, 200_000)), min_size=2, max_size=56),
)
def test_state_allocations_add_up_and_respect_the_minimum(total: int, inputs: list[tuple[int, int]]) -> None:
    states = [StateInput(f"S{i}", pop, crime) for i, (pop, crime) in enumerate(inputs)]
    if total * Fraction(1, 400) * len(states) > total:
        return
    result = state_allocations(total, states)
    assert sum(a.total for a in result) == total
    assert all(a.total >= Fraction(total, 400) for a in result)
    assert all(a.state_share + a.local_share == a.total for a in result)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=10_000, max_value=10**8), st.lists(st.integers(1, 50_000), min_size=1, max_size=40))
def test_local_allocations_conserve_money(amount: int, crimes: list[int]) -> None:
    result = local_allocations(amount, [LocalInput(f"U{i}", c) for i, c in enumerate(crimes)])
    assert sum(a.amount for a in result.allocations) + result.to_state == amount
    assert all(a.amount == 0 or a.amount >= 10_000 for a in result.allocations)


def test_jag_command_local_allocations(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from sanctuary_atlas.cli import app

    local = tmp_path / "local.csv"
    local.write_text(
        "name,violent_crime,years_reported,cj_expenditure\nCity1,600,10,\nCity2,300,10,\nTown,50,10,\nVillage,50,2,\n",
        encoding="utf-8",
    )
    out = CliRunner().invoke(
        app, ["jag", "--total", "1000000", "--local", str(local), "--local-amount", "100000", "--json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {a["name"]: a["amount"] for a in data["local"]} == {
        "City1": 63_158,
        "City2": 31_579,
        "Town": 0,
        "Village": 0,
    }
    assert data["local_to_state"] == 5_263
    missing = CliRunner().invoke(app, ["jag", "--total", "1000000", "--local", str(local)])
    assert missing.exit_code != 0
