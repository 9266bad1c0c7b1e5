"""The gazetteer against the bundled Census/us-atlas/simplemaps files, including the geography traps."""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.gazetteer import Gazetteer, rules_path
from sanctuary_atlas.resolve.names import county_key, fold, place_key


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def test_load_is_cached(gaz: Gazetteer) -> None:
    assert Gazetteer.load() is gaz


@pytest.mark.parametrize("value", ["PA", "pa", "Pennsylvania", "PENNSYLVANIA", "42"])
def test_state_spellings(gaz: Gazetteer, value: str) -> None:
    st_ = gaz.state(value)
    assert st_ is not None
    assert (st_.fips, st_.postal, st_.name, st_.circuit) == ("42", "PA", "Pennsylvania", "3")


def test_state_unknown_and_dc(gaz: Gazetteer) -> None:
    assert gaz.state("NARNIA") is None
    assert gaz.state("") is None
    dc = gaz.state("DISTRICT OF COLUMBIA")
    assert dc is not None and dc.circuit == "DC"
    assert gaz.state("NEW YORK").circuit == "2"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("state", "name", "fips"),
    [
        # same-name counties in different states (the 2017 DDOR's Franklin mix-up)
        ("PA", "Franklin", "42055"),
        ("IA", "Franklin County", "19069"),
        ("NY", "FRANKLIN CO.", "36033"),
        ("IA", "MONTGOMERY CNTY", "19137"),
        ("PA", "Montgomery", "42091"),
        # independent cities vs the county of the same name
        ("MD", "Baltimore", "24005"),
        ("MD", "Baltimore city", "24510"),
        ("VA", "Richmond", "51159"),
        ("VA", "Richmond city", "51760"),
        ("VA", "Norfolk", "51710"),
        ("MO", "St. Louis city", "29510"),
        ("MO", "ST LOUIS CNTY", "29189"),
        ("VA", "James City", "51095"),
        ("NV", "Carson City", "32510"),
        # saint / fort / accents / spacing
        ("FL", "Saint Lucie County", "12111"),
        ("TX", "FT. BEND", "48157"),
        ("NM", "DONA ANA", "35013"),
        ("IL", "De Kalb", "17037"),
        ("LA", "Orleans Parish", "22071"),
        ("AK", "Juneau City and Borough", "02110"),
        # NYC boroughs
        ("NY", "Brooklyn", "36047"),
        ("NY", "Staten Island", "36085"),
        ("NY", "Bronx", "36005"),
        # renamed / merged / split counties harmonised to the 2017 map
        ("SD", "Shannon", "46102"),
        ("AK", "Wade Hampton", "02158"),
        ("AK", "Chugach Census Area", "02261"),
        ("VA", "Bedford city", "51019"),
        ("CT", "Capitol Planning Region", "09003"),
    ],
)
def test_county_fips(gaz: Gazetteer, state: str, name: str, fips: str) -> None:
    assert gaz.county_fips(state, name) == fips


def test_county_fips_misses(gaz: Gazetteer) -> None:
    assert gaz.county_fips("PA", "Narnia") is None
    assert gaz.county_fips("XX", "Franklin") is None
    assert gaz.county_fips("PA", "") is None
    assert gaz.county_fips("PA", "County") is None


@pytest.mark.parametrize(
    ("state", "city", "expected"),
    [
        ("AZ", "PHOENIX", ["04013"]),
        ("PA", "WILKESBARRE", ["42079"]),  # misspelling in the PA file, hyphen dropped
        ("TX", "FT WORTH", ["48439"]),
        ("NY", "ELMHURST", ["36081"]),  # Queens
        ("NY", "RIKERS ISLAND", ["36005"]),  # Bronx, although mail goes to East Elmhurst
        ("NY", "BROOKLYN", ["36047"]),
    ],
)
def test_place_county(gaz: Gazetteer, state: str, city: str, expected: list[str]) -> None:
    assert gaz.place_county(state, city) == expected


def test_place_county_several_and_none(gaz: Gazetteer) -> None:
    assert len(gaz.place_county("PA", "FRANKLIN")) >= 2  # two Franklins in Pennsylvania
    assert sorted(gaz.place_county("NY", "New York City")) == ["36005", "36047", "36061", "36081", "36085"]
    assert gaz.place_county("PA", "") == []
    assert gaz.place_county("ZZ", "Phoenix") == []


def test_county_records_and_harmonise(gaz: Gazetteer) -> None:
    c = gaz.county("02261")
    assert c is not None and c.state == "AK" and c.ice_area == "SEA"
    assert gaz.harmonise("02063") == "02261"
    assert gaz.harmonise("02066") == "02261"
    assert gaz.harmonise("06037") == "06037"
    assert gaz.county("02063") == c
    hartford = gaz.county("09003")
    assert hartford is not None and hartford.ice_area == "BOS"  # AOR table uses planning regions
    assert gaz.county("36047").name == "Kings County"  # type: ignore[union-attr]
    assert gaz.county("11001").name == "District of Columbia"  # type: ignore[union-attr]
    assert gaz.county("99999") is None


def test_every_map_county_is_known(gaz: Gazetteer) -> None:
    with open(data_dir() / "geo" / "us-atlas-3.0.1" / "counties-10m.json", encoding="utf-8") as fh:
        ids = [g["id"] for g in json.load(fh)["objects"]["counties"]["geometries"]]
    missing = [i for i in ids if gaz.county(i) is None]
    assert missing == []
    # every county of the 50 states + DC has an ICE area
    no_area = [c.fips for c in gaz.counties() if c.fips[:2] < "60" and c.ice_area is None]
    assert no_area == []


def test_rule_tables_point_at_real_counties(gaz: Gazetteer) -> None:
    for name in ("harmonise.csv", "county_aliases.csv", "place_aliases.csv", "county_names.csv"):
        with open(rules_path(name), encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert rows, name
        for row in rows:
            target = row.get("to_fips") or row["county_fips"]
            assert gaz.on_map(target), (name, row)
            assert row["evidence"].strip() and row["checked"].strip(), (name, row)
            if "state" in row:
                assert gaz.county(target).state == row["state"], (name, row)  # type: ignore[union-attr]


# ---------------------------------------------------------------- normaliser properties
names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(names)
def test_fold_is_idempotent_ascii(value: str) -> None:
    once = fold(value)
    assert fold(once) == once
    assert once.isascii()
    assert once == once.strip() and "  " not in once


@given(names)
def test_keys_ignore_case_and_punctuation(value: str) -> None:
    assert place_key(value) == place_key(value.upper()) == place_key(f" {value}. ")
    assert county_key(value) == county_key(value.lower())


@given(
    st.sampled_from(["Franklin", "St. Lucie", "Prince George's", "De Kalb", "Dona Ana"]),
    st.sampled_from(["", " County", " CO.", " CNTY", " Parish", " county"]),
)
def test_county_suffixes_are_ignored(base: str, suffix: str) -> None:
    assert county_key(base + suffix) == county_key(base)


@given(st.sampled_from(["Richmond", "Baltimore", "Fairfax", "Roanoke"]))
def test_city_suffix_is_kept(base: str) -> None:
    key, is_city = county_key(base + " city")
    assert is_city and (key, False) == county_key(base)
