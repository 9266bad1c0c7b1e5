"""Scenarios are data: TOML files in ``law/scenarios/`` (or any path) say who a scenario is about
(``[match]``) and which conditions it reaches (``[reach]``). This module loads and checks them and
decides whether a jurisdiction matches one.

Match kinds:

* ``all`` - everyone;
* ``designation`` - named on one of ``lists`` (list ids of doj_lists.csv, or ``DHS-2025-05-29``);
  ``adverse_only`` (default true) skips rows that cleared the jurisdiction; ``include_state`` lets
  a county or city match through its state's listing;
* ``state_law`` - its state has a law with the given ``direction`` (limits / requires);
* ``declined_detainers`` - at least ``min_declined`` declined detainers between ``period_from`` and
  ``period_to``. The counts are an input (jurisdiction key -> count) supplied by the measure stage;
  without them the answer is "unknown", never "no".
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from sanctuary_atlas.law.designations import DesignationSet, state_laws_for
from sanctuary_atlas.law.jurisdictions import Jurisdiction
from sanctuary_atlas.law.records import Registry
from sanctuary_atlas.law.values import parse_partial_date

SUPPRESS_K = 5  # DESIGN.md publishing rule: counts 1..k-1 are shown as "<k"
MATCH_KINDS = ("all", "designation", "state_law", "declined_detainers")


class ScenarioError(ValueError):
    pass


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    description: str
    kind: str
    conditions: tuple[str, ...]  # ("*",) = every condition
    lists: tuple[str, ...] = ()
    include_state: bool = False
    adverse_only: bool = True
    direction: str = "limits"
    min_declined: int = 1
    period: tuple[str, str] | None = None
    origin: str = ""

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "conditions": list(self.conditions),
            "file": self.origin,
        }
        if self.kind == "designation":
            out.update(lists=list(self.lists), include_state=self.include_state, adverse_only=self.adverse_only)
        if self.kind == "state_law":
            out["direction"] = self.direction
        if self.kind == "declined_detainers":
            out.update(min_declined=self.min_declined, period=list(self.period or ()))
        return out


@dataclass
class Match:
    matched: bool | None  # None: cannot tell from the data we have
    why: str
    evidence: list[str] = field(default_factory=list)


def parse_scenario(text: str, origin: str) -> Scenario:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{origin}: not valid TOML: {exc}") from exc
    match, reach = raw.get("match", {}), raw.get("reach", {})
    kind = match.get("kind")
    if kind not in MATCH_KINDS:
        raise ScenarioError(f"{origin}: match.kind {kind!r} not in {MATCH_KINDS}")
    for key in ("name", "title"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ScenarioError(f"{origin}: {key} is missing")
    conditions = tuple(reach.get("conditions", []))
    if not conditions:
        raise ScenarioError(f"{origin}: reach.conditions is empty")
    period = None
    if kind == "declined_detainers":
        try:
            period = (parse_partial_date(match["period_from"]).iso(), parse_partial_date(match["period_to"]).iso())
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{origin}: declined_detainers needs period_from and period_to: {exc}") from exc
        if not isinstance(match.get("min_declined"), int) or match["min_declined"] < 1:
            raise ScenarioError(f"{origin}: min_declined must be a whole number of at least 1")
    if kind == "designation" and not match.get("lists"):
        raise ScenarioError(f"{origin}: designation scenarios need lists")
    if kind == "state_law" and match.get("direction") not in {"limits", "requires"}:
        raise ScenarioError(f"{origin}: direction must be limits or requires")
    return Scenario(
        raw["name"],
        raw["title"],
        raw.get("description", "").strip(),
        kind,
        conditions,
        tuple(match.get("lists", [])),
        bool(match.get("include_state", False)),
        bool(match.get("adverse_only", True)),
        match.get("direction", "limits"),
        int(match.get("min_declined", 1)),
        period,
        origin,
    )


def shipped_scenarios() -> dict[str, Scenario]:
    folder = resources.files("sanctuary_atlas.law").joinpath("scenarios")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            scenario = parse_scenario(entry.read_text("utf-8"), f"law/scenarios/{entry.name}")
            out[scenario.name] = scenario
    return out


def load_scenario(name_or_path: str | None) -> Scenario:
    """A shipped scenario by name, or a TOML file by path; the default lists every condition."""
    shipped = shipped_scenarios()
    if name_or_path is None:
        return shipped["all-conditions"]
    if name_or_path in shipped:
        return shipped[name_or_path]
    path = Path(name_or_path)
    if path.suffix == ".toml" and path.is_file():
        return parse_scenario(path.read_text("utf-8"), str(path))
    raise ScenarioError(f"no scenario {name_or_path!r}; shipped: {', '.join(sorted(shipped))}")


def check_scenario(scenario: Scenario, reg: Registry, list_ids: set[str]) -> list[str]:
    known = {c.condition_id for c in reg.conditions.values()}
    problems = [f"{scenario.origin}: unknown condition {c}" for c in scenario.conditions if c != "*" and c not in known]
    problems += [f"{scenario.origin}: unknown list {x}" for x in scenario.lists if x not in list_ids]
    return problems


def match(
    scenario: Scenario,
    j: Jurisdiction,
    reg: Registry,
    designations: DesignationSet,
    as_of: date,
    declined: Mapping[str, int] | None = None,
) -> Match:
    if scenario.kind == "all":
        return Match(True, "this scenario covers every jurisdiction")
    if scenario.kind == "designation":
        lists = set(scenario.lists)
        keys = [j.key] + ([j.state_fips] if scenario.include_state and j.kind != "state" else [])
        hits = [
            d
            for key in keys
            for d in designations.for_key(key)
            if d.list_id in lists and (d.adverse or not scenario.adverse_only) and d.list_date <= as_of.isoformat()
        ]
        if not hits:
            return Match(False, "not named on " + ", ".join(scenario.lists) + f" as of {as_of.isoformat()}")
        names = sorted({f"{d.list_id}{' (withdrawn)' if d.withdrawn else ''}" for d in hits})
        return Match(True, "named on " + ", ".join(names), [d.origin for d in hits])
    if scenario.kind == "state_law":
        laws = [law for law in state_laws_for(reg, j.state, as_of) if law.direction == scenario.direction]
        if not laws:
            return Match(False, f"no state law that {scenario.direction} cooperation is recorded for {j.state}")
        names = "; ".join(law.name for law in laws)
        return Match(
            True,
            f"{j.state} law {scenario.direction} cooperation: {names}",
            [f"data/reference/{law.file}:{law.line}" for law in laws],
        )
    if declined is None:
        return Match(None, "unknown: declined-detainer counts come from the measure stage and were not supplied")
    if j.key not in declined:
        return Match(None, f"unknown: no declined-detainer count for {j.key} (counts are kept per county)")
    count = declined[j.key]
    period = " to ".join(scenario.period or ())
    # The reason is published, so a small count is shown as "<k" like every other published count.
    shown = f"<{SUPPRESS_K}" if 0 < count < SUPPRESS_K else str(count)
    return Match(
        count >= scenario.min_declined, f"{shown} declined detainers in {period} (threshold {scenario.min_declined})"
    )
