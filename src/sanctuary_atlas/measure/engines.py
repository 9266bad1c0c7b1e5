"""The measured table on either engine: DuckDB (default) or a local PySpark session.

Both engines read the same Parquet files and receive the same Ibis expressions from ``outcomes.py``, so a
figure never depends on which engine produced it (``tests/measure/test_measure_spark.py`` holds us to it).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from sanctuary_atlas.measure.keys import ENGINES, Engine
from sanctuary_atlas.store import Store

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


# One JVM per process: starting Spark costs seconds, and a second session in the same JVM would share it anyway.
_spark: SparkSession | None = None
_spark_views = 0


def measured_table_for(store: Store, engine: Engine, need_resolved: bool) -> ibis.Table:
    """The built, resolved detainers when the store has a fresh build, else the raw loaded detainers."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    ids = store.release_ids()
    if not ids:
        raise FileNotFoundError(f"the store at {store.root} holds no releases")
    if need_resolved:
        store.fresh_build("grouping by county or authority")
    build = store.current_build()
    fresh = build is not None and not build["stale"]
    if engine == "duckdb":
        backend = ibis.duckdb.from_connection(store.connect())
        return backend.table("detainers_resolved" if fresh else "detainers")
    session = spark_session()
    if fresh:
        assert build is not None
        df = session.read.parquet(str(store.builds_dir / build["build_id"] / "detainers_resolved.parquet"))
    else:
        df = _spark_detainers(session, store, ids)
    return spark_ibis_table(df)


def spark_session() -> SparkSession:
    """A quiet local Spark on two cores, bound to loopback, with no web UI."""
    global _spark
    if _spark is not None:
        return _spark
    # The JVM reads these at launch; loopback keeps it off any network interface (tests and CI alike).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    conf: dict[str, Any] = {
        "spark.master": os.environ.get("SANCTUARY_ATLAS_SPARK_MASTER", "local[2]"),
        "spark.app.name": "sanctuary-atlas",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        # Our grouped results are small; Spark's default of 200 shuffle partitions is pure overhead on 2 cores.
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": "2",
        "spark.driver.memory": os.environ.get("SANCTUARY_ATLAS_SPARK_MEMORY", "2g"),
        # Dates must not shift with the machine's zone when Spark goes through timestamps (week/month keys).
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # setLogLevel comes too late for the start-up chatter; a config file read at launch silences it.
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{_log4j_config()}",
    }
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        _spark = builder.getOrCreate()
    except RuntimeError as exc:  # PySparkRuntimeError: usually no Java, or the JVM refused to start
        raise RuntimeError(
            f"could not start Spark ({exc}); --engine spark needs Java 17+ on PATH or JAVA_HOME"
        ) from exc
    _spark.sparkContext.setLogLevel("ERROR")
    return _spark


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.console.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _log4j_config() -> Path:
    path = Path(tempfile.gettempdir()) / "sanctuary-atlas-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J:
        path.write_text(_LOG4J)
    return path


def stop_spark() -> None:
    """Stop the JVM this process started (tests and benchmarks call it when done)."""
    global _spark
    if _spark is not None:
        _spark.stop()
        _spark = None


def _spark_detainers(session: SparkSession, store: Store, ids: list[str]) -> DataFrame:
    """The ``detainers`` view of ``Store.connect`` rebuilt in Spark: every loaded row, duplicates flagged."""
    from pyspark.sql import functions as F

    parts = [str(store.releases_dir / i / "rows" / "*.parquet") for i in ids]
    dups = [str(p) for i in ids if (p := store.releases_dir / i / "duplicates.parquet").exists()]
    # mergeSchema is Spark's union_by_name: releases of different layout versions may differ in columns.
    rows = (
        session.read.option("mergeSchema", "true")
        .parquet(*parts)
        .where(F.col("quarantine_reason").isNull())
        .drop("quarantine_reason", "quarantine_detail")
    )
    keys = ["release_id", "source_sheet_index", "source_row"]
    if dups:
        marks = session.read.parquet(*dups).select(*keys, "duplicate_of_sheet", "duplicate_of_row")
    else:
        marks = session.createDataFrame(
            [],
            "release_id string, source_sheet_index int, source_row long, "
            "duplicate_of_sheet string, duplicate_of_row long",
        )
    # A null key never matches in DuckDB's equality join either, so a plain equi-join keeps the semantics.
    joined = rows.join(marks, on=keys, how="left")
    return joined.withColumn("is_duplicate", F.col("duplicate_of_row").isNotNull())


def spark_ibis_table(df: DataFrame) -> ibis.Table:
    """An Ibis table over a Spark DataFrame, so the measures in ``outcomes.py`` run on it unchanged."""
    global _spark_views
    _spark_views += 1
    # A fresh name per call: a later call on another store must not redefine a table an expression still uses.
    name = f"sanctuary_atlas_measured_{_spark_views}"
    df.createOrReplaceTempView(name)
    return ibis.pyspark.connect(df.sparkSession).table(name)
