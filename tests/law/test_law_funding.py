"""Funding: the CSV schema and its importer, bad rows reported with file and line, the BJA table
adapter, the store round trip, and the shipped cited amounts resolved to jurisdiction keys."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctuary_atlas.law.funding import (
    cited_funding,
    load_stored_funding,
    program_key,
    read_bja_jag_table,
    read_funding_csv,
    store_funding,
)

HEADER = (
    "program,assistance_listing,fiscal_year,recipient_name,recipient_fips,recipient_state,recipient_kind,"
    "amount_usd,amount_kind,channel,source,verification,notes\n"
)


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_good_rows_import_and_bad_rows_are_reported(tmp_path: Path, gaz) -> None:
    path = _write(
        tmp_path,
        "awards.csv",
        HEADER
        + "\n".join(
            [
                'Byrne JAG,16.738,FY2017,Chicago,17031:chicago,,,"$2,000,000",allocation,direct,https://x,verified,',
                "Byrne JAG,,2017,Cook County,,IL,county,100000,award,,https://x,,",
                "Byrne JAG,,FY2017,Somewhere,,IL,city,5000,allocation,direct,https://x,,",  # line 4: unknown place
                "Mystery Grant,,FY2017,Chicago,17031:chicago,,,5000,allocation,direct,https://x,,",  # line 5
                "Byrne JAG,,FY2017,Chicago,17031:chicago,,,-5,allocation,direct,https://x,,",  # line 6
                "Byrne JAG,,FY17,Chicago,17031:chicago,,,5,allocation,direct,https://x,,",  # line 7
                "Byrne JAG,,FY2017,Chicago,17031:chicago,,,5,grant,direct,https://x,,",  # line 8
                "Byrne JAG,,FY2017,Chicago,17031:chicago,,,5,allocation,direct,,,",  # line 9: no source
                "Byrne JAG,,FY2017,Chicago,99999,,,5,allocation,direct,https://x,,",  # line 10
                "Byrne JAG,,FY2017,Chicago,17031:chicago,,,5,allocation,direct,https://x,,,extra",  # line 11
            ]
        )
        + "\n",
    )
    result = read_funding_csv(path, gaz)
    assert [(r.recipient_key, r.amount_usd, r.channel, r.verification) for r in result.rows] == [
        ("17031:chicago", Decimal(2_000_000), "direct", "verified"),
        ("17031", Decimal(100_000), "direct", "unverified"),
    ]
    by_line = {e.line: e.message for e in result.errors}
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9, 10, 11]
    assert all(e.file == "awards.csv" for e in result.errors)
    assert "not resolved" in by_line[4] and "unknown program" in by_line[5]
    assert "negative" in by_line[6] and "FY17" in by_line[7] and "amount_kind" in by_line[8]
    assert "source is empty" in by_line[9] and "recipient_fips" in by_line[10] and "more cells" in by_line[11]
    # Nothing is silently lost: every data line is either imported or reported.
    assert len(result.rows) + len(result.errors) == 10


def test_missing_columns_and_other_encodings(tmp_path: Path, gaz) -> None:
    bad = read_funding_csv(_write(tmp_path, "x.csv", "program,amount\nJAG,5\n"), gaz)
    assert bad.rows == [] and bad.errors[0].line == 1 and "missing required columns" in bad.errors[0].message
    latin = _write(
        tmp_path,
        "l.csv",
        HEADER + "Byrne JAG,,2019,Peñasco,,NM,city,20000,allocation,,https://x,,\n",
        encoding="cp1252",
    )
    result = read_funding_csv(latin, gaz)
    assert any("not UTF-8" in e.message for e in result.errors)


def test_store_round_trip_and_reimport_replaces(tmp_path: Path, gaz) -> None:
    path = _write(tmp_path, "a.csv", HEADER + "Byrne JAG,,2019,Cook County,17031,,,123.45,allocation,,https://x,,\n")
    store = tmp_path / "store"
    store_funding(read_funding_csv(path, gaz), store, path.name)
    store_funding(read_funding_csv(path, gaz), store, path.name)
    rows = load_stored_funding(store)
    assert len(rows) == 1 and rows[0].amount_usd == Decimal("123.45") and rows[0].origin == "a.csv:2"


def test_bja_table_adapter_with_disparate_group(tmp_path: Path, gaz) -> None:
    table = _write(
        tmp_path,
        "fy2019_jag_il.csv",
        "\n".join(
            [
                "State,Jurisdiction Name,Government Type,Eligible Individual Allocation,Eligible Joint Allocation",
                'IL,COOK COUNTY,County,"$150,000","$2,250,000"',
                'IL,CHICAGO CITY*,Municipal,"$2,100,000",',
                'IL,EVANSTON CITY,Municipal,"$15,000",',
                'IL,NOWHERE VILLAGE,Municipal,"$12,000",',
                "IL,PEORIA CITY,Municipal,not a number,",
            ]
        )
        + "\n",
    )
    result = read_bja_jag_table(table, 2019, gaz, "https://bja.ojp.gov/example")
    rows = {r.recipient_key: r for r in result.rows}
    assert set(rows) == {"17031", "17031:chicago", "17031:evanston"}
    assert rows["17031:chicago"].group_id == rows["17031"].group_id == "IL:COOK COUNTY"
    assert rows["17031:chicago"].group_amount_usd == Decimal(2_250_000)
    assert rows["17031:evanston"].group_id is None
    assert {e.line for e in result.errors} == {5, 6}


def test_not_a_bja_table(tmp_path: Path, gaz) -> None:
    result = read_bja_jag_table(_write(tmp_path, "t.csv", "a,b\n1,2\n"), 2019, gaz, "x")
    assert result.rows == [] and "not a BJA JAG table" in result.errors[0].message


def test_program_aliases() -> None:
    assert program_key("Byrne JAG") == program_key("", "16.738") == "JAG"
    assert program_key("COPS Hiring Program") == "COPS-CHP"
    assert program_key("Something else") is None


def test_shipped_cited_amounts_resolve(reg, gaz) -> None:
    result = cited_funding(reg, gaz)
    assert len(result.rows) == len(reg.amounts)  # nothing dropped
    by_id = {r.origin.split("(")[-1].rstrip(")"): r for r in result.rows}
    assert by_id["F011"].recipient_key == "17031:chicago" and by_id["F011"].fiscal_year == 2010
    assert by_id["F010"].recipient_key == "36005:new-york-city"
    assert by_id["F013"].recipient_key == "42101"  # Philadelphia, a consolidated city-county
    assert by_id["F060"].recipient_key == "44007:providence" and by_id["F060"].amount_usd == 212_112
    assert by_id["F066"].recipient_key == "06075" and by_id["F066"].program_key == "ALL-FEDERAL"
    assert by_id["F040"].channel == "state_and_local_total" and by_id["F040"].recipient_key == "06"
    assert by_id["F004"].recipient_key == "US"
    assert all(r.program_key != "UNKNOWN" for r in result.rows)
    # Rows about several jurisdictions keep no key, and say why.
    assert by_id["F069"].recipient_key is None
    assert {e.line for e in result.errors} >= {reg.amounts["F069"].line, reg.amounts["F063"].line}


def test_funding_command_lists_cited_amounts_by_key(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from sanctuary_atlas.cli import app

    out = CliRunner().invoke(
        app,
        ["funding", "--jurisdiction", "Providence, RI", "--json"],
        env={"SANCTUARY_ATLAS_STORE": str(tmp_path / "store")},
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [(r["fiscal_year"], r["amount_usd"], r["verification"]) for r in rows] == [(2017, 212112, "verified")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=4))
def test_bja_amounts_survive_the_published_formatting(tmp_path: Path, gaz, amounts: list[int]) -> None:
    # BJA prints "$1,234,567"; whatever the figure, the imported amount must be the same number.
    names = ["COOK COUNTY", "CHICAGO CITY", "EVANSTON CITY", "LAKE COUNTY"][: len(amounts)]
    kinds = ["County", "Municipal", "Municipal", "County"]
    lines = ["State,Jurisdiction Name,Government Type,Eligible Individual Allocation"]
    lines += [f'IL,{n},{k},"${a:,}"' for n, k, a in zip(names, kinds, amounts, strict=False)]
    path = _write(tmp_path, "t.csv", "\n".join(lines) + "\n")
    result = read_bja_jag_table(path, 2020, gaz, "https://example.org")
    assert result.errors == []
    assert [int(r.amount_usd) for r in result.rows] == amounts
