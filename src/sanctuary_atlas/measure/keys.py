"""Group keys and periods of the measures: plain data, importable without Ibis (the CLI's help needs them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")

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
    """Prepare dates from ``start`` to ``end`` inclusive; None is open. A bound may also be an Ibis scalar
    (a query parameter read from a table), so one compiled query serves every period."""

    start: date | ir.Value | None
    end: date | ir.Value | None

    def label(self) -> str:
        return f"{self.start or 'start'}..{self.end or 'end'}"
