"""Jurisdictions by key, and names (as DOJ, DHS and courts write them) resolved to those keys.

Keys: a state is its 2-digit FIPS ("17"), a county its 5-digit FIPS ("17031"), a city the FIPS of its
primary county plus a name slug ("17031:chicago") because no Census place codes are bundled. A
consolidated city-county (San Francisco, Denver, Baltimore city) is one government and so one key:
its county FIPS, whichever name it is written under. DC is the state-level key "11".

All geography comes from the gazetteer of the resolve stage, passed in as a parameter, so this module
holds no geography of its own beyond the short table of consolidated governments in
``rules/consolidated.csv``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from sanctuary_atlas.resolve.gazetteer import County, State
from sanctuary_atlas.resolve.names import place_key


class GazetteerLike(Protocol):
    """The part of ``sanctuary_atlas.resolve.gazetteer.Gazetteer`` this module uses."""

    def state(self, value: str | None) -> State | None: ...
    def county_fips(self, state: str | None, county_name: str | None) -> str | None: ...
    def place_county(self, state: str | None, city: str | None) -> list[str]: ...
    def county(self, fips: str | None) -> County | None: ...


@dataclass(frozen=True)
class Jurisdiction:
    key: str
    kind: str  # state | county | city | city-county
    name: str
    state: str  # postal code
    state_fips: str
    circuit: str | None
    counties: tuple[str, ...]  # county FIPS the jurisdiction covers or lies in

    def to_json(self) -> dict[str, object]:
        return {
            "fips": self.key,
            "kind": self.kind,
            "name": self.name,
            "state": self.state,
            "state_fips": self.state_fips,
            "circuit": self.circuit,
            "counties": list(self.counties),
        }


@dataclass(frozen=True)
class Resolution:
    """The outcome of resolving one written name: a jurisdiction, or None and the reason."""

    jurisdiction: Jurisdiction | None
    rule: str


_PREFIXES = re.compile(
    r"^(state of|commonwealth of|city and county of|city & county of|county of|city of|town of|"
    r"village of|borough of|township of)\s+",
    re.I,
)
_SUFFIXES = re.compile(r"\s+(metro|metro government|city-county)$", re.I)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@cache
def _consolidated() -> dict[tuple[str, str], dict[str, str]]:
    text = resources.files("sanctuary_atlas.law").joinpath("rules/consolidated.csv").read_text("utf-8")
    return {(row["state"], place_key(row["name"])): row for row in csv.DictReader(text.splitlines())}


def clean_name(name: str) -> str:
    """Drop the words that say what kind of government it is; the kind is carried separately."""
    text = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    text = re.sub(r",\s*District of Columbia$", "", text)
    text = _PREFIXES.sub("", text)
    return _SUFFIXES.sub("", text).strip()


def normalise_kind(kind: str) -> str:
    k = kind.strip().lower()
    if k.startswith(("state", "federal district", "district")):
        return "state"
    if "city-county" in k or "city and county" in k:
        return "city-county"
    if k.startswith("county") or k in {"parish", "borough"}:
        return "county"
    if k in {"city", "town", "village", "township", "municipal", "municipality"}:
        return "city"
    return k


def _state(gaz: GazetteerLike, postal: str) -> Jurisdiction:
    st = gaz.state(postal)
    if st is None:
        raise LookupError(f"unknown state {postal!r}")
    counties = ("11001",) if st.postal == "DC" else ()
    return Jurisdiction(st.fips, "state", st.name, st.postal, st.fips, st.circuit, counties)


def _county(gaz: GazetteerLike, fips: str, kind: str = "county", name: str | None = None) -> Jurisdiction:
    county = gaz.county(fips)
    if county is None:
        raise LookupError(f"unknown county FIPS {fips!r}")
    if county.fips == "11001":
        return _state(gaz, "DC")
    st = gaz.state(county.state)
    if county.name.lower().endswith(" city"):
        kind = "city-county"  # an independent city is its own county-equivalent
    for (postal, _), row in _consolidated().items():
        if postal == county.state and row["county_fips"] == county.fips:
            kind, name = "city-county", row["name"]
    return Jurisdiction(county.fips, kind, name or county.name, county.state, st.fips, st.circuit, (county.fips,))


def _city(gaz: GazetteerLike, postal: str, name: str, counties: list[str]) -> Jurisdiction:
    st = gaz.state(postal)
    return Jurisdiction(f"{counties[0]}:{slug(name)}", "city", name, st.postal, st.fips, st.circuit, tuple(counties))


def jurisdiction(gaz: GazetteerLike, key: str) -> Jurisdiction:
    """The jurisdiction a key (or "City, ST") names; LookupError if there is none."""
    key = key.strip()
    if re.fullmatch(r"\d{1,2}", key):
        st = gaz.state(key.zfill(2))
        if st is None:
            raise LookupError(f"unknown state FIPS {key!r}")
        return _state(gaz, st.postal)
    if re.fullmatch(r"\d{4,5}", key):
        return _county(gaz, key.zfill(5))
    match = re.fullmatch(r"(\d{5}):([a-z0-9-]+)", key)
    if match:
        county = gaz.county(match.group(1))
        if county is None:
            raise LookupError(f"unknown county FIPS in {key!r}")
        name = match.group(2).replace("-", " ").title()
        found = resolve_name(gaz, county.state, "city", name).jurisdiction
        if found is None or match.group(1) not in found.counties:
            raise LookupError(f"no city {name!r} in county {match.group(1)}")
        return found
    match = re.fullmatch(r"(.+),\s*([A-Za-z .]+)", key)
    if match:
        found = resolve_name(gaz, match.group(2), "city", match.group(1))
        if found.jurisdiction is None:
            found = resolve_name(gaz, match.group(2), "county", match.group(1))
        if found.jurisdiction is not None:
            return found.jurisdiction
        raise LookupError(f"{key!r}: {found.rule}")
    raise LookupError(f"not a jurisdiction key: {key!r} (use 17, 17031, 17031:chicago or 'Chicago, IL')")


def resolve_name(gaz: GazetteerLike, state: str, kind: str, name: str) -> Resolution:
    """Resolve a name as written in a list or a court caption; never guesses across states."""
    st = gaz.state(state)
    if st is None:
        return Resolution(None, f"unknown state {state!r}")
    kind = normalise_kind(kind)
    cleaned = clean_name(name)
    if st.postal == "DC":
        return Resolution(_state(gaz, "DC"), "DC is one government at state and county level")
    if kind == "state":
        if place_key(cleaned) not in {place_key(st.name), place_key(st.postal)}:
            return Resolution(None, f"state entry {name!r} does not name {st.name}")
        return Resolution(_state(gaz, st.postal), "state by postal code")
    row = _consolidated().get((st.postal, place_key(cleaned)))
    if row is not None and kind in {"city", "city-county"}:
        # "San Francisco County" and the city "San Francisco" are the same government.
        return Resolution(_county(gaz, row["county_fips"]), "consolidated city-county table")
    if kind in {"county", "city-county"}:
        fips = gaz.county_fips(st.postal, cleaned)
        if fips is None:
            return Resolution(None, f"no county {cleaned!r} in {st.postal}")
        return Resolution(_county(gaz, fips, kind), "county name in state")
    if kind == "city":
        counties = gaz.place_county(st.postal, cleaned)
        if len(counties) == 1 and gaz.county(counties[0]).name.lower() == f"{cleaned} city".lower():
            # Virginia's independent cities (and St. Louis) are their own county-equivalents.
            rule = "independent city (county-equivalent)"
            return Resolution(_county(gaz, counties[0], "city-county"), rule)
        if counties:
            return Resolution(_city(gaz, st.postal, cleaned, counties), "place name in state")
        fips = gaz.county_fips(st.postal, f"{cleaned} city")
        if fips is not None and gaz.county(fips).name.lower().endswith("city"):
            return Resolution(_county(gaz, fips, "city-county"), "independent city (county-equivalent)")
        return Resolution(None, f"no place {cleaned!r} in {st.postal}")
    return Resolution(None, f"unknown jurisdiction kind {kind!r}")
