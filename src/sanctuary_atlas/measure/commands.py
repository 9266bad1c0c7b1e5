"""``outcomes``: detainer outcomes with denominators, grouped and suppressed."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date
from typing import Annotated, Any, cast

import typer

from sanctuary_atlas.cli_common import StoreOption, err_console, fail, open_store, parse_iso_date
from sanctuary_atlas.measure.cube import against, columns_of, cube_of, cube_tables, in_cube, suppress_cube
from sanctuary_atlas.measure.keys import ENGINES, GROUP_KEYS, RESOLVED_KEYS, Engine, Period
from sanctuary_atlas.measure.margins import margins_for
from sanctuary_atlas.measure.suppress import Check, rank_by_shown, suppress_pooled, suppress_table
from sanctuary_atlas.store import StoreBusy


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("outcomes")(outcomes_command)


def build_command(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable summary.")] = False,
) -> None:
    """Resolve every ingested detainer's facility to county and authority, and publish the measured table."""
    from sanctuary_atlas.build import build  # the resolver's tables: kept off other commands' start-up

    target = open_store(store)
    try:
        with err_console.status("resolving distinct facilities and joining them back"):
            summary = build(target)
    except (FileNotFoundError, StoreBusy) as exc:
        raise fail(str(exc)) from None
    data = summary.as_json()
    if as_json:
        typer.echo(json.dumps(data, indent=2, default=str))
        return
    share = data["share_with_county"]
    typer.echo(
        f"{summary.build_id}: {summary.detainers:,} detainers from {len(summary.releases)} release(s), "
        f"{summary.facilities:,} distinct facilities; {summary.detainers_with_county:,} "
        f"({share:.1%}) resolved to a county; by confidence: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(summary.by_confidence.items()))
        + f"; {summary.cross_release_duplicates:,} rows already listed by another release counted once"
    )


def _parse_date(value: str | None, option: str) -> date | None:
    return None if value is None else parse_iso_date(value, option)


