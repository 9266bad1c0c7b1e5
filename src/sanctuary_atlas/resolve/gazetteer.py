"""States, counties and places, harmonised to the map's county vintage (us-atlas 2017).

Everything is read from the bundled data (``data/geo``, ``data/reference``, ``data/ice-aor``) plus the small
hand tables in ``rules/`` (renamed counties, borough aliases, neighbourhoods). Lookups tolerate the spellings
found in ICE releases: "PENNSYLVANIA", "CO.", "CNTY", "St."/"Saint", "... city".
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import zipcodes

from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.names import county_key, fold, place_key


@dataclass(frozen=True)
class State:
    fips: str
    postal: str
    name: str
    circuit: str | None


@dataclass(frozen=True)
class County:
    fips: str
    name: str
    state: str  # postal code
    ice_area: str | None


def rules_path(name: str) -> Path:
    return Path(str(resources.files("sanctuary_atlas.resolve") / "rules" / name))


def _read_csv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# Spellings of states seen in releases that are not in the Census list.
_STATE_ALIASES = {"washington dc": "DC", "wash dc": "DC", "dist of columbia": "DC", "penn": "PA"}


class Gazetteer:
    """In-memory lookups; build once with :meth:`load`."""

    def __init__(self, root: Path) -> None:
        self._states: dict[str, State] = {}
        self._state_by_fips: dict[str, State] = {}
        self._counties: dict[str, County] = {}
        # (postal, key, is_city) -> fips; names from every vintage point at the harmonised code
        self._county_index: dict[tuple[str, str, bool], str] = {}
        self._places: dict[tuple[str, str], list[str]] = defaultdict(list)
        # postal city names (PyPI zipcodes): villages and New England towns missing from simplemaps
        self._postal_places: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._harmonise: dict[str, str] = {}
        self._by_state: dict[str, dict[str, list[str]]] = {}
        self._counties_by_state: dict[str, list[County]] = {}
        self._map_ids: set[str] = set()
        self._load_states(root)
        self._load_counties(root)
        self._load_places(root)

    # ------------------------------------------------------------------ loading
    def _load_states(self, root: Path) -> None:
        circuits = {r["state_abbr"]: r["circuit"] for r in _read_csv(root / "reference" / "circuits_by_state.csv")}
        for row in _read_csv(root / "geo" / "addfips-0.4.2" / "states.csv"):
            postal = row["postal"]
            st = self._state_by_fips.get(row["fips"])
            if st is None:  # first spelling is the canonical name (later rows are aliases)
                st = State(fips=row["fips"], postal=postal, name=row["name"], circuit=circuits.get(postal))
                self._state_by_fips[row["fips"]] = st
            self._states[fold(row["name"])] = st
            self._states[postal.lower()] = st
            self._states[row["fips"]] = st
        for alias, postal in _STATE_ALIASES.items():
            self._states[alias] = self._states[postal.lower()]

    def _load_counties(self, root: Path) -> None:
        geo = root / "geo"
        with open(geo / "us-atlas-3.0.1" / "counties-10m.json", encoding="utf-8") as fh:
            atlas = json.load(fh)
        atlas_names = {g["id"]: g["properties"]["name"] for g in atlas["objects"]["counties"]["geometries"]}
        self._map_ids = set(atlas_names)
        for row in _read_csv(rules_path("harmonise.csv")):
            self._harmonise[row["from_fips"]] = row["to_fips"]
        aor_rows = _read_csv(root / "ice-aor" / "county_aor.csv")
        aor = {r["geoid"]: r["aor"] for r in aor_rows}
        aor_by_state: dict[str, set[str]] = defaultdict(set)
        for fips, area in list(aor.items()):
            aor_by_state[fips[:2]].add(area)
            aor.setdefault(self.harmonise(fips), area)

        # addfips lists several names per code (aliases after the canonical one); the first 2010 name is
        # the display name, all are indexed so "Brooklyn Borough" and "Kings County" both resolve.
        overrides = _read_csv(rules_path("county_names.csv"))
        display: dict[str, str] = {r["county_fips"]: r["name"] for r in overrides}
        aliases: list[tuple[str, str]] = []
        for vintage in ("counties_2010.csv", "counties_2020.csv"):
            for row in _read_csv(geo / "addfips-0.4.2" / vintage):
                fips = row["statefp"] + row["countyfp"]
                display.setdefault(fips, row["name"])
                aliases.append((fips, row["name"]))
        for row in aor_rows:  # "capitol planning region, connecticut"
            aliases.append((row["geoid"], row["name"].rsplit(",", 1)[0]))
        for fips, name in aliases:
            st = self._state_by_fips.get(fips[:2])
            if st is not None:
                self._index_county(st.postal, name, self.harmonise(fips))
        for fips, name in display.items():
            st = self._state_by_fips.get(fips[:2])
            if st is not None and self.harmonise(fips) == fips:
                self._add_county(fips, name, st, aor, aor_by_state)
        for fips, short in atlas_names.items():  # map ids missing from addfips keep the atlas name
            st = self._state_by_fips.get(fips[:2])
            if st is not None and fips not in self._counties:
                self._add_county(fips, short, st, aor, aor_by_state)
                self._index_county(st.postal, short, fips)
        for row in _read_csv(rules_path("county_aliases.csv")):
            key, is_city = county_key(row["alias"])
            self._county_index.setdefault((row["state"], key, is_city), row["county_fips"])

    def _add_county(
        self, fips: str, name: str, st: State, aor: dict[str, str], aor_by_state: dict[str, set[str]]
    ) -> None:
        area = aor.get(fips)
        if area is None and len(aor_by_state.get(fips[:2], ())) == 1:
            # e.g. Connecticut's old counties: the AOR table uses planning regions, all in one area
            area = next(iter(aor_by_state[fips[:2]]))
        self._counties[fips] = County(fips=fips, name=name, state=st.postal, ice_area=area)

    def _index_county(self, postal: str, name: str, fips: str) -> None:
        key, is_city = county_key(name)
        self._county_index.setdefault((postal, key, is_city), fips)

    def _load_places(self, root: Path) -> None:
        path = root / "geo" / "simplemaps-uscities-basic" / "uscities_2020.csv.gz"
        for row in _read_csv(path):
            fips = self.harmonise(row["county_fips"].zfill(5))
            for name in {row["city"], row["city_ascii"]}:
                lst = self._places[(row["state_id"], place_key(name))]
                if fips not in lst:
                    lst.append(fips)
        for row in _read_csv(rules_path("place_aliases.csv")):
            lst = self._places[(row["state"], place_key(row["place"]))]
            if row["county_fips"] not in lst:
                lst.append(row["county_fips"])

    def _postal(self) -> dict[tuple[str, str], list[str]]:
        """Postal city names from ``zipcodes``, indexed on first use (it costs ~2 s to load)."""
        if self._postal_places:
            return self._postal_places
        seen: dict[tuple[str, str], str | None] = {}  # 42k ZIPs share ~3k county names
        for z in zipcodes.list_all():
            if not z.get("active") or not z.get("county") or z.get("zip_code_type") == "MILITARY":
                continue
            ck = (z["state"], z["county"])
            if ck not in seen:
                seen[ck] = self.county_fips(*ck)
            fips = seen[ck]
            if fips is None:
                continue
            for name in [z["city"], *z.get("acceptable_cities", [])]:
                lst = self._postal_places[(z["state"], place_key(name))]
                if fips not in lst:
                    lst.append(fips)
        return self._postal_places

    @classmethod
    def load(cls) -> Gazetteer:
        return _load_cached(str(data_dir()))

    # ------------------------------------------------------------------ lookups
    def state(self, value: str | None) -> State | None:
        if not value:
            return None
        return self._states.get(fold(value))

    def states(self) -> list[State]:
        return sorted(self._state_by_fips.values(), key=lambda s: s.fips)

    def county_fips(self, state: str | None, county_name: str | None) -> str | None:
        """The harmonised FIPS of a county named in a state, or None.

        "Richmond" is the county; "Richmond city" the independent city; a bare name that only exists as
        an independent city ("Norfolk") resolves to the city.
        """
        st = self.state(state)
        if st is None or not county_name:
            return None
        key, is_city = county_key(county_name)
        if not key:
            return None
        hit = self._county_index.get((st.postal, key, is_city))
        if hit is None and not is_city:
            hit = self._county_index.get((st.postal, key, True))
        if hit is None and is_city:
            # "Carson City", "James City": the word city belongs to the county's own name
            hit = self._county_index.get((st.postal, key + "city", False))
        return hit

    def place_county(self, state: str | None, city: str | None) -> list[str]:
        """County FIPS of a city: the simplemaps place table, else postal city names (zipcodes)."""
        return self.place_county_source(state, city)[0]

    def place_county_source(self, state: str | None, city: str | None) -> tuple[list[str], str]:
        """Like :meth:`place_county`, also naming the table that answered ("places", "postal" or "")."""
        st = self.state(state)
        if st is None or not city:
            return [], ""
        key = (st.postal, place_key(city))
        if hit := self._places.get(key):
            return list(hit), "places"
        if hit := self._postal().get(key):
            return list(hit), "postal"
        return [], ""

    def places_in_state(self, state: str) -> dict[str, list[str]]:
        """Place key -> county FIPS list for one state (for fuzzy matching of misspelt cities)."""
        st = self.state(state)
        if st is None:
            return {}
        if st.postal not in self._by_state:
            out = {k: v for (p, k), v in self._postal().items() if p == st.postal}
            out.update({k: v for (p, k), v in self._places.items() if p == st.postal})
            self._by_state[st.postal] = out
        return self._by_state[st.postal]

    def county(self, fips: str | None) -> County | None:
        if not fips:
            return None
        return self._counties.get(self.harmonise(fips.strip().zfill(5)))

    def counties(self, state: str | None = None) -> list[County]:
        if not state:
            return list(self._counties.values())
        st = self.state(state)
        if st is None:
            return []
        if st.postal not in self._counties_by_state:
            self._counties_by_state[st.postal] = [c for c in self._counties.values() if c.state == st.postal]
        return list(self._counties_by_state[st.postal])

    def harmonise(self, fips: str) -> str:
        return self._harmonise.get(fips, fips)

    def on_map(self, fips: str) -> bool:
        return self.harmonise(fips) in self._map_ids


@cache
def _load_cached(root: str) -> Gazetteer:
    return Gazetteer(Path(root))
