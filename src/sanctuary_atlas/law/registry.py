"""Typed loaders for the reference fact base in ``data/reference`` and the checks every row must pass.

Each record keeps the file and line it came from, its sources and its verification status, so that
any output built on it can say where a fact came from and how sure we are of it. ``load_registry``
collects every rule a row breaks (it does not stop at the first) and raises ``RegistryError`` with
all of them; ``load_registry(strict=False)`` returns the registry with the problems attached, which
is what the integrity test and the ``law-check`` command report.
"""

from __future__ import annotations

import csv
from collections import Counter
from functools import cache
from pathlib import Path

from sanctuary_atlas.law.records import (
    Case,
    CircuitRow,
    CitedAmount,
    Condition,
    ListEntry,
    Order,
    Problem,
    Registry,
    RegistryError,
    StateLaw,
    Statute,
)
from sanctuary_atlas.law.values import (
    VERIFICATION_LEVELS,
    CellError,
    parse_date_list,
    parse_fiscal_years,
    parse_optional_date,
    parse_usd,
    split_list,
)
from sanctuary_atlas.paths import data_dir

CIRCUITS = (*(str(n) for n in range(1, 12)), "DC", "Federal")

__all__ = ["CIRCUITS", "Problem", "Registry", "RegistryError", "load_registry", "registry"]


class _Reader:
    """Reads one reference CSV, remembering each row's line and collecting problems."""

    def __init__(self, base: Path, name: str, problems: list[Problem]):
        self.name, self.problems = name, problems
        self.path = base / name

    def rows(self, id_column: str, unique: bool = True) -> list[tuple[int, dict[str, str]]]:
        out: list[tuple[int, dict[str, str]]] = []
        with self.path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            start = reader.line_num + 1
            for cells in reader:
                line, start = start, reader.line_num + 1
                if not any(c.strip() for c in cells):
                    continue
                row = dict(zip(header, cells, strict=False))
                if len(cells) != len(header):
                    self.add(line, row.get(id_column, "?"), f"{len(cells)} cells, header has {len(header)}")
                    row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
                out.append((line, {k: (v or "").strip() for k, v in row.items()}))
        seen = Counter(row.get(id_column, "") for _, row in out)
        for line, row in out:
            key = row.get(id_column, "")
            if not key:
                self.add(line, "?", f"empty {id_column}")
            elif unique and seen[key] > 1:
                self.add(line, key, f"duplicate {id_column}")
        return out

    def add(self, line: int, row_id: str, message: str) -> None:
        self.problems.append(Problem(self.name, line, row_id, message))

    def fact(self, line: int, row: dict[str, str], row_id: str, sources: tuple[str, ...]) -> dict:
        verification = row.get("verification", "verified")
        if verification not in VERIFICATION_LEVELS:
            self.add(line, row_id, f"verification {verification!r} not in {VERIFICATION_LEVELS}")
            verification = "unverified"  # an unknown level must never read as settled
        if not sources:
            self.add(line, row_id, "no source")
        return {
            "file": self.name,
            "line": line,
            "sources": sources,
            "verification": verification,
            "notes": row.get("notes", ""),
        }

    def date(self, line: int, row_id: str, column: str, text: str, required: bool = False):
        try:
            value = parse_optional_date(text)
        except CellError as exc:
            self.add(line, row_id, f"{column}: {exc}")
            return None
        if value is None and required:
            self.add(line, row_id, f"{column} is empty")
        return value


def _load_cases(r: _Reader) -> dict[str, Case]:
    out = {}
    for line, row in r.rows("case_id"):
        cid = row["case_id"]
        circuit = row["circuit"] or None
        if row["court_level"] not in {"district", "circuit", "supreme"}:
            r.add(line, cid, f"court_level {row['court_level']!r}")
        if circuit is None and row["court_level"] != "supreme":
            r.add(line, cid, "circuit is empty for a lower-court decision")
        if circuit is not None and circuit not in CIRCUITS:
            r.add(line, cid, f"circuit {circuit!r}")
        # A pending certiorari petition has no decision date; every decision must have one.
        decided = r.date(line, cid, "decision_date", row["decision_date"], required=row["court_level"] != "supreme")
        out[cid] = Case(
            **r.fact(line, row, cid, split_list(row["source_urls"])),
            case_id=cid,
            case_name=row["case_name"],
            court=row["court"],
            court_level=row["court_level"],
            circuit=circuit,
            docket=row["docket_number"],
            decision_date=decided,
            decision_date_text=row["decision_date"],
            decision_type=row["decision_type"],
            plaintiffs=row["plaintiffs"],
            challenged_action=row["challenged_action"],
            program=row["program"],
            outcome=row["outcome"],
            scope=row["scope"],
            citation=row["citation"],
            holding=row["key_holding_own_words"],
            later_history=row["later_history"],
        )
    return out


