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
    load_designations,
    state_law_json,
    state_laws_for,
)
from sanctuary_atlas.law.registry import registry
from sanctuary_atlas.resolve.gazetteer import Gazetteer


@dataclass
class PolicyBook:
    designations: DesignationSet
    gazetteer: Gazetteer

    def lookup(self, county_fips: str | None, authority_fips: str | None, as_of: date) -> dict[str, Any]:
        fips = authority_fips or county_fips
        if not fips:
            return {"designations": [], "state_laws": []}
        state_fips = fips[:2]
        state = self.gazetteer.state(state_fips)
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
        laws = [state_law_json(law) for law in state_laws_for(registry(), state.postal, as_of)] if state else []
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
            start = law.signed or law.effective
            if law.direction != "limits" or (start is not None and start.start() > as_of):
                continue
            rows.append(
                {
                    "jurisdiction_key": self._state_fips(law.state_abbr),
                    "name": law.state,
                    "state": law.state_abbr,
                    "basis": f"state law: {law.name} ({law.citation})",
                    "date": start.iso() if start else None,
                    "finding": "limits cooperation with immigration detainers",
                    "verification": law.verification,
                    "sources": list(law.sources),
                }
            )
        return sorted(rows, key=lambda r: (r["state"], r["name"], r["date"] or ""))

    def _state_fips(self, postal: str) -> str | None:
        state = self.gazetteer.state(postal)
        return state.fips if state else None


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
def policy_book(saved: Path | None = None) -> PolicyBook:
    """The policy book; from the designations a build saved when given and present, else computed."""
    gaz = Gazetteer.load()
    if saved is not None and saved.exists():
        return PolicyBook(_load_saved(saved), gaz)
    return PolicyBook(load_designations(registry(), gaz), gaz)
