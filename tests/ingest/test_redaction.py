"""The redaction recogniser, run where it lives (the ingest's SQL), on real CSVs.

Every ``examples`` spelling in contracts/redaction.toml must become null plus a flag; every
``non_examples`` value and real-looking data values must survive untouched.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_kit import DETAINER_TYPES, LIFT_REASONS, load_toml, real_facilities, write_fy2015_csv

from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.store import Store

CONTRACT = load_toml("redaction.toml")


def _through_ingest(values: list[str], root: Path) -> list[tuple[str | None, str | None, list[str]]]:
    """Put each value in the City and Lift Reason columns of its own row; read back
    (facility_city, lift_reason, redacted_columns) in row order."""
    rows = [["2016-04-01", "I247", "YORK COUNTY PRISON", "PA", v, v] for v in values]
    path = write_fy2015_csv(root / "values.csv", rows)
    store = Store(root / "store")
    (f,) = ingest([path], store).files
    assert f.rows_loaded == len(values)
    with store.connect() as con:
        return [
            (city, lift, sorted(red))
            for city, lift, red in con.execute(
                "SELECT facility_city, lift_reason, redacted_columns FROM detainers ORDER BY source_row"
            ).fetchall()
        ]


def test_contract_has_test_vectors() -> None:
    assert len(CONTRACT["examples"]) >= 5
    assert len(CONTRACT["non_examples"]) >= 5


def test_every_example_is_recognised(tmp_path: Path) -> None:
    got = _through_ingest(list(CONTRACT["examples"]), tmp_path)
    assert got == [(None, None, ["facility_city", "lift_reason"])] * len(CONTRACT["examples"])


def test_every_non_example_survives(tmp_path: Path) -> None:
    values = list(CONTRACT["non_examples"])
    got = _through_ingest(values, tmp_path)
    assert got == [(v, v, []) for v in values]


@pytest.fixture(scope="module")
def real_values() -> list[str]:
    facilities = real_facilities()
    values = {v for f in facilities for v in (f.name, f.city, f.state, f.code)}
    return sorted(values | set(LIFT_REASONS) | set(DETAINER_TYPES))


def test_real_values_from_bundled_files_survive(tmp_path: Path, real_values: list[str]) -> None:
    """Every facility name, city, state and code in the bundled ICE facility list, and the real
    lift-reason and detainer-type vocabularies (a few thousand values)."""
    got = _through_ingest(real_values, tmp_path)
    lost = [(v, g) for v, g in zip(real_values, got, strict=True) if g != (v, v, [])]
    assert lost == []


# Redaction codes as ICE writes them: FOIA exemption (b)(N) with optional sub-letter, in any case,
# with or without parentheses, several joined by commas, semicolons, ampersands or nothing.
_code = st.builds(
    lambda b, n, sub, parens: (
        (f"({b})({n})" if parens else f"{b}({n})" if n % 2 else f"{b}{n}") + (f"({sub})" if sub and parens else sub)
    ),
    st.sampled_from(["b", "B"]),
    st.integers(3, 7),
    st.sampled_from(["", "a", "c", "C", "e", "E", "f"]),
    st.booleans(),
)
_marker = st.builds(
    lambda codes, sep, pad: pad + sep.join(codes) + pad,
    st.lists(_code, min_size=1, max_size=4),
    st.sampled_from([", ", ",", "; ", ";", " & ", "", " "]),
    st.sampled_from(["", " "]),
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markers=st.lists(_marker, min_size=5, max_size=30))
def test_generated_exemption_codes_are_recognised(markers: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        got = _through_ingest(markers, Path(tmp))
    assert got == [(None, None, ["facility_city", "lift_reason"])] * len(markers)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_real_looking_values_survive(data: st.DataObject) -> None:
    facilities = real_facilities()
    # Real values, reshaped the way exports reshape them: case, a unit or number suffix.
    value = st.builds(
        lambda base, case, suffix: case(base) + suffix,
        st.sampled_from([f.name for f in facilities] + [f.city for f in facilities] + LIFT_REASONS),
        st.sampled_from([str, str.upper, str.lower, str.title]),
        st.sampled_from(["", " UNIT B", " #6", " 2", " (BOP)", " - B7"]),
    )
    values = data.draw(st.lists(value, min_size=5, max_size=30))
    with tempfile.TemporaryDirectory() as tmp:
        got = _through_ingest(values, Path(tmp))
    assert got == [(v.strip(), v.strip(), []) for v in values]
