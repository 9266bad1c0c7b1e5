"""``ingest`` and ``status``: load release files into the store and show what it holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctuary_atlas.cli_common import StoreOption, err_console, fail, open_store
from sanctuary_atlas.ingest.errors import IngestError
from sanctuary_atlas.store import StoreBusy

if TYPE_CHECKING:
    from sanctuary_atlas.ingest.pipeline import IngestSummary


def _out() -> Console:
    """Standard output; piped or logged output gets a width that fits the tables instead of 80 columns."""
    return Console() if sys.stdout.isatty() else Console(width=160)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("status")(status_command)


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Release files: xlsx, CSV (optionally .gz) or Parquet.")],
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary on stdout.")] = False,
) -> None:
    """Ingest ICE detainer release files (every known layout, detected from the header)."""
    target = open_store(store)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TimeElapsedColumn(),
        console=err_console,
        transient=as_json,
    )
    with progress:
        files = progress.add_task("files", total=len(paths), rows=0)
        sheets = progress.add_task("sheets", total=None, rows=0)

        def on_event(event: str, data: dict) -> None:
            if event == "file_start":
                progress.update(files, description=f"files ({Path(data['path']).name})")
            elif event == "file_done":
                progress.advance(files)
            elif event in ("chunk_done", "sheet_empty"):
                task = progress.tasks[sheets]
                progress.update(sheets, completed=task.completed + 1, rows=task.fields["rows"] + data.get("rows", 0))
                progress.update(files, rows=progress.tasks[files].fields["rows"] + data.get("rows", 0))

        from sanctuary_atlas.ingest.pipeline import ingest  # heavy: kept off other commands' start-up

        try:
            summary = ingest(paths, target, on_event)
        except IngestError as exc:
            progress.stop()
            raise fail(f"{exc} (nothing was written; the store is unchanged)") from None
        except StoreBusy as exc:
            progress.stop()
            raise fail(f"{exc}; try again when it has finished") from None
    if as_json:
        typer.echo(json.dumps(summary.as_json(), indent=2, default=str))
    else:
        _print_summary(summary, _out())


def _print_summary(summary: IngestSummary, console: Console) -> None:
    table = Table(title=f"Ingest into {summary.store}")
    for col in ("file", "status", "layout", "sheets", "read", "loaded", "quarantined", "duplicates"):
        table.add_column(col, justify="right" if col in ("read", "loaded", "quarantined", "duplicates") else "left")
    for f in summary.files:
        table.add_row(
            Path(f.path).name,
            f.status if f.status == "ingested" else f"{f.status} as {f.release_id}",
            f"{f.layout or ''}{'/' + f.layout_variant if f.layout_variant else ''}",
            str(len([s for s in f.sheets if s.status == "loaded"])) if f.sheets else "",
            f"{f.rows_read:,}",
            f"{f.rows_loaded:,}",
            f"{f.rows_quarantined:,}",
            f"{f.rows_duplicate_flagged:,}",
        )
    console.print(table)
    totals = summary.totals()
    console.print(
        f"rows read {totals['rows_read']:,} = loaded {totals['rows_loaded']:,} + quarantined "
        f"{totals['rows_quarantined']:,}; duplicates flagged {totals['rows_duplicate_flagged']:,}"
    )
    for f in summary.files:
        if f.status == "already_ingested":
            console.print(f"{Path(f.path).name}: already ingested (same SHA-256) as {f.release_id}; nothing to do.")
        for reason, n in f.quarantine_reasons.items():
            console.print(f"{Path(f.path).name}: quarantined {n:,} row(s): {reason}")


def status_command(
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List the releases in the store with their row accounting."""
    target = open_store(store)
    if not target.exists():
        raise fail(f"no store at {target.root}; run `sanctuary-atlas ingest FILE` first")
    target.check_format()
    with target.catalog(read_only=True) as con:
        cur = con.execute(
            """SELECT release_id, source_file, layout, layout_variant, rows_read, rows_loaded,
                      rows_quarantined, rows_duplicate_flagged, rows_with_redaction,
                      prepare_date_min, prepare_date_max,
                      source_sha256, ingested_at
               FROM releases ORDER BY ingested_at, release_id"""
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    if as_json:
        typer.echo(json.dumps({"store": str(target.root), "releases": rows}, indent=2, default=str))
        return
    table = Table(title=f"Releases in {target.root}")
    for col in ("release", "layout", "prepared", "read", "loaded", "quarantined", "duplicates", "redacted"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["release_id"],
            f"{r['layout']}/{r['layout_variant']}",
            f"{r['prepare_date_min']} .. {r['prepare_date_max']}",
            f"{r['rows_read']:,}",
            f"{r['rows_loaded']:,}",
            f"{r['rows_quarantined']:,}",
            f"{r['rows_duplicate_flagged']:,}",
            f"{r['rows_with_redaction']:,}",
        )
    _out().print(table)
    if not rows:
        _out().print("The store is empty.")
