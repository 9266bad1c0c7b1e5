"""Designations: the DOJ lists (2017, 2018, 2025), the withdrawn DHS list of May 2025, and the state
laws that limit or require cooperation, each resolved to a jurisdiction key with list, date and source.

A name that does not resolve is kept, with the reason, in ``DesignationSet.unmatched``; it is never
dropped. Where a list files a name under the wrong heading (DHS put "Lawrence" under Kansas counties
and "Douglas County" under its cities) we try the other heading and say so in ``rule``.

Not every row on a DOJ list is an accusation: the October 2017 letters also cleared jurisdictions
("no evidence of current non-compliance"). Such rows are kept with ``adverse = False`` so that a
scenario about "named as non-compliant" does not count them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sanctuary_atlas.law.jurisdictions import GazetteerLike, Jurisdiction, Resolution, resolve_name
from sanctuary_atlas.law.records import Registry, StateLaw
from sanctuary_atlas.paths import data_dir

DHS_LIST_ID = "DHS-2025-05-29"
DHS_SOURCES = (
    "https://www.dhs.gov/sanctuary-jurisdictions (Wayback Machine print, first captured 2025-05-29; "
    "page later withdrawn)",
    "github.com/menakiser/287g@527386b697946fabf23c488152a0d9a67008fab4:"
    "Sanctuary Jurisdictions Defying Federal Immigration Law | Homeland Security.pdf",
)
_CLEARING = ("no evidence of current non-compliance",)


@dataclass(frozen=True)
class Designation:
    list_id: str
    list_name: str
    list_date: str
    issuer: str
    name_as_listed: str
    kind_as_listed: str
    state: str
    key: str | None
    kind: str | None
    rule: str  # how the name was resolved, or why it was not
    finding: str
    adverse: bool  # False for rows that cleared the jurisdiction
    withdrawn: bool
    sources: tuple[str, ...]
    verification: str
    origin: str

    def to_json(self) -> dict[str, object]:
        return {
            "list_id": self.list_id,
            "list_name": self.list_name,
            "list_date": self.list_date,
            "issuer": self.issuer,
            "name_as_listed": self.name_as_listed,
            "jurisdiction_key": self.key,
            "finding": self.finding,
            "adverse": self.adverse,
            "withdrawn": self.withdrawn,
            "resolution": self.rule,
            "sources": list(self.sources),
            "verification": self.verification,
            "origin": self.origin,
        }


@dataclass
class DesignationSet:
    designations: list[Designation] = field(default_factory=list)
    unmatched: list[Designation] = field(default_factory=list)

    def for_key(self, key: str) -> list[Designation]:
        return [d for d in self.designations if d.key == key]

    def keys(self, lists: set[str] | None = None, adverse_only: bool = True, as_of: date | None = None) -> set[str]:
        return {
            d.key
            for d in self.designations
            if d.key
            and (lists is None or d.list_id in lists)
            and (d.adverse or not adverse_only)
            and (as_of is None or d.list_date <= as_of.isoformat())
        }


_MUNICIPAL = re.compile(r"\s+(city|town|village|township|borough)$", re.I)


def _variants(name: str) -> list[tuple[str, str]]:
    """Other spellings worth one more try, each with the reason recorded in the result."""
    out = []
    if _MUNICIPAL.search(name):
        out.append((_MUNICIPAL.sub("", name), "without the kind of municipality"))
    if "/" in name:
        out.append((name.split("/")[0].strip(), "first of the names joined by '/'"))
    match = re.fullmatch(r"[A-Za-z .]+-([A-Za-z .]+ County)", name)
    if match:
        out.append((match.group(1), "county part of a consolidated name"))
    return out


def resolve_listed(gaz: GazetteerLike, state: str, kind: str, name: str) -> Resolution:
    """Resolve a listed name; if the list filed it under the wrong heading, try the other one."""
    found = resolve_name(gaz, state, kind, name)
    if found.jurisdiction is not None:
        return found
    for variant, why in _variants(name):
        other = resolve_name(gaz, state, kind, variant)
        if other.jurisdiction is not None:
            return Resolution(other.jurisdiction, f"{other.rule} ({why}: {variant!r})")
    alternative = {"county": "city", "city": "county"}.get(kind.split()[0].lower())
    if alternative:
        other = resolve_name(gaz, state, alternative, name)
        if other.jurisdiction is not None:
            return Resolution(other.jurisdiction, f"listed as {kind} but resolves only as {alternative}")
    return found


def _doj(reg: Registry, gaz: GazetteerLike) -> list[Designation]:
    out = []
    for e in reg.list_entries:
        found = resolve_listed(gaz, e.state_abbr, e.jurisdiction_type, e.jurisdiction_name)
        j: Jurisdiction | None = found.jurisdiction
        adverse = not any(word in e.finding.lower() for word in _CLEARING)
        out.append(
            Designation(
                e.list_id,
                e.list_name,
                e.list_date.iso(),
                e.issuer,
                e.jurisdiction_name,
                e.jurisdiction_type,
                e.state_abbr,
                j.key if j else None,
                j.kind if j else None,
                found.rule,
                e.finding,
                adverse,
                False,
                e.sources,
                e.verification,
                f"data/reference/{e.file}:{e.line}",
            )
        )
    return out


def _dhs(gaz: GazetteerLike, path: Path) -> list[Designation]:
    out = []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for line, row in enumerate(reader, start=2):
            st = gaz.state(row["state"])
            postal = st.postal if st else row["state"]
            found = resolve_listed(gaz, postal, row["level"], row["jurisdiction"])
            j = found.jurisdiction
            finding = f"listed under {row['heading']}" + (f"; basis: {row['basis']}" if row["basis"] else "")
            out.append(
                Designation(
                    DHS_LIST_ID,
                    "DHS 'Sanctuary Jurisdictions Defying Federal Immigration Law' (withdrawn)",
                    "2025-05-29",
                    "DHS",
                    row["jurisdiction"],
                    row["level"],
                    postal,
                    j.key if j else None,
                    j.kind if j else None,
                    found.rule,
                    finding,
                    True,
                    True,
                    DHS_SOURCES,
                    "partially_verified",
                    f"data/sanctuary-lists/{path.name}:{line}",
                )
            )
    return out


def load_designations(reg: Registry, gaz: GazetteerLike, dhs_path: Path | None = None) -> DesignationSet:
    dhs_path = dhs_path or data_dir() / "sanctuary-lists" / "dhs_sanctuary_jurisdictions_2025-05-29.csv"
    result = DesignationSet()
    for d in (*_doj(reg, gaz), *_dhs(gaz, dhs_path)):
        (result.designations if d.key else result.unmatched).append(d)
    return result


def law_start(law: StateLaw) -> date | None:
    """When a law is first on record: signed, else effective, else 1 January after the year it was enacted
    (a law known only by its year is not counted before that year is over), else unknown."""
    known = law.signed or law.effective
    if known is not None:
        return known.start()
    year = law.year_enacted.strip()[:4]
    return date(int(year) + 1, 1, 1) if year.isdigit() else None


def state_laws_for(reg: Registry, state: str, as_of: date | None = None) -> list[StateLaw]:
    """The state's laws that limit or require cooperation on record on as_of (undated laws are left out)."""
    laws = [law for law in reg.state_laws.values() if law.state_abbr == state]
    if as_of is None:
        return laws
    return [law for law in laws if (start := law_start(law)) is not None and start <= as_of]


def state_law_json(law: StateLaw) -> dict[str, object]:
    return {
        "law_id": law.law_id,
        "state": law.state_abbr,
        "name": law.name,
        "citation": law.citation,
        "direction": law.direction,
        "signed": law.signed.iso() if law.signed else None,
        "effective": law.effective.iso() if law.effective else None,
        "provisions": law.provisions,
        "later_history": law.later_history or None,
        "sources": list(law.sources),
        "verification": law.verification,
        "origin": f"data/reference/{law.file}:{law.line}",
    }
