"""Legal status of a grant condition for one jurisdiction on one date.

The engine reads the dated effects in ``rules/rulings.toml`` and answers, for a jurisdiction, a
condition (program x fiscal year x condition, by ``condition_id``) and a date: withdrawn / vacated /
enjoined / held_unlawful / upheld / in_force / no_ruling / not_yet_imposed, plus the court of
appeals position in the jurisdiction's own circuit, whether the jurisdiction is itself a protected
party, the deciding cases and the rulings elsewhere. Order of precedence, and why:

1. withdrawn - a condition the government no longer imposes cannot be enforced, whatever courts said;
2. vacated - a vacatur sets the condition aside for everyone;
3. enjoined - an order that binds DOJ as to this jurisdiction (nationwide, party, or a state and its
   subdivisions) decides, even where the circuit went the other way (a nationwide injunction from
   N.D. Cal. bound DOJ in the 2d Circuit too);
4. the circuit's appellate precedent (held_unlawful or upheld);
5. in_force if courts ruled elsewhere only, no_ruling if no court ruled at all.

We report what courts ruled; we do not predict what a court would rule.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

from sanctuary_atlas.law.jurisdictions import GazetteerLike, Jurisdiction, resolve_name
from sanctuary_atlas.law.records import Registry
from sanctuary_atlas.law.values import PartialDate, parse_partial_date, weakest

EFFECTS = ("enjoined", "vacated", "held_unlawful", "upheld", "withdrawn")
SCOPES = ("nationwide", "parties", "parties_and_subdivisions", "circuit")


@dataclass(frozen=True)
class Party:
    state: str
    kind: str
    name: str


@dataclass(frozen=True)
class Effect:
    number: int  # position in the rules file, for messages
    basis: tuple[str, ...]
    conditions: tuple[str, ...]
    effect: str
    scope: str
    parties: tuple[Party, ...]
    parties_complete: bool
    start: PartialDate
    until: PartialDate | None
    why: str

    def active_on(self, when: date) -> bool:
        return self.start.start() <= when and (self.until is None or when < self.until.start())


@dataclass
class RulesFile:
    statuses: dict[str, str]
    effects: list[Effect]
    not_conditions: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)


@cache
def load_rules() -> RulesFile:
    text = resources.files("sanctuary_atlas.law").joinpath("rules/rulings.toml").read_text("utf-8")
    return parse_rules(text)


def parse_rules(text: str) -> RulesFile:
    raw = tomllib.loads(text)
    problems: list[str] = []
    effects = []
    for number, item in enumerate(raw.get("effect", []), start=1):
        try:
            start = parse_partial_date(item["from"])
            until = parse_partial_date(item["until"]) if "until" in item else None
        except (KeyError, ValueError) as exc:
            problems.append(f"effect {number}: bad dates: {exc}")
            continue
        if item.get("effect") not in EFFECTS:
            problems.append(f"effect {number}: effect {item.get('effect')!r} not in {EFFECTS}")
        if item.get("scope") not in SCOPES:
            problems.append(f"effect {number}: scope {item.get('scope')!r} not in {SCOPES}")
        if until is not None and until.start() <= start.start():
            problems.append(f"effect {number}: until {until} is not after from {start}")
        parties = tuple(Party(p["state"], p["kind"], p["name"]) for p in item.get("parties", []))
        if item.get("scope", "").startswith("parties") and not parties:
            problems.append(f"effect {number}: scope {item['scope']} but no parties")
        effects.append(
            Effect(
                number,
                tuple(item.get("basis", [])),
                tuple(item.get("conditions", [])),
                item.get("effect", ""),
                item.get("scope", ""),
                parties,
                bool(item.get("parties_complete", True)),
                start,
                until,
                item.get("why", ""),
            )
        )
    return RulesFile(dict(raw.get("statuses", {})), effects, tuple(raw.get("not_conditions", [])), problems)


def check_rules(rules: RulesFile, reg: Registry) -> list[str]:
    """Every basis id, condition id and party must exist; circuit precedent must come from an appeal."""
    problems = list(rules.problems)
    condition_ids = {c.condition_id for c in reg.conditions.values()}
    problems += [
        f"not_conditions: {cid} is not in grant_programs.csv"
        for cid in rules.not_conditions
        if cid not in condition_ids
    ]
    for e in rules.effects:
        for ref in e.basis:
            if ref not in reg.cases and ref not in reg.conditions and ref not in reg.orders:
                problems.append(f"effect {e.number}: basis {ref} is in no reference table")
        for cid in e.conditions:
            if cid not in condition_ids:
                problems.append(f"effect {e.number}: condition {cid} is not in grant_programs.csv")
        if e.scope == "circuit":
            case = reg.cases.get(e.basis[0]) if e.basis else None
            if case is None or case.court_level != "circuit" or not case.circuit:
                problems.append(f"effect {e.number}: circuit precedent must rest on a court of appeals case")
        # A rule may not claim a case decided a condition unless grant_programs.csv links them.
        case_refs = [ref for ref in e.basis if ref in reg.cases]
        for cid in e.conditions if case_refs else ():
            linked = {ref for c in reg.conditions.values() if c.condition_id == cid for ref in c.litigation_ids}
            if not linked & set(case_refs):
                problems.append(f"effect {e.number}: none of {case_refs} is linked to {cid} in grant_programs.csv")
    return problems


@dataclass
class LegalStatus:
    condition_id: str
    as_of: date
    status: str
    reason: str
    circuit: str | None
    circuit_status: str  # held_unlawful | upheld | none
    party_injunction: bool
    cases: list[dict[str, object]]
    other_rulings: list[dict[str, object]]
    caveats: list[str]
    verification: str

    def to_json(self) -> dict[str, object]:
        return {
            "condition_id": self.condition_id,
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "reason": self.reason,
            "circuit": self.circuit,
            "circuit_status": self.circuit_status,
            "party_injunction": self.party_injunction,
            "cases": self.cases,
            "other_rulings": self.other_rulings,
            "caveats": self.caveats,
            "verification": self.verification,
        }


class StatusEngine:
    def __init__(self, reg: Registry, gaz: GazetteerLike, rules: RulesFile | None = None):
        self.reg, self.gaz = reg, gaz
        self.rules = rules or load_rules()
        self.unresolved_parties: list[str] = []
        self._party_keys: dict[int, set[str]] = {}
        self._party_states: dict[int, set[str]] = {}
        for e in self.rules.effects:
            keys: set[str] = set()
            for p in e.parties:
                found = resolve_name(gaz, p.state, p.kind, p.name)
                if found.jurisdiction is None:
                    self.unresolved_parties.append(f"effect {e.number}: {p.name}, {p.state}: {found.rule}")
                else:
                    keys.add(found.jurisdiction.key)
            self._party_keys[e.number] = keys
            self._party_states[e.number] = {p.state for p in e.parties if p.kind == "state"}

    def _covers(self, e: Effect, j: Jurisdiction) -> str | None:
        """How an effect reaches the jurisdiction, or None."""
        if e.scope == "nationwide":
            return "nationwide"
        if j.key in self._party_keys[e.number]:
            return "party"
        if e.scope == "parties_and_subdivisions" and j.state in self._party_states[e.number]:
            return "subdivision of a protected state"
        if e.scope == "circuit":
            case = self.reg.cases[e.basis[0]]
            return "circuit" if case.circuit == j.circuit else None
        return None

    def _ref(self, ref: str, role: str, why: str = "") -> dict[str, object]:
        case = self.reg.cases.get(ref)
        if case is not None:
            return {
                "id": ref,
                "kind": "case",
                "name": case.case_name,
                "court": case.court,
                "circuit": case.circuit,
                "date": case.decision_date_text or None,
                "citation": case.citation or None,
                "outcome": case.outcome,
                "role": role,
                "why": why or case.holding or None,
                "verification": case.verification,
                "sources": list(case.sources),
            }
        cond = self.reg.conditions.get(ref)
        if cond is not None:
            return {
                "id": ref,
                "kind": "grant condition record",
                "name": cond.condition_short,
                "date": cond.period_text,
                "role": role,
                "why": why,
                "verification": cond.verification,
                "sources": list(cond.sources),
            }
        order = self.reg.orders[ref]
        return {
            "id": ref,
            "kind": "executive action",
            "name": order.title,
            "date": order.signed.iso() if order.signed else None,
            "role": role,
            "why": why,
            "verification": order.verification,
            "sources": list(order.sources),
        }

    def status(self, j: Jurisdiction, condition_id: str, as_of: date) -> LegalStatus:
        cond = self.reg.condition(condition_id)
        mine = [e for e in self.rules.effects if condition_id in e.conditions]
        active = [e for e in mine if e.active_on(as_of)]
        caveats = [
            f"{e.basis[0]}: the date {d} is known only to the {d.precision}; status on {as_of.isoformat()} may differ"
            for e in mine
            for d in (e.start, e.until)
            if d is not None and d.is_uncertain_on(as_of)
        ]
        deciding: list[tuple[Effect, str]] = []
        circuit_effects = [e for e in active if e.scope == "circuit" and self._covers(e, j)]
        circuit_effect = max(circuit_effects, key=lambda e: e.start.start(), default=None)
        circuit_status = circuit_effect.effect if circuit_effect else "none"
        covering = [(e, how) for e in active if e.scope != "circuit" and (how := self._covers(e, j))]
        status, reason = "", ""
        first = min(cond.announced, key=lambda d: d.start(), default=None)
        if first is not None and as_of < first.start():
            status, reason = "not_yet_imposed", f"announced {first}"
        for wanted in ("withdrawn", "vacated", "enjoined"):
            if status:
                break
            hits = [(e, how) for e, how in covering if e.effect == wanted]
            if hits:
                deciding = hits
                status = wanted
                reason = "; ".join(f"{e.why} ({'/'.join(e.basis)}; reaches {j.name} as {how})" for e, how in hits)
        if not status and circuit_effect is not None:
            deciding = [(circuit_effect, "circuit")]
            status = circuit_effect.effect
            basis = "/".join(circuit_effect.basis)
            reason = f"{circuit_effect.why} ({basis}; binding in the {j.circuit} Cir.)"
        decided_elsewhere = [
            c
            for c in (self.reg.cases.get(ref) for ref in cond.litigation_ids)
            if c is not None
            and c.decision_date
            and c.decision_date.start() <= as_of
            and not c.outcome.startswith(("pending", "unverified"))
        ]
        if not status:
            if decided_elsewhere:
                status = "in_force"
                reason = (
                    "courts ruled on this condition elsewhere, but no ruling in effect on this date "
                    f"reaches {j.name} or the {j.circuit} Cir."
                )
            else:
                status, reason = "no_ruling", "no court ruling on this condition is recorded as of this date"
        for e in mine:
            if not e.parties_complete and e.active_on(as_of) and not self._covers(e, j):
                caveats.append(
                    f"{e.basis[0]}: our list of protected parties is incomplete; check the "
                    f"docket to see whether {j.name} is a party"
                )
        decided_ids = [ref for e, _ in deciding for ref in e.basis]
        if circuit_effect is not None and status != circuit_effect.effect:
            decided_ids += [ref for ref in circuit_effect.basis if ref not in decided_ids]
        cases = [
            self._ref(ref, "decides" if i == 0 else "supports") for i, ref in enumerate(dict.fromkeys(decided_ids))
        ]
        others = [self._ref(c.case_id, "elsewhere") for c in decided_elsewhere if c.case_id not in decided_ids]
        for ref in cond.litigation_ids:
            case = self.reg.cases.get(ref)
            if case is None or ref in decided_ids or case in decided_elsewhere:
                continue
            if case.decision_date is None or case.decision_date.start() <= as_of:
                others.append(self._ref(ref, "pending or undecided"))
        levels = [cond.verification, *(str(c["verification"]) for c in cases)]
        if any(not e.parties_complete for e, _ in deciding) or caveats:
            levels.append("partially_verified")
        party = any(e.effect == "enjoined" and how != "nationwide" for e, how in covering)
        return LegalStatus(
            condition_id,
            as_of,
            status,
            reason,
            j.circuit,
            circuit_status,
            party,
            cases,
            others,
            caveats,
            weakest(levels),
        )
