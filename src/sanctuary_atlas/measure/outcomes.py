"""Outcome measures, written once in Ibis so the same expressions run on DuckDB (default) or PySpark.

``issued`` counts detainers in the cohort, duplicates flagged at ingest excluded. Every bucket of the
vocabulary gets a column. ``denominator`` = issued - superseded - unknown: the detainers whose outcome
is known; ``decline_rate`` and ``honor_rate`` are over it. ``unknown_share`` = unknown / (issued -
superseded), so the reader always sees how much is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir

from sanctuary_atlas.measure.vocabulary import buckets, normalise_reason, reason_map

# CLI name -> column of the measured table (``month``/``week``/``fiscal_year`` are derived).
GROUP_KEYS: dict[str, str] = {
    "facility": "facility_name",
    "facility_code": "facility_code",
    "city": "facility_city",
    "state": "facility_state",
    "county_fips": "county_fips",
    "county_name": "county_name",
    "authority_type": "authority_type",
    "authority_name": "authority_name",
    "authority_fips": "authority_fips",
    "ice_area": "ice_area",
    "release": "release_id",
    "month": "month",
    "week": "week",
    "fiscal_year": "fiscal_year",
    "date": "prepare_date",
}
RESOLVED_KEYS = {
    "county_fips",
    "county_name",
    "authority_type",
    "authority_name",
    "authority_fips",
    "ice_area",
}


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None  # inclusive

    def label(self) -> str:
        return f"{self.start or 'start'}..{self.end or 'end'}"


def bucket_table() -> ibis.Table:
    mapping = reason_map()
    return ibis.memtable({"reason_key": list(mapping), "mapped_bucket": list(mapping.values())})


def with_buckets(t: ibis.Table) -> ibis.Table:
    """Attach ``bucket`` (from the vocabulary) and the derived period keys to detainer rows."""
    key = t.lift_reason.strip().upper().re_replace(r"\s+", " ")
    t = t.mutate(reason_key=key.nullif(""))
    vocab = bucket_table()
    t = t.left_join(vocab, t.reason_key == vocab.reason_key).drop("reason_key_right")
    bucket = ibis.cases(
        (t.reason_key.isnull(), "unknown"),
        (t.mapped_bucket.isnull(), "unmapped"),
        else_=t.mapped_bucket,
    )
    month_start = t.prepare_date.truncate("M")
    return t.mutate(
        bucket=bucket,
        month=month_start.strftime("%Y-%m"),
        week=t.prepare_date.truncate("W").cast("date").cast("string"),
        fiscal_year=(t.prepare_date.year() + (t.prepare_date.month() >= 10).cast("int64")).cast("int64"),
    ).drop("mapped_bucket")


def outcomes(t: ibis.Table, group_by: list[str], period: Period) -> ir.Table:
    """Counts per bucket and rates per group; ``t`` has detainer rows (see ``with_buckets``)."""
    t = with_buckets(t)
    if "is_duplicate" in t.columns:
        t = t.filter(~t.is_duplicate.fill_null(False))
    if period.start is not None:
        t = t.filter(t.prepare_date >= period.start)
    if period.end is not None:
        t = t.filter(t.prepare_date <= period.end)
    cols = [GROUP_KEYS[k] for k in group_by]
    metrics = {"issued": t.count()}
    for b in buckets():
        metrics[b.name] = (t.bucket == b.name).cast("int64").sum().fill_null(0)
    metrics["unmapped"] = (t.bucket == "unmapped").cast("int64").sum().fill_null(0)
    grouped = t.group_by(cols).aggregate(**metrics) if cols else t.aggregate(**metrics)
    # Unmapped reasons count as unknown in rates, and the vocabulary test keeps shipped data free of them.
    unknown = grouped.unknown + grouped.unmapped
    denominator = grouped.issued - grouped.superseded - unknown
    grouped = grouped.mutate(unknown=unknown, denominator=denominator)
    grouped = grouped.mutate(
        decline_rate=ibis.ifelse(grouped.denominator > 0, grouped.declined / grouped.denominator, ibis.null()),
        honor_rate=ibis.ifelse(grouped.denominator > 0, grouped.honored / grouped.denominator, ibis.null()),
        unknown_share=ibis.ifelse(
            grouped.issued - grouped.superseded > 0,
            grouped.unknown / (grouped.issued - grouped.superseded),
            ibis.null(),
        ),
    ).drop("unmapped")
    order = [
        *cols,
        "issued",
        *[b.name for b in buckets()],
        "denominator",
        "decline_rate",
        "honor_rate",
        "unknown_share",
    ]
    return grouped.select(order).order_by([ibis.desc("issued"), *cols])


def unmapped_reasons(t: ibis.Table) -> list[str]:
    """Raw lift reasons the vocabulary does not cover (shown to the user, never silently bucketed)."""
    seen = t.select("lift_reason").distinct().to_pyarrow().column(0).to_pylist()
    mapping = reason_map()
    return sorted(r for r in seen if normalise_reason(r) is not None and normalise_reason(r) not in mapping)
