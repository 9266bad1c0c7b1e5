"""Integrity of the shipped reference tables, rules and scenarios - and that broken rows are caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sanctuary_atlas.law.registry import RegistryError, load_registry
from sanctuary_atlas.law.scenarios import check_scenario, shipped_scenarios
from sanctuary_atlas.law.status import check_rules, load_rules, parse_rules
from sanctuary_atlas.law.values import VERIFICATION_LEVELS
from sanctuary_atlas.paths import data_dir

REFERENCE = data_dir() / "reference"


def test_shipped_tables_pass_every_rule() -> None:
    reg = load_registry(strict=False)
    assert [str(p) for p in reg.problems] == []


def test_counts_match_the_reference_readme(reg) -> None:
    assert (
        len(reg.cases),
        len(reg.conditions),
        len(reg.state_laws),
        len(reg.list_entries),
        len(reg.amounts),
        len(reg.orders),
        len(reg.statutes),
        len(reg.circuits),
    ) == (48, 19, 24, 105, 70, 12, 15, 54)


def test_every_fact_has_a_source_and_a_known_verification(reg) -> None:
    facts = [
        *reg.cases.values(),
        *reg.conditions.values(),
        *reg.state_laws.values(),
        *reg.list_entries,
        *reg.amounts.values(),
        *reg.orders.values(),
        *reg.statutes.values(),
        *reg.circuits.values(),
    ]
    for fact in facts:
        assert fact.sources, fact
        assert fact.verification in VERIFICATION_LEVELS
        assert fact.line >= 2


def test_cross_references_resolve(reg) -> None:
    for cond in reg.conditions.values():
        assert set(cond.litigation_ids) <= set(reg.cases), cond.row_id
    assert reg.condition("JAG-NOTICE").row_id == "G03"
    assert reg.circuit_of("NY") == "2" and reg.circuit_of("DC") == "DC"


def test_partial_dates_are_kept_as_partial(reg) -> None:
    assert reg.cases["L028"].decision_date.precision == "month"  # "2021-09"
    assert reg.cases["L024"].decision_date is None  # a pending certiorari petition


def test_rules_file_is_consistent_with_the_registry(reg) -> None:
    assert check_rules(load_rules(), reg) == []


def test_rulings_parties_all_resolve(engine) -> None:
    assert engine.unresolved_parties == []


def test_shipped_scenarios_are_valid(reg, ctx) -> None:
    lists = {d.list_id for d in ctx.designations.designations}
    scenarios = shipped_scenarios()
    assert {
        "all-conditions",
        "doj-list-2025-08-05",
        "any-doj-dhs-list",
        "declined-detainers",
        "state-law-limits",
    } <= set(scenarios)
    for scenario in scenarios.values():
        assert check_scenario(scenario, reg, lists) == []


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_rows_are_reported_with_file_and_line(tmp_path: Path) -> None:
    base = _copy(tmp_path)
    # L005 loses its sources, G02 points at a case that does not exist, L003 gets an impossible date.
    lit = base / "litigation.csv"
    lines = lit.read_text(encoding="utf-8").splitlines(keepends=True)
    l005 = next(i for i, line in enumerate(lines) if line.startswith("L005,"))
    lines[l005] = lines[l005].replace("https://biahelp.com/city-of-chicago-v-william-p-barr; ", "")
    lit.write_text("".join(lines), encoding="utf-8")
    _edit(lit, ",2018-08-01,appeal,City and County", ",2018-02-30,appeal,City and County")
    _edit(base / "grant_programs.csv", "L009;L010;L011;L013", "L009;L999;L011;L013")
    _edit(base / "funding_amounts_cited.csv", ",6400000,", ",6.400.000,")
    with pytest.raises(RegistryError) as caught:
        load_registry(base)
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("litigation.csv:") and "[L003] decision_date" in m for m in messages)
    assert any("grant_programs.csv:3 [G02] litigation id L999 does not exist" in m for m in messages)
    assert any("funding_amounts_cited.csv:11 [F010] amount_usd" in m for m in messages)


def test_source_less_row_and_duplicate_id(tmp_path: Path) -> None:
    base = _copy(tmp_path)
    path = base / "state_laws.csv"
    text = path.read_text(encoding="utf-8")
    s27 = next(line for line in text.splitlines() if line.startswith("S27,"))
    path.write_text(text + s27 + "\n", encoding="utf-8")
    reg = load_registry(base, strict=False)
    assert any("duplicate law_id" in str(p) and "[S27]" in str(p) for p in reg.problems)


def test_unknown_verification_never_reads_as_settled(tmp_path: Path) -> None:
    base = _copy(tmp_path)
    text = (base / "doj_lists.csv").read_text(encoding="utf-8")
    first = text.splitlines()[1]
    (base / "doj_lists.csv").write_text(text.replace(first, first.replace(",verified,", ",maybe,")), encoding="utf-8")
    reg = load_registry(base, strict=False)
    assert any("verification 'maybe'" in str(p) for p in reg.problems)
    assert reg.list_entries[0].verification == "unverified"


def test_rules_with_bad_vocabulary_are_reported(reg) -> None:
    rules = parse_rules(
        '[[effect]]\nbasis = ["L999"]\nconditions = ["NOPE"]\neffect = "struck"\n'
        'scope = "galaxy"\nfrom = "2020-01-01"\nuntil = "2019-01-01"\nwhy = ""\n'
    )
    problems = check_rules(rules, reg)
    assert any("effect 'struck'" in p for p in problems)
    assert any("scope 'galaxy'" in p for p in problems)
    assert any("until 2019-01-01 is not after" in p for p in problems)
    assert any("basis L999" in p for p in problems)
    assert any("condition NOPE" in p for p in problems)


def test_a_rule_may_not_apply_a_case_to_an_unlinked_condition(reg) -> None:
    rules = parse_rules(
        '[[effect]]\nbasis = ["L018"]\nconditions = ["JAG-NOTICE"]\neffect = "upheld"\n'
        'scope = "circuit"\nfrom = "2019-07-12"\nwhy = "COPS case applied to JAG"\n'
    )
    assert any("none of ['L018'] is linked to JAG-NOTICE" in p for p in check_rules(rules, reg))


def test_rule_tables_cover_the_reference_data(reg, gaz) -> None:
    import csv
    from importlib import resources

    from sanctuary_atlas.law.funding import program_key

    for cond in reg.conditions.values():
        assert program_key(cond.program, cond.assistance_listing), cond.row_id
    for amount in reg.amounts.values():
        assert program_key(amount.program), amount.row_id
    text = resources.files("sanctuary_atlas.law").joinpath("rules/consolidated.csv").read_text("utf-8")
    for row in csv.DictReader(text.splitlines()):
        county = gaz.county(row["county_fips"])
        assert county is not None and county.state == row["state"], row
        assert row["basis"] and row["verification"] in VERIFICATION_LEVELS
