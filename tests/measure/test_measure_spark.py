"""The same Ibis measures on DuckDB and on a local PySpark give identical tables over the real data.

Spark needs Java 17+ and pyspark; CI installs both, so these tests run there (marked slow, not skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import ibis
import pytest
from typer.testing import CliRunner

from sanctuary_atlas.cli import app
from sanctuary_atlas.ingest.pipeline import ingest
from sanctuary_atlas.measure.engines import measured_table_for, stop_spark
from sanctuary_atlas.measure.outcomes import Period, outcomes, unmapped_reasons
from sanctuary_atlas.store import Store

from .conftest import FY2015, MN

pytestmark = pytest.mark.slow

ALL_TIME = Period(None, None)
Q2_FY2015 = Period(date(2015, 1, 1), date(2015, 3, 31))


@pytest.fixture(scope="module")
def spark() -> Iterator[None]:
    yield
    stop_spark()  # one JVM for the module; free its memory for the tests after us


def _rows(expr: ibis.Table) -> tuple[dict[str, str], list[dict[str, Any]]]:
    result = expr.to_pyarrow()
    return {f.name: str(f.type) for f in result.schema}, result.to_pylist()


def _assert_same(store: Store, cases: list[tuple[list[str], Period]], need_resolved: bool) -> None:
    duck = measured_table_for(store, "duckdb", need_resolved)
    spark = measured_table_for(store, "spark", need_resolved)
    assert unmapped_reasons(spark) == unmapped_reasons(duck)
    for keys, period in cases:
        d_schema, d_rows = _rows(outcomes(duck, keys, period))
        s_schema, s_rows = _rows(outcomes(spark, keys, period))
        assert s_schema == d_schema, keys
        assert d_rows, (keys, period)  # an empty comparison would prove nothing
        # Exact equality, floats included: both engines divide the same integers.
        assert len(s_rows) == len(d_rows), (keys, period)
        for d_row, s_row in zip(d_rows, s_rows, strict=True):
            assert s_row == d_row, (keys, period)


def test_core_measures_identical_on_duckdb_and_spark(real_store: Store, spark: None) -> None:
    """FY2015 + PA (+ MN sample), unbuilt: the raw ``detainers`` view with duplicates flagged."""
    _assert_same(
        real_store,
        [
            (["state"], ALL_TIME),
            (["facility", "month"], ALL_TIME),
            ([], ALL_TIME),
            (["release"], ALL_TIME),
            (["state", "week"], Q2_FY2015),
            (["facility", "fiscal_year"], Q2_FY2015),
        ],
        need_resolved=False,
    )


def test_duplicates_flagged_the_same_way(tmp_path: Path, spark: None) -> None:
    """Spark rebuilds the store's duplicate join itself, so check it flags and excludes the same rows.

    The shipped releases hold no flagged duplicates, so the real St. Cloud rows are repeated: a resubmitted
    export, the case the ingest flags.
    """
    lines = MN.read_text().splitlines(keepends=True)
    repeated = tmp_path / "st_cloud_twice.csv"
    repeated.write_text("".join([*lines, *lines[1:6]]))
    store = Store(tmp_path / "store")
    ingest([repeated, FY2015], store)
    duck = measured_table_for(store, "duckdb", False)
    spark_t = measured_table_for(store, "spark", False)
    key = ["release_id", "is_duplicate"]

    def flagged(t: ibis.Table) -> list[dict[str, Any]]:
        return t.group_by(key).aggregate(n=t.count()).order_by(key).to_pyarrow().to_pylist()

    counts = flagged(duck)
    assert counts == flagged(spark_t)
    assert sum(r["n"] for r in counts if r["is_duplicate"]) == 5
    _assert_same(store, [(["facility"], ALL_TIME)], need_resolved=False)


def test_resolved_measures_identical_after_build(built_store: Store, spark: None) -> None:
    """After ``build`` both engines read ``detainers_resolved``: county and authority keys agree too."""
    _assert_same(
        built_store,
        [
            (["county_fips", "fiscal_year"], ALL_TIME),
            (["authority_type", "state"], Q2_FY2015),
            (["ice_area"], ALL_TIME),
        ],
        need_resolved=True,
    )


def test_cli_engine_spark_prints_what_duckdb_prints(real_store: Store, spark: None) -> None:
    # In-process, so the command reuses this module's JVM instead of paying for a second start-up.
    runner = CliRunner()
    args = ["outcomes", "--store", str(real_store.root), "--group-by", "state,fiscal_year"]
    duck = runner.invoke(app, args)
    assert duck.exit_code == 0, duck.output
    spark_run = runner.invoke(app, [*args, "--engine", "spark"])
    assert spark_run.exit_code == 0, spark_run.output
    assert spark_run.stdout == duck.stdout
    assert duck.stdout.startswith("facility_state,fiscal_year,issued,")
    bad = runner.invoke(app, [*args, "--engine", "polars"])
    assert bad.exit_code != 0 and "--engine must be one of duckdb, spark" in bad.stderr
