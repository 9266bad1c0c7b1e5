"""Observed detainer outcomes for the law stage, read from the store's current build.

Two uses: the declined-detainers scenario needs counts per jurisdiction key, and the profile's
``observed`` section shows outcomes per fiscal year. Both come from the measure stage's ``outcomes``
expression over ``detainers_resolved``, grouped by ``authority_fips`` - the jurisdiction the
responsible authority answers to (its county for a sheriff's jail, its state for a state agency).
City police jails carry no FIPS (no place codes are bundled), so cities get no counts.

Counts used only to decide whether a scenario matches are exact; anything shown goes through the
measure stage's small-cell suppression.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import ibis

from sanctuary_atlas.law.jurisdictions import Jurisdiction
from sanctuary_atlas.measure.outcomes import Period, outcomes
from sanctuary_atlas.measure.suppress import suppress_rows
from sanctuary_atlas.store import Store

DEFAULT_K = 5


def _resolved_table(store: Path) -> ibis.Table | None:
    """The current, fresh build's resolved detainers; None when the store has none."""
    target = Store(store)
    if not target.exists():
        return None
    build = target.current_build()
    if build is None or build["stale"]:
        return None
    path = target.builds_dir / build["build_id"] / "detainers_resolved.parquet"
    if not path.exists():
        return None
    return ibis.duckdb.connect().read_parquet(str(path))


def declined_counts(store: Path, start: date | None, end: date | None) -> dict[str, int] | None:
    """Declined detainers per jurisdiction key (county or state FIPS) in [start, end], or None."""
    table = _resolved_table(store)
    if table is None:
        return None
    rows = outcomes(table, ["authority_fips"], Period(start, end)).to_pyarrow().to_pylist()
    counts: dict[str, int] = {}
    for row in rows:
        if row["authority_fips"]:
            counts[row["authority_fips"]] = counts.get(row["authority_fips"], 0) + int(row["declined"])
    return counts


def observed_outcomes(store: Path, j: Jurisdiction, k: int = DEFAULT_K) -> dict[str, Any] | None:
    """Outcomes per fiscal year of detainers sent to authorities answering to ``j``, suppressed."""
    table = _resolved_table(store)
    if table is None:
        return None
    table = table.filter(table.authority_fips == j.key)
    rows = outcomes(table, ["authority_fips", "fiscal_year"], Period(None, None)).to_pyarrow().to_pylist()
    rows = sorted(rows, key=lambda r: r["fiscal_year"])
    return {
        "by_fiscal_year": suppress_rows(rows, k),
        "suppression_k": k,
        "grouped_by": "authority_fips (the jurisdiction the responsible authority answers to)",
        "cohort": "detainer prepare (issue) date",
    }
