"""HTML to PDF with WeasyPrint, in a child process started before the report is computed (see ``workers``).

PDFs are written as PDF/UA-1: tagged (headings, tables and the chart's alternative text reach a screen
reader), with the document's language and title. Public bodies that publish or file these reports have to
meet accessibility rules for PDFs; it costs about 0.05 s a report.

Run as ``python -m`` this module is the child: it loads WeasyPrint, prints a small page in the report's font
(so fontconfig and the font files are loaded too), then writes the PDF it is asked for atomically.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from sanctuary_atlas.publish.workers import Worker, serve

_WARM_UP = (
    '<style>body{font-family:"DejaVu Sans"}</style><table><tr><th>warm</th><td><b>up</b> 0123456789</td></tr></table>'
)


class PdfPrinter(Worker):
    def __init__(self) -> None:
        super().__init__(__name__)

    def print(self, html: str, out: Path) -> None:
        self.ask({"out": str(Path(out).resolve()), "html": html})


def _warm() -> None:
    from weasyprint import HTML

    HTML(string=_WARM_UP).write_pdf()


def _print(request: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    out = Path(request["out"])
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        HTML(string=request["html"]).write_pdf(str(tmp), pdf_variant="pdf/ua-1")
        os.replace(tmp, out)
    finally:  # a partial file never replaces the target
        tmp.unlink(missing_ok=True)
    return b""


if __name__ == "__main__":
    sys.exit(serve(_warm, _print))
