"""The rule tables are data: every value they use must be valid, and each rule must do what it says."""

from __future__ import annotations

import csv

import pytest

from sanctuary_atlas.resolve.facilities import facility_index, facility_key
from sanctuary_atlas.resolve.gazetteer import Gazetteer, rules_path
from sanctuary_atlas.resolve.resolver import get_resolver
from sanctuary_atlas.resolve.rules import AUTHORITY_TYPES, load_rules, validate_rules


def test_rule_tables_are_valid() -> None:
    assert validate_rules() == []


def test_fix_rows_resolve_as_written() -> None:
    resolver, gaz = get_resolver(), Gazetteer.load()
    with open(rules_path("fixes.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 50
    for line, row in enumerate(rows, start=2):
        res = resolver.resolve(row["facility_name"], row["facility_city"], row["facility_state"])
        assert res.county_fips == (gaz.harmonise(row["county_fips"]) or None), row
        assert res.authority_type == row["authority_type"]
        assert res.evidence.startswith(f"fix table row {line} ")


def test_every_pattern_is_used_and_vocabulary_is_closed() -> None:
    rules = load_rules()
    assert {p.authority_type for p in rules.patterns} <= set(AUTHORITY_TYPES)
    ids = [p.rule_id for p in rules.patterns]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("name", "state", "rule"),
    [
        ("LOMPOC USP", "CA", "bop_acronym"),
        ("MCKEAN FED.CORR.INST.", "PA", "bop_words"),
        ("CI WILLACY", "TX", "bop_contract"),
        ("GUAYNABO MDC (SAN JUAN)", "PR", "bop_mdc"),
        ("US MARSHALLS, N. DIST. OK", "OK", "usms"),
        ("LAREDO DETENTION CENTER HOLD ROOM", "TX", "ice_hold"),
        ("TYGART REGIONAL JAIL", "WV", "wv_regional"),
        ("DAVIDSON CO. SHERIFF DEPT", "TN", "county_abbrev"),
        ("MIDDLE RIVER REGIONAL JAIL", "VA", "regional"),
        ("COLO DEPT OF CORRECTIONS", "CO", "state_doc"),
        ("SCI GRATERFORD, PA", "PA", "state_prefix"),
        ("TEXAS DOC - MIDDLETON UNIT", "TX", "state_doc"),
        ("GURNEY TRANSFER FACILITY", "TX", "tx_unit"),
        ("ULSTER CF, NAPANOCH", "NY", "state_cf"),
        ("CORRIGAN CORR INST", "CT", "corr_inst"),
        ("FARMERS BRANCH POL. DEPT.", "TX", "police"),
        ("NORFOLK CITY JAIL", "VA", "va_city_jail"),
        ("MIDLAND DETENTION CENTER", "TX", "jail_words"),
        ("EGELER COR FAC,JACKSON,MI", "MI", "state_generic"),
    ],
)
def test_pattern_examples_from_the_data(name: str, state: str, rule: str) -> None:
    resolver = get_resolver()
    key = facility_key(name)
    named, _ = resolver.county_in_name(key, state)
    pat = resolver.classify(key, state, named)
    assert pat is not None and pat.rule_id == rule


def test_co_needs_a_real_county() -> None:
    # "CO" is Colorado or "company" unless a county of the state precedes it
    resolver = get_resolver()
    key = facility_key("US MARSHALS, COLORADO CO")
    assert resolver.county_in_name(key, "CO") == (None, "")


def test_facility_lists_load_with_counties() -> None:
    idx = facility_index()
    assert len(idx.by_code) > 1500
    placed = sum(1 for r in idx.by_code.values() if r.county_fips)
    assert placed / len(idx.by_code) > 0.98
    rikers = idx.by_code["RIKISNY"]
    assert rikers.county_fips == "36081"  # the list's own (wrong) county: the fix table overrides it
