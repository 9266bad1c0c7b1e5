"""Money per jurisdiction: the funding CSV schema, its importer, the BJA JAG table adapter, and the
cited amounts shipped in ``data/reference/funding_amounts_cited.csv`` resolved to jurisdiction keys.

Funding CSV schema (UTF-8, header row; one row per recipient x program x fiscal year x amount kind):

=================== ======== ==============================================================
column              required meaning
=================== ======== ==============================================================
program             yes      program name (aliases in ``rules/programs.csv``, e.g. "Byrne JAG")
assistance_listing  no       ALN/CFDA number, e.g. 16.738; identifies the program if the name does not
fiscal_year         yes      ``FY2019`` or ``2019``
recipient_name      yes      as the source writes it
recipient_fips      one of   jurisdiction key: ``17`` (state), ``17031`` (county), ``17031:chicago`` (city)
recipient_state     these    postal code or name, with recipient_kind, when recipient_fips is blank
recipient_kind      two      state | county | city | city-county
amount_usd          yes      dollars, e.g. ``1234567`` or ``$1,234,567.00``; never negative
amount_kind         yes      allocation | award | obligation | at_stake
channel             no       direct (default) | pass_through | state_and_local_total
source              yes      URL or document the amount was read from
verification        no       verified | partially_verified | unverified (default unverified)
notes               no       free text
=================== ======== ==============================================================

A row that breaks a rule is not imported; it is reported with its file and line. Nothing is
dropped silently: ``ImportResult.errors`` lists every rejected row, and the CLI prints them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path

from sanctuary_atlas.law.jurisdictions import GazetteerLike, jurisdiction, resolve_name
from sanctuary_atlas.law.records import Registry
from sanctuary_atlas.law.values import VERIFICATION_LEVELS, CellError, parse_usd

AMOUNT_KINDS = ("allocation", "award", "obligation", "at_stake")
CHANNELS = ("direct", "pass_through", "state_and_local_total")
REQUIRED = ("program", "fiscal_year", "recipient_name", "amount_usd", "amount_kind", "source")
COLUMNS = (
    "program",
    "assistance_listing",
    "fiscal_year",
    "recipient_name",
    "recipient_fips",
    "recipient_state",
    "recipient_kind",
    "amount_usd",
    "amount_kind",
    "channel",
    "source",
    "verification",
    "notes",
)
STORED = (
    "program_key",
    "program",
    "assistance_listing",
    "fiscal_year",
    "recipient_name",
    "recipient_key",
    "amount_usd",
    "amount_kind",
    "channel",
    "group_id",
    "group_amount_usd",
    "source",
    "verification",
    "origin",
    "notes",
)


@dataclass(frozen=True)
class FundingRow:
    program_key: str
    program: str
    assistance_listing: str
    fiscal_year: int | None
    recipient_name: str
    recipient_key: str | None
    amount_usd: Decimal | None
    amount_kind: str
    channel: str
    source: str
    verification: str
    origin: str  # file:line, so every figure can be traced back
    notes: str = ""
    group_id: str | None = None  # disparate-jurisdiction group in a BJA table
    group_amount_usd: Decimal | None = None


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class ImportResult:
    rows: list[FundingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@cache
def _programs() -> list[dict[str, str]]:
    text = resources.files("sanctuary_atlas.law").joinpath("rules/programs.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def program_key(program: str, assistance_listing: str = "") -> str | None:
    """The program key for a name or an assistance listing number; None if unknown."""
    for row in _programs():
        if assistance_listing and row["assistance_listing"] == assistance_listing.strip():
            return row["program_key"]
    wanted = _fold(program)
    for row in _programs():
        names = [row["program_key"], row["name"], *row["aliases"].split(" | ")]
        if wanted in {_fold(n) for n in names if n}:
            return row["program_key"]
    return None


def parse_fiscal_year(text: str) -> int:
    match = re.fullmatch(r"\s*(?:FY\s?)?(\d{4})\s*", text or "", re.I)
    if not match or not 1990 <= int(match.group(1)) <= 2100:
        raise CellError(f"fiscal year {text!r} is not FY2019 or 2019")
    return int(match.group(1))


def _read_text(path: Path, result: ImportResult) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Spreadsheet exports on Windows are often cp1252; read them, but say so.
        result.errors.append(RowError(path.name, 0, "file is not UTF-8; read as cp1252 - check names"))
        return raw.decode("cp1252", errors="replace")


def read_funding_csv(path: Path, gaz: GazetteerLike) -> ImportResult:
    """Read a funding CSV in the schema above; good rows in ``rows``, every bad one in ``errors``."""
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(_read_text(path, result)))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        result.errors.append(RowError(path.name, 1, f"missing required columns: {', '.join(missing)}"))
        return result
    if not ({"recipient_fips"} <= set(header) or {"recipient_state", "recipient_kind"} <= set(header)):
        result.errors.append(RowError(path.name, 1, "need recipient_fips, or recipient_state and recipient_kind"))
        return result
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            result.errors.append(RowError(path.name, number, "more cells than header columns"))
            continue
        try:
            result.rows.append(_row(row, gaz, f"{path.name}:{number}"))
        except CellError as exc:
            result.errors.append(RowError(path.name, number, str(exc)))
    return result


def _row(row: dict[str, str], gaz: GazetteerLike, origin: str) -> FundingRow:
    for column in REQUIRED:
        if not row.get(column):
            raise CellError(f"{column} is empty")
    key = program_key(row["program"], row.get("assistance_listing", ""))
    if key is None:
        raise CellError(f"unknown program {row['program']!r} (see rules/programs.csv)")
    amount = parse_usd(row["amount_usd"])
    kind, channel = row["amount_kind"].lower(), (row.get("channel") or "direct").lower()
    if kind not in AMOUNT_KINDS:
        raise CellError(f"amount_kind {kind!r} not in {AMOUNT_KINDS}")
    if channel not in CHANNELS:
        raise CellError(f"channel {channel!r} not in {CHANNELS}")
    verification = row.get("verification") or "unverified"
    if verification not in VERIFICATION_LEVELS:
        raise CellError(f"verification {verification!r} not in {VERIFICATION_LEVELS}")
    if row.get("recipient_fips"):
        try:
            recipient = jurisdiction(gaz, row["recipient_fips"]).key
        except LookupError as exc:
            raise CellError(f"recipient_fips: {exc}") from exc
    else:
        found = resolve_name(gaz, row.get("recipient_state", ""), row.get("recipient_kind", ""), row["recipient_name"])
        if found.jurisdiction is None:
            raise CellError(f"recipient not resolved: {found.rule}")
        recipient = found.jurisdiction.key
    return FundingRow(
        key,
        row["program"],
        row.get("assistance_listing", ""),
        parse_fiscal_year(row["fiscal_year"]),
        row["recipient_name"],
        recipient,
        amount,
        kind,
        channel,
        row["source"],
        verification,
        origin,
        row.get("notes", ""),
    )


# --------------------------------------------------------------------------- BJA JAG tables
_BJA_HEADERS = {
    "state": "state",
    "jurisdiction": "name",
    "jurisdictionname": "name",
    "governmenttype": "type",
    "eligibleindividualallocation": "individual",
    "eligiblejointallocation": "joint",
    "disparategroup": "group",
    "disparate": "group",
}
_MUNICIPAL_WORDS = re.compile(r"\s+(city|town|village|township|borough|municipality|metro government)$", re.I)


def read_bja_jag_table(path: Path, fiscal_year: int, gaz: GazetteerLike, source: str) -> ImportResult:
    """Adapter for BJA's published JAG allocation tables, saved by the user as CSV.

    Columns recognised (any case and spacing): State, Jurisdiction Name, Government Type, Eligible
    Individual Allocation, Eligible Joint Allocation, and optionally Disparate Group. Members of a
    disparate group are tied by the Disparate Group column when there is one; otherwise a row with a
    joint allocation starts a group and the following rows of the same state marked with ``*`` join it.
    """
    result = ImportResult()
    reader = csv.reader(io.StringIO(_read_text(path, result)))
    header = [_BJA_HEADERS.get(re.sub(r"[^a-z]", "", h.lower()), "") for h in next(reader, [])]
    missing = [c for c in ("state", "name", "type", "individual") if c not in header]
    if missing:
        result.errors.append(RowError(path.name, 1, f"not a BJA JAG table, missing: {', '.join(missing)}"))
        return result
    group, group_amount, group_state = None, None, None
    for number, cells in enumerate(reader, start=2):
        row = {h: c.strip() for h, c in zip(header, cells, strict=False) if h}
        if not any(row.values()):
            continue
        name = row.get("name", "")
        starred = "*" in name
        name = name.replace("*", "").strip()
        try:
            joint = parse_usd(row.get("joint", ""))
            individual = parse_usd(row.get("individual", ""))
        except CellError as exc:
            result.errors.append(RowError(path.name, number, str(exc)))
            continue
        if row.get("group"):
            group, group_amount = f"{row['state']}:{row['group']}", joint or group_amount
        elif joint is not None:
            group, group_amount, group_state = f"{row['state']}:{name}", joint, row["state"]
        elif not (starred and group_state == row["state"]):
            group, group_amount = None, None
        if individual is None:
            result.errors.append(RowError(path.name, number, "no eligible individual allocation"))
            continue
        found = _resolve_bja(gaz, row.get("state", ""), row.get("type", ""), name)
        if found is None:
            result.errors.append(
                RowError(path.name, number, f"{name!r} ({row.get('type')}, {row.get('state')}) not resolved")
            )
            continue
        result.rows.append(
            FundingRow(
                "JAG",
                "Byrne JAG",
                "16.738",
                fiscal_year,
                name,
                found,
                individual,
                "allocation",
                "direct",
                source,
                "unverified",
                f"{path.name}:{number}",
                "BJA eligible individual allocation",
                group,
                group_amount,
            )
        )
    return result


def _resolve_bja(gaz: GazetteerLike, state: str, gov_type: str, name: str) -> str | None:
    kind = "county" if re.search(r"county|parish|borough", gov_type, re.I) else "city"
    tries = [name]
    if kind == "city":
        tries.append(_MUNICIPAL_WORDS.sub("", name))
    for candidate in tries:
        found = resolve_name(gaz, state, kind, candidate.title())
        if found.jurisdiction is not None:
            return found.jurisdiction.key
    return None


# --------------------------------------------------------------------------- the store
def store_funding(result: ImportResult, store: Path, name: str) -> Path:
    """Write the accepted rows under ``<store>/law/funding/<name>.csv``; re-importing a file replaces it."""
    target = store / "law" / "funding" / f"{Path(name).stem}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=STORED)
        writer.writeheader()
        for row in result.rows:
            data = asdict(row)
            writer.writerow({k: ("" if data[k] is None else data[k]) for k in STORED})
    tmp.replace(target)
    return target


def load_stored_funding(store: Path | None) -> list[FundingRow]:
    if store is None:
        return []
    rows = []
    for path in sorted((store / "law" / "funding").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                rows.append(
                    FundingRow(
                        r["program_key"],
                        r["program"],
                        r["assistance_listing"],
                        int(r["fiscal_year"]) if r["fiscal_year"] else None,
                        r["recipient_name"],
                        r["recipient_key"] or None,
                        Decimal(r["amount_usd"]) if r["amount_usd"] else None,
                        r["amount_kind"],
                        r["channel"],
                        r["source"],
                        r["verification"],
                        r["origin"],
                        r["notes"],
                        r["group_id"] or None,
                        Decimal(r["group_amount_usd"]) if r["group_amount_usd"] else None,
                    )
                )
    return rows


# --------------------------------------------------------------------------- cited amounts
def cited_funding(reg: Registry, gaz: GazetteerLike) -> ImportResult:
    """The shipped cited amounts, resolved to jurisdiction keys.

    National totals get the key ``US``; rows about several jurisdictions at once (``multi-state``,
    ``state+city``) keep no key and are still returned, with the reason in ``errors``.
    """
    result = ImportResult()
    for a in reg.amounts.values():
        origin = f"data/reference/{a.file}:{a.line} ({a.row_id})"
        years = a.fiscal_years.years(a.fiscal_years.first) if a.fiscal_years else []
        fy = years[0] if len(years) == 1 else None
        jtype = a.jurisdiction_type
        channel, kind, key = "direct", "at_stake", None
        if "allocation" in a.what_it_is.lower():
            kind = "allocation"
        elif "award" in a.what_it_is.lower():
            kind = "award"
        if jtype == "national":
            key, channel = "US", "state_and_local_total"
        elif jtype.startswith("state (total") or "political subdivisions" in a.jurisdiction:
            channel = "state_and_local_total"
        if jtype in {"multi-state", "multi-local", "state+city"}:
            result.errors.append(RowError(a.file, a.line, f"{a.row_id}: {a.jurisdiction!r} is not one jurisdiction"))
        elif key is None:
            kind_word = "state" if jtype.startswith("state") else jtype
            name = re.sub(r"\s+and its political subdivisions$", "", a.jurisdiction)
            found = resolve_name(gaz, a.state_abbr, kind_word, name)
            if found.jurisdiction is None:
                result.errors.append(RowError(a.file, a.line, f"{a.row_id}: {found.rule}"))
            else:
                key = found.jurisdiction.key
        if fy is None and a.fiscal_years is not None:
            result.errors.append(RowError(a.file, a.line, f"{a.row_id}: spans fiscal years {a.fiscal_year_text}"))
        result.rows.append(
            FundingRow(
                program_key(a.program) or "UNKNOWN",
                a.program,
                "",
                fy,
                a.jurisdiction,
                key,
                Decimal(a.amount_usd) if a.amount_usd is not None else None,
                kind,
                channel,
                "; ".join(a.sources),
                a.verification,
                origin,
                a.amount_text,
            )
        )
    return result
