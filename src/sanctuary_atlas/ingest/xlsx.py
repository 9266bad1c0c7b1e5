"""xlsx releases: every sheet read as text by fastexcel, with Excel's own row numbers.

fastexcel (calamine) parses a sheet without holding Python's lock, so sheets are loaded on worker threads
ahead of the sheet being typed. How many load at once is set by memory: a sheet being parsed costs about
twice its XML, and the number of sheets in flight is kept within a share of the machine's free memory,
down to one sheet at a time for the largest releases.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import fastexcel
import pyarrow as pa

from sanctuary_atlas.ingest import contracts
from sanctuary_atlas.ingest.chunks import Chunk, EmptySheet, assemble, find_header
from sanctuary_atlas.ingest.errors import IngestError

# Parsing a sheet takes about 2x its XML in memory (measured: 626 MB of XML held ~1.3 GB in calamine);
# the sheets in flight may use this share of the memory available when the ingest starts.
PARSE_COST_PER_XML_BYTE = 2.5
MEMORY_SHARE = 0.4
MAX_WORKERS = 2


@dataclass
class WorkbookFacts:
    first_rows: dict[str, int]  # sheet name -> Excel row number of its first used row
    xml_bytes: dict[str, int]  # sheet name -> uncompressed size of its XML part
    date1904: bool


def xlsx_chunks(path: Path) -> Iterator[Chunk | EmptySheet]:
    try:
        names = list(fastexcel.read_excel(str(path)).sheet_names)
    except Exception as exc:  # fastexcel raises its own hierarchy for every kind of broken file
        raise IngestError(path, f"xlsx could not be opened: {exc}") from None
    facts = workbook_facts(path)
    workers = _workers(facts, names)
    local = threading.local()

    def load(name: str) -> pa.RecordBatch:
        if not hasattr(local, "reader"):  # a reader cannot be shared between threads
            local.reader = fastexcel.read_excel(str(path))
        return local.reader.load_sheet(name, header_row=None, dtypes="string", eager=True)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sanctuary-atlas-sheet") as pool:
        pending: deque[tuple[str, Future[pa.RecordBatch]]] = deque()
        queue = iter(names)
        for name in queue:
            pending.append((name, pool.submit(load, name)))
            if len(pending) >= workers:
                break
        while pending:
            name, future = pending.popleft()
            try:
                batch = future.result()
            except Exception as exc:
                for _, other in pending:
                    other.cancel()
                raise IngestError(path, f"sheet could not be read: {exc}", sheet=name) from None
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(load, nxt)))
            yield _chunk(path, name, batch, facts)
            del batch


def _workers(facts: WorkbookFacts, names: list[str]) -> int:
    largest = max((facts.xml_bytes.get(n, 0) for n in names), default=0)
    budget = _available_memory() * MEMORY_SHARE
    # Sheets in flight = the workers' sheets plus the one being typed.
    for workers in range(min(MAX_WORKERS, len(names)), 1, -1):
        if (workers + 1) * largest * PARSE_COST_PER_XML_BYTE <= budget:
            return workers
    return 1


def _available_memory() -> float:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) / 2


def _chunk(path: Path, name: str, batch: pa.RecordBatch, facts: WorkbookFacts) -> Chunk | EmptySheet:
    if batch.num_rows == 0 or batch.num_columns == 0:
        return EmptySheet(name)
    table = pa.Table.from_batches([batch])
    probe_rows = [list(r.values()) for r in table.slice(0, contracts.max_header_search_rows()).to_pylist()]
    first_excel_row = facts.first_rows.get(name, 1)
    k = find_header(probe_rows, path, name, first_excel_row)
    headers = [("" if h is None else str(h)) for h in probe_rows[k]]
    body = table.slice(k + 1)
    header_row = first_excel_row + k
    return Chunk(
        sheet=name,
        header_row=header_row,
        headers=headers,
        table=assemble([c.combine_chunks() for c in body.columns], header_row + 1),
        date1904=facts.date1904,
    )


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?[A-Z]+\$?(\d+)')
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def workbook_facts(path: Path) -> WorkbookFacts:
    """Each sheet's first used row and XML size, and whether the workbook uses the 1904 date system.

    The xlsx reader numbers rows from the first used cell, so a sheet whose rows 1-3 are blank would
    otherwise report row 4 as row 1. The sheet part's <dimension ref="B4:..."> says where the used range
    starts; only the first few KB of each part are read.
    """
    out: dict[str, int] = {}
    sizes: dict[str, int] = {}
    date1904 = False
    try:
        with zipfile.ZipFile(path) as zf:
            wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            props = wb.find("m:workbookPr", _NS)
            date1904 = props is not None and props.get("date1904", "0").lower() in ("1", "true")
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
            for sheet in wb.findall("m:sheets/m:sheet", _NS):
                rid = sheet.get(f"{{{_NS['r']}}}id")
                target = targets.get(rid, "")
                part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                try:
                    sizes[sheet.get("name", "")] = zf.getinfo(part).file_size
                    with zf.open(part) as fh:
                        head = fh.read(8192)
                except KeyError:
                    continue
                m = _DIMENSION.search(head)
                if m:
                    out[sheet.get("name", "")] = int(m.group(1))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return WorkbookFacts({}, {}, False)
    return WorkbookFacts(out, sizes, date1904)
