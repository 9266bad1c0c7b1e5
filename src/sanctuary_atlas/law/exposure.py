"""Exposure: which conditions reach a jurisdiction under a scenario, their legal status there, and the
dollars at stake where known - plus the national what-if total.

Money rules, and why:

* an amount is attached only when a source gives it for this recipient, program and fiscal year
  (imported allocations first, then the shipped cited amounts); otherwise ``amount_usd`` is null and
  ``amount_source`` says "unknown - import allocations". Unknown is never zero.
* money paid directly and money passed through the state are kept apart (``channel``); a program
  that pays only states (VOCA, FEMA preparedness grants) reaches a county or city as pass-through.
* for a state, a published JAG state total includes the 40% that goes straight to local governments;
  the state's own award is the 60% (10156(b); all of it for Puerto Rico), and we say it is derived.
* several conditions attach to one award; in totals an award counts once (see ``national``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from sanctuary_atlas.law.designations import (
    DesignationSet,
    load_designations,
    state_law_json,
    state_laws_for,
)
from sanctuary_atlas.law.funding import FundingRow, cited_funding, load_stored_funding, program_key
from sanctuary_atlas.law.jurisdictions import GazetteerLike, Jurisdiction, jurisdiction
from sanctuary_atlas.law.records import Condition, Registry
from sanctuary_atlas.law.registry import registry
from sanctuary_atlas.law.scenarios import Scenario, match
from sanctuary_atlas.law.status import StatusEngine

UNKNOWN = "unknown — import allocations"
RESEARCH_HORIZON = date(2026, 1, 31)  # newest source dates in data/reference (README: January 2026)
UMBRELLA = frozenset({"ALL-FEDERAL", "DOJ-ALL"})  # figures that include the program-specific money
KIND_ORDER = ("allocation", "award", "obligation", "at_stake")
DISCLAIMER = (
    "We report what courts ruled and what DOJ and DHS said, with sources; this is not legal advice "
    "and says nothing about events after the research date."
)


def fiscal_year(day: date) -> int:
    """Federal fiscal year: FY2026 runs from 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


@cache
def _direct_recipients() -> dict[str, set[str]]:
    text = resources.files("sanctuary_atlas.law").joinpath("rules/programs.csv").read_text("utf-8")
    return {row["program_key"]: set(row["direct_recipients"].split()) for row in csv.DictReader(io.StringIO(text))}


