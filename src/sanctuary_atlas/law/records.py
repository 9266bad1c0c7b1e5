"""The record types of the reference fact base: one frozen dataclass per table.

Every record derives from ``Fact``, so the file, line, sources and verification status travel with
it into every output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanctuary_atlas.law.values import FiscalYears, PartialDate


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    row_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} [{self.row_id}] {self.message}"


class RegistryError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Fact:
    """What every reference row carries: where it came from and how far it was confirmed."""

    file: str
    line: int
    sources: tuple[str, ...]
    verification: str
    notes: str


@dataclass(frozen=True)
class Case(Fact):
    case_id: str
    case_name: str
    court: str
    court_level: str
    circuit: str | None
    docket: str
    decision_date: PartialDate | None
    decision_date_text: str
    decision_type: str
    plaintiffs: str
    challenged_action: str
    program: str
    outcome: str
    scope: str
    citation: str
    holding: str
    later_history: str


@dataclass(frozen=True)
class Condition(Fact):
    row_id: str
    program: str
    assistance_listing: str
    agency: str
    funding_type: str
    period_text: str
    fiscal_years: FiscalYears | None
    condition_id: str
    condition_short: str
    description: str
    announced: tuple[PartialDate, ...]
    recipients_affected: str
    outcome_summary: str
    litigation_ids: tuple[str, ...]


@dataclass(frozen=True)
class StateLaw(Fact):
    law_id: str
    state: str
    state_abbr: str
    circuit: str
    name: str
    citation: str
    year_enacted: str
    signed: PartialDate | None
    effective: PartialDate | None
    instrument_type: str
    direction: str
    provisions: str
    later_history: str
    litigation_ids: tuple[str, ...]


@dataclass(frozen=True)
class ListEntry(Fact):
    list_id: str
    list_name: str
    list_date: PartialDate
    issuer: str
    jurisdiction_name: str
    jurisdiction_type: str
    state_abbr: str
    finding: str


@dataclass(frozen=True)
class CitedAmount(Fact):
    row_id: str
    program: str
    fiscal_year_text: str
    fiscal_years: FiscalYears | None
    jurisdiction: str
    jurisdiction_type: str
    state_abbr: str
    amount_usd: int | None
    amount_text: str
    what_it_is: str


@dataclass(frozen=True)
class Order(Fact):
    order_id: str
    doc_type: str
    number: str
    title: str
    signed: PartialDate | None
    status: str
    status_date: PartialDate | None
    litigation_ids: tuple[str, ...]


@dataclass(frozen=True)
class Statute(Fact):
    statute_id: str
    citation: str
    popular_name: str
    summary: str


@dataclass(frozen=True)
class CircuitRow(Fact):
    state: str
    state_abbr: str
    circuit: str


@dataclass
class Registry:
    cases: dict[str, Case]
    conditions: dict[str, Condition]  # keyed by row_id (G##)
    state_laws: dict[str, StateLaw]
    list_entries: list[ListEntry]
    amounts: dict[str, CitedAmount]
    orders: dict[str, Order]
    statutes: dict[str, Statute]
    circuits: dict[str, CircuitRow]  # keyed by state postal code
    problems: list[Problem] = field(default_factory=list)

    def condition(self, condition_id: str) -> Condition:
        for row in self.conditions.values():
            if row.condition_id == condition_id:
                return row
        raise KeyError(condition_id)

    def circuit_of(self, state_abbr: str) -> str | None:
        row = self.circuits.get(state_abbr.upper())
        return row.circuit if row else None