def outcomes_command(
    group_by: Annotated[
        str, typer.Option("--group-by", help=f"Comma-separated keys: {', '.join(GROUP_KEYS)}.")
    ] = "state",
    date_from: Annotated[str | None, typer.Option("--from", help="First prepare date (YYYY-MM-DD).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last prepare date, inclusive.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    min_cell: Annotated[
        int, typer.Option("--min-cell", help="Suppress counts 1..K-1 as '<K'; 0 turns suppression off.")
    ] = 5,
    store: StoreOption = None,
    engine: Annotated[
        str, typer.Option("--engine", help="duckdb (default) or spark (local PySpark; needs Java 17+).")
    ] = "duckdb",
) -> None:
    """Detainers issued and their outcomes per group, cohort by prepare (issue) date."""
    keys = [k.strip() for k in group_by.split(",") if k.strip()]
    unknown = [k for k in keys if k not in GROUP_KEYS]
    if unknown:
        raise fail(f"unknown --group-by key(s) {', '.join(unknown)}; choose from {', '.join(GROUP_KEYS)}")
    if fmt not in ("csv", "json"):
        raise fail(f"--format must be csv or json, not {fmt!r}")
    if min_cell < 0 or min_cell == 1:
        raise fail("--min-cell must be 0 (no suppression, for records you hold) or at least 2")
    if engine not in ENGINES:
        raise fail(f"--engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    period = Period(_parse_date(date_from, "--from"), _parse_date(date_to, "--to"))
    if period.start and period.end and period.end < period.start:
        raise fail(f"--to {period.end} is before --from {period.start}")
    target = open_store(store)
    if not target.exists() or not target.release_ids():
        raise fail(f"the store at {target.root} holds no releases; run `sanctuary-atlas ingest FILE` first")
    from sanctuary_atlas.measure.engines import measured_table_for, stop_spark
    from sanctuary_atlas.measure.outcomes import outcomes, unmapped_reasons

    try:
        need_resolved = bool(RESOLVED_KEYS & set(keys))
        table = measured_table_for(target, cast(Engine, engine), need_resolved=need_resolved)
        missing = unmapped_reasons(table)
        if missing:
            err_console.print(f"warning: lift reasons not in the vocabulary (counted as unknown): {missing}")
        expr = outcomes(table, keys, period)
        columns = list(expr.columns)
        cube_keys = cube_of(list(table.columns))
        together = bool(min_cell) and in_cube(keys, cube_keys)
        # The tables suppressed together are measured together: every combination of the cube's keys. Any
        # other table is protected against them as they are published, so they are measured too.
        measured = {
            columns_of(combo): outcomes(table, list(combo), period).to_pyarrow().to_pylist()
            for combo in (cube_tables(cube_keys) if min_cell else [])
        }
        rows = [] if together else expr.to_pyarrow().to_pylist()
    except ImportError as exc:
        hint = "pip install 'ibis-framework[pyspark]'"
        raise fail(f"--engine {engine} is not installed here ({exc}); {hint}") from None
    except RuntimeError as exc:
        if engine != "spark":
            raise
        raise fail(str(exc)) from None  # Spark could not start: say why in one line
    finally:
        stop_spark()
    # Groups with fewer than K detainers are pooled into one last row, never listed; the listed rows are
    # protected against every coarser grouping of the same period (its totals are relations a reader can
    # use) and ranked by what they show, so that no hidden count is bounded by its neighbours.
    columns_keys = [GROUP_KEYS[k] for k in keys]
    check = Check()
    cube = suppress_cube(measured, min_cell) if min_cell else None
    given_away = 0
    if together:
        assert cube is not None
        published = cube.tables[columns_of(tuple(k for k in cube_keys if k in keys))]
        rows, pooled, check = published.rows, published.pooled, published.check
        given_away = published.given_away
        rows = [{**{c: row[c] for c in columns}, **row} for row in rows]  # the keys in the order asked
        if columns_keys:
            rows = rank_by_shown(rows, columns_keys)
        if not cube.settled or any(p.given_away for p in cube.tables.values()):
            err_console.print(
                "note: the tables of this period suppressed together still leave some cells to the coarser"
                " tables alone (docs/methodology.md, 'Limits')."
            )
    elif columns_keys:
        joint = against(cube, columns_keys) if cube else None
        rows, pooled = suppress_pooled(rows, min_cell, margins_for(columns_keys), check=check, joint=joint)
        rows = rank_by_shown(rows, columns_keys)
        given_away = len(joint.demands) if joint else 0
        if given_away:
            err_console.print(
                f"note: {given_away} small cell(s) of this table are left to its coarser tables: as the model sees"
                " them, they give those away by themselves, whatever this table hides (docs/methodology.md)."
            )
    else:
        rows, pooled = suppress_table(rows, min_cell, check=check), None
    if min_cell and not check.exact:
        err_console.print(
            "note: this table is too large for the exact disclosure check; its suppression rests on interval"
            " narrowing alone (docs/methodology.md, 'Limits'). Fewer keys or a shorter period avoid this."
        )
    meta = {
        "cohort": "prepare_date",
        "period": period.label(),
        "min_cell": min_cell,
        "suppression_check": check.method,
        # The tables (as --group-by keys) suppressed together with this one; none: protected on its own.
        "suppressed_with": [",".join(c) for c in cube_tables(cube_keys)] if together else [],
        # Small cells the coarser tables, as the model sees them, give away by themselves, whatever this hides.
        "left_to_coarser_tables": given_away,
        "denominator": ("issued - superseded - unknown (known outcomes); duplicates flagged at ingest excluded"),
    }
    if fmt == "json":
        out = {**meta, "rows": [_jsonable(r) for r in rows]}
        if pooled:
            out["pooled"] = _jsonable(pooled)
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _fmt(v) for k, v in r.items()})
    if pooled:
        label = f"({pooled['groups']} groups with fewer than {min_cell} detainers each, pooled)"
        writer.writerow({**{k: _fmt(v) for k, v in pooled.items()}, columns_keys[0]: label})
    typer.echo(buf.getvalue(), nl=False)


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4f}"
    return "" if value is None else value


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Rates to four decimals, as in the CSV (a float's last digits are noise, not precision)."""
    return {k: (None if math.isnan(v) else round(v, 4)) if isinstance(v, float) else v for k, v in row.items()}
