"""Each geography/authority trap from issue 3, with real rows from the bundled detainer files."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary_atlas.resolve.facilities import facility_key
from sanctuary_atlas.resolve.resolver import Resolver, get_resolver
from sanctuary_atlas.resolve.rules import AUTHORITY_TYPES, CONFIDENCES


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return get_resolver()


def _in_data(con: duckdb.DuckDBPyConnection, table: str, name: str, city: str | None, state: str) -> bool:
    n = con.execute(
        f"SELECT count(*) FROM {table} WHERE facility_name = ? AND facility_city IS NOT DISTINCT FROM ? "
        "AND facility_state = ?",
        [name, city, state],
    ).fetchall()[0][0]
    return n > 0


CTY, CITY, STATE = "county_sheriff_or_jail", "city_police_or_jail", "state_prison_or_agency"
BOP, FED, REG = "federal_bop", "federal_other", "regional_jail"
CASES = [
    # (table, name, city, state, county_fips, authority_type, min confidence)
    # same-name counties in different states
    ("pa", "FRANKLIN COUNTY JAIL", "CHAMBERSBURG", "PENNSYLVANIA", "42055", CTY, "high"),
    ("fy2015", "FRANKLIN COUNTY JAIL", "COLUMBUS", "OHIO", "39049", CTY, "high"),
    ("fy2015", "FRANKLIN C.F.", "MALONE", "NEW YORK", "36033", STATE, "high"),
    ("fy2015", "FRANKLIN COUNTY JAIL", "ROCKY MOUNT", "VIRGINIA", "51067", CTY, "high"),
    ("pa", "MONTGOMERY CNTY JAIL, PA", "NORRISTOWN", "PENNSYLVANIA", "42091", CTY, "high"),
    ("fy2015", "MONTGOMERY COUNTY JAIL", "CONROE", "TEXAS", "48339", CTY, "high"),
    ("fy2015", "MONTGOMERY COUNTY DET.", "ROCKVILLE", "MARYLAND", "24031", CTY, "high"),
    ("fy2015", "ORANGE COUNTY JAIL", "SANTA ANA", "CALIFORNIA", "06059", CTY, "high"),
    ("fy2015", "ORANGE COUNTY JAIL", "ORLANDO", "FLORIDA", "12095", CTY, "high"),
    # mail address in another county than the facility
    ("fy2015", "RIKERS ISLAND, QUEENS, NY", "ELMHURST", "NEW YORK", "36005", CITY, "high"),
    ("pa", "MOSHANNON VALLEY CORRECTIONAL", "PHILIPSBURG", "PENNSYLVANIA", "42033", BOP, "high"),
    ("fy2015", "HENRICO COUNTY JAIL", "RICHMOND", "VIRGINIA", "51087", CTY, "high"),
    # independent cities
    ("fy2015", "RICHMOND CITY JAIL", "RICHMOND", "VIRGINIA", "51760", CTY, "medium"),
    ("fy2015", "NORFOLK CITY JAIL", "NORFOLK", "VIRGINIA", "51710", CTY, "high"),
    ("fy2015", "PRINCE WILLIAM", "MANASSAS", "VIRGINIA", "51683", REG, "medium"),
    ("fy2015", "ST. LOUIS COUNTY JAIL", "ST. LOUIS", "MISSOURI", "29189", CTY, "medium"),
    ("fy2015", "ST . LOUIS CITY JUSTICE CENTER", "ST. LOUIS", "MISSOURI", "29510", CITY, "high"),
    ("fy2015", "BALT CITY CENTRAL", "BALTIMORE", "MARYLAND", "24510", STATE, "high"),
    # NYC boroughs
    ("fy2015", "BROOKLYN CENTRAL BOOKING", "BROOKLYN", "NEW YORK", "36047", CITY, "high"),
    ("fy2015", "QUEENS CENTRAL BOOKING", "QUEENS", "NEW YORK", "36081", CITY, "high"),
    ("fy2015", "BROOKLYN MDC", "BROOKLYN", "NEW YORK", "36047", BOP, "high"),
    ("fy2015", "QUEENSBORO, C.F, LIC NY", "LONG ISLAND CIT", "NEW YORK", "36081", STATE, "medium"),
    # federal and state prisons are not the county's decision
    ("pa", "USP CANAAN", "WAYMART", "PENNSYLVANIA", "42127", BOP, "high"),
    ("pa", "ALLENWOOD (MED) FCI", "WHITE DEER", "PENNSYLVANIA", "42119", BOP, "high"),
    ("fy2015", "CI EDEN", "EDEN", "TEXAS", "48095", BOP, "high"),
    ("fy2015", "US MARSHALS  SDTX", "MCALLEN", "TEXAS", "48215", FED, "high"),
    ("fy2015", "ASPC ALHAMBRA", "PHOENIX", "ARIZONA", "04013", STATE, "high"),
    ("pa", "CAMPHILL SCI, PA", "CAMP HILL", "PENNSYLVANIA", "42041", STATE, "high"),
    ("fy2015", "HUNTSVILLE STATE P.", "HUNTSVILLE", "TEXAS", "48471", STATE, "high"),
    ("fy2015", "REEVES COUNTY DET. CENTER", "PECOS", "TEXAS", "48389", BOP, "high"),
    # states that run their jails
    ("fy2015", "SUSSEX CO PRIS,GEOTWN,DE", "GEORGETOWN", "DELAWARE", "10005", STATE, "high"),
    ("fy2015", "HONOLULU SHERIFF DEPT.", "HONOLULU", "HAWAII", "15003", STATE, "medium"),
    # misspellings in the real data
    ("pa", "LACKAWANA CNTY JAIL, PA", "SCRANTON", "PENNSYLVANIA", "42069", CTY, "medium"),
    ("pa", "LUZERNE COUNTY JAIL", "WILKESBARRE", "PENNSYLVANIA", "42079", CTY, "high"),
    ("fy2015", "HUDSON COUNTY JAIL", "KEARNEY", "NEW JERSEY", "34017", CTY, "high"),
    ("fy2015", "RENSSALAER COUNTY", "TROY", "NEW YORK", "36083", CTY, "medium"),
    ("fy2015", "GLENDALE POLICE DEPT", "GELNDALE", "CALIFORNIA", "06037", CITY, "medium"),
    ("fy2015", "CHARLESTON COUNTY CORRECT", "NORTH CHARLESTO", "SOUTH CAROLINA", "45019", CTY, "high"),
    # a word that looks tribal but is a county
    ("fy2015", "PUEBLO COUNTY JAIL", "PUEBLO", "COLORADO", "08101", CTY, "high"),
]
RANK = {c: i for i, c in enumerate(reversed(CONFIDENCES))}


@pytest.mark.parametrize(("table", "name", "city", "state", "fips", "atype", "conf"), CASES)
def test_trap(
    detainers: duckdb.DuckDBPyConnection,
    resolver: Resolver,
    table: str,
    name: str,
    city: str,
    state: str,
    fips: str,
    atype: str,
    conf: str,
) -> None:
    assert _in_data(detainers, table, name, city, state), "test rows must be real rows"
    res = resolver.resolve(name, city, state)
    assert (res.county_fips, res.authority_type) == (fips, atype), res.evidence
    assert RANK[res.confidence] >= RANK[conf], res
    assert res.evidence


def test_placeholder_has_no_county(detainers: duckdb.DuckDBPyConnection, resolver: Resolver) -> None:
    sql = "SELECT count(*) FROM fy2015 WHERE facility_name = 'OTHER-OTHER FACILITY'"
    n = detainers.sql(sql).fetchall()[0][0]
    assert n > 9000
    res = resolver.resolve("OTHER-OTHER FACILITY", None, None)
    assert (res.county_fips, res.authority_type, res.confidence) == (None, "unknown", "none")
    assert "placeholder" in res.evidence


def test_blank_city_uses_the_name(resolver: Resolver) -> None:
    # real names with the city removed: the county named still places a county jail ...
    res = resolver.resolve("FRANKLIN COUNTY JAIL", None, "PENNSYLVANIA")
    assert (res.county_fips, res.confidence) == ("42055", "high")
    # ... but a federal office with no city cannot be placed, and says so
    res = resolver.resolve("US MARSHALS  SDTX", "", "TEXAS")
    assert res.county_fips is None and res.confidence == "none" and "city blank" in res.evidence


def test_facility_code_from_the_2023_layout(detainers: duckdb.DuckDBPyConnection, resolver: Resolver) -> None:
    rows = detainers.sql("SELECT DISTINCT facility_name, facility_city, facility_state, facility_code FROM mn")
    [(name, city, state, code)] = rows.fetchall()
    res = resolver.resolve(name, city, state, code)
    assert (res.county_fips, res.authority_type) == ("27141", "state_prison_or_agency")
    # a code in the ICE lists places a facility even without a name; the list's wrong county (KINGS for
    # the Albany County jail) is overruled by the county named
    res = resolver.resolve(None, None, None, "ALBCONY")
    assert (res.county_fips, res.authority_type) == ("36001", "county_sheriff_or_jail")


@pytest.mark.parametrize(
    ("name", "city", "state", "reason"),
    [
        ("X" * 10_000, "PHOENIX", "ARIZONA", "longer than"),
        ("MARICOPA COUNTY JAIL", "PHOENIX", "NARNIA", "not a US state"),
        ("MARICOPA COUNTY JAIL", "PHOENIX", None, "state is blank"),
        ("", "PHOENIX", "ARIZONA", "no facility name"),
        (None, None, None, "no facility name"),
    ],
)
def test_bad_values_are_unknown_with_a_reason(
    resolver: Resolver, name: str | None, city: str | None, state: str | None, reason: str
) -> None:
    res = resolver.resolve(name, city, state)
    assert res.authority_type == "unknown" and res.confidence == "none" and res.county_fips is None
    assert reason in res.evidence


# ---------------------------------------------------------------- properties of the parser and resolver
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@given(text)
def test_facility_key_is_normalised(value: str) -> None:
    key = facility_key(value)
    assert key == key.upper() and key.isascii()
    assert facility_key(key) == key
    assert facility_key(value.lower()) == key


@given(st.sampled_from(["F.C.I.", "F C I", "FCI", "f.c.i."]), st.sampled_from(["HERLONG", "Herlong"]))
def test_dotted_acronyms_join(acr: str, place: str) -> None:
    assert facility_key(f"{acr} {place}") == "FCI HERLONG"


@settings(max_examples=60, deadline=None)
@given(text, text, st.sampled_from(["TEXAS", "PA", "New York", "", "ZZ"]), st.one_of(st.none(), text))
def test_resolver_never_crashes(name: str, city: str, state: str, code: str | None) -> None:
    res = get_resolver().resolve(name, city, state, code)
    assert res.authority_type in AUTHORITY_TYPES and res.confidence in CONFIDENCES
    assert res.evidence
    assert (res.county_fips is None) == (res.county_name is None)
    if res.county_fips is None:
        assert res.confidence == "none"
