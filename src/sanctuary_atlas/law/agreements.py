"""287(g) agreements of a jurisdiction, from the resolve stage's agreement table.

The resolve stage gives one row per agreement (agency x support type) with the county it sits in
and the authority it answers to. City police departments answer to no FIPS of their own (no place
codes are bundled), so the resolve stage files them under their county; here a county gets only
its own (sheriff's, county or regional) agreements, a city gets the police agreements in its
counties whose agency name contains the city's name, and a consolidated city-county gets both.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from sanctuary_atlas.law.jurisdictions import Jurisdiction
from sanctuary_atlas.resolve.names import place_key

_COUNTY_RUN = {"county_sheriff_or_jail", "regional_jail"}
_AGENCY_WORDS = re.compile(
    r"\b(city of|town of|village of|police department|police dept|department of police|"
    r"police|pd|department|dept)\b",
    re.I,
)
SOURCE = "ICE 287(g) participating and pending agencies spreadsheets (data/ice-287g, see PROVENANCE.md)"


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    from sanctuary_atlas.resolve.agreements287g import load_agreements

    return tuple(load_agreements().table.to_pylist())


def _belongs(row: dict[str, Any], j: Jurisdiction) -> bool:
    kind = row["authority_type"]
    if j.kind == "state":
        return row["authority_fips"] == j.key
    if j.kind in {"county", "city-county"} and row["authority_fips"] == j.key and kind in _COUNTY_RUN:
        return True
    if j.kind in {"city", "city-county"} and kind == "city_police_or_jail" and row["county_fips"] in j.counties:
        # Whole-name match: "Miami Springs Police Department" is not the City of Miami's.
        return place_key(_AGENCY_WORDS.sub(" ", row["agency"])) == place_key(j.name.removesuffix(" city"))
    return False


def agreements_for(j: Jurisdiction, as_of: date) -> list[dict[str, Any]]:
    """The jurisdiction's agreements, each with whether the snapshots show it on ``as_of``."""
    out = []
    for row in _rows():
        if not _belongs(row, j):
            continue
        began = row["signed"] or row["first_seen"]
        if began is not None and began > as_of:
            continue  # not yet signed on that date
        out.append(_row_json(row, _listed(row, as_of)))
    return sorted(out, key=lambda a: (a["agency"], a["support_type"]))


def _listed(row: dict[str, Any], as_of: date) -> bool | None:
    """Listed in ICE's snapshots on that date? After the last sighting we cannot tell whether the
    agreement ended or the snapshots did, so the answer is None, not False."""
    first, last = row["first_seen"], row["last_seen"]
    if first is None or last is None or as_of > last:
        return None
    return first <= as_of


def _row_json(row: dict[str, Any], seen: bool | None) -> dict[str, Any]:
    return {
        "agency": row["agency"],
        "support_type": row["support_type"],
        "status": row["status"],
        "signed": _iso(row["signed"]),
        "first_seen": _iso(row["first_seen"]),
        "last_seen": _iso(row["last_seen"]),
        "listed_on_as_of": seen,
        "authority_type": row["authority_type"],
        "resolution_confidence": row["confidence"],
        "resolution_evidence": row["evidence"],
        "source_file": f"data/ice-287g/{row['source']}",
        "source": SOURCE,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
