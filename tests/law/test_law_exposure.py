"""Exposure for a city, a county and a state, with and without imported allocations; scenario files;
the declined-detainers scenario; the national what-if; the CLI.

The declined scenario is tested twice: with explicit counts (the evaluator takes a mapping of key ->
count), and on the real FY2015 detainer file ingested and built by the other stages (marked slow).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary_atlas.cli import app
from sanctuary_atlas.law.exposure import UNKNOWN, LawContext, exposure, national
from sanctuary_atlas.law.funding import read_funding_csv, store_funding
from sanctuary_atlas.law.jurisdictions import jurisdiction
from sanctuary_atlas.law.profile import build_profile
from sanctuary_atlas.law.scenarios import ScenarioError, load_scenario, parse_scenario

AS_OF = date(2025, 9, 1)
REQUIRED = {"program", "fiscal_year", "condition_id", "status", "cases", "amount_usd", "amount_source"}


def _conditions(result: dict, condition_id: str) -> list[dict]:
    return [c for c in result["conditions"] if c["condition_id"] == condition_id]


def test_city_exposure_from_reference_data_alone(ctx, gaz) -> None:
    result = exposure(ctx, jurisdiction(gaz, "Chicago, IL"), load_scenario("doj-list-2025-08-05"), AS_OF)
    assert result["jurisdiction"] | {"counties": None} == {
        "fips": "17031:chicago",
        "kind": "city",
        "name": "Chicago",
        "state": "IL",
        "state_fips": "17",
        "circuit": "7",
        "counties": None,
    }
    assert result["scenario"]["matched"] is True
    assert {d["list_id"] for d in result["designations"]} >= {"DOJ-2025-08-05", "DHS-2025-05-29"}
    assert {law["law_id"] for law in result["state_laws"]} == {"S02", "S03"}
    assert {d["list_id"] for d in result["state_designations"]} >= {"DOJ-2025-08-05"}
    for c in result["conditions"]:
        assert set(c) >= REQUIRED
        assert c["amount_usd"] is None and c["amount_source"] == UNKNOWN  # never zero
    eo = _conditions(result, "EO-ELIGIBILITY")[0]
    assert eo["status"] == "enjoined" and eo["cases"][0]["id"] == "L042"
    assert _conditions(result, "VOCA-IMMIG-2025")[0]["channel"] == "pass_through"
    assert result["money"]["direct"]["known_usd"] == 0 and result["money"]["direct"]["awards_unknown"] > 0
    assert result["observed"] is None and result["sources"]


def test_city_known_cited_amounts(ctx, gaz) -> None:
    result = exposure(ctx, jurisdiction(gaz, "17031:chicago"), load_scenario(None), date(2020, 8, 1))
    fy2018 = _conditions(result, "JAG-HARBOR")[0]
    assert fy2018["fiscal_year"] == 2018 and fy2018["amount_usd"] == 2_100_000
    assert fy2018["amount_source"][0]["origin"].endswith("(F031)")
    assert fy2018["status"] == "enjoined" and fy2018["party_injunction"]
    # Three FY2018 conditions share one award: it counts once.
    assert result["money"]["direct"]["known_usd"] == 2_100_000 + 2_100_000 + 2_100_000  # FY2016, 2018, 2019


def test_county_exposure_and_not_matched(ctx, gaz) -> None:
    cook = exposure(ctx, jurisdiction(gaz, "17031"), load_scenario("doj-list-2025-08-05"), AS_OF)
    assert cook["jurisdiction"]["kind"] == "county" and cook["scenario"]["matched"] is True
    dallas = exposure(ctx, jurisdiction(gaz, "48113"), load_scenario("doj-list-2025-08-05"), AS_OF)
    assert dallas["scenario"]["matched"] is False and dallas["conditions"] == []
    assert {law["direction"] for law in dallas["state_laws"]} == {"requires"}


def test_state_exposure_derives_the_state_share(ctx, gaz) -> None:
    result = exposure(ctx, jurisdiction(gaz, "06"), load_scenario(None), date(2020, 8, 1))
    fy2018 = _conditions(result, "JAG-CERT-1373-1644")[0]
    assert fy2018["amount_usd"] == 18_120_000  # 60% of the published $30.2 million (F045)
    assert "60%" in fy2018["amount_basis"] and "derived" in fy2018["amount_kind"]
    fy2017 = _conditions(result, "JAG-NOTICE")[0]
    assert fy2017["status"] == "enjoined" and fy2017["amount_usd"] == 16_980_000  # 60% of $28.3M (F062)


def test_imported_allocations_fill_the_unknowns(tmp_path: Path, reg, gaz) -> None:
    csv_path = tmp_path / "fy2025.csv"
    csv_path.write_text(
        "program,fiscal_year,recipient_name,recipient_fips,amount_usd,amount_kind,source\n"
        'Byrne JAG,FY2017,Chicago,17031:chicago,"$2,000,000",allocation,https://example.org/a\n'
        "All federal funds,2025,Cook County,17031,5000000,at_stake,https://example.org/b\n"
        "Byrne JAG,FY2017,Nowhere,99999,10,allocation,https://example.org/c\n",
        encoding="utf-8",
    )
    result = read_funding_csv(csv_path, gaz)
    assert len(result.errors) == 1 and result.errors[0].line == 4
    store = tmp_path / "store"
    store_funding(result, store, csv_path.name)
    ctx = LawContext(reg, gaz, store)
    city = exposure(ctx, jurisdiction(gaz, "17031:chicago"), load_scenario(None), date(2020, 8, 1))
    notice = _conditions(city, "JAG-NOTICE")[0]
    assert notice["amount_usd"] == 2_000_000 and notice["amount_source"][0]["origin"] == "fy2025.csv:2"
    county = exposure(ctx, jurisdiction(gaz, "17031"), load_scenario("doj-list-2025-08-05"), AS_OF)
    assert _conditions(county, "EO-ELIGIBILITY")[0]["amount_usd"] == 5_000_000
    assert county["money"]["direct"]["umbrella_known_usd"] == 5_000_000
    assert county["money"]["direct"]["known_usd"] == 0  # umbrella money is kept apart


def test_declined_detainers_scenario_with_explicit_counts(ctx, gaz) -> None:
    scenario = load_scenario("declined-detainers")
    travis = jurisdiction(gaz, "48453")
    unknown = exposure(ctx, travis, scenario, AS_OF)
    assert unknown["scenario"]["matched"] is None and "unknown" in unknown["scenario"]["why"]
    assert unknown["conditions"]  # unknown is not "no": the conditions are still shown
    assert exposure(ctx, travis, scenario, AS_OF, {"48453": 12})["scenario"]["matched"] is True
    assert exposure(ctx, travis, scenario, AS_OF, {"48453": 0})["scenario"]["matched"] is False
    totals = national(ctx, scenario, AS_OF, {"48453": 12, "17031": 0})
    assert totals["jurisdictions_matched"] == 1


def test_scenario_files_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"match\.kind"):
        parse_scenario('name = "x"\ntitle = "y"\n[match]\nkind = "vibes"\n[reach]\nconditions = ["*"]\n', "t")
    with pytest.raises(ScenarioError, match="min_declined"):
        parse_scenario(
            'name = "x"\ntitle = "y"\n[match]\nkind = "declined_detainers"\nmin_declined = 0\n'
            'period_from = "2024-10-01"\nperiod_to = "2025-09-30"\n[reach]\nconditions = ["*"]\n',
            "t",
        )
    custom = tmp_path / "ten.toml"
    custom.write_text(
        'name = "ten"\ntitle = "Declined 10"\n[match]\nkind = "declined_detainers"\n'
        'min_declined = 10\nperiod_from = "2025-01"\nperiod_to = "2025-06"\n'
        '[reach]\nconditions = ["JAG-NOTICE"]\n',
        encoding="utf-8",
    )
    assert load_scenario(str(custom)).min_declined == 10
    with pytest.raises(ScenarioError, match="no scenario"):
        load_scenario("does-not-exist")


def test_state_law_scenario_reaches_counties(ctx, gaz) -> None:
    scenario = load_scenario("state-law-limits")
    assert exposure(ctx, jurisdiction(gaz, "06001"), scenario, AS_OF)["scenario"]["matched"] is True
    assert exposure(ctx, jurisdiction(gaz, "48453"), scenario, AS_OF)["scenario"]["matched"] is False


def test_cleared_jurisdictions_do_not_count_as_named(ctx, gaz) -> None:
    # Milwaukee County: named in the April 2017 letters, cleared in October 2017 (not adverse).
    milwaukee = jurisdiction(gaz, "55079")
    verdict = exposure(ctx, milwaukee, load_scenario("any-doj-dhs-list"), date(2017, 10, 20))["scenario"]
    assert verdict["matched"] is True and "DOJ-2017-04-21" in verdict["why"]
    assert "DOJ-2017-10-12" not in verdict["why"]


def test_national_what_if_splits_by_circuit_and_status(ctx) -> None:
    result = national(ctx, load_scenario("any-doj-dhs-list"), date(2020, 8, 1))
    direct = result["totals"]["direct"]
    assert result["jurisdictions_matched"] > 30
    assert direct["known_usd"] == sum(direct["by_circuit"].values()) == sum(direct["by_status"].values())
    assert direct["known_usd"] > 0 and direct["awards_with_unknown_amount"] > 0
    assert "pass_through" in result["totals"]
    later = national(ctx, load_scenario("doj-list-2025-08-05"), date(2020, 8, 1))
    assert later["jurisdictions_matched"] == 0  # the 2025 list did not exist in 2020


def test_profile_has_every_section(ctx, gaz) -> None:
    profile = build_profile(ctx, jurisdiction(gaz, "06075"), AS_OF, observed=lambda j: {"declined": "<5"})
    assert set(profile) >= {"identity", "written_policy", "observed", "money_and_law", "sources"}
    assert profile["identity"]["kind"] == "city-county" and profile["identity"]["counties"][0]["ice_area"]
    assert profile["observed"] == {"declined": "<5"}
    assert profile["written_policy"]["agreements_287g"] == []  # San Francisco has no 287(g) agreement


def test_cli_exposure_json_and_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SANCTUARY_ATLAS_STORE": str(tmp_path / "store")}
    out = runner.invoke(
        app,
        ["exposure", "--jurisdiction", "06", "--scenario", "doj-list-2025-08-05", "--as-of", "2025-09-01", "--json"],
        env=env,
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"jurisdiction", "designations", "conditions", "sources"} <= set(data)
    assert data["jurisdiction"]["circuit"] == "9"
    bad = runner.invoke(app, ["exposure", "--jurisdiction", "99999"], env=env)
    assert bad.exit_code != 0
    funding = tmp_path / "f.csv"
    funding.write_text(
        "program,fiscal_year,recipient_name,recipient_fips,amount_usd,amount_kind,source\n"
        "Byrne JAG,2019,Cook,17031,oops,allocation,https://x\n",
        encoding="utf-8",
    )
    imported = runner.invoke(app, ["import-funding", str(funding), "--json"], env=env)
    assert imported.exit_code == 1
    assert json.loads(imported.output)["rejected"][0]["line"] == 2
    jag = runner.invoke(app, ["jag", "--total", "278392240", "--json"])
    assert json.loads(jag.output)["minimum_allocation"] == 695_981


@pytest.fixture(scope="module")
def fy2015_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real FY2015 detainer file, ingested and built (facility -> responsible county) by the
    ingest and resolve stages, as a user would with `sanctuary-atlas ingest` and `build`."""
    from sanctuary_atlas.build import build
    from sanctuary_atlas.ingest.pipeline import ingest
    from sanctuary_atlas.paths import data_dir
    from sanctuary_atlas.store import Store

    root = tmp_path_factory.mktemp("law") / "store"
    store = Store(root)
    ingest([data_dir() / "ice-detainers-fy2015-nprapps" / "detainers_fy2015ytd.csv.gz"], store)
    build(store)
    return root


