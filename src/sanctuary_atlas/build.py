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
        keep = ", ".join(f"d.{c}" for c in MEASURE_COLUMNS)
        con.execute(
            f"""COPY (SELECT {keep}, f.county_fips, f.county_name, f.authority_type, f.authority_name,
                             f.authority_fips, f.confidence, f.evidence, a.ice_area
                      FROM detainers d
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
        summary = BuildSummary(build_id, releases, total, n_fac, with_county, by_conf)
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


def _on(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in KEY_COLUMNS)


def _ice_area(gaz: Gazetteer, fips: str) -> str | None:
    county = gaz.county(fips)
    return county.ice_area if county else None
