"""Command-line commands of this stage; ``register`` adds them to the main Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import typer

from sanctuary_atlas.cli_common import StoreOption, fail, open_store
from sanctuary_atlas.measure.ddor import suppress_parts

# Raw detainer layouts the interim resolve-report reads directly (until the store is wired in):
# canonical key column -> header spellings seen in releases (LESA FY2015, NPR PA file, DDP snake_case).
_RAW_COLUMNS = {
    "facility_name": (
        "Detainer Detention Facility",
        "det_facility",
        "detention_facility",
        "detainer_facility",
        "Detention Facility",
        "Detainer Facility",
        "facility_name",
        "facility",
    ),
    "facility_city": ("City", "city", "facility_city", "Facility City"),
    "facility_state": ("State", "state", "facility_state", "Facility State"),
    "facility_code": (
        "detention_facility_code",
        "detainer_facility_code",
        "Detention Facility Code",
        "Detainer Facility Code",
        "facility_code",
    ),
}


def _raw_view(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> None:
    from sanctuary_atlas.resolve.batch import ResolveInputError

    parts = []
    for path in paths:
        rel = con.read_csv(str(path), all_varchar=True, header=True)
        header = {c.lower(): c for c in rel.columns}
        picked: dict[str, str] = {}
        for key, spellings in _RAW_COLUMNS.items():
            found = next((header[s.lower()] for s in spellings if s.lower() in header), None)
            if found is None and key != "facility_code":
                raise ResolveInputError(f"{path}: no {key} column (looked for: {', '.join(spellings)})")
            picked[key] = '"' + found.replace('"', '""') + '"' if found else "NULL"
        select = ", ".join(f"CAST({expr} AS VARCHAR) AS {key}" for key, expr in picked.items())
        escaped = str(path).replace("'", "''")
        parts.append(f"SELECT {select} FROM read_csv('{escaped}', all_varchar=true, header=true)")
    con.sql("CREATE OR REPLACE TEMP VIEW raw_detainers AS " + " UNION ALL ".join(parts))


def register(app: typer.Typer) -> None:
    @app.command("resolve")
    def resolve_cmd(
        input: Path = typer.Option(..., "--input", help="CSV: facility, city, state[, facility_code]"),
        output: Path = typer.Option(..., "--output", help="CSV to write: the input rows plus the resolution"),
    ) -> None:
        """Resolve a list of facilities to county FIPS and responsible authority (batch)."""
        # The resolver loads its reference tables on import: kept off other commands' start-up.
        from sanctuary_atlas.resolve.batch import ResolveInputError, resolve_csv

        try:
            n = resolve_csv(input, output)
        except ResolveInputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"{n} rows resolved -> {output}", err=True)

    @app.command("resolve-report")
    def resolve_report_cmd(
        input: list[Path] | None = typer.Option(
            None, "--input", help="raw detainer CSV file(s) instead of the store (.csv or .csv.gz)"
        ),
        as_json: bool = typer.Option(False, "--json", help="print JSON instead of a summary"),
        top: int = typer.Option(20, "--top", help="how many unresolved facilities to list"),
        store: StoreOption = None,
        min_cell: int = typer.Option(5, "--min-cell", help="Show counts 1..K-1 as '<K'; 0 for your own records."),
    ) -> None:
        """Coverage of the resolver over the store's detainers (or raw files): shares by confidence and type."""
        from sanctuary_atlas.resolve.batch import ResolveInputError
        from sanctuary_atlas.resolve.report import resolution_report

        if input:
            con = duckdb.connect()
            try:
                _raw_view(con, input)
            except (ResolveInputError, duckdb.Error) as exc:
                typer.echo(f"error: {exc}", err=True)
                raise typer.Exit(2) from exc
            source = "raw_detainers"
        else:
            target = open_store(store)
            if not target.exists() or not target.release_ids():
                raise fail(f"the store at {target.root} holds no releases; ingest some, or pass --input")
            con = target.connect()
            source = "detainers"
        rep = _suppressed(resolution_report(con, source, top=top), min_cell)
        if as_json:
            typer.echo(json.dumps(rep, indent=2))
            return
        typer.echo(
            f"detainers {rep['detainers']:,}; naming a facility {rep['detainers_naming_a_facility']:,}; "
            f"{rep['coverage_county']:.2%} of those at a facility resolved to a county; distinct facilities "
            f"resolved {rep['distinct_resolved_to_county']:,} of {rep['distinct_facilities']:,}"
        )
        for title, key in (("confidence", "by_confidence"), ("authority type", "by_authority_type")):
            typer.echo(f"by {title}:")
            for k, v in sorted(rep[key].items(), key=lambda kv: -(kv[1]["share"] or 0)):
                count = f"{v['detainers']:>9,}" if isinstance(v["detainers"], int) else f"{v['detainers']:>9}"
                share = f"{v['share']:.2%}" if v["share"] is not None else ""
                typer.echo(f"  {k:28s} {count}  {share}")
        typer.echo("top unresolved (no county or unknown authority):")
        for row in rep["top_unresolved"]:
            typer.echo(
                f"  {row['detainers']:>7}  {row['facility_name']} | {row['facility_city']} | "
                f"{row['facility_state']}  [{row['evidence']}]"
            )


def _suppressed(rep: dict, k: int) -> dict:
    """The report's counts under the publishing rule: small cells hidden, and their shares with them."""
    if k <= 1:
        return rep
    for key in ("by_confidence", "by_authority_type"):
        shown = suppress_parts({name: v["detainers"] for name, v in rep[key].items()}, k)
        rep[key] = {
            name: {**v, "detainers": shown[name], "share": v["share"] if isinstance(shown[name], int) else None}
            for name, v in rep[key].items()
        }
    for row in rep["top_unresolved"]:
        if 0 < row["detainers"] < k:
            row["detainers"] = f"<{k}"
    return rep
