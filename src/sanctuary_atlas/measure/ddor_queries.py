"""The DDOR's queries, in Ibis: written once, run on any engine, and compiled once for DuckDB (``compiled``).

The period is not a literal in the queries: it is read from a one-row table (``BOUNDS_TABLE``) that the
caller fills before running them. The compiled SQL is then the same for every period, which is what lets
``compiled`` keep it instead of compiling eight queries for every report.
"""

from __future__ import annotations

import ibis
import pyarrow as pa

from sanctuary_atlas.measure.ddor import (
    CUBE_QUERIES,
    DDOR,
    JURISDICTION_KEYS,
    LOCAL_AUTHORITIES,
    PolicyLookup,
    Results,
    assemble_ddor,
    period_bounds,
)
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.measure.outcomes import outcomes, with_buckets


def ddor_queries(t: ibis.Table, bounds: ibis.Table) -> dict[str, ibis.Table]:
    """Every query the report needs, by the name ``ddor.assemble_ddor`` reads its rows under."""
    start, end, late_start = (bounds[c].as_scalar() for c in ("period_start", "period_end", "late_start"))
    period = Period(start, end)
    is_local = t.authority_type.isin(LOCAL_AUTHORITIES)
    local = t.filter(is_local)
    queries: dict[str, ibis.Table] = {
        "period": outcomes(local, JURISDICTION_KEYS, period),
        "cumulative": outcomes(local, JURISDICTION_KEYS, Period(None, end)),
        # State and federal custody is no local decision: totals by type only. Unresolved facilities (no
        # authority type) are in neither; section IV counts them.
        # The tables `outcomes` suppresses together, the nation among them (every detainer of the period).
        **{name: outcomes(t, list(keys), period) for keys, name in CUBE_QUERIES.items()},
    }

    b = with_buckets(t)
    b = b.filter(b.prepare_date >= start, b.prepare_date <= end)
    if "is_duplicate" in b.columns:
        b = b.filter(~b.is_duplicate.fill_null(False))
    is_late = b.prepare_date >= late_start
    is_unknown = b.bucket.isin(["unknown", "unmapped"])

    def count(condition: ibis.Value) -> ibis.Value:
        return condition.cast("int64").sum().fill_null(0)

    queries["totals"] = b.aggregate(
        issued=b.count(),
        unknown=count(is_unknown),
        transferred=count(b.bucket == "transferred"),
        declined=count(b.bucket == "declined"),
        no_county=count(b.county_fips.isnull()),
        late=count(is_late),
        late_unknown=count(is_late & is_unknown),
    )
    queries["confidence"] = b.group_by("confidence").aggregate(n=b.count()).order_by("confidence")

    # Local declines per authority and prepare date: more than half on one date is flagged by the report.
    declines = b.filter(b.authority_type.isin(LOCAL_AUTHORITIES), b.bucket == "declined")
    per_day = declines.group_by([*JURISDICTION_KEYS, "prepare_date"]).aggregate(n=declines.count())
    busiest = per_day.group_by(JURISDICTION_KEYS).aggregate(
        declined=per_day.n.sum(), busiest=per_day.n.max(), days=per_day.count()
    )
    queries["busy_days"] = busiest.filter(busiest.busiest * 2 > busiest.declined).order_by(
        [ibis.desc("declined"), *JURISDICTION_KEYS]
    )

    uncertain = b.filter(b.confidence.isin(["low", "none"]) | b.confidence.isnull())
    low_keys = ["facility_name", "facility_city", "facility_state", "confidence"]
    queries["low_confidence"] = (
        uncertain.group_by(low_keys)
        .aggregate(issued=uncertain.count())
        .order_by([ibis.desc("issued"), *low_keys])
        .limit(10)
    )
    return queries


def ibis_results(t: ibis.Table, period: Period) -> Results:
    """Rows of every query for ``period`` through Ibis's own execution, on whatever engine ``t`` is on."""
    row = pa.table({name: pa.array([day], pa.date32()) for name, day in period_bounds(period).items()})
    return {name: expr.to_pyarrow().to_pylist() for name, expr in ddor_queries(t, ibis.memtable(row)).items()}


def build_ddor(
    t: ibis.Table,
    period: Period,
    policy: PolicyLookup,
    *,
    top: int = 25,
    min_cell: int = 5,
    generated_from: dict | None = None,
    counties: list[tuple[str, str, str]] | None = None,
) -> DDOR:
    """The report over any Ibis table (any engine); the CLI uses ``compiled.ddor_results`` instead."""
    return assemble_ddor(
        ibis_results(t, period),
        period,
        policy,
        top=top,
        min_cell=min_cell,
        generated_from=generated_from,
        counties=counties,
    )