def _load_conditions(r: _Reader) -> dict[str, Condition]:
    out = {}
    for line, row in r.rows("row_id"):
        rid = row["row_id"]
        try:
            announced = parse_date_list(row["announced_date"])
        except CellError as exc:
            r.add(line, rid, f"announced_date: {exc}")
            announced = ()
        out[rid] = Condition(
            **r.fact(line, row, rid, split_list(row["source_urls"])),
            row_id=rid,
            program=row["program"],
            assistance_listing=row["assistance_listing"],
            agency=row["agency"],
            funding_type=row["funding_type"],
            period_text=row["fiscal_year_or_period"],
            fiscal_years=parse_fiscal_years(row["fiscal_year_or_period"]),
            condition_id=row["condition_id"],
            condition_short=row["condition_short"],
            description=row["condition_description"],
            announced=announced,
            recipients_affected=row["recipients_affected"],
            outcome_summary=row["litigation_outcome_summary"],
            litigation_ids=split_list(row["related_litigation_ids"]),
        )
    ids = Counter(c.condition_id for c in out.values())
    for c in out.values():
        if not c.condition_id or ids[c.condition_id] > 1:
            r.add(c.line, c.row_id, f"condition_id {c.condition_id!r} empty or not unique")
    return out


def _load_state_laws(r: _Reader) -> dict[str, StateLaw]:
    out = {}
    for line, row in r.rows("law_id"):
        lid = row["law_id"]
        if row["direction"] not in {"limits", "requires"}:
            r.add(line, lid, f"direction {row['direction']!r}")
        out[lid] = StateLaw(
            **r.fact(line, row, lid, split_list(row["source_urls"])),
            law_id=lid,
            state=row["state"],
            state_abbr=row["state_abbr"],
            circuit=row["circuit"],
            name=row["name"],
            citation=row["citation"],
            year_enacted=row["year_enacted"],
            signed=r.date(line, lid, "date_signed_or_issued", row["date_signed_or_issued"]),
            effective=r.date(line, lid, "effective_date", row["effective_date"]),
            instrument_type=row["instrument_type"],
            direction=row["direction"],
            provisions=row["key_provisions_own_words"],
            later_history=row["amendments_or_later_history"],
            litigation_ids=split_list(row["related_litigation_ids"]),
        )
    return out


def _load_lists(r: _Reader) -> list[ListEntry]:
    out = []
    rows = r.rows("list_id", unique=False)  # one row per jurisdiction per list: the key is the pair
    keys = Counter((row["list_id"], row["jurisdiction_name"], row["state_abbr"]) for _, row in rows)
    for line, row in rows:
        rid = f"{row['list_id']}/{row['jurisdiction_name']}"
        if keys[(row["list_id"], row["jurisdiction_name"], row["state_abbr"])] > 1:
            r.add(line, rid, "jurisdiction listed twice on the same list")
        listed = r.date(line, rid, "list_date", row["list_date"], required=True)
        if listed is None:
            continue
        out.append(
            ListEntry(
                **r.fact(line, row, rid, split_list(row["source_urls"])),
                list_id=row["list_id"],
                list_name=row["list_name"],
                list_date=listed,
                issuer=row["issuer"],
                jurisdiction_name=row["jurisdiction_name"],
                jurisdiction_type=row["jurisdiction_type"],
                state_abbr=row["state_abbr"],
                finding=row["finding_or_role"],
            )
        )
    return out


def _load_amounts(r: _Reader) -> dict[str, CitedAmount]:
    out = {}
    for line, row in r.rows("row_id"):
        rid = row["row_id"]
        try:
            amount = parse_usd(row["amount_usd"])
        except CellError as exc:
            r.add(line, rid, f"amount_usd: {exc}")
            amount = None
        if amount is None and not row["amount_text"]:
            r.add(line, rid, "neither amount_usd nor amount_text")
        out[rid] = CitedAmount(
            **r.fact(line, row, rid, split_list(row["source_urls"])),
            row_id=rid,
            program=row["program"],
            fiscal_year_text=row["fiscal_year"],
            fiscal_years=parse_fiscal_years(row["fiscal_year"]),
            jurisdiction=row["jurisdiction"],
            jurisdiction_type=row["jurisdiction_type"],
            state_abbr=row["state_abbr"],
            amount_usd=int(amount) if amount is not None else None,
            amount_text=row["amount_text"],
            what_it_is=row["what_it_is"],
        )
    return out