class LawContext:
    """Everything exposure needs, loaded once: registry, gazetteer, status engine, designations, money."""

    def __init__(self, reg: Registry, gaz: GazetteerLike, store: Path | None = None):
        self.reg, self.gaz, self.store = reg, gaz, store
        self.engine = StatusEngine(reg, gaz)
        self.designations: DesignationSet = load_designations(reg, gaz)
        cited = cited_funding(reg, gaz)
        self.cited, self.cited_errors = cited.rows, cited.errors
        self.imported: list[FundingRow] = load_stored_funding(store)

    @classmethod
    def load(cls, store: Path | None = None) -> LawContext:
        from sanctuary_atlas.resolve.gazetteer import Gazetteer

        return cls(registry(), Gazetteer.load(), store)

    def conditions_reached(self, scenario: Scenario) -> list[Condition]:
        skip = set(self.engine.rules.not_conditions)
        rows = [c for c in self.reg.conditions.values() if c.condition_id not in skip and c.fiscal_years]
        if "*" in scenario.conditions:
            return rows
        return [c for c in rows if c.condition_id in scenario.conditions]

    def amount(self, j: Jurisdiction, key: str, fy: int, channel: str) -> dict[str, object]:
        rows = [
            r
            for r in (*self.imported, *self.cited)
            if r.recipient_key == j.key and r.program_key == key and r.fiscal_year == fy
        ]
        # A row without a figure (a source that names no amount) cannot fill the amount; it is shown
        # under related_amounts instead.
        wanted = [r for r in rows if r.channel == channel and r.amount_usd is not None]
        if wanted:
            best = min(wanted, key=_preference)
            note = f"BJA disparate group {best.group_id} (joint ${best.group_amount_usd:,})" if best.group_id else None
            return {
                "amount_usd": int(best.amount_usd),  # type: ignore[arg-type]
                "amount_kind": best.amount_kind,
                "amount_basis": best.notes or None,
                "group_note": note,
                "amount_source": [_src(best)],
                "amount_verification": best.verification,
            }
        totals = [r for r in rows if r.channel == "state_and_local_total" and r.amount_usd is not None]
        if channel == "direct" and j.kind == "state" and key == "JAG" and totals:
            best = min(totals, key=_preference)
            share = Decimal(1) if j.state == "PR" else Decimal("0.6")
            derived = int((best.amount_usd * share).quantize(Decimal(1), ROUND_HALF_UP))
            return {
                "amount_usd": derived,
                "amount_kind": f"{best.amount_kind} (state share, derived)",
                "amount_basis": (
                    f"{int(share * 100)}% of the state-plus-local total {best.notes or ''} "
                    "(34 U.S.C. 10156(b)); the published total may be rounded"
                ),
                "amount_source": [_src(best)],
                "amount_verification": best.verification,
            }
        return {
            "amount_usd": None,
            "amount_kind": None,
            "amount_basis": None,
            "amount_source": UNKNOWN,
            "amount_verification": None,
            "related_amounts": [
                _src(r)
                | {
                    "amount_usd": int(r.amount_usd) if r.amount_usd else None,
                    "amount_text": r.notes or None,
                    "channel": r.channel,
                }
                for r in rows
            ]
            or None,
        }

    def condition_objects(self, j: Jurisdiction, scenario: Scenario, as_of: date) -> list[dict[str, object]]:
        through = fiscal_year(min(as_of, RESEARCH_HORIZON))
        out = []
        for cond in self.conditions_reached(scenario):
            if cond.fiscal_years is None or cond.fiscal_years.first > through:
                continue  # a condition for a later fiscal year did not exist on this date
            key = program_key(cond.program, cond.assistance_listing) or "UNKNOWN"
            kinds = _direct_recipients().get(key, {"state", "county", "city"})
            mine = {"city-county": {"city", "county"}}.get(j.kind, {j.kind})
            channel = "direct" if kinds & mine else "pass_through"
            status = self.engine.status(j, cond.condition_id, as_of).to_json()
            for fy in cond.fiscal_years.years(through):  # type: ignore[union-attr]
                money = self.amount(j, key, fy, channel)
                out.append(
                    {
                        "program": cond.program,
                        "program_key": key,
                        "fiscal_year": fy,
                        "condition_id": cond.condition_id,
                        "condition_row": cond.row_id,
                        "condition": cond.condition_short,
                        "condition_verification": cond.verification,
                        "condition_sources": list(cond.sources),
                        "channel": channel,
                        "status": status["status"],
                        "reason": status["reason"],
                        "circuit_status": status["circuit_status"],
                        "party_injunction": status["party_injunction"],
                        "cases": status["cases"],
                        "other_rulings": status["other_rulings"],
                        "caveats": status["caveats"],
                        "status_verification": status["verification"],
                        **money,
                    }
                )
        return out


def _preference(row: FundingRow) -> tuple[bool, int]:
    """Imported tables are complete allocations and cited rows are samples, so imported rows win."""
    return row.origin.startswith("data/reference"), KIND_ORDER.index(row.amount_kind)


def _src(row: FundingRow) -> dict[str, object]:
    return {"origin": row.origin, "source": row.source, "verification": row.verification}