@pytest.mark.slow
def test_declined_scenario_and_observed_outcomes_from_the_real_fy2015_file(
    fy2015_store, reg, gaz, tmp_path: Path
) -> None:
    from sanctuary_atlas.law.observed import declined_counts

    counts = declined_counts(fy2015_store, date(2014, 10, 1), date(2015, 9, 30))
    assert counts is not None and counts["48453"] >= 5  # Travis County, TX declined detainers in FY2015
    scenario_file = tmp_path / "fy2015.toml"
    scenario_file.write_text(
        'name = "fy2015"\ntitle = "Declined 5+ in FY2015"\n[match]\n'
        'kind = "declined_detainers"\nmin_declined = 5\nperiod_from = "2014-10-01"\n'
        'period_to = "2015-09-30"\n[reach]\nconditions = ["JAG-NOTICE"]\n',
        encoding="utf-8",
    )
    ctx = LawContext(reg, gaz, fy2015_store)
    travis = exposure(ctx, jurisdiction(gaz, "48453"), load_scenario(str(scenario_file)), date(2016, 1, 1))
    assert travis["scenario"]["matched"] is True and f"{counts['48453']} declined" in travis["scenario"]["why"]
    assert travis["conditions"] == []  # FY2017 conditions did not exist on 2016-01-01
    observed = travis["observed"]
    assert observed["suppression_k"] == 5 and observed["by_fiscal_year"][0]["fiscal_year"] == 2015
    row = observed["by_fiscal_year"][0]
    assert isinstance(row["issued"], int)  # over k: published as a number
    # 2 transfers are hidden as "<5"; one more cell must go so they cannot be worked out from the total.
    # The complement is drawn from a non-headline bucket, so the 63 declines stay published.
    assert row["transferred"] == "<5" and row["declined"] == counts["48453"] == 63
    assert "suppressed" in row.values()
    never = [k for k, v in counts.items() if v == 0 and len(k) == 5]
    assert never, "some counties declined none"
    result = exposure(ctx, jurisdiction(gaz, never[0]), load_scenario(str(scenario_file)), date(2016, 1, 1))
    assert result["scenario"]["matched"] is False


