"""Pre-2017 state TRUST Acts are on record for the 2015 Declined Detainer Outcome Report, and not before.

California's TRUST Act (AB 4, S15: signed 2013-10-05, in force 2014-01-01) and Connecticut's TRUST Act
(P.A. 13-155, S11: in force 2014-01-01) limited detainer holds long before California's SB 54 (S01, 2017).
These tests go through the shipped table, the registry loader and the policy book the DDOR uses.
"""

from __future__ import annotations

from datetime import date

import pytest

from sanctuary_atlas.law.designations import law_start, state_laws_for
from sanctuary_atlas.law.registry import registry
from sanctuary_atlas.publish.policy import policy_book

DDOR_DAY = date(2015, 2, 7)
BEFORE = date(2013, 6, 1)
LOS_ANGELES_COUNTY = "06037"
HARTFORD_COUNTY = "09003"


def _ids(laws) -> set[str]:
    return {law.law_id for law in laws}


def test_california_trust_act_is_a_dated_limiting_statute() -> None:
    law = registry().state_laws["S15"]
    assert (law.state_abbr, law.circuit, law.direction, law.instrument_type) == ("CA", "9", "limits", "statute")
    assert "TRUST Act" in law.name and "7282.5" in law.citation
    assert law.signed is not None and law.signed.iso() == "2013-10-05"
    assert law.effective is not None and law.effective.iso() == "2014-01-01"
    assert law_start(law) == date(2013, 10, 5)
    assert law.sources and law.verification == "verified"


def test_connecticut_trust_act_has_its_effective_date() -> None:
    law = registry().state_laws["S11"]
    assert (law.state_abbr, law.direction) == ("CT", "limits")
    assert law.signed is None
    assert law.effective is not None and law.effective.iso() == "2014-01-01"
    assert law_start(law) == date(2014, 1, 1)


@pytest.mark.parametrize(("state", "law_id"), [("CA", "S15"), ("CT", "S11")])
def test_trust_acts_are_on_record_in_2015_but_not_in_mid_2013(state: str, law_id: str) -> None:
    assert law_id in _ids(state_laws_for(registry(), state, DDOR_DAY))
    assert law_id not in _ids(state_laws_for(registry(), state, BEFORE))


def test_california_in_2015_has_the_trust_act_but_not_sb54_yet() -> None:
    on_record = _ids(state_laws_for(registry(), "CA", DDOR_DAY))
    assert "S15" in on_record and "S01" not in on_record
    assert _ids(state_laws_for(registry(), "CA", BEFORE)) == set()


def test_ddor_policy_lookup_for_los_angeles_county() -> None:
    book = policy_book()
    in_2015 = book.lookup(LOS_ANGELES_COUNTY, None, DDOR_DAY)["state_laws"]
    assert [law["law_id"] for law in in_2015] == ["S15"]
    assert in_2015[0]["direction"] == "limits" and in_2015[0]["verification"] == "verified"
    assert in_2015[0]["origin"].startswith("data/reference/state_laws.csv:")
    assert book.lookup(LOS_ANGELES_COUNTY, None, BEFORE)["state_laws"] == []


def test_ddor_policy_lookup_for_a_connecticut_county() -> None:
    book = policy_book()
    assert "S11" in {law["law_id"] for law in book.lookup(HARTFORD_COUNTY, None, DDOR_DAY)["state_laws"]}
    assert "S11" not in {law["law_id"] for law in book.lookup(HARTFORD_COUNTY, None, BEFORE)["state_laws"]}


def test_ddor_section_iii_lists_both_states_in_2015() -> None:
    book = policy_book()
    state_rows = [row for row in book.limiting(DDOR_DAY) if row["basis"].startswith("state law:")]
    by_state = {row["state"]: row for row in state_rows if row["state"] in {"CA", "CT"}}
    assert set(by_state) == {"CA", "CT"}
    assert by_state["CA"]["jurisdiction_key"] == "06" and by_state["CA"]["date"] == "2013-10-05"
    assert by_state["CT"]["jurisdiction_key"] == "09" and by_state["CT"]["date"] == "2014-01-01"
    before = {row["state"] for row in book.limiting(BEFORE) if row["basis"].startswith("state law:")}
    assert not before & {"CA", "CT"}