def exposure(
    ctx: LawContext, j: Jurisdiction, scenario: Scenario, as_of: date, declined: Mapping[str, int] | None = None
) -> dict[str, object]:
    """The exposure JSON for one jurisdiction (see docs/law-and-money.md for every field)."""
    warnings = []
    if as_of > RESEARCH_HORIZON:
        warnings.append(
            f"the reference data ends around {RESEARCH_HORIZON.isoformat()}; anything later "
            "(new rulings, new conditions) is not known here"
        )
    declined = _declined(ctx, scenario, declined, warnings)
    verdict = match(scenario, j, ctx.reg, ctx.designations, as_of, declined)
    conditions = ctx.condition_objects(j, scenario, as_of) if verdict.matched is not False else []
    own = [d.to_json() for d in ctx.designations.for_key(j.key)]
    state_level = [d.to_json() for d in ctx.designations.for_key(j.state_fips)] if j.kind != "state" else []
    laws = [state_law_json(law) for law in state_laws_for(ctx.reg, j.state, as_of)]
    return {
        "jurisdiction": j.to_json(),
        "as_of": as_of.isoformat(),
        "scenario": scenario.to_json() | {"matched": verdict.matched, "why": verdict.why, "evidence": verdict.evidence},
        "designations": own,
        "state_designations": state_level,
        "state_laws": laws,
        "agreements_287g": _agreements(j, as_of, warnings),
        "observed": _observed(ctx, j, warnings),  # None until the store has a build
        "conditions": conditions,
        "money": money_summary(conditions),
        "sources": _sources(conditions, own + state_level, laws),
        "warnings": warnings,
        "disclaimer": DISCLAIMER,
    }


def _declined(
    ctx: LawContext, scenario: Scenario, declined: Mapping[str, int] | None, warnings: list[str]
) -> Mapping[str, int] | None:
    """Counts given by the caller win; otherwise the store's build supplies them, if there is one."""
    if declined is not None or scenario.kind != "declined_detainers" or ctx.store is None:
        return declined
    from sanctuary_atlas.law.observed import declined_counts

    start, end = (date.fromisoformat(d) for d in scenario.period)  # type: ignore[union-attr]
    try:
        return declined_counts(ctx.store, start, end)
    except Exception as exc:  # another stage's data: a broken store must not hide the law facts
        warnings.append(f"declined-detainer counts could not be read from {ctx.store}: {exc}")
        return None


def _agreements(j: Jurisdiction, as_of: date, warnings: list[str]) -> list[dict[str, object]] | None:
    from sanctuary_atlas.law.agreements import agreements_for

    try:
        return agreements_for(j, as_of)
    except Exception as exc:  # the resolve stage's table: report, do not fail the exposure
        warnings.append(f"287(g) agreements could not be read: {exc}")
        return None


def _observed(ctx: LawContext, j: Jurisdiction, warnings: list[str]) -> dict[str, object] | None:
    if ctx.store is None:
        return None
    from sanctuary_atlas.law.observed import observed_outcomes

    try:
        return observed_outcomes(ctx.store, j)
    except Exception as exc:  # as above: report, do not fail the exposure
        warnings.append(f"observed outcomes could not be read from {ctx.store}: {exc}")
        return None


def money_summary(conditions: list[dict[str, object]]) -> dict[str, object]:
    """Known dollars, each award once (several conditions share one award), direct apart from pass-through."""
    awards: dict[tuple, int | None] = {}
    for c in conditions:
        award = (c["program_key"], c["fiscal_year"], c["channel"])
        if c["status"] != "not_yet_imposed":
            awards.setdefault(award, c["amount_usd"])  # type: ignore[arg-type]
    out: dict[str, object] = {}
    for channel in ("direct", "pass_through"):
        known = {k: v for k, v in awards.items() if k[2] == channel and v is not None}
        out[channel] = {
            "known_usd": sum(v for k, v in known.items() if k[0] not in UMBRELLA),
            "umbrella_known_usd": sum(v for k, v in known.items() if k[0] in UMBRELLA),
            "awards_known": len(known),
            "awards_unknown": sum(1 for k, v in awards.items() if k[2] == channel and v is None),
        }
    out["note"] = (
        "known_usd counts each program x fiscal year once; umbrella figures (all federal funds) "
        "overlap with program figures and are kept apart; unknown amounts are not zero"
    )
    return out


