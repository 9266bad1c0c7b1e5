"""``build``: resolve every ingested detainer's facility and publish the measured table.

Distinct facilities are resolved once and joined back (a set operation). The published table keeps
provenance and the fields the measures need, and drops person identifiers: duplicates were already
flagged at ingest, so nothing downstream needs to know who a row is about.
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from sanctuary_atlas.law.designations import load_designations
from sanctuary_atlas.law.registry import registry
from sanctuary_atlas.measure.compiled import warm
from sanctuary_atlas.publish.policy import GeoNames, save_designations
from sanctuary_atlas.resolve.batch import KEY_COLUMNS, resolve_facilities
from sanctuary_atlas.resolve.gazetteer import Gazetteer
from sanctuary_atlas.store import Store, sql_path

MEASURE_COLUMNS = (
    "release_id",
    "layout",
    "source_file",
    "source_sheet",
    "source_row",
    "prepare_date",
    "detainer_type",
    "facility_name",
    "facility_code",
    "facility_city",
    "facility_state",
    "facility_aor",
    "lift_reason",
    "lift_reason_code",
    "case_status",
    "is_duplicate",
)


@dataclass
class BuildSummary:
    build_id: str
    releases: list[str]
    detainers: int
    facilities: int
    detainers_with_county: int
    by_confidence: dict[str, int]
    cross_release_duplicates: int = 0

    def as_json(self) -> dict:
        share = self.detainers_with_county / self.detainers if self.detainers else None
        return {**self.__dict__, "share_with_county": share}


def build(store: Store) -> BuildSummary:
    if not store.exists() or not store.release_ids():
        raise FileNotFoundError(f"the store at {store.root} holds no releases; ingest some first")
    with store.writer():
        summary = _build_locked(store)
        # The report's queries, compiled for this build's tables, so the first DDOR is as quick as the next.
        warm(store)
        return summary


def _build_locked(store: Store) -> BuildSummary:
    store.sweep()
    con = store.connect()
    staging = store.staging_dir()
    build_id = f"build-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    try:
        resolve_facilities(con, "detainers").create("facilities")
        gaz = Gazetteer.load()
        fips = [r[0] for r in con.execute("SELECT DISTINCT county_fips FROM facilities").fetchall() if r[0]]
        areas = pa.table(
            {
                "county_fips": pa.array(fips, pa.string()),
                "ice_area": pa.array([_ice_area(gaz, f) for f in fips], pa.string()),
            }
        )
        con.register("county_areas", areas)
        con.execute(
            f"""COPY (SELECT f.*, a.ice_area, n.detainers
                      FROM facilities f LEFT JOIN county_areas a USING (county_fips)
                      LEFT JOIN (SELECT {", ".join(KEY_COLUMNS)}, count(*) AS detainers
                                 FROM detainers GROUP BY ALL) n ON {_on("n", "f")}
                      ORDER BY n.detainers DESC)
                TO {sql_path(staging / "facilities_resolved.parquet")} (FORMAT parquet)"""
        )
        cross_release = _flag_cross_release_duplicates(con)
        keep = ", ".join(f"d.{c}" for c in MEASURE_COLUMNS if c != "is_duplicate")
        con.execute(
            f"""COPY (SELECT {keep}, d.is_duplicate OR x.release_id IS NOT NULL AS is_duplicate,
                             x.duplicate_of_release,
                             f.county_fips, f.county_name, f.authority_type, f.authority_name,
                             f.authority_fips, f.confidence, f.evidence, a.ice_area
                      FROM detainers d
                      LEFT JOIN cross_release_duplicates x USING (release_id, source_sheet_index, source_row)
                      LEFT JOIN facilities f ON {_on("d", "f")}
                      LEFT JOIN county_areas a ON a.county_fips = f.county_fips)
                TO {sql_path(staging / "detainers_resolved.parquet")} (FORMAT parquet, COMPRESSION zstd)"""
        )
        out = str(staging / "detainers_resolved.parquet")
        total, with_county, n_fac = con.execute(
            f"""SELECT count(*), count(county_fips),
                       (SELECT count(*) FROM read_parquet({sql_path(staging / "facilities_resolved.parquet")}))
                FROM read_parquet({sql_path(out)})"""
        ).fetchall()[0]
        by_conf = dict(
            con.execute(
                f"SELECT coalesce(confidence, 'none'), count(*) FROM read_parquet({sql_path(out)}) GROUP BY 1"
            ).fetchall()
        )
        # Designations do not depend on the detainers, but resolving their names is slow: do it once here.
        save_designations(load_designations(registry(), gaz), staging / "designations.json")
        GeoNames.from_gazetteer(gaz).save(staging / "geo.json")
        releases = store.release_ids()
        summary = BuildSummary(build_id, releases, total, n_fac, with_county, by_conf, cross_release)
        con.close()  # the catalogue cannot be written while this session has it attached
        store.publish_build(
            staging,
            {
                "build_id": build_id,
                "built_at": datetime.now(UTC).replace(tzinfo=None),
                "release_ids": releases,
                "detainers": total,
                "facilities": n_fac,
                "detainers_with_county": with_county,
            },
        )
        return summary
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()


# Columns that say where a row came from, not what it records: two releases listing the same detainer
# differ in these and agree in everything else.
PROVENANCE_COLUMNS = {
    "release_id", "layout", "layout_variant", "source_file", "source_sha256", "source_sheet",
    "source_sheet_index", "source_row", "redacted_columns", "invalid_columns", "extra",
    "duplicate_of_sheet", "duplicate_of_row", "is_duplicate", "source_duplicate_likely",
    "original_file", "original_sheet", "original_row",
}  # fmt: skip


def _flag_cross_release_duplicates(con: duckdb.DuckDBPyConnection) -> int:
    """Rows that another release already lists, flagged so each detainer counts once.

    Releases overlap: the Pennsylvania file of 2008-2015 holds the same FY2015 rows as the national FY2015
    file, field for field. Rows equal in every recorded field are matched as multisets: if the releases
    list a row n1 >= n2 >= ... times, the first release (most rows, then release id) keeps its n1 and a
    later one keeps only its occurrences beyond the largest count before it. Identical rows within one
    release stay distinct detainers (without a person identifier nothing tells them apart). Rows already
    flagged as duplicates at ingest take no part.
    """
    columns = [r[0] for r in con.execute("DESCRIBE detainers").fetchall() if r[0] not in PROVENANCE_COLUMNS]
    content = ", ".join(f'"{c}"' for c in columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE cross_release_duplicates AS
        WITH ranked AS (
            SELECT release_id, row_number() OVER (ORDER BY count(*) DESC, release_id) AS release_rank
            FROM detainers GROUP BY release_id
        ), keyed AS (
            SELECT d.release_id, d.source_sheet_index, d.source_row, r.release_rank,
                   md5(CAST(struct_pack({content}) AS VARCHAR)) AS content_key
            FROM detainers d JOIN ranked r USING (release_id)
            WHERE NOT d.is_duplicate
        ), occurrences AS (
            SELECT *, row_number() OVER (PARTITION BY release_id, content_key
                                         ORDER BY source_sheet_index, source_row) AS occurrence
            FROM keyed
        ), per_release AS (
            SELECT content_key, release_id, release_rank, count(*) AS n FROM keyed GROUP BY ALL
        )
        SELECT o.release_id, o.source_sheet_index, o.source_row,
               arg_max(p.release_id, p.n) AS duplicate_of_release
        FROM occurrences o
        JOIN per_release p ON p.content_key = o.content_key AND p.release_rank < o.release_rank
        GROUP BY o.release_id, o.source_sheet_index, o.source_row, o.occurrence
        HAVING o.occurrence <= max(p.n)"""
    )
    return con.execute("SELECT count(*) FROM cross_release_duplicates").fetchone()[0]


def _on(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in KEY_COLUMNS)


def _ice_area(gaz: Gazetteer, fips: str) -> str | None:
    county = gaz.county(fips)
    return county.ice_area if county else None
