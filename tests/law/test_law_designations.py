"""Designations from the real DOJ lists and the withdrawn DHS list, resolved to jurisdiction keys."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sanctuary_atlas.cli import app
from sanctuary_atlas.law.designations import DHS_LIST_ID, load_designations, resolve_listed
from sanctuary_atlas.law.jurisdictions import jurisdiction, resolve_name


def test_every_shipped_name_is_resolved_or_reported(ctx) -> None:
    d = ctx.designations
    assert len(d.designations) + len(d.unmatched) == 105 + 606  # DOJ rows + DHS rows: none dropped
    assert d.unmatched == []


def test_doj_2025_list_keys(ctx) -> None:
    keys = {x.name_as_listed: x.key for x in ctx.designations.designations if x.list_id == "DOJ-2025-08-05"}
    assert len(keys) == 35
    assert keys["Cook County"] == "17031" and keys["Baltimore County"] == "24005"
    assert keys["San Francisco"] == keys["San Francisco County"] == "06075"  # one government
    assert keys["District of Columbia"] == "11" and keys["California"] == "06"
    assert keys["New York City"] == "36005:new-york-city" and keys["Los Angeles"] == "06037:los-angeles"


def test_same_name_in_different_states(ctx) -> None:
    # Albany NY (DOJ 2017) and Albany CA (DHS 2025) must not meet.
    albany = {(x.state, x.key) for x in ctx.designations.designations if x.name_as_listed == "Albany"}
    assert ("NY", "36001:albany") in albany and ("CA", "06001:albany") in albany


def test_dhs_list_is_marked_withdrawn_and_its_errors_are_explained(ctx) -> None:
    dhs = [x for x in ctx.designations.designations if x.list_id == DHS_LIST_ID]
    assert len(dhs) == 606 and all(x.withdrawn and x.verification == "partially_verified" for x in dhs)
    kansas = {x.name_as_listed: x for x in dhs if x.state == "KS"}
    assert kansas["Lawrence"].key == "20045:lawrence" and "listed as county" in kansas["Lawrence"].rule
    assert kansas["Douglas County"].key == "20045" and "listed as city" in kansas["Douglas County"].rule
    nicollet = [x for x in dhs if x.name_as_listed == "Nicollet County"]
    assert len(nicollet) == 2  # DHS listed it twice; both rows are kept
    assert all(x.origin.startswith("data/sanctuary-lists/") for x in dhs)


def test_cleared_rows_are_not_adverse(ctx) -> None:
    cleared = [x for x in ctx.designations.designations if x.list_id == "DOJ-2017-10-12" and not x.adverse]
    assert {x.name_as_listed for x in cleared} == {
        "Milwaukee County",
        "State of Connecticut",
        "Clark County",
        "Miami-Dade County",
    }


def test_unmatched_names_are_reported_not_dropped(reg, gaz, tmp_path: Path) -> None:
    dhs = tmp_path / "dhs.csv"
    dhs.write_text(
        "list_order,state,level,heading,jurisdiction,basis\n"
        "1,Kansas,city,Cities,Atlantis,\n2,Narnia,county,County,Aslan County,\n"
        "3,Oregon,county,County,Multnomah County,\n",
        encoding="utf-8",
    )
    result = load_designations(reg, gaz, dhs)
    unmatched = {x.name_as_listed: x for x in result.unmatched}
    assert set(unmatched) == {"Atlantis", "Aslan County"}
    assert unmatched["Atlantis"].origin.endswith("dhs.csv:2") and "no place" in unmatched["Atlantis"].rule
    assert "unknown state" in unmatched["Aslan County"].rule
    assert "41051" in {x.key for x in result.designations}


def test_name_forms(gaz) -> None:
    assert resolve_listed(gaz, "NV", "city", "Las Vegas City").jurisdiction.key == "32003:las-vegas"
    assert resolve_listed(gaz, "GA", "county", "Athens-Clarke County").jurisdiction.key == "13059"
    assert resolve_name(gaz, "VA", "city", "Richmond").jurisdiction.key == "51760"  # independent city
    assert resolve_name(gaz, "VA", "county", "Richmond County").jurisdiction.key == "51159"
    assert resolve_name(gaz, "DC", "federal district", "Washington, District of Columbia").jurisdiction.key == "11"
    assert resolve_name(gaz, "CA", "state", "State of Oregon").jurisdiction is None  # wrong state


def test_jurisdiction_keys_round_trip(gaz) -> None:
    for key in ("17", "17031", "17031:chicago", "06075", "11", "51760", "36005:new-york-city"):
        assert jurisdiction(gaz, key).key == key
    assert jurisdiction(gaz, "11001").key == "11"


def test_law_check_command_is_clean() -> None:
    result = CliRunner().invoke(app, ["law-check", "--json"])
    assert result.exit_code == 0, result.output


def test_designations_command_csv() -> None:
    import csv
    import io

    result = CliRunner().invoke(app, ["designations", "--list", "DOJ-2025-08-05", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 35 and {r["list_id"] for r in rows} == {"DOJ-2025-08-05"}
    assert all(r["jurisdiction_key"] and r["origin"].startswith("data/reference/doj_lists.csv:") for r in rows)
