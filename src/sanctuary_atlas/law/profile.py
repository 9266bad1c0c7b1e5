"""The jurisdiction profile: one JSON document per jurisdiction for the web atlas and the reports.

Sections: ``identity`` (names, keys, state, circuit, ICE areas), ``written_policy`` (state laws,
designations, 287(g)), ``observed`` (detainer outcomes over time from the measure stage, already
suppressed), ``money_and_law`` (the exposure of ``exposure.py``) and ``sources``.

Two parts come from other stages. ``observed`` is what the caller's hook returns, else what
``observed.py`` reads from the store's current build (None without one); ``agreements_287g`` is what
the caller's hook returns, else the resolve stage's agreement table (``agreements.py``). Left as None,
the profile says so instead of showing an empty history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sanctuary_atlas.law.exposure import LawContext, exposure
from sanctuary_atlas.law.jurisdictions import Jurisdiction
from sanctuary_atlas.law.scenarios import Scenario, load_scenario

ObservedHook = Callable[[Jurisdiction], dict[str, object] | None]
PROFILE_VERSION = 1


def build_profile(
    ctx: LawContext,
    j: Jurisdiction,
    as_of: date,
    scenario: Scenario | None = None,
    observed: ObservedHook | None = None,
    agreements_287g: Callable[[Jurisdiction], list[dict[str, object]] | None] | None = None,
) -> dict[str, object]:
    scenario = scenario or load_scenario(None)
    exp = exposure(ctx, j, scenario, as_of)
    counties = []
    for fips in j.counties:
        county = ctx.gaz.county(fips)
        counties.append(
            {"fips": fips, "name": county.name if county else None, "ice_area": getattr(county, "ice_area", None)}
        )
    observed_value = observed(j) if observed else exp["observed"]
    agreements = agreements_287g(j) if agreements_287g else exp["agreements_287g"]
    return {
        "profile_version": PROFILE_VERSION,
        "as_of": as_of.isoformat(),
        "identity": {
            **j.to_json(),
            "counties": counties,
            "names_as_listed": sorted({d["name_as_listed"] for d in exp["designations"]}),
        },
        "written_policy": {
            "state_laws": exp["state_laws"],
            "designations": exp["designations"],
            "state_designations": exp["state_designations"],
            "agreements_287g": agreements,
            "agreements_287g_note": (
                None if agreements is not None else "287(g) agreements could not be read (see warnings)"
            ),
        },
        "observed": observed_value,
        "observed_note": (
            None if observed_value is not None else "no observed outcomes: no store with a current build was given"
        ),
        "money_and_law": {
            "scenario": exp["scenario"],
            "conditions": exp["conditions"],
            "money": exp["money"],
            "warnings": exp["warnings"],
        },
        "sources": exp["sources"],
        "disclaimer": exp["disclaimer"],
    }
