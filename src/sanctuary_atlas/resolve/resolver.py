"""Facility -> county where it stands + the authority responsible, with confidence and evidence.

Sources, in order (docs/resolve.md): the fix table (hand-checked, overrides everything, because the
bundled lists carry errors such as Rikers Island in Queens); the facility code in the ICE lists; the exact
name in the ICE lists; a county named in the facility name; the city; fuzzy name/city matches. The name
patterns decide the authority type. Every answer carries the rule and the source row that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from sanctuary_atlas.resolve.facilities import FacilityIndex, RefFacility, facility_index, facility_key
from sanctuary_atlas.resolve.gazetteer import Gazetteer, State
from sanctuary_atlas.resolve.names import county_key, place_key
from sanctuary_atlas.resolve.rules import Pattern, Rules, load_rules

MAX_NAME = 200
_RANK = {"high": 3, "medium": 2, "low": 1, "none": 0}
_COUNTY_WORDS = {"COUNTY", "CNTY", "CTY", "PARISH", "BOROUGH"}
_COUNTY_ABBREV = {"CO", "PAR"}
# What the ICE lists' facility types say about the authority when no name pattern does.
_LIST_TYPES = {
    "BOP": "federal_bop",
    "SPC": "ice_or_contract_detention",
    "CDF": "ice_or_contract_detention",
    "HOLD": "ice_or_contract_detention",
    "STAGING": "ice_or_contract_detention",
    "STATE PRISON": "state_prison_or_agency",
    "POLICE DEPARTMENT": "city_police_or_jail",
    "REGIONAL JAIL": "regional_jail",
    "HOSPITAL": "court_or_other",
    "HEALTH": "court_or_other",
    "IGSA": "county_sheriff_or_jail",
    "USMS IGA": "county_sheriff_or_jail",
    "JUVENILE": "county_sheriff_or_jail",
}
_FEDERAL_NAMES = {
    "federal_bop": "Federal Bureau of Prisons",
    "ice_or_contract_detention": "U.S. Immigration and Customs Enforcement",
}


@dataclass(frozen=True)
class Resolution:
    county_fips: str | None
    county_name: str | None
    authority_type: str
    authority_name: str | None
    authority_fips: str | None
    confidence: str
    evidence: str


def unknown(reason: str) -> Resolution:
    return Resolution(None, None, "unknown", None, None, "none", reason)


def _clean(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


class Resolver:
    def __init__(self, gaz: Gazetteer, index: FacilityIndex, rules: Rules) -> None:
        self.gaz, self.index, self.rules = gaz, index, rules
        self._county_keys: dict[str, dict[str, str]] = {}

    # --------------------------------------------------------------- helpers
    def classify(self, key: str, postal: str, name_county: str | None) -> Pattern | None:
        for pat in self.rules.patterns:
            if pat.states and postal not in pat.states:
                continue
            if not pat.regex.search(key):
                continue
            if pat.rule_id == "county_abbrev" and name_county is None:
                continue  # "CO" means county only when a real county precedes it
            return pat
        return None

    def _county_keys_of(self, postal: str) -> dict[str, str]:
        if postal not in self._county_keys:
            self._county_keys[postal] = {county_key(c.name)[0]: c.fips for c in self.gaz.counties(postal)}
        return self._county_keys[postal]

    def county_in_name(self, key: str, postal: str) -> tuple[str | None, str]:
        """The county a facility name writes before COUNTY/CO./PARISH, and how it was read."""
        words = key.split()
        for i, word in enumerate(words):
            if word == "CITY" and i > 0:  # "RICHMOND CITY JAIL": an independent city is a county-equivalent
                for size in (3, 2, 1):
                    cand = " ".join(words[max(0, i - size) : i]) + " city"
                    fips = self.gaz.county_fips(postal, cand)
                    if fips and (c := self.gaz.county(fips)) and c.name.endswith(" city"):
                        return fips, f"independent city '{cand}'"
            if word not in _COUNTY_WORDS and word not in _COUNTY_ABBREV:
                continue
            if word == "COUNTY" and words[i + 1 : i + 2] == ["OF"]:  # "COUNTY OF SAN DIEGO"
                for size in (3, 2, 1):
                    cand = " ".join(words[i + 2 : i + 2 + size])
                    if cand and (fips := self.gaz.county_fips(postal, cand)):
                        return fips, f"'COUNTY OF {cand}'"
            for size in (4, 3, 2, 1):
                if i - size < 0:
                    continue
                cand = " ".join(words[i - size : i])
                if fips := self.gaz.county_fips(postal, cand):
                    return fips, f"'{cand} {word}'"
            if word in _COUNTY_WORDS and i > 0:
                keys = self._county_keys_of(postal)
                for start in range(max(0, i - 3), i):
                    cand = place_key(" ".join(words[start:i]))
                    hit = process.extractOne(
                        cand, keys.keys(), scorer=fuzz.ratio, score_cutoff=self.rules.thresholds["county_name"]
                    )
                    if hit:
                        return keys[hit[0]], f"fuzzy '{' '.join(words[start:i])}'~'{hit[0]}' ({hit[1]:.0f})"
        return None, ""

    def county_leading(self, key: str, postal: str) -> str | None:
        """A name that starts with a county of the state ("PRINCE WILLIAM", "HARRISON DETENTION CENTER")."""
        words = key.split()
        st = self.gaz.state(postal)
        for size in (3, 2, 1):
            lead = " ".join(words[:size])
            if st is not None and lead == st.name.upper():
                continue  # "IOWA MEDICAL ...": the state's name, not Iowa County
            if len(words) >= size and (fips := self.gaz.county_fips(postal, lead)):
                county = self.gaz.county(fips)
                if county and not county.name.lower().endswith(" city"):
                    return fips
        return None

    def city_counties(self, postal: str, city: str) -> tuple[list[str], str]:
        counties = self.gaz.counties(postal)
        if len(counties) == 1:  # DC, Guam: the whole state is one county-equivalent
            return [counties[0].fips], "only county of the state"
        if not city:
            return [], ""
        exact, table = self.gaz.place_county_source(postal, city)
        if exact:
            return exact, "exact" if table == "places" else "postal city"
        ckey = place_key(city)
        places = self.gaz.places_in_state(postal)
        if len(ckey) >= 12:  # ICE truncates cities to 15 characters ("NORTH CHARLESTO")
            pref = sorted({f for k, v in places.items() if k.startswith(ckey) for f in v})
            if len(pref) == 1:
                return pref, "prefix"
        if len(ckey) >= 5:
            hit = process.extractOne(ckey, places.keys(), scorer=fuzz.ratio, score_cutoff=self.rules.thresholds["city"])
            if hit:
                return places[hit[0]], f"fuzzy '{hit[0]}' ({hit[1]:.0f})"
        return [], ""

    def list_match(self, key: str, postal: str, city: str) -> tuple[RefFacility | None, str]:
        exact = self.index.by_name.get((postal, key), [])
        with_county = [r for r in exact if r.county_fips]
        if with_county:
            same_city = [r for r in with_county if place_key(r.city) == place_key(city)]
            return (same_city or with_county)[0], "exact name"
        names = self.index.names_in_state.get(postal, {})
        if not names or len(key) < 6:
            return None, ""
        hit = process.extractOne(
            key,
            names.keys(),
            scorer=fuzz.token_sort_ratio,
            score_cutoff=self.rules.thresholds["facility_name_same_city"],
        )
        if not hit:
            return None, ""
        mine = self.classify(key, postal, None)
        for ref in names[hit[0]]:
            theirs = self.classify(facility_key(ref.name), postal, None)
            if (mine and mine.authority_type) != (theirs and theirs.authority_type):
                continue  # "LOS ANGELES CITY JAIL" is not "LOS ANGELES COUNTY JAIL"
            same_city = place_key(ref.city) == place_key(city) and bool(city)
            if ref.county_fips and (same_city or hit[1] >= self.rules.thresholds["facility_name"]):
                return ref, f"fuzzy name ({hit[1]:.0f}{', same city' if same_city else ''})"
        return None, ""

    # --------------------------------------------------------------- main
    def resolve(self, name: object, city: object, state: object, code: object = None) -> Resolution:
        name_s, city_s, state_s, code_s = (_clean(v) for v in (name, city, state, code))
        if len(name_s) > MAX_NAME or len(city_s) > MAX_NAME:
            return unknown(f"bad input: facility name or city longer than {MAX_NAME} characters")
        ref = self.index.by_code.get(code_s) if code_s else None
        st = self.gaz.state(state_s) if state_s else None
        if st is None and ref is not None and not state_s:
            st = self.gaz.state(ref.state)
        if not name_s and ref is None:
            return unknown("bad input: no facility name")
        key = facility_key(name_s or (ref.name if ref else ""))
        if key == "OTHER OTHER FACILITY":
            return unknown("rule other_other: ICE placeholder names no place")
        if st is None:
            why = f"state {state_s!r} is not a US state or territory" if state_s else "state is blank"
            return unknown(f"bad input: {why}")
        fix = self.rules.fix_for(name_s, city_s, st.postal)
        if fix is not None:
            county = self.gaz.county(fix.county_fips)
            return Resolution(
                county.fips if county else None,
                county.name if county else None,
                fix.authority_type,
                fix.authority_name or None,
                fix.authority_fips or None,
                fix.confidence,
                f"fix table row {fix.row} (checked {fix.checked}): {fix.evidence}",
            )
        return self._resolve_rules(key, city_s, st, ref, code_s)

    def _resolve_rules(self, key: str, city: str, st: State, ref: RefFacility | None, code: str) -> Resolution:
        postal = st.postal
        name_county, how_name = self.county_in_name(key, postal)
        pattern = self.classify(key, postal, name_county)
        cities, how_city = self.city_counties(postal, city)
        how_ref = f"code {code}" if ref is not None and ref.state == postal else ""
        if not how_ref:
            ref, how_ref = self.list_match(key, postal, city)
        evidence: list[str] = []
        atype = pattern.authority_type if pattern else None
        a_conf = "high" if pattern and pattern.strong else "medium"
        if pattern:
            evidence.append(f"rule {pattern.rule_id}")
        lead = None
        if atype is None and ref is not None and ref.ftype.upper() in _LIST_TYPES:
            atype, a_conf = _LIST_TYPES[ref.ftype.upper()], "medium"
            evidence.append(f"list type {ref.ftype}")
        if atype in (None, "county_sheriff_or_jail") and name_county is None:
            lead = self.county_leading(key, postal)
            if lead and atype is None:
                atype, a_conf = "county_sheriff_or_jail", "medium"
                evidence.append("name starts with a county name")
        if atype is None:
            atype, a_conf = "unknown", "none"
            evidence.append("no name pattern matched")

        # ---- county where the facility stands
        is_local = atype in ("county_sheriff_or_jail", "regional_jail", "unknown")
        county, c_conf = self._place(
            ref, how_ref, name_county if is_local else None, how_name, lead, cities, how_city, city, evidence
        )
        if county is None:
            evidence.append(f"city {city!r} not found" if city else "city blank")
            return Resolution(None, None, atype, None, None, "none", "; ".join(evidence))

        # ---- the authority
        if atype in ("county_sheriff_or_jail", "regional_jail") and postal in self.rules.state_run_jails:
            atype = "state_prison_or_agency"
            evidence.append(f"state-run jails: {self.rules.state_run_jails[postal]}")
        a_name, a_fips = self._authority(atype, county, name_county or lead, city, st, pattern)
        conf = min(c_conf, a_conf, key=_RANK.__getitem__)
        c = self.gaz.county(county)
        return Resolution(county, c.name if c else None, atype, a_name, a_fips, conf, "; ".join(evidence))

    def _place(
        self,
        ref: RefFacility | None,
        how_ref: str,
        named: str | None,
        how_name: str,
        lead: str | None,
        cities: list[str],
        how_city: str,
        city: str,
        evidence: list[str],
    ) -> tuple[str | None, str]:
        """The county where the facility stands and the confidence in it; appends the reasons."""
        listed = ref.county_fips if ref is not None else None
        if listed and ref is not None:
            evidence.append(f"{how_ref} in {ref.describe()} -> county by {ref.county_how}")
        if listed and (listed == named or (listed in cities and not named)):
            return listed, "high"
        if named:  # a county jail stands in the county it is named after ...
            conf = "high" if (not cities or named in cities) and "fuzzy" not in how_name else "medium"
            evidence.append(f"county named {how_name}")
            if listed:
                conf = "medium"
                evidence.append("the list's county differs from the county named")
            inside = {c for c in [*cities, listed] if c and c != named and self._independent_city(c)}
            if len(inside) == 1 and named.startswith("51"):
                # ... except Virginia county jails standing inside an independent city (Rockingham in
                # Harrisonburg); mail addresses mislead too (Henrico's "Richmond"), so only medium.
                evidence.append("city is an independent city: the county's jail may stand inside it")
                return inside.pop(), "medium"
            return named, conf
        if listed:
            agree = not cities or how_ref.startswith("code")
            if not agree:
                evidence.append(f"city {city!r} points to {cities}")
            return listed, "high" if agree else "medium"
        if len(cities) == 1:
            conf = "high" if how_city in ("exact", "postal city", "only county of the state") else "medium"
            if lead and lead != cities[0]:
                conf = "low"
                evidence.append(f"name suggests county {lead}")
            evidence.append(f"city {city!r} -> county ({how_city})")
            return cities[0], conf
        if cities:
            pick = [c for c in cities if c == lead]
            evidence.append(f"city {city!r} lies in several counties {cities}")
            return (pick[0], "medium") if pick else (cities[0], "low")
        if lead:
            evidence.append("county named at the start of the name; city not found")
            return lead, "medium"
        return None, "none"

    def _independent_city(self, fips: str) -> bool:
        c = self.gaz.county(fips)
        return c is not None and c.name.endswith(" city")

    def _authority(
        self, atype: str, county: str, named: str | None, city: str, st: State, pattern: Pattern | None
    ) -> tuple[str | None, str | None]:
        if atype == "county_sheriff_or_jail":
            fips = named or county
            c = self.gaz.county(fips)
            return (f"{c.name}, {c.state}" if c else None), fips
        if atype == "city_police_or_jail":
            return f"City of {city.title()}, {st.postal}" if city else None, county
        if atype == "state_prison_or_agency":
            is_state = st.fips <= "56" and st.postal != "DC"
            return (f"State of {st.name}" if is_state else st.name), st.fips
        if atype == "regional_jail":
            c = self.gaz.county(county)
            return f"Regional jail authority (host: {c.name if c else county})", county
        if atype == "federal_other":
            usms = pattern is not None and pattern.rule_id == "usms"
            return ("U.S. Marshals Service" if usms else "Federal agency"), None
        if atype in _FEDERAL_NAMES:
            return _FEDERAL_NAMES[atype], None
        if atype == "tribal":
            return "Tribal government", None
        if atype == "court_or_other":
            return None, county
        return None, None


@cache
def get_resolver() -> Resolver:
    return Resolver(Gazetteer.load(), facility_index(), load_rules())