def test_cli_national_profile_and_bja_import(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SANCTUARY_ATLAS_STORE": str(tmp_path / "store")}
    national_out = runner.invoke(
        app, ["exposure-national", "--scenario", "state-law-limits", "--as-of", "2020-08-01", "--json"], env=env
    )
    assert national_out.exit_code == 0, national_out.output
    totals = json.loads(national_out.output)["totals"]["direct"]
    assert totals["known_usd"] == sum(totals["by_circuit"].values()) > 0
    profile = runner.invoke(
        app, ["jurisdiction-profile", "--jurisdiction", "Denver, CO", "--as-of", "2025-09-01"], env=env
    )
    assert profile.exit_code == 0, profile.output
    assert json.loads(profile.output)["identity"]["fips"] == "08031"
    table = tmp_path / "bja.csv"
    table.write_text(
        "State,Jurisdiction Name,Government Type,Eligible Individual Allocation,"
        'Eligible Joint Allocation\nCO,DENVER CITY,Municipal,"$500,000",\n',
        encoding="utf-8",
    )
    no_fy = runner.invoke(app, ["import-funding", str(table), "--bja"], env=env)
    assert no_fy.exit_code != 0
    ok = runner.invoke(
        app,
        ["import-funding", str(table), "--bja", "--fiscal-year", "2019", "--source", "https://bja.ojp.gov/x", "--json"],
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["imported"] == 1
    exp = runner.invoke(app, ["exposure", "--jurisdiction", "08031", "--as-of", "2020-08-01", "--json"], env=env)
    fy2019 = [c for c in json.loads(exp.output)["conditions"] if c["fiscal_year"] == 2019]
    assert fy2019 and all(c["amount_usd"] == 500_000 for c in fy2019)


def test_a_source_without_a_figure_stays_unknown(ctx, gaz) -> None:
    # F064: Colorado's FY2018 award was withheld, "about $2.7 million (reported)", no number given.
    colorado = exposure(ctx, jurisdiction(gaz, "08"), load_scenario(None), date(2020, 8, 1))
    fy2018 = _conditions(colorado, "JAG-HARBOR")[0]
    assert fy2018["amount_usd"] is None and fy2018["amount_source"] == UNKNOWN
    assert fy2018["related_amounts"][0]["origin"].endswith("(F064)")
    assert "2.7 million" in fy2018["related_amounts"][0]["amount_text"]
    assert fy2018["status"] == "enjoined" and fy2018["party_injunction"]  # Colorado v. DOJ (L022)


def test_287g_agreements_are_joined_by_jurisdiction(ctx, gaz) -> None:
    harris = exposure(ctx, jurisdiction(gaz, "48201"), load_scenario(None), date(2026, 1, 1))
    agencies = {a["agency"] for a in harris["agreements_287g"]}
    assert "Harris County Sheriff's Office" in agencies
    assert all(a["source_file"].startswith("data/ice-287g/") for a in harris["agreements_287g"])
    from sanctuary_atlas.law.agreements import agreements_for

    miami = {a["agency"] for a in agreements_for(jurisdiction(gaz, "12086:miami"), date(2026, 1, 1))}
    assert miami == {"City of Miami Police Department"}  # not Miami Springs, not the county's
    before = agreements_for(jurisdiction(gaz, "48201"), date(2000, 1, 1))
    assert before == []  # nothing signed yet
