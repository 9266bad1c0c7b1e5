"""Charts as Vega-Lite specifications, rendered offline (SVG) by vl-convert: no browser, no network.

Reports draw their charts through ``ChartRenderer``, a child process (see ``workers``) that starts
vl-convert's JavaScript engine while the report's queries run. Run as ``python -m`` this module is that
child. The specifications are written as plain Vega-Lite, the JSON that Altair would build: Altair's import
(0.3 s) sat on the DDOR's critical path, in a three-second budget, to produce one short dictionary.
"""

from __future__ import annotations

import base64
import sys
from html import escape
from typing import Any

from sanctuary_atlas.measure.vocabulary import buckets
from sanctuary_atlas.publish.workers import Worker, serve

# One colour per bucket, fixed so every chart reads the same way; colour-blind-safe (Okabe-Ito order).
BUCKET_COLOURS = {
    "honored": "#0072B2",
    "declined": "#D55E00",
    "insufficient_notice": "#E69F00",
    "not_picked_up": "#CC79A7",
    "transferred": "#009E73",
    "released_other": "#56B4E9",
    "lifted_by_ice": "#999999",
    "superseded": "#DDDDDD",
    "unknown": "#F0E442",
}


HIDDEN = "Small cells (hidden)"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
CHART_FONT = "DejaVu Sans"  # as templates/ddor.html.j2; scripts/setup installs it


def outcome_bars(rows: list[dict[str, Any]], label_key: str, title: str) -> str:
    """Stacked horizontal bars of outcome counts per row.

    Suppressed cells are drawn together as one grey segment (issued minus the shown cells): that sum is
    derivable from the published table anyway, and leaving it out would make bars lie about their length.
    """
    import vl_convert as vlc  # kept off the CLI's start-up path

    values = []
    for order, row in enumerate(rows):
        if not isinstance(row.get("issued"), int):
            continue
        shown = 0
        for b in buckets():
            v = row.get(b.name)
            if isinstance(v, int) and v > 0:
                shown += v
                values.append({"who": row[label_key], "order": order, "outcome": b.label, "key": b.name, "n": v})
        if row["issued"] > shown:
            values.append(
                {"who": row[label_key], "order": order, "outcome": HIDDEN, "key": "zz", "n": row["issued"] - shown}
            )
    if not values:
        return ""
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        # The report's own typeface: vl-convert sizes the labels with the font the page will draw them in
        # (with the default "sans-serif" it measured a narrower face, and browsers clipped long labels).
        "config": {"font": CHART_FONT},
        "title": title,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "width": 460,
        "height": max(100, 11 * len(rows)),
        "encoding": {
            "y": {"field": "who", "type": "nominal", "sort": {"field": "order", "op": "min"}, "title": None},
            "x": {"field": "n", "aggregate": "sum", "type": "quantitative", "title": "detainers issued in the period"},
            "color": {
                "field": "outcome",
                "type": "nominal",
                "scale": {
                    "domain": [b.label for b in buckets()] + [HIDDEN],
                    "range": [*(BUCKET_COLOURS[b.name] for b in buckets()), "#BBBBBB"],
                },
                "legend": {"orient": "bottom", "columns": 3, "title": None},
            },
            "order": {"field": "key", "type": "nominal"},
        },
    }
    return vlc.vegalite_to_svg(spec)


def svg_markup(svg: str, alt: str) -> str:
    """An ``<img>`` carrying an SVG inline, for the print edition (no files beside it); empty for no chart.

    WeasyPrint draws the SVG as vectors. A PNG at print resolution was 12 times the bytes (350 KB), and
    parsing its base64 and embedding the picture cost the PDF about 0.3 s."""
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode()
    return f'<img alt="{escape(alt)}" style="width:60%" src="data:image/svg+xml;base64,{data}">'


class ChartRenderer(Worker):
    """``outcome_bars`` in a child process."""

    def __init__(self) -> None:
        super().__init__(__name__)
        self._started: dict[str, Any] | None = None

    def start(self, rows: list[dict[str, Any]], label_key: str, title: str) -> None:
        """Ask for ``outcome_bars`` now and take the chart later from the same call to ``outcome_bars``: the
        DDOR's chart is drawn while the rest of the report is computed."""
        self._started = _request(rows, label_key, title)
        self.send(self._started)

    def outcome_bars(self, rows: list[dict[str, Any]], label_key: str, title: str) -> str:
        request = _request(rows, label_key, title)
        if self._started is None:
            answer = self.ask(request)
        elif self._started == request:
            answer = self.answer()
        else:
            raise ValueError("this chart worker was started on another chart")
        return answer.decode("utf-8")


def _request(rows: list[dict[str, Any]], label_key: str, title: str) -> dict[str, Any]:
    fields = [label_key, "issued", *(b.name for b in buckets())]
    slim = [{k: row.get(k) for k in fields} for row in rows]
    return {"rows": slim, "label_key": label_key, "title": title}


def _warm() -> None:
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"n": 1}]}, "encoding": {"x": {"field": "n"}}})


def _draw(request: dict[str, Any]) -> bytes:
    return outcome_bars(request["rows"], request["label_key"], request["title"]).encode("utf-8")


if __name__ == "__main__":
    sys.exit(serve(_warm, _draw))
