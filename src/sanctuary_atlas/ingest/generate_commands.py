"""``generate``: write a synthetic 2023+-layout detainer release for tests, demos and benchmarks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from sanctuary_atlas.cli_common import err_console, fail


def register(app: typer.Typer) -> None:
    app.command("generate")(generate_command)


def generate_command(
    out: Annotated[Path, typer.Argument(help="File to write (.xlsx or .csv).")],
    rows: Annotated[int, typer.Option("--rows", min=0, help="Rows to write, duplicates included.")],
    fmt: Annotated[
        Literal["xlsx", "csv"] | None,
        typer.Option("--format", help="xlsx or csv (default: from OUT's suffix, else xlsx)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 20231001,
    sheets: Annotated[
        int | None, typer.Option("--sheets", min=1, help="xlsx sheets (default: per --rows-per-sheet).")
    ] = None,
    rows_per_sheet: Annotated[int, typer.Option("--rows-per-sheet", min=1)] = 1_000_000,
    variant: Annotated[
        Literal["2024", "2026"], typer.Option("--variant", help="Header of the 2024-25 or 2026 release.")
    ] = "2024",
    duplicate_share: Annotated[float, typer.Option("--duplicate-share", min=0.0, max=1.0)] = 0.002,
    redaction_share: Annotated[float, typer.Option("--redaction-share", min=0.0, max=1.0)] = 0.01,
) -> None:
    """Write a realistic synthetic LESA 2023+ release (title rows, header on row 7, several sheets).

    Not real data: facilities and vocabularies are real; people and events are drawn at random.

    What was planted (duplicates, redactions) is listed in OUT.manifest.json next to OUT.
    """
    from sanctuary_atlas.ingest.generate import generate_release, read_manifest

    chosen: Literal["xlsx", "csv"] = fmt or ("csv" if out.suffix.lower() == ".csv" else "xlsx")
    started = time.perf_counter()
    try:
        with err_console.status(f"writing {rows:,} rows to {out}"):
            generate_release(
                out,
                rows,
                seed=seed,
                fmt=chosen,
                sheets=sheets,
                rows_per_sheet=rows_per_sheet,
                variant=variant,
                duplicate_share=duplicate_share,
                redaction_share=redaction_share,
            )
    except (ValueError, OSError) as exc:
        raise fail(str(exc)) from None
    except ImportError:
        raise fail("xlsx output needs xlsxwriter: pip install 'sanctuary-atlas[generate]'") from None
    manifest = read_manifest(out)
    seconds = time.perf_counter() - started
    err_console.print(
        f"wrote {out}: {rows:,} rows on {len(manifest['sheets'])} sheet(s), "
        f"{len(manifest['duplicates']):,} exact duplicates, "
        f"{manifest['rows_with_redaction']:,} rows with redactions, in {seconds:.1f}s"
    )
