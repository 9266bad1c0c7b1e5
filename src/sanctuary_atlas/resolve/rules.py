"""Loading the resolver's rule tables (``rules/*.csv``, ``rules/thresholds.toml``).

Hand knowledge lives in these files, not in code: the fix table keyed on the raw facility value, the ordered
name patterns, the states whose jails the state runs, and the fuzzy-matching thresholds. ``validate_rules``
checks every value they use so that a typo in a rule fails the tests rather than a build.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache

from sanctuary_atlas.resolve.facilities import facility_key
from sanctuary_atlas.resolve.gazetteer import Gazetteer, rules_path
from sanctuary_atlas.resolve.names import place_key

AUTHORITY_TYPES = (
    "county_sheriff_or_jail",
    "city_police_or_jail",
    "state_prison_or_agency",
    "federal_bop",
    "federal_other",
    "ice_or_contract_detention",
    "tribal",
    "regional_jail",
    "court_or_other",
    "unknown",
)
CONFIDENCES = ("high", "medium", "low", "none")


@dataclass(frozen=True)
class Pattern:
    rule_id: str
    regex: re.Pattern[str]
    authority_type: str
    strong: bool
    states: frozenset[str]
    note: str


@dataclass(frozen=True)
class Fix:
    facility_name: str
    facility_city: str
    facility_state: str
    county_fips: str
    authority_type: str
    authority_name: str
    authority_fips: str
    confidence: str
    evidence: str
    checked: str
    row: int  # 2-based line in fixes.csv, for the evidence column


@dataclass(frozen=True)
class Rules:
    patterns: tuple[Pattern, ...]
    fixes: dict[tuple[str, str, str], Fix]
    state_run_jails: dict[str, str]
    thresholds: dict[str, float]

    def fix_for(self, name: str, city: str, state: str) -> Fix | None:
        key = facility_key(name)
        return self.fixes.get((key, place_key(city), state)) or self.fixes.get((key, "", state))


def _read(name: str) -> list[dict[str, str]]:
    with open(rules_path(name), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def load_rules() -> Rules:
    gaz = Gazetteer.load()
    patterns = tuple(
        Pattern(
            rule_id=r["rule_id"],
            regex=re.compile(r["pattern"]),
            authority_type=r["authority_type"],
            strong=r["strength"] == "strong",
            states=frozenset(r["states"].split()),
            note=r["note"],
        )
        for r in _read("patterns.csv")
    )
    fixes: dict[tuple[str, str, str], Fix] = {}
    for line, r in enumerate(_read("fixes.csv"), start=2):
        st = gaz.state(r["facility_state"])
        postal = st.postal if st else r["facility_state"]
        city = "" if r["facility_city"].strip() in ("", "*") else place_key(r["facility_city"])
        fix = Fix(**{k: (v or "").strip() for k, v in r.items()}, row=line)  # type: ignore[arg-type]
        fixes[(facility_key(r["facility_name"]), city, postal)] = fix
    jails = {r["state"]: r["evidence"] for r in _read("state_run_jails.csv")}
    with open(rules_path("thresholds.toml"), "rb") as fh:
        thresholds = {k: float(v) for k, v in tomllib.load(fh)["fuzzy"].items()}
    return Rules(patterns, fixes, jails, thresholds)


def validate_rules() -> list[str]:
    """Every problem found in the rule tables (empty when they are sound)."""
    gaz = Gazetteer.load()
    problems: list[str] = []
    for r in _read("patterns.csv"):
        try:
            re.compile(r["pattern"])
        except re.error as exc:
            problems.append(f"patterns.csv {r['rule_id']}: bad regex ({exc})")
        if r["authority_type"] not in AUTHORITY_TYPES:
            problems.append(f"patterns.csv {r['rule_id']}: authority_type {r['authority_type']!r}")
        if r["strength"] not in ("strong", "weak"):
            problems.append(f"patterns.csv {r['rule_id']}: strength {r['strength']!r}")
        bad_states = [s for s in r["states"].split() if not gaz.state(s)]
        problems += [f"patterns.csv {r['rule_id']}: state {s!r}" for s in bad_states]
    seen: set[tuple[str, str, str]] = set()
    for line, r in enumerate(_read("fixes.csv"), start=2):
        where = f"fixes.csv line {line} ({r['facility_name']})"
        st = gaz.state(r["facility_state"])
        if st is None:
            problems.append(f"{where}: state {r['facility_state']!r}")
            continue
        key = (facility_key(r["facility_name"]), place_key(r["facility_city"]), st.postal)
        if key in seen:
            problems.append(f"{where}: duplicate key")
        seen.add(key)
        county = gaz.county(r["county_fips"]) if r["county_fips"] else None
        if r["county_fips"] and (county is None or county.state != st.postal):
            problems.append(f"{where}: county_fips {r['county_fips']!r} not a county of {st.postal}")
        if r["authority_type"] not in AUTHORITY_TYPES:
            problems.append(f"{where}: authority_type {r['authority_type']!r}")
        afips = r["authority_fips"]
        if afips and not (afips == st.fips or gaz.county(afips) is not None):
            problems.append(f"{where}: authority_fips {afips!r}")
        if r["authority_type"].startswith(("federal", "ice")) and afips:
            problems.append(f"{where}: federal authority must have no authority_fips")
        if r["confidence"] not in CONFIDENCES[:3]:
            problems.append(f"{where}: confidence {r['confidence']!r}")
        if not r["evidence"].strip() or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["checked"].strip()):
            problems.append(f"{where}: evidence and an ISO checked date are required")
    for r in _read("state_run_jails.csv"):
        if gaz.state(r["state"]) is None:
            problems.append(f"state_run_jails.csv: state {r['state']!r}")
    with open(rules_path("thresholds.toml"), "rb") as fh:
        for k, v in tomllib.load(fh)["fuzzy"].items():
            if not 50 <= float(v) <= 100:
                problems.append(f"thresholds.toml: {k}={v} outside 50..100")
    return problems
