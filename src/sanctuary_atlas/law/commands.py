"""Command-line commands of the law stage; ``register`` adds them to the main Typer app.

The commands are thin: they parse options, call the library and print. ``--json`` prints exactly the
library's JSON so that other tools can rely on it.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sanctuary_atlas.cli_common import fail, parse_iso_date
from sanctuary_atlas.paths import default_store

if TYPE_CHECKING:
    from sanctuary_atlas.law.exposure import LawContext

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store directory (default: env, then user).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Legal status as of this date (YYYY-MM-DD).")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", help="Shipped scenario name or a .toml path.")]
DeclinedOpt = Annotated[
    Path | None,
    typer.Option("--declined-csv", help="CSV of jurisdiction key,declined counts for the declined-detainers scenario."),
]


def _as_of(text: str | None) -> date:
    if not text:
        return date.today()
    return parse_iso_date(text, "--as-of")


def _declined(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    if not path.is_file():
        raise fail(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or {"key", "declined"} - set(reader.fieldnames):
            raise fail(f"{path}: needs columns key,declined")
        out = {}
        for line, row in enumerate(reader, start=2):
            try:
                out[row["key"].strip()] = int(row["declined"])
            except ValueError:
                raise fail(f"{path}:{line}: declined {row['declined']!r} is not a number") from None
        return out


def _context(store: Path | None) -> LawContext:
    # Imported here so that `--help` does not load the gazetteer and the registry.
    from sanctuary_atlas.law.exposure import LawContext

    return LawContext.load(store or default_store())


def _json_default(value: object) -> object:
    # Dollar amounts are Decimal so that cents survive parsing; JSON gets numbers, not strings.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return str(value)


def _print(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


_BREAKDOWNS = (
    ("by_status", "legal status"),
    ("by_circuit", "circuit"),
    ("by_program", "program"),
    ("by_fiscal_year", "fiscal year"),
)


def _circuit(value: str) -> str:
    if not value.isdigit():
        return f"{value} Cir."
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} Cir."


def _print_national_totals(totals: dict[str, dict[str, object]]) -> None:
    """One table per funding channel: known dollars by legal status, circuit, program and fiscal year."""
    import sys

    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=160)
    for channel, t in totals.items():
        title = (
            f"{channel.replace('_', ' ')}: known ${t['known_usd']:,}; "
            f"{t['awards_with_unknown_amount']:,} awards with unknown amount"
        )
        if t.get("umbrella_known_usd"):
            title += f"; umbrella (all federal funds, kept apart) ${t['umbrella_known_usd']:,}"
        table = Table()
        table.add_column("breakdown")
        table.add_column("value")
        table.add_column("known USD", justify="right")
        for part, label in _BREAKDOWNS:
            split: dict[str, object] = t.get(part) or {}  # type: ignore[assignment]
            if part == "by_circuit":
                items = sorted(split.items(), key=lambda kv: (not kv[0].isdigit(), kv[0].zfill(3)))
            elif part == "by_fiscal_year":
                items = sorted(split.items())
            else:
                items = sorted(split.items(), key=lambda kv: (-kv[1], kv[0]))  # type: ignore[operator]
            for i, (value, usd) in enumerate(items):
                shown = (
                    _circuit(value) if part == "by_circuit" else (f"FY{value}" if part == "by_fiscal_year" else value)
                )
                table.add_row(label if i == 0 else "", shown, f"${usd:,}", end_section=i == len(items) - 1)
        console.print(title if table.row_count else f"{title} (no known dollars to break down)", highlight=False)
        if table.row_count:
            console.print(table, highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("exposure")
    def exposure_cmd(
        jurisdiction: Annotated[
            str,
            typer.Option("--jurisdiction", help="17 (state), 17031 (county), 17031:chicago or 'Chicago, IL' (city)."),
        ],
        scenario: ScenarioOpt = None,
        as_of: AsOfOpt = None,
        store: StoreOpt = None,
        declined_csv: DeclinedOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Conditions, legal status, designations and dollars at stake for one jurisdiction."""
        from sanctuary_atlas.law.exposure import exposure
        from sanctuary_atlas.law.jurisdictions import jurisdiction as find
        from sanctuary_atlas.law.scenarios import ScenarioError, load_scenario

        ctx = _context(store)
        try:
            j = find(ctx.gaz, jurisdiction)
            chosen = load_scenario(scenario)
        except (LookupError, ScenarioError) as exc:
            raise fail(str(exc)) from None
        result = exposure(ctx, j, chosen, _as_of(as_of), _declined(declined_csv))
        if as_json:
            _print(result)
            return
        typer.echo(f"{j.name} ({j.kind}, {j.state}, {j.circuit} Cir.) key {j.key} - as of {result['as_of']}")
        typer.echo(f"Scenario {chosen.name}: {result['scenario']['why']}")
        for d in result["designations"]:
            withdrawn = " (withdrawn list)" if d["withdrawn"] else ""
            typer.echo(f"  designated: {d['list_id']}{withdrawn}: {d['finding']}")
        for law in result["state_laws"]:
            typer.echo(f"  state law {law['law_id']} ({law['direction']}): {law['name']}")
        for a in result["agreements_287g"] or []:
            typer.echo(
                f"  287(g): {a['agency']} - {a['support_type']} ({a['status']}, signed {a['signed']}, "
                f"last seen {a['last_seen']})"
            )
        if result["observed"]:
            for row in result["observed"]["by_fiscal_year"]:
                typer.echo(
                    f"  observed FY{row['fiscal_year']}: issued {row['issued']}, declined {row['declined']}, "
                    f"honored {row['honored']}"
                )
        for c in result["conditions"]:
            amount = f"${c['amount_usd']:,}" if c["amount_usd"] is not None else c["amount_source"]
            typer.echo(
                f"  FY{c['fiscal_year']} {c['condition_id']:<20} {c['status']:<15} "
                f"circuit: {c['circuit_status']:<13} {c['channel']:<12} {amount} "
                f"[{c['status_verification']}]"
            )
        for w in result["warnings"]:
            typer.echo(f"warning: {w}")
        typer.echo(result["disclaimer"])

    @app.command("jurisdiction-profile")
    def profile_cmd(
        jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="As for exposure.")],
        as_of: AsOfOpt = None,
        store: StoreOpt = None,
    ) -> None:
        """The jurisdiction profile JSON (identity, written policy, observed, money and law, sources)."""
        from sanctuary_atlas.law.jurisdictions import jurisdiction as find
        from sanctuary_atlas.law.profile import build_profile

        ctx = _context(store)
        try:
            j = find(ctx.gaz, jurisdiction)
        except LookupError as exc:
            raise fail(str(exc)) from None
        _print(build_profile(ctx, j, _as_of(as_of)))

    @app.command("exposure-national")
    def national_cmd(
        scenario: ScenarioOpt = None,
        as_of: AsOfOpt = None,
        store: StoreOpt = None,
        declined_csv: DeclinedOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """National what-if: known dollars at stake under a scenario, by circuit and legal status."""
        from sanctuary_atlas.law.exposure import national
        from sanctuary_atlas.law.scenarios import ScenarioError, load_scenario

        try:
            chosen = load_scenario(scenario)
        except ScenarioError as exc:
            raise fail(str(exc)) from None
        result = national(_context(store), chosen, _as_of(as_of), _declined(declined_csv))
        if as_json:
            _print(result)
            return
        typer.echo(
            f"{chosen.title} - as of {result['as_of']}: {result['jurisdictions_matched']} "
            f"jurisdictions ({result['jurisdictions_unknown']} unknown)"
        )
        _print_national_totals(result["totals"])  # type: ignore[arg-type]
        typer.echo(result["note"])

    @app.command("import-funding")
    def import_funding_cmd(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV file to import.")],
        store: StoreOpt = None,
        bja: Annotated[bool, typer.Option("--bja", help="FILE is a BJA JAG allocation table.")] = False,
        fiscal_year: Annotated[int | None, typer.Option("--fiscal-year", help="FY of a BJA table.")] = None,
        source: Annotated[str | None, typer.Option("--source", help="URL of a BJA table.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Import per-jurisdiction allocations/awards; every rejected row is listed with file and line."""
        from sanctuary_atlas.law.funding import read_bja_jag_table, read_funding_csv, store_funding
        from sanctuary_atlas.resolve.gazetteer import Gazetteer

        gaz = Gazetteer.load()
        if bja:
            if fiscal_year is None or not source:
                raise fail("--bja needs --fiscal-year and --source")
            result = read_bja_jag_table(file, fiscal_year, gaz, source)
        else:
            result = read_funding_csv(file, gaz)
        target = store_funding(result, store or default_store(), file.name) if result.rows else None
        if as_json:
            _print(
                {
                    "file": str(file),
                    "imported": len(result.rows),
                    "stored_at": str(target) if target else None,
                    "rejected": [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors],
                }
            )
        else:
            for error in result.errors:
                typer.echo(f"rejected {error}", err=True)
            typer.echo(
                f"{len(result.rows)} rows imported{f' into {target}' if target else ''}; {len(result.errors)} problems"
            )
        if result.errors:
            raise typer.Exit(1)

    @app.command("jag")
    def jag_cmd(
        total: Annotated[int, typer.Option("--total", help="Formula amount for the year, in dollars.")],
        states: Annotated[
            Path | None, typer.Option("--states", help="CSV: state,population,violent_crime (3-year average).")
        ] = None,
        local: Annotated[
            Path | None,
            typer.Option("--local", help="CSV: name,violent_crime[,years_reported,cj_expenditure] for one state."),
        ] = None,
        local_amount: Annotated[
            int | None, typer.Option("--local-amount", help="The state's 40% local amount, for --local.")
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Byrne JAG formula (34 U.S.C. 10156): the minimum, state and local allocations from your inputs."""
        from fractions import Fraction

        from sanctuary_atlas.law.jag import (
            LocalInput,
            StateInput,
            dollars,
            local_allocations,
            minimum_allocation,
            state_allocations,
        )

        if total <= 0:
            raise fail(f"--total {total}: the formula amount must be a positive number of dollars")
        out: dict[str, object] = {"total": total, "minimum_allocation": minimum_allocation(total)}
        try:
            if states is not None:
                with states.open(newline="", encoding="utf-8-sig") as handle:
                    rows = [
                        StateInput(r["state"], int(r["population"]), Fraction(r["violent_crime"]))
                        for r in csv.DictReader(handle)
                    ]
                out["states"] = [a.rounded() for a in state_allocations(total, rows)]
            if local is not None:
                if local_amount is None:
                    raise fail("--local needs --local-amount")
                with local.open(newline="", encoding="utf-8-sig") as handle:
                    units = [
                        LocalInput(
                            r["name"],
                            Fraction(r["violent_crime"]),
                            int(r.get("years_reported") or 10),
                            Fraction(r["cj_expenditure"]) if r.get("cj_expenditure") else None,
                        )
                        for r in csv.DictReader(handle)
                    ]
                result = local_allocations(local_amount, units)
                out["local"] = [
                    {"name": a.name, "amount": dollars(a.amount), "reason": a.reason} for a in result.allocations
                ]
                out["local_to_state"] = dollars(result.to_state)
        except (KeyError, ValueError, ZeroDivisionError) as exc:
            raise fail(f"bad input: {exc!r}") from None
        if as_json:
            _print(out)
            return
        typer.echo(f"minimum allocation (0.25%): ${out['minimum_allocation']:,}")
        for a in out.get("states", []):  # type: ignore[union-attr]
            typer.echo(
                f"  {a['state']}: total ${a['total']:,} state ${a['state_share']:,} "
                f"local ${a['local_share']:,}{' (minimum)' if a['minimum_state'] else ''}"
            )
        for a in out.get("local", []):  # type: ignore[union-attr]
            typer.echo(f"  {a['name']}: ${a['amount']:,} ({a['reason']})")

    @app.command("funding")
    def funding_cmd(
        jurisdiction: Annotated[str | None, typer.Option("--jurisdiction", help="Only this key.")] = None,
        store: StoreOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Known amounts: the shipped cited amounts and any imported ones, resolved to keys."""
        from dataclasses import asdict

        ctx = _context(store)
        key, found = None, None
        if jurisdiction:
            from sanctuary_atlas.law.jurisdictions import jurisdiction as find

            try:
                found = find(ctx.gaz, jurisdiction)
            except LookupError as exc:
                raise fail(str(exc)) from None
            key = found.key
        rows = [r for r in (*ctx.imported, *ctx.cited) if key is None or r.recipient_key == key]
        if as_json:
            _print([asdict(r) for r in rows])
            return
        if not rows:
            where = f" for {found.name} ({found.kind}, key {key})" if found is not None else ""
            typer.echo(
                f"no allocation or cited amount on record{where}; import one with `sanctuary-atlas import-funding`"
            )
            return
        for r in rows:
            amount = f"${r.amount_usd:,}" if r.amount_usd is not None else "(no figure)"
            typer.echo(
                f"{r.recipient_key or '-':<22} FY{r.fiscal_year or '?'} {r.program_key:<12} {amount:>16} "
                f"{r.amount_kind:<11} {r.channel:<22} [{r.verification}] {r.origin}"
            )

    @app.command("designations")
    def designations_cmd(
        list_id: Annotated[str | None, typer.Option("--list", help="Only this list, e.g. DOJ-2025-08-05.")] = None,
        csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV instead of text.")] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """DOJ and DHS designations resolved to jurisdiction keys, with list, date, source; unmatched too."""
        from sanctuary_atlas.law.designations import load_designations
        from sanctuary_atlas.law.registry import registry
        from sanctuary_atlas.resolve.gazetteer import Gazetteer

        found = load_designations(registry(), Gazetteer.load())
        known = sorted({d.list_id for d in (*found.designations, *found.unmatched)})
        if list_id is not None and list_id not in known:
            raise fail(f"--list {list_id!r}: no such list; lists are {', '.join(known)}")
        rows = [d.to_json() for d in (*found.designations, *found.unmatched) if list_id is None or d.list_id == list_id]
        if as_json:
            _print(rows)
            return
        if csv_out:
            columns = [
                "list_id",
                "list_date",
                "name_as_listed",
                "jurisdiction_key",
                "adverse",
                "withdrawn",
                "resolution",
                "verification",
                "origin",
            ]
            writer = csv.DictWriter(typer.get_text_stream("stdout"), fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            return
        for r in rows:
            typer.echo(
                f"{r['list_id']:<15} {r['jurisdiction_key'] or 'UNMATCHED':<26} {r['name_as_listed']}"
                f"{'' if r['adverse'] else ' (cleared)'} - {r['resolution']}"
            )

    @app.command("law-check")
    def law_check_cmd(as_json: JsonOpt = False) -> None:
        """Check the shipped reference tables, rules and scenarios; list names that did not resolve."""
        from sanctuary_atlas.law.exposure import LawContext
        from sanctuary_atlas.law.registry import load_registry
        from sanctuary_atlas.law.scenarios import check_scenario, shipped_scenarios
        from sanctuary_atlas.law.status import check_rules
        from sanctuary_atlas.resolve.gazetteer import Gazetteer

        reg = load_registry(strict=False)
        ctx = LawContext(reg, Gazetteer.load())
        lists = {d.list_id for d in ctx.designations.designations}
        problems = [str(p) for p in reg.problems] + check_rules(ctx.engine.rules, reg)
        problems += ctx.engine.unresolved_parties
        for s in shipped_scenarios().values():
            problems += check_scenario(s, reg, lists)
        report = {
            "problems": problems,
            "unmatched_designations": [d.to_json() for d in ctx.designations.unmatched],
            "cited_amounts_without_one_jurisdiction": [str(e) for e in ctx.cited_errors],
            "designations_resolved": len(ctx.designations.designations),
        }
        if as_json:
            _print(report)
        else:
            for p in problems:
                typer.echo(f"problem: {p}")
            typer.echo(
                f"{report['designations_resolved']} designations resolved, "
                f"{len(report['unmatched_designations'])} unmatched, {len(problems)} problems"
            )
        if problems:
            raise typer.Exit(1)