def _load_orders(r: _Reader) -> dict[str, Order]:
    out = {}
    for line, row in r.rows("id"):
        oid = row["id"]
        out[oid] = Order(
            **r.fact(line, row, oid, split_list(row["source_urls"])),
            order_id=oid,
            doc_type=row["doc_type"],
            number=row["number"],
            title=row["title"],
            signed=r.date(line, oid, "signed_date", row["signed_date"]),
            status=row["status"],
            status_date=r.date(line, oid, "status_date", row["status_date"]),
            litigation_ids=split_list(row["related_litigation_ids"]),
        )
    return out


def _repo_source(row: dict[str, str], path_column: str) -> tuple[str, ...]:
    if row.get("source_repo") and row.get(path_column) and row.get("source_commit"):
        return (f"{row['source_repo']}@{row['source_commit']}:{row[path_column]}",)
    return ()


def _load_statutes(r: _Reader) -> dict[str, Statute]:
    out = {}
    for line, row in r.rows("id"):
        sources = _repo_source(row, "source_paths") + split_list(row["other_sources"])
        out[row["id"]] = Statute(
            **r.fact(line, row, row["id"], sources),
            statute_id=row["id"],
            citation=row["citation"],
            popular_name=row["popular_name"],
            summary=row["summary_own_words"],
        )
    return out


def _load_circuits(r: _Reader) -> dict[str, CircuitRow]:
    out = {}
    for line, row in r.rows("state_abbr"):
        if row["circuit"] not in CIRCUITS:
            r.add(line, row["state_abbr"], f"circuit {row['circuit']!r}")
        fact = r.fact(line, row, row["state_abbr"], _repo_source(row, "source_path"))
        out[row["state_abbr"]] = CircuitRow(
            **fact, state=row["state_or_territory"], state_abbr=row["state_abbr"], circuit=row["circuit"]
        )
    return out


def _cross_check(reg: Registry, problems: list[Problem]) -> None:
    def missing(file: str, line: int, rid: str, ids: tuple[str, ...]) -> None:
        for ref in ids:
            if ref not in reg.cases:
                problems.append(Problem(file, line, rid, f"litigation id {ref} does not exist"))

    for c in reg.conditions.values():
        missing(c.file, c.line, c.row_id, c.litigation_ids)
    for law in reg.state_laws.values():
        missing(law.file, law.line, law.law_id, law.litigation_ids)
        expected = reg.circuit_of(law.state_abbr)
        if expected != law.circuit:
            problems.append(
                Problem(law.file, law.line, law.law_id, f"circuit {law.circuit} but circuits_by_state says {expected}")
            )
    for order in reg.orders.values():
        missing(order.file, order.line, order.order_id, order.litigation_ids)
    # The other direction: a case about a grant program must be reachable from a condition,
    # or the status engine would never see it.
    referenced = {ref for c in reg.conditions.values() for ref in c.litigation_ids}
    for case in reg.cases.values():
        if case.program and not case.program.startswith("n/a") and case.case_id not in referenced:
            problems.append(
                Problem(
                    case.file,
                    case.line,
                    case.case_id,
                    f"case about {case.program!r} is not linked from any grant condition",
                )
            )
    for entry in (*reg.list_entries, *reg.amounts.values()):
        if entry.state_abbr and reg.circuit_of(entry.state_abbr) is None:
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    getattr(entry, "row_id", entry.list_id),
                    f"unknown state {entry.state_abbr!r}",
                )
            )


def load_registry(base: Path | None = None, strict: bool = True) -> Registry:
    base = base or data_dir() / "reference"
    problems: list[Problem] = []

    def reader(name: str) -> _Reader:
        return _Reader(base, name, problems)

    reg = Registry(
        cases=_load_cases(reader("litigation.csv")),
        conditions=_load_conditions(reader("grant_programs.csv")),
        state_laws=_load_state_laws(reader("state_laws.csv")),
        list_entries=_load_lists(reader("doj_lists.csv")),
        amounts=_load_amounts(reader("funding_amounts_cited.csv")),
        orders=_load_orders(reader("executive_orders.csv")),
        statutes=_load_statutes(reader("statutes.csv")),
        circuits=_load_circuits(reader("circuits_by_state.csv")),
    )
    _cross_check(reg, problems)
    reg.problems = problems
    if strict and problems:
        raise RegistryError(problems)
    return reg


@cache
def registry() -> Registry:
    """The shipped registry, loaded once per process."""
    return load_registry()
