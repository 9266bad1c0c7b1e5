"""What the written record says about a jurisdiction on a date: designations and state laws.

A thin adapter from the law stage to the reports. Designations are looked up for the county itself and
for its state (a state-level designation covers its counties' context but is shown as the state's);
state laws are those signed or effective on or before the date. Verification status travels with each.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sanctuary_atlas.law.designations import (
    Designation,
    DesignationSet,
    law_start,
    load_designations,
    state_law_json,
    state_laws_for,
)
from sanctuary_atlas.law.registry import registry
from sanctuary_atlas.resolve.gazetteer import Gazetteer


@dataclass
class GeoNames:
    """The few names a report needs (state codes, county names), without loading the whole gazetteer."""

    state_postal: dict[str, str]  # state FIPS -> postal code
    counties: list[tuple[str, str, str]]  # (county FIPS, name, state postal)

    @classmethod
    def from_gazetteer(cls, gaz: Gazetteer) -> GeoNames:
        return cls({s.fips: s.postal for s in gaz.states()}, [(c.fips, c.name, c.state) for c in gaz.counties()])

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"states": self.state_postal, "counties": self.counties}), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> GeoNames:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["states"], [tuple(c) for c in data["counties"]])


@dataclass
class PolicyBook:
    designations: DesignationSet
    geo: GeoNames

    def lookup(self, county_fips: str | None, authority_fips: str | None, as_of: date) -> dict[str, Any]:
        fips = authority_fips or county_fips
        if not fips:
            return {"designations": [], "state_laws": []}
        state_fips = fips[:2]
        postal = self.geo.state_postal.get(state_fips)
        keys = {fips, state_fips}
        listed = [
            {
                "jurisdiction_key": d.key,
                "level": "state" if d.key == state_fips else "county",
                "list": d.list_name,
                "list_date": d.list_date,
                "name_as_listed": d.name_as_listed,
                "finding": d.finding,
                "adverse": d.adverse,
                "withdrawn": d.withdrawn,
                "verification": d.verification,
                "sources": list(d.sources),
            }
            for d in self.designations.designations
            if d.key in keys and d.list_date <= as_of.isoformat()
        ]
        laws = [state_law_json(law) for law in state_laws_for(registry(), postal, as_of)] if postal else []
        return {"designations": listed, "state_laws": laws}

    def limiting(self, as_of: date) -> list[dict[str, Any]]:
        """Section III: every jurisdiction named on a list, or covered by a limiting state law, by that date."""
        rows: list[dict[str, Any]] = []
        for d in self.designations.designations:
            if d.list_date > as_of.isoformat() or not d.adverse:
                continue
            rows.append(
                {
                    "jurisdiction_key": d.key,
                    "name": d.name_as_listed,
                    "state": d.state,
                    "basis": d.list_name + (" (withdrawn)" if d.withdrawn else ""),
                    "date": d.list_date,
                    "finding": d.finding,
                    "verification": d.verification,
                    "sources": list(d.sources),
                }
            )
        for law in registry().state_laws.values():
            start = law_start(law)
            if law.direction != "limits" or start is None or start > as_of:
                continue
            rows.append(
                {
                    "jurisdiction_key": self._state_fips(law.state_abbr),
                    "name": law.state,
                    "state": law.state_abbr,
                    "basis": f"state law: {law.name} ({law.citation})",
                    "date": (law.signed or law.effective).iso()
                    if (law.signed or law.effective)
                    else f"{law.year_enacted} (year enacted)",
                    "finding": "limits cooperation with immigration detainers",
                    "verification": law.verification,
                    "sources": list(law.sources),
                }
            )
        return sorted(rows, key=lambda r: (r["state"], r["name"], r["date"] or ""))

    def _state_fips(self, postal: str) -> str | None:
        return next((fips for fips, p in self.geo.state_postal.items() if p == postal), None)


def save_designations(designations: DesignationSet, path: Path) -> None:
    """Resolving ~1,400 listed names takes seconds; ``build`` does it once and keeps the result."""
    data = {
        "designations": [asdict(d) for d in designations.designations],
        "unmatched": [asdict(d) for d in designations.unmatched],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def _load_saved(path: Path) -> DesignationSet:
    data = json.loads(path.read_text(encoding="utf-8"))

    def one(d: dict[str, Any]) -> Designation:
        return Designation(**{**d, "sources": tuple(d["sources"])})

    return DesignationSet([one(d) for d in data["designations"]], [one(d) for d in data["unmatched"]])


@cache
def policy_book(build_dir: Path | None = None) -> PolicyBook:
    """The policy book: from what ``build`` saved in ``build_dir`` when present, else computed (seconds)."""
    if build_dir is not None and (build_dir / "designations.json").exists() and (build_dir / "geo.json").exists():
        return PolicyBook(_load_saved(build_dir / "designations.json"), GeoNames.load(build_dir / "geo.json"))
    gaz = Gazetteer.load()
    return PolicyBook(load_designations(registry(), gaz), GeoNames.from_gazetteer(gaz))
