"""Render a DDOR (``measure.ddor``) as HTML, PDF (WeasyPrint), CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
import os
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from sanctuary_atlas.measure.ddor import DDOR
from sanctuary_atlas.measure.vocabulary import bucket_names, buckets
from sanctuary_atlas.publish.charts import ChartRenderer, svg_markup
from sanctuary_atlas.publish.printer import PdfPrinter

FORMATS = ("html", "pdf", "csv", "json")


def _n(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else str(value)


def _pct(value: Any) -> str:
    return "" if value is None else f"{value:.1%}"


def _policy(policy: dict[str, Any] | None) -> str:
    if not policy:
        return ""
    parts = []
    for d in policy.get("designations", []):
        status = " (withdrawn)" if d.get("withdrawn") else ""
        parts.append(f"{d['list_date']}: {d['list']}{status} [{d['level']}; {d['verification']}]")
    for law in policy.get("state_laws", []):
        parts.append(f"state law {law['direction']}: {law['name']} [{law['verification']}]")
    return "; ".join(parts) or "none found"


CHART_TITLE = "Outcomes of detainers issued in the period"
# Section I's chart: bars labelled by authority, in SVG for screen and print alike (see ``svg_markup``).
_CHART = ("authority_name", CHART_TITLE)

# Long sections are cut in the printed report (the CSV and JSON carry every row).
PRINT_LIMITS = {"section_ii_declines": 30, "section_iii_limiting_policies": 60}


def render_html(report: DDOR, chart: str, for_print: bool = False) -> str:
    """The report as HTML; ``chart`` is the markup for section I's chart (SVG, or an ``<img>`` for print)."""
    env = Environment(loader=PackageLoader("sanctuary_atlas.publish"), autoescape=select_autoescape())
    template = env.get_template("ddor.html.j2")
    data = report.as_json()
    omitted = {}
    if for_print:
        for key, limit in PRINT_LIMITS.items():
            omitted[key] = max(0, len(data[key]) - limit)
            data[key] = data[key][:limit]
    return template.render(r=data, buckets=buckets(), n=_n, pct=_pct, policy=_policy, chart_i=chart, omitted=omitted)


def render_csv(report: DDOR) -> str:
    """Sections I-III as one long table with a ``section`` column; section IV's flags as rows too."""
    counts = ["issued", *bucket_names(), "denominator", "decline_rate", "honor_rate"]
    cumulative = ["cumulative_issued", "cumulative_declined", "cumulative_denominator", "cumulative_decline_rate"]
    fields = [
        "section",
        "rank",
        "authority_name",
        "authority_type",
        "county_fips",
        "authority_fips",
        *counts,
        *cumulative,
        "policy",
        "jurisdiction_key",
        "state",
        "basis",
        "date",
        "verification",
        "source",
        "detail",
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in report.section_i:
        writer.writerow({**row, "section": "I", "policy": _policy(row.get("policy"))})
    if report.pooled:
        pooled = {key: value for key, value in report.pooled.items() if key != "groups"}
        detail = f"{report.pooled['groups']} local authorities with fewer than {report.min_cell} detainers each"
        writer.writerow({**pooled, "section": "I", "basis": "pooled", "detail": detail})
    for row in report.section_ii:
        writer.writerow({**row, "section": "II", "policy": _policy(row.get("policy"))})
    for row in report.section_iii:
        writer.writerow({**row, "section": "III", "authority_name": row["name"], "source": "; ".join(row["sources"])})
    # Section IV's counts too, so the CSV holds every number the HTML and JSON show.
    iv = report.section_iv
    writer.writerow(
        {
            "section": "IV",
            "basis": "period_totals",
            "issued": iv.get("detainers_issued"),
            "unknown": iv.get("unknown_outcome"),
            "detail": f"at facilities not resolved to a county: {iv.get('without_county')}; resolution confidence: "
            + ", ".join(f"{k} {v}" for k, v in iv.get("resolution_confidence", {}).items()),
        }
    )
    for row in report.non_local:
        writer.writerow({**row, "section": "IV", "basis": "state_and_federal_custody"})
    for flag in iv.get("flags", []):
        writer.writerow(
            {
                "section": "IV",
                "basis": flag["flag"],
                "authority_name": flag.get("authority_name"),
                "county_fips": flag.get("county_fips"),
                "detail": flag["detail"],
            }
        )
    return buf.getvalue()


def write_report(
    report: DDOR, fmt: str, out: Path, printer: PdfPrinter | None = None, charts: ChartRenderer | None = None
) -> None:
    """Write one edition, whole or not at all. Charts and the PDF go through the given workers (started
    early by the caller), or through new ones."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if fmt == "json":
        _replace(out, json.dumps(report.as_json(), indent=2, default=str))
        return
    if fmt == "csv":
        _replace(out, render_csv(report))
        return
    with ExitStack() as stack:
        drawer = charts or stack.enter_context(ChartRenderer())
        chart = drawer.outcome_bars(report.section_i, *_CHART)
        if fmt == "html":
            _replace(out, render_html(report, chart=chart))
            return
        html = render_html(report, chart=svg_markup(chart, CHART_TITLE), for_print=True)
        (printer or stack.enter_context(PdfPrinter())).print(html, out)


def start_chart(charts: ChartRenderer, section_i: list[dict[str, Any]]) -> None:
    """Have ``charts`` draw section I's chart now (``write_report`` collects it)."""
    charts.start(section_i, *_CHART)


def _replace(out: Path, text: str) -> None:
    """Write beside the target, then rename: a failed write never leaves half a report, nor loses the last."""
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
