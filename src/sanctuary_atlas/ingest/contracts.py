"""Column contracts: the data files in ``contracts/`` loaded into typed objects.

A layout says which raw headers identify it (its signature) and how each raw header maps to a canonical
column; the canonical contract says each canonical column's type. Headers are compared after folding
case, spaces and punctuation, so drift like ``Detainer  Prepare Date`` or ``detainer_prepare_date`` still
matches, while the layout's ``header_style`` tells the raw release from its cleaned copy.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

ColumnType = Literal["date", "integer", "boolean", "string"]
HeaderStyle = Literal["any", "titlecase", "snake"]

_FOLD = re.compile(r"[^a-z0-9]+")


def fold_header(name: str) -> str:
    """The comparison key of a header: lower case, every run of other characters as one underscore."""
    return _FOLD.sub("_", name.strip().lower()).strip("_")


def header_style(headers: list[str]) -> HeaderStyle:
    """``snake`` when every non-blank header is already its own folded key, else ``titlecase``."""
    named = [h for h in headers if h and h.strip()]
    if named and all(h == fold_header(h) for h in named):
        return "snake"
    return "titlecase"


@dataclass(frozen=True)
class Variant:
    name: str
    required: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    id: str
    version: int
    description: str
    style: HeaderStyle
    header_search_rows: int
    variants: tuple[Variant, ...]
    columns: dict[str, str]  # folded raw header -> canonical column
    null_markers: tuple[str, ...] = ()

    def match(self, headers: list[str]) -> Variant | None:
        """The first variant whose required headers are all present, if the header style fits."""
        if self.style != "any" and header_style(headers) != self.style:
            return None
        folded = {fold_header(h) for h in headers if h}
        for variant in self.variants:
            if all(fold_header(r) in folded for r in variant.required):
                return variant
        return None


@dataclass(frozen=True)
class Canonical:
    version: int
    columns: dict[str, ColumnType]
    required_values: tuple[str, ...]
    fatal_unparseable_share: float
    max_cell_chars: int
    date_formats: tuple[str, ...]


@dataclass(frozen=True)
class Redaction:
    version: int
    pattern: str  # matched in full against the trimmed cell, case-insensitively
    examples: tuple[str, ...] = field(default_factory=tuple)
    non_examples: tuple[str, ...] = field(default_factory=tuple)


def _read(name: str) -> dict:
    text = resources.files("sanctuary_atlas.ingest").joinpath("contracts", name).read_text("utf-8")
    return tomllib.loads(text)


@cache
def canonical() -> Canonical:
    raw = _read("canonical.toml")
    return Canonical(
        version=raw["version"],
        columns=dict(raw["columns"]),
        required_values=tuple(raw["required_values"]),
        fatal_unparseable_share=float(raw["fatal_unparseable_share"]),
        max_cell_chars=int(raw["max_cell_chars"]),
        date_formats=tuple(raw["date_formats"]),
    )


@cache
def redaction() -> Redaction:
    raw = _read("redaction.toml")
    return Redaction(
        version=raw["version"],
        pattern=raw["pattern"],
        examples=tuple(raw.get("examples", ())),
        non_examples=tuple(raw.get("non_examples", ())),
    )


LAYOUT_FILES = ("lesa_2023_raw.toml", "lesa_2023_clean.toml", "lesa_detail_2008_2017.toml")


@cache
def layouts() -> tuple[Layout, ...]:
    """All layouts, most specific first (detection takes the first that matches)."""
    out = []
    for name in LAYOUT_FILES:
        raw = _read(name)
        columns = {fold_header(k): v for k, v in raw["columns"].items()}
        out.append(
            Layout(
                id=raw["id"],
                version=raw["version"],
                description=raw["description"],
                style=raw["header_style"],
                header_search_rows=raw["header_search_rows"],
                variants=tuple(Variant(v["name"], tuple(v["required"])) for v in raw["variants"]),
                columns=columns,
                null_markers=tuple(raw.get("null_markers", ())),
            )
        )
    return tuple(out)


def detect(headers: list[str]) -> tuple[Layout, Variant] | None:
    for layout in layouts():
        variant = layout.match(headers)
        if variant is not None:
            return layout, variant
    return None


def closest(headers: list[str]) -> tuple[Layout, Variant, list[str]] | None:
    """The layout variant this header row most resembles, with the required headers it lacks.

    Used only to explain a failed detection: a header with most of a layout's columns is that layout
    with a column missing, which is a better message than "unknown layout".
    """
    folded = {fold_header(h) for h in headers if h}
    best: tuple[Layout, Variant, list[str]] | None = None
    for layout in layouts():
        for variant in layout.variants:
            missing = [r for r in variant.required if fold_header(r) not in folded]
            present = len(variant.required) - len(missing)
            if present * 2 >= len(variant.required) and (best is None or len(missing) < len(best[2])):
                best = (layout, variant, missing)
    return best


def max_header_search_rows() -> int:
    return max(layout.header_search_rows for layout in layouts())
