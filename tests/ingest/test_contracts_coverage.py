"""The rules-as-data are complete and consistent: read straight from the TOML files with tomllib."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ingest_kit import CONTRACTS, DDP_SAMPLE, FY2015, PA, REPO, load_toml

from sanctuary_atlas.ingest import contracts

LAYOUT_TOMLS = sorted(p.name for p in CONTRACTS.glob("*.toml") if "id" in load_toml(p.name))
CANONICAL = load_toml("canonical.toml")
REAL_FILES = [FY2015, PA, DDP_SAMPLE]


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:  # type: ignore[operator]
        return next(csv.reader(fh))


def test_every_layout_file_is_registered() -> None:
    assert len(LAYOUT_TOMLS) >= 3
    assert sorted(contracts.LAYOUT_FILES) == LAYOUT_TOMLS
    assert sorted(layout.id for layout in contracts.layouts()) == sorted(load_toml(name)["id"] for name in LAYOUT_TOMLS)


def test_canonical_types_are_known() -> None:
    types = CANONICAL["columns"]
    assert types
    assert set(types.values()) <= {"date", "integer", "boolean", "string"}
    assert set(CANONICAL["required_values"]) <= set(types)
    assert types["prepare_date"] == "date"


@pytest.mark.parametrize("name", LAYOUT_TOMLS)
def test_layout_targets_exist_in_canonical(name: str) -> None:
    layout = load_toml(name)
    missing = sorted({t for t in layout["columns"].values() if t not in CANONICAL["columns"]})
    assert missing == []


@pytest.mark.parametrize("name", LAYOUT_TOMLS)
def test_layout_required_headers_are_mapped(name: str) -> None:
    layout = load_toml(name)
    mapped = {contracts.fold_header(h) for h in layout["columns"]}
    for variant in layout["variants"]:
        assert [r for r in variant["required"] if contracts.fold_header(r) not in mapped] == []
        # Every layout must map the required canonical values, or no row could ever load.
    targets = set(layout["columns"].values())
    assert set(CANONICAL["required_values"]) <= targets


@pytest.mark.parametrize("name", LAYOUT_TOMLS)
def test_aliases_do_not_collide_after_folding(name: str) -> None:
    """Two raw spellings that fold alike must mean the same canonical column."""
    seen: dict[str, str] = {}
    for header, target in load_toml(name)["columns"].items():
        key = contracts.fold_header(header)
        assert seen.setdefault(key, target) == target, header


@pytest.mark.parametrize("name", LAYOUT_TOMLS)
def test_variant_examples_are_detected_as_that_variant(name: str) -> None:
    layout = load_toml(name)
    for variant in layout["variants"]:
        if "example" not in variant:
            continue
        detected = contracts.detect(_header(REPO / variant["example"]))
        assert detected is not None
        assert (detected[0].id, detected[1].name) == (layout["id"], variant["name"])


@pytest.fixture
def real_ingest(bundled_cli: tuple[Path, dict]) -> dict[str, list[str]]:
    """Extra columns reported per bundled file by ``sanctuary-atlas ingest --json``."""
    return {Path(f["path"]).name: f["extra_columns"] for f in bundled_cli[1]["files"]}


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_every_real_header_is_mapped_or_extra(path: Path, real_ingest: dict[str, list[str]]) -> None:
    header = _header(path)
    columns = {contracts.fold_header(h): t for name in LAYOUT_TOMLS for h, t in load_toml(name)["columns"].items()}
    unmapped = [h for h in header if contracts.fold_header(h) not in columns]
    extras = real_ingest[path.name]
    assert len(extras) == len(unmapped)
    for h in unmapped:
        assert (h.strip() in extras) if h.strip() else any(e.startswith("column_") for e in extras)


@given(st.text())
def test_fold_header_is_idempotent(name: str) -> None:
    once = contracts.fold_header(name)
    assert contracts.fold_header(once) == once


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_fold_header_ignores_case_and_punctuation(name: str) -> None:
    folded = contracts.fold_header(name)
    assert folded == contracts.fold_header(name.upper()) == contracts.fold_header(f"  {name}. ")
    assert "__" not in folded and not folded.startswith("_") and not folded.endswith("_")
