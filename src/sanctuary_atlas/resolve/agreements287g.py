"""287(g) agreements: one row per agreement (agency x support type), resolved to county/state and authority.

Sources (``data/ice-287g``): ICE's participating-agencies spreadsheet, first snapshot of each month
2021-01 .. 2026-05-18; the pending-agencies snapshots 2025-01 .. 2026-02; the 39 agreements active in
2017 Q1 (deportationdata pre-2018 subset). An agreement is identified by state + normalised agency name +
support type, so renewals (a new signed date) stay one agreement with first/last seen dates.

Dirty values are fixed where the fix is unambiguous and always counted (``Agreements287g.counts``):
placeholders for a missing county (#N/A, #NA, N/A), county typos ("Baldwin Couny", "Lake Conty") matched by
rapidfuzz, support-type typos ("Warrant Service Office"), state spellings ("UTAh"), dates such as
"05/082025".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz, process

from sanctuary_atlas.paths import data_dir
from sanctuary_atlas.resolve.batch import OUT_COLUMNS
from sanctuary_atlas.resolve.facilities import facility_key
from sanctuary_atlas.resolve.gazetteer import Gazetteer
from sanctuary_atlas.resolve.names import county_key
from sanctuary_atlas.resolve.resolver import get_resolver

SUPPORT_TYPES = {
    "JAIL ENFORCEMENT MODEL": "jail_enforcement",
    "JAIL ENFORCEMENT": "jail_enforcement",
    "WARRANT SERVICE OFFICER": "warrant_service_officer",
    "TASK FORCE MODEL": "task_force",
    "TASK FORCE": "task_force",
}
_SUPPORT_TYPOS = {
    "WARRANT SERVICE OFFICE": "warrant_service_officer",
    "WARRANT SERVICES OFFICER": "warrant_service_officer",
    "WARRANT SERVICE OFFICERS": "warrant_service_officer",
    "TASK FORCE MODE": "task_force",
}
_MISSING = {"", "#N/A", "#NA", "N/A", "NA", "NONE", "NULL"}
_AGENCY_TYPES = {
    "COUNTY": "county_sheriff_or_jail",
    "MUNICIPALITY": "city_police_or_jail",
    "STATE": "state_prison_or_agency",
    "STATE AGENCY": "state_prison_or_agency",
}
_CITY_WORDS = re.compile(r"\b(CITY OF|TOWN OF|VILLAGE OF|POLICE DEPARTMENT|POLICE DEPT|POLICE|DEPARTMENT|PD)\b")
_COLUMNS = (
    "state",
    "agency",
    "agency_type",
    "support_type",
    "status",
    "signed",
    "first_seen",
    "last_seen",
    "snapshots",
    *OUT_COLUMNS,  # the same resolution columns as every facility the resolver answers for
    "source",
)


@dataclass
class Agreements287g:
    table: pa.Table
    counts: Counter[str] = field(default_factory=Counter)


def parse_date(raw: str | None, counts: Counter[str]) -> date | None:
    """ISO or US dates; '05/082025' (slash missing) is repaired; anything else is counted and dropped."""
    text = (raw or "").strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text)
    if m is None:
        m2 = re.fullmatch(r"(\d{1,2})/(\d{1,2})/?(\d{4})", text)
        if m2 is None:
            counts["date_unparseable"] += 1
            return None
        if "/" not in text[-5:]:
            counts["date_repaired"] += 1
        month, day, year = (int(g) for g in m2.groups())
    else:
        year, month, day = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        counts["date_unparseable"] += 1
        return None


def _support(raw: str | None, counts: Counter[str]) -> str:
    key = facility_key(raw)
    if key in SUPPORT_TYPES:
        return SUPPORT_TYPES[key]
    if key in _SUPPORT_TYPOS:
        counts["support_type_repaired"] += 1
        return _SUPPORT_TYPOS[key]
    counts["support_type_unknown"] += 1
    return "unknown"


def _agency_key(name: str) -> str:
    return facility_key(name).replace(" DEPT ", " DEPARTMENT ").replace(" CO ", " COUNTY ")


@cache
def _read(name: str) -> list[dict[str, Any]]:
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_csv('{data_dir() / 'ice-287g' / name}', all_varchar=true)")
    cols = rel.columns
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]


class _AgencyResolver:
    def __init__(self, counts: Counter[str]) -> None:
        self.gaz, self.res, self.counts = Gazetteer.load(), get_resolver(), counts

    def county_from_column(self, postal: str, raw: str | None) -> tuple[str | None, str]:
        text = (raw or "").strip()
        if text.upper() in _MISSING:
            if text:
                self.counts["county_placeholder"] += 1
            return None, ""
        if fips := self.gaz.county_fips(postal, text):
            return fips, f"county column {text!r}"
        keys = {county_key(c.name)[0]: c.fips for c in self.gaz.counties(postal)}
        probe = county_key(re.sub(r"(?i)\b(coun?ty|cou?nty|conty|couny)\b", "", text))[0]
        hit = process.extractOne(probe, keys.keys(), scorer=fuzz.ratio, score_cutoff=85)
        if hit:
            self.counts["county_typo_repaired"] += 1
            return keys[hit[0]], f"county column {text!r} read as {hit[0]!r} ({hit[1]:.0f})"
        self.counts["county_unmatched"] += 1
        return None, f"county column {text!r} matches no county of {postal}"

    @cache  # noqa: B019 - one resolver per build, a few thousand distinct agencies
    def resolve(
        self, postal: str, agency: str, agency_type: str | None, county_raw: str | None
    ) -> tuple[str | None, str, str | None, str | None, str, str]:
        st = self.gaz.state(postal)
        assert st is not None
        key = facility_key(agency)
        evidence: list[str] = []
        atype = _AGENCY_TYPES.get(facility_key(agency_type))
        if atype:
            evidence.append(f"agency_type {agency_type!r}")
        else:
            named, _ = self.res.county_in_name(key, postal)
            pat = self.res.classify(key, postal, named)
            atype = pat.authority_type if pat else "unknown"
            evidence.append(f"rule {pat.rule_id}" if pat else "no agency type or name pattern")
        county, how = self.county_from_column(postal, county_raw)
        if county is None:
            county, how_name = self.res.county_in_name(key, postal)
            how = f"county named {how_name}" if county else how
        if county is None and atype == "city_police_or_jail":
            city = _CITY_WORDS.sub(" ", key).strip()
            places = self.gaz.place_county(postal, city)
            if len(places) == 1:
                county, how = places[0], f"city {city.title()!r} -> county"
        if how:
            evidence.append(how)
        conf = "high" if county and "read as" not in how else ("medium" if county else "none")
        if atype == "state_prison_or_agency":
            conf = "high" if atype else conf
            return county, atype, f"State of {st.name}", st.fips, conf, "; ".join(evidence)
        if atype == "county_sheriff_or_jail":
            c = self.gaz.county(county)
            return county, atype, (f"{c.name}, {postal}" if c else None), county, conf, "; ".join(evidence)
        if atype == "city_police_or_jail":
            city = _CITY_WORDS.sub(" ", key).strip().title()
            return county, atype, f"City of {city}, {postal}", county, conf, "; ".join(evidence)
        return county, atype, None, None, ("medium" if county else "none"), "; ".join(evidence)


def _merge_variants(rows: list[dict[str, Any]], counts: Counter[str]) -> list[dict[str, Any]]:
    """Join spellings of one agency ("Berrian County Sheriff's Offic" / "... Office"): same state, support
    type, status, county and authority type, and names at least 90 similar."""
    kept: list[dict[str, Any]] = []
    buckets: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        bucket = buckets.setdefault(
            (row["state"], row["support_type"], row["status"], row["county_fips"], row["authority_type"]), []
        )
        name = _agency_key(row["agency"] or "")
        twin = next(
            (k for k in bucket if row["county_fips"] and fuzz.ratio(name, _agency_key(k["agency"] or "")) >= 90), None
        )
        if twin is None:
            bucket.append(row)
            kept.append(row)
            continue
        counts["agency_spellings_merged"] += 1
        twin["snapshots"] += row["snapshots"]
        if row["first_seen"] and (twin["first_seen"] is None or row["first_seen"] < twin["first_seen"]):
            twin["first_seen"] = row["first_seen"]
        if row["last_seen"] and (twin["last_seen"] is None or row["last_seen"] > twin["last_seen"]):
            twin["last_seen"], twin["agency"] = row["last_seen"], row["agency"]
        if row["signed"] and (twin["signed"] is None or row["signed"] > twin["signed"]):
            twin["signed"] = row["signed"]
    return kept


def load_agreements() -> Agreements287g:
    """All 287(g) agreements in the bundled snapshots, one row each, resolved (see module docstring)."""
    counts: Counter[str] = Counter()
    gaz = Gazetteer.load()
    agencies = _AgencyResolver(counts)
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}

    def add(
        status: str, source: str, row: dict[str, Any], seen: date | None, support: str, signed: date | None
    ) -> dict[str, Any] | None:
        st = gaz.state(row["state"] or "")
        if st is None:  # "WEST VIRIGINIA"
            names = {s_.name.upper(): s_ for s_ in gaz.states()}
            hit = process.extractOne((row["state"] or "").upper(), names.keys(), scorer=fuzz.ratio, score_cutoff=90)
            if hit is None:
                counts["state_unknown"] += 1
                return None
            st = names[hit[0]]
            counts["state_repaired"] += 1
        elif row["state"] not in (st.name.upper(), st.postal):
            counts["state_respelled"] += 1
        key = (st.postal, _agency_key(row["agency"] or ""), support, status)
        g = groups.setdefault(
            key,
            {
                "state": st.postal,
                "status": status,
                "source": source,
                "snapshots": 0,
                "first_seen": seen,
                "last_seen": seen,
                "signed": signed,
                "rows": [],
            },
        )
        g["snapshots"] += 1
        g["rows"].append(row)
        if seen and (g["first_seen"] is None or seen < g["first_seen"]):
            g["first_seen"] = seen
        if seen and (g["last_seen"] is None or seen >= g["last_seen"]):
            g["last_seen"] = seen
            g["agency"], g["agency_type"] = row["agency"], row.get("agency_type") or g.get("agency_type")
            g["county_raw"] = (
                row.get("county") if (row.get("county") or "").upper() not in _MISSING else g.get("county_raw")
            )
        if signed and (g["signed"] is None or signed > g["signed"]):
            g["signed"] = signed
        g["support_type"] = support
        return g

    for status, name in (
        ("participating", "participating_agencies_monthly_2021-01_to_2026-05-18.csv.gz"),
        ("pending", "pending_agencies_monthly_2025-01_to_2026-02-27.csv.gz"),
    ):
        for row in _read(name):
            add(
                status,
                name,
                row,
                parse_date(row["snapshot_date"], counts),
                _support(row["support_type"], counts),
                parse_date(row["signed"], counts),
            )
    subset = "287g_active_2017Q1_subset_of_deportationdata_pre2018.csv"
    for row in _read(subset):
        # several FIPS in one cell, some from another state ("49053; 5143" for Washington County AR)
        st = gaz.state(row["state"] or "")
        fips = [f.zfill(5) for f in re.findall(r"\d+", row["county_fips_source"] or "")]
        mine = [f for f in fips if st and f.startswith(st.fips) and gaz.county(f)]
        if len(mine) < len(fips):
            counts["county_fips_other_state"] += len(fips) - len(mine)
        row = {**row, "county": gaz.county(mine[0]).name if mine else None}  # type: ignore[union-attr]
        for model in (row["models"] or "").split(";"):
            g = add(
                "active_2017q1",
                subset,
                row,
                parse_date(row["active_to"], counts),
                _support(model, counts),
                parse_date(row["latest_signed"], counts),
            )
            if g is not None:
                g["first_seen"] = parse_date(row["active_from"], counts)

    resolved: list[dict[str, Any]] = []
    for g in groups.values():
        county, atype, aname, afips, conf, ev = agencies.resolve(
            g["state"], g["agency"], g.get("agency_type"), g.get("county_raw")
        )
        c = gaz.county(county)
        resolved.append(
            {
                **g,
                "county_fips": county,
                "county_name": c.name if c else None,
                "authority_type": atype,
                "authority_name": aname,
                "authority_fips": afips,
                "confidence": conf,
                "evidence": ev,
            }
        )
    merged = _merge_variants(resolved, counts)
    out: dict[str, list[Any]] = {c: [row.get(c) for row in merged] for c in _COLUMNS}
    counts["agreements"] = len(merged)
    counts["unresolved_county"] = sum(
        1
        for f, t in zip(out["county_fips"], out["authority_type"], strict=True)
        if f is None and t != "state_prison_or_agency"
    )
    types = {"signed": pa.date32(), "first_seen": pa.date32(), "last_seen": pa.date32(), "snapshots": pa.int32()}
    table = pa.table({c: pa.array(v, type=types.get(c, pa.string())) for c, v in out.items()})
    return Agreements287g(table, counts)