def _sources(conditions: list[dict], designations: list[dict], laws: list[dict]) -> list[dict[str, object]]:
    seen: dict[str, dict[str, object]] = {}
    for c in conditions:
        seen.setdefault(
            c["condition_row"],
            {"id": c["condition_row"], "sources": c["condition_sources"], "verification": c["condition_verification"]},
        )
        for case in c["cases"] + c["other_rulings"]:
            seen.setdefault(
                case["id"], {"id": case["id"], "sources": case["sources"], "verification": case["verification"]}
            )
        if isinstance(c["amount_source"], list):
            for s in c["amount_source"]:
                seen.setdefault(
                    s["origin"], {"id": s["origin"], "sources": [s["source"]], "verification": s["verification"]}
                )
    for d in designations:
        seen.setdefault(d["origin"], {"id": d["origin"], "sources": d["sources"], "verification": d["verification"]})
    for law in laws:
        seen.setdefault(
            law["law_id"], {"id": law["law_id"], "sources": law["sources"], "verification": law["verification"]}
        )
    return list(seen.values())


# Which status an award is counted under when its conditions differ: the most enforceable one,
# because the award is at risk as long as any one of its conditions can be enforced.
ENFORCEABILITY = (
    "upheld",
    "in_force",
    "no_ruling",
    "held_unlawful",
    "enjoined",
    "vacated",
    "withdrawn",
    "not_yet_imposed",
)


def national(
    ctx: LawContext, scenario: Scenario, as_of: date, declined: Mapping[str, int] | None = None
) -> dict[str, object]:
    """Total known dollars at stake under a scenario, by circuit, legal status, program and fiscal year."""
    declined = _declined(ctx, scenario, declined, [])
    candidates = {d.key for d in ctx.designations.designations if d.key}
    candidates |= {r.recipient_key for r in (*ctx.cited, *ctx.imported) if r.recipient_key not in {None, "US"}}
    candidates |= {st.fips for st in ctx.gaz.states()} if hasattr(ctx.gaz, "states") else set()
    candidates |= set(declined or {})
    matched, unknown_match, awards = [], [], {}
    for key in sorted(c for c in candidates if c):
        try:
            j = jurisdiction(ctx.gaz, key)
        except LookupError:
            continue
        verdict = match(scenario, j, ctx.reg, ctx.designations, as_of, declined)
        if verdict.matched is None:
            unknown_match.append(key)
            continue
        if not verdict.matched:
            continue
        matched.append(j)
        for c in ctx.condition_objects(j, scenario, as_of):
            award = (j.key, c["program_key"], c["fiscal_year"], c["channel"])
            prior = awards.get(award)
            if prior is None or ENFORCEABILITY.index(c["status"]) < ENFORCEABILITY.index(prior["status"]):
                awards[award] = {"status": c["status"], "amount_usd": c["amount_usd"], "circuit": j.circuit}
    totals: dict[str, object] = {}
    for channel in ("direct", "pass_through"):
        split: dict[str, dict] = {"by_circuit": {}, "by_status": {}, "by_program": {}, "by_fiscal_year": {}}
        known = unknown = 0
        umbrella = 0
        for (_, prog, fy, ch), a in awards.items():
            if ch != channel:
                continue
            if a["status"] == "not_yet_imposed":
                continue
            if a["amount_usd"] is None:
                unknown += 1
                continue
            if prog in UMBRELLA:
                umbrella += a["amount_usd"]
                continue
            known += a["amount_usd"]
            for part, value in (
                ("by_circuit", a["circuit"]),
                ("by_status", a["status"]),
                ("by_program", prog),
                ("by_fiscal_year", str(fy)),
            ):
                split[part][value] = split[part].get(value, 0) + a["amount_usd"]
        totals[channel] = {
            "known_usd": known,
            "awards_with_unknown_amount": unknown,
            "umbrella_known_usd": umbrella,
            **split,
        }
    return {
        "scenario": scenario.to_json(),
        "as_of": as_of.isoformat(),
        "jurisdictions_matched": len(matched),
        "jurisdictions_unknown": len(unknown_match),
        "totals": totals,
        "universe": (
            "jurisdictions considered: every state, every designated jurisdiction, every "
            "recipient with a known amount, and every key with a declined-detainer count"
        ),
        "note": (
            "Known dollars only: most allocations are not in the shipped data (import BJA tables). "
            "Each award counts once, under its most enforceable condition's status. Umbrella "
            "figures (all federal funds) overlap with program figures and are kept apart."
        ),
        "disclaimer": DISCLAIMER,
    }
