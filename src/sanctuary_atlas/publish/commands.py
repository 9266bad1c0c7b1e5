"""``ddor``: the Declined Detainer Outcome Report for a period, in HTML, PDF, CSV or JSON."""

from __future__ import annotations

import importlib
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

import ibis
import typer

from sanctuary_atlas.cli_common import StoreOption, fail, open_store
from sanctuary_atlas.measure.ddor import build_ddor
from sanctuary_atlas.measure.outcomes import Period
from sanctuary_atlas.publish.ddor_report import FORMATS, write_report
from sanctuary_atlas.publish.policy import policy_book


def register(app: typer.Typer) -> None:
    app.command("ddor")(ddor_command)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} {value!r} is not a date (use YYYY-MM-DD)") from None


def ddor_command(
    date_from: Annotated[str, typer.Option("--from", help="First prepare date of the period (YYYY-MM-DD).")],
    date_to: Annotated[str, typer.Option("--to", help="Last prepare date, inclusive.")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf, csv or json.")] = "html",
    top: Annotated[int, typer.Option("--top", help="Jurisdictions in section I.")] = 25,
    min_cell: Annotated[int, typer.Option("--min-cell", help="Suppression threshold k (at least 2).")] = 5,
    store: StoreOption = None,
) -> None:
    """Rebuild the DDOR for a period: aggregates per jurisdiction, denominators, policy, fidelity flags."""
    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if min_cell < 2:
        raise fail("reports always suppress small cells: --min-cell must be 2 or more")
    if fmt == "pdf":
        # WeasyPrint's start-up (loading Pango and friends) overlaps the queries below.
        threading.Thread(target=importlib.import_module, args=("weasyprint",), daemon=True).start()
    period = Period(_day(date_from, "--from"), _day(date_to, "--to"))
    assert period.start and period.end
    if period.end < period.start:
        raise fail(f"--to {period.end} is before --from {period.start}")
    target = open_store(store)
    if not target.exists() or not target.release_ids():
        raise fail(f"the store at {target.root} holds no releases; run `sanctuary-atlas ingest FILE` first")
    build_id = target.fresh_build("the DDOR").get("build_id")
    con = target.connect()
    table = ibis.duckdb.from_connection(con).table("detainers_resolved")
    book = policy_book(target.builds_dir / build_id)
    report = build_ddor(
        table,
        period,
        book.lookup,
        counties=book.geo.counties,
        top=top,
        min_cell=min_cell,
        generated_from={"releases": target.release_ids(), "build_id": build_id},
    )
    present = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT county_fips FROM detainers_resolved WHERE county_fips IS NOT NULL "
            "AND prepare_date BETWEEN ? AND ?",
            [period.start, period.end],
        ).fetchall()
    }
    states = {f[:2] for f in present}
    # Section III covers the jurisdictions this period's data is about: the counties with detainers, the
    # cities in them (keys "COUNTY:city") and their states. Every list entry is in `exposure` and the law docs.
    report.section_iii = [
        row
        for row in book.limiting(period.end)
        if row["jurisdiction_key"]
        and (row["jurisdiction_key"].split(":")[0] in present or row["jurisdiction_key"] in states)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report(report, fmt, out)
    typer.echo(f"wrote {out} ({fmt}); {len(report.section_i)} jurisdictions in I, {len(report.section_ii)} in II")
