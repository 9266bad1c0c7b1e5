"""The bundled ICE facility lists as one index: code -> facility, (state, name key) -> facilities.

Sources (all in ``data/ice-facilities``), most specific first: UWCHR's joined DETLOC table (county given),
the 2017-11-06 ICE facility list (county given), UWCHR's 2025 coded facilities (address with ZIP), the
Deportation Data Project's facility locations (address with ZIP). The county is read from the list's county
column; where that is not a county of the state (e.g. "ABILENE"), from the ZIP via ``zipcodes``; then from
the city.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import zipcodes

from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.gazetteer import Gazetteer
from sanctuary_atlas.resolve.names import fold

_SINGLE_LETTERS = re.compile(r"\b([A-Z])((?: [A-Z]\b)+)")
_ZIP = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")


def facility_key(name: str | None) -> str:
    """Upper-case words of a facility name; "F.C.I." and "D.O.C." become FCI and DOC."""
    if not name:
        return ""
    text = fold(name).upper()
    return _SINGLE_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)


@dataclass(frozen=True)
class RefFacility:
    source: str  # file name
    code: str
    name: str
    city: str
    state: str  # postal
    county_fips: str | None
    county_how: str  # "county column", "zip", "city", ""
    ftype: str  # the list's type (IGSA, BOP, USMS IGA, HOLD, STATE PRISON, ...)

    def describe(self) -> str:
        return f"{self.source}: {self.code} {self.name}, {self.city} {self.state} ({self.ftype})"


def zip_county(gaz: Gazetteer, state: str, zip5: str | None) -> str | None:
    if not zip5 or not re.fullmatch(r"\d{5}", zip5):
        return None
    try:
        hits = zipcodes.matching(zip5)
    except (ValueError, TypeError):
        return None
    for hit in hits:
        if hit.get("state") == state and hit.get("county"):
            return gaz.county_fips(state, hit["county"])
    return None


class FacilityIndex:
    def __init__(self, root: Path, gaz: Gazetteer) -> None:
        self.by_code: dict[str, RefFacility] = {}
        self.by_name: dict[tuple[str, str], list[RefFacility]] = defaultdict(list)
        self.names_in_state: dict[str, dict[str, list[RefFacility]]] = defaultdict(dict)
        con = duckdb.connect()
        folder = root / "ice-facilities"

        def rows(sql: str) -> list[tuple[str | None, ...]]:
            return con.sql(sql).fetchall()

        joined = rows(
            "select detloc, name, city, county, state, zip, coalesce(type_detailed, type) from read_csv("
            f"'{folder / 'uwchr_ice_facilities_joined.csv.gz'}', all_varchar=true)"
        )
        list2017 = rows(
            "select detloc, name, city, county, state, zip, coalesce(type_detailed, type) from read_csv("
            f"'{folder / 'ice_facility_list_2017-11-06_uwchr_clean.csv.gz'}', all_varchar=true)"
        )
        for src, table in (("uwchr_ice_facilities_joined", joined), ("ice_facility_list_2017", list2017)):
            for code, name, city, county, state, zip5, ftype in table:
                self._add(gaz, src, code, name, city, state, county, zip5, ftype)
        coded = rows(
            "select detention_facility_code, detention_facility, address, state, type from read_csv("
            f"'{folder / 'uwchr_coded_facilities_jun2025.csv'}', all_varchar=true)"
        )
        ddp = rows(
            "select detention_facility_code, detention_facility_name, address, state, null from read_csv("
            f"'{folder / 'ddp_facility_locations_oct2025.tsv'}', all_varchar=true, delim='\t')"
        )
        with_address = (("uwchr_coded_facilities_jun2025", coded), ("ddp_facility_locations_oct2025", ddp))
        for src, table in with_address:
            for code, name, address, state, ftype in table:
                city, zip5 = _split_address(address)
                self._add(gaz, src, code, name, city, state, None, zip5, ftype)

    def _add(
        self,
        gaz: Gazetteer,
        source: str,
        code: str | None,
        name: str | None,
        city: str | None,
        state: str | None,
        county: str | None,
        zip5: str | None,
        ftype: str | None,
    ) -> None:
        st = gaz.state(state or "")
        if not code or not name or st is None:
            return
        fips, how = None, ""
        if county and (fips := gaz.county_fips(st.postal, county.strip())):
            how = "county column"
        elif fips := zip_county(gaz, st.postal, (zip5 or "").strip()[:5]):
            how = "zip"
        elif city and len(places := gaz.place_county(st.postal, city)) == 1:
            fips, how = places[0], "city"
        ref = RefFacility(
            source, code.strip(), name.strip(), (city or "").strip(), st.postal, fips, how, (ftype or "").strip()
        )
        self.by_code.setdefault(ref.code, ref)
        key = facility_key(ref.name)
        self.by_name[(st.postal, key)].append(ref)
        self.names_in_state[st.postal].setdefault(key, []).append(ref)


def _split_address(address: str | None) -> tuple[str, str | None]:
    """'188 Cemetery St, Carrollton, AL 35447' -> ('Carrollton', '35447')."""
    if not address:
        return "", None
    parts = [p.strip() for p in address.split(",")]
    m = _ZIP.search(parts[-1])
    city = parts[-2] if len(parts) >= 2 else ""
    return city, m.group(1) if m else None


@cache
def _load(root: str) -> FacilityIndex:
    return FacilityIndex(Path(root), Gazetteer.load())


def facility_index() -> FacilityIndex:
    return _load(str(data_dir()))
