"""The Declined Detainer Outcome Report, rebuilt without the errors that sank the 2017 one.

2017's report listed declines one line per person, counted transfers as refusals, gave dates that were not
the date of any decision, mixed up same-name counties, and showed no denominators. Here every section
is an aggregate per responsible authority, with its denominator, from resolved facilities; transfers are
their own bucket; the cohort is the detainer's issue (prepare) date and says so; and section IV computes
the fidelity flags from the data instead of leaving them to critics.

The sections are plain data (lists of dicts) so that HTML, PDF, CSV and JSON all render the same numbers.
This module assembles them from the results of the report's queries (``ddor_queries``: Ibis, any engine;
``compiled``: the same queries' SQL cached for DuckDB) and needs no query engine itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sanctuary_atlas.measure.cube import columns_of, cube_tables, suppress_cube
from sanctuary_atlas.measure.keys import Period
from sanctuary_atlas.measure.suppress import (
    COMPLEMENTARY,
    rank_by_shown,
    suppress_pooled,
)
from sanctuary_atlas.measure.vocabulary import bucket_names

# Rows of each named query of ``ddor_queries``, as plain dicts.
Results = dict[str, list[dict[str, Any]]]
# The tables `outcomes` suppresses together (``cube``), by the query name each is read under: state and
# federal custody is shown as the table by authority type shows it, and the nation as its row does.
CUBE_QUERIES = {keys: "by_" + "_".join(keys) if keys else "national" for keys in cube_tables()}
QUERY_NAMES = (
    "period",
    "cumulative",
    *CUBE_QUERIES.values(),
    "totals",
    "confidence",
    "busy_days",
    "low_confidence",
)

# The queries read their period from this one-row table (columns: the keys of ``period_bounds``).
BOUNDS_TABLE = "sanctuary_atlas_ddor_bounds"
# How far back from the period's end the right-censoring check looks.
LATE_WINDOW = timedelta(days=30)


def period_bounds(period: Period) -> dict[str, date]:
    """The bounds row for a closed period."""
    start, end = period.start, period.end
    if not isinstance(start, date) or not isinstance(end, date):
        raise ValueError("the DDOR needs a closed period (--from and --to)")
    late = end - LATE_WINDOW if end - start > LATE_WINDOW else start  # never before date.min
    return {"period_start": start, "period_end": end, "late_start": late}


LOCAL_AUTHORITIES = ("county_sheriff_or_jail", "city_police_or_jail", "regional_jail", "tribal")
JURISDICTION_KEYS = ["authority_name", "authority_type", "authority_fips", "county_fips", "county_name"]
# The coarser tables the per-jurisdiction rows add up into: their county, their state, the nation.
JURISDICTION_MARGINS = [
    lambda row: row["county_fips"],
    lambda row: row["county_fips"][:2] if row["county_fips"] else None,
    lambda row: "nation",
]

# Policy lookup: (county_fips, authority_fips, as_of) -> designations and laws known on that date.
PolicyLookup = Callable[[str | None, str | None, date], dict[str, Any]]


@dataclass
class DDOR:
    period: Period
    generated_from: dict[str, Any]
    min_cell: int
    section_i: list[dict[str, Any]] = field(default_factory=list)
    section_ii: list[dict[str, Any]] = field(default_factory=list)
    section_iii: list[dict[str, Any]] = field(default_factory=list)
    section_iv: dict[str, Any] = field(default_factory=dict)
    non_local: list[dict[str, Any]] = field(default_factory=list)
    pooled: dict[str, Any] = field(default_factory=dict)
    national: dict[str, Any] = field(default_factory=dict)  # the nation's row as `outcomes` publishes it

    def as_json(self) -> dict[str, Any]:
        return {
            "title": "Declined Detainer Outcome Report (rebuilt)",
            "period": {"from": str(self.period.start), "to": str(self.period.end)},
            "cohort": "detainers issued (prepare date) in the period; outcomes as recorded in the release",
            "min_cell": self.min_cell,
            "generated_from": self.generated_from,
            "section_i_most_detainers": self.section_i,
            "section_ii_declines": self.section_ii,
            "section_iii_limiting_policies": self.section_iii,
            "section_iv_fidelity": self.section_iv,
            "state_and_federal_custody": self.non_local,
            "smaller_jurisdictions_pooled": self.pooled,
        }


def assemble_ddor(
    results: Results,
    period: Period,
    policy: PolicyLookup,
    *,
    top: int = 25,
    min_cell: int = 5,
    generated_from: dict[str, Any] | None = None,
    counties: list[tuple[str, str, str]] | None = None,
    on_section_i: Callable[[list[dict[str, Any]]], None] | None = None,
) -> DDOR:
    """The four sections for a closed period from the query results. ``counties`` (FIPS, name, state)
    serves the same-name check; without it the gazetteer is loaded. ``on_section_i`` gets section I's rows
    as soon as they are final (a renderer can start on its chart while the rest is computed)."""
    end = period_bounds(period)["period_end"]
    report = DDOR(period, generated_from or {}, min_cell)
    k = min_cell
    # Every row is suppressed once, as a whole (complements included), and sections I and II both show that
    # same suppressed row: two sections showing one jurisdiction differently would give hidden cells away.
    # Each table is suppressed against the coarser tables anyone can ask of the same period (its rows'
    # counties, states and the nation), and ranked by what it shows, never by a hidden count.
    # Jurisdictions with fewer than k detainers are pooled into one row, not listed: most jurisdictions
    # see a handful a week, and the state and national totals would pin each one's count.
    listed, pooled = suppress_pooled(results["period"], k, JURISDICTION_MARGINS)
    shown = rank_by_shown(listed, JURISDICTION_KEYS)
    report.pooled = {**pooled, "authority_name": POOLED} if pooled else {}
    # I: most detainers issued, with outcome shares and the policy known on the period's last day.
    for rank, row in enumerate(shown[:top], start=1):
        report.section_i.append({**row, "rank": rank, "policy": policy(row["county_fips"], row["authority_fips"], end)})
    if on_section_i is not None:
        on_section_i(report.section_i)

    # II: declines per jurisdiction, with the cumulative picture (all data up to the period's end).
    declining = rank_by_shown([row for row in shown if row["declined"] != 0], JURISDICTION_KEYS, "declined")
    # The cumulative picture is published for section II's rows only: the rest of that table is pooled.
    in_ii = {_key(row) for row in declining}
    cumulative_rows = suppress_pooled(
        results["cumulative"], k, JURISDICTION_MARGINS, lambda r: _key(r) in in_ii, pooled_shown=False
    )[0]
    cumulative = {_key(r): r for r in cumulative_rows}
    for row in declining:
        cum = cumulative.get(_key(row), {})
        report.section_ii.append(
            {
                **{key: row[key] for key in JURISDICTION_KEYS},
                "issued": row["issued"],
                "declined": row["declined"],
                "denominator": row["denominator"],
                "decline_rate": row["decline_rate"],
                "cumulative_issued": cum.get("issued"),
                "cumulative_declined": cum.get("declined"),
                "cumulative_denominator": cum.get("denominator"),
                "cumulative_decline_rate": cum.get("decline_rate"),
                "policy": policy(row["county_fips"], row["authority_fips"], end),
            }
        )
    # State and federal custody is no local decision: totals by type only (unresolved facilities, with no
    # type, are in neither; section IV counts them). These rows are rows of the table by authority type, so
    # they are shown as that table shows them, suppressed together with the period's tables by state (a
    # cell hidden there and shown here would undo the hiding). Types under k are pooled there, not listed.
    cube = suppress_cube({columns_of(keys): results[name] for keys, name in CUBE_QUERIES.items()}, k)
    by_type = cube.tables[columns_of(("authority_type",))].rows
    report.non_local = rank_by_shown(
        [row for row in by_type if row["authority_type"] not in (None, *LOCAL_AUTHORITIES)], ["authority_type"]
    )
    report.national = cube.tables[()].rows[0] if cube.tables[()].rows else {}
    report.section_iv = _fidelity(results, report, counties)
    return report


POOLED = "jurisdictions with fewer detainers than the suppression threshold"


def _key(row: dict[str, Any]) -> tuple:
    return tuple(row.get(k) for k in JURISDICTION_KEYS)


def _fidelity(results: Results, report: DDOR, counties: list[tuple[str, str, str]] | None) -> dict[str, Any]:
    """Section IV: scope and the automatic flags for the 2017 report's known failure modes."""
    totals = results["totals"][0]
    confidence = {r["confidence"] or "none": r["n"] for r in results["confidence"]}
    flags: list[dict[str, Any]] = []

    # Declines concentrated on one date: a sign the date is a data-entry or batch date, not behaviour.
    for r in results["busy_days"]:
        if r["declined"] >= report.min_cell:
            flags.append(
                {
                    "flag": "declines_concentrated_on_one_date",
                    "authority_name": r["authority_name"],
                    "county_fips": r["county_fips"],
                    "detail": f"more than half of this authority's declines in the period share one prepare date "
                    f"({r['days']} distinct dates)",
                }
            )

    # Right-censoring: detainers issued in the period's last 30 days have had less time to get an outcome.
    if totals["late"] and totals["issued"]:
        late_share = totals["late_unknown"] / totals["late"]
        overall = totals["unknown"] / totals["issued"]
        if late_share > overall + 0.05:
            flags.append(
                {
                    "flag": "recent_detainers_lack_outcomes",
                    "detail": f"{late_share:.0%} of detainers issued in the last 30 days of the period have no "
                    f"recorded outcome, against {overall:.0%} over the whole period",
                }
            )

    # Same-name counties: a listed jurisdiction whose county name exists in other states too.
    listed = {(r["county_name"], r["county_fips"]) for r in report.section_i + report.section_ii if r["county_name"]}
    for name, fips, states in _same_name_counties(listed, counties):
        flags.append(
            {
                "flag": "same_name_county",
                "county_fips": fips,
                "detail": f"{name} also exists in {', '.join(states)}; resolved by facility code, city and state "
                "(see resolve evidence)",
            }
        )

    # National counts are shown as the national row of ``outcomes`` shows them, suppressed the same way:
    # a count published here but hidden there (or the reverse) would let one output undo the other's hiding.
    national = report.national
    if totals["transferred"]:
        shown = national.get("transferred")
        count = f"{shown:,}" if isinstance(shown, int) else f"Some (count {shown})" if shown else "Some"
        flags.append(
            {
                "flag": "transfers_not_declines",
                "detail": f"{count} detainers ended in transfer to other custody; they are counted as "
                "transferred, never as declines",
            }
        )
    low = results["low_confidence"]
    if low:
        flags.append(
            {
                "flag": "low_confidence_resolution",
                "detail": "facilities whose authority or county is uncertain; their detainers are left out of "
                f"the per-jurisdiction sections (facilities with fewer than {report.min_cell} are not named)",
                "facilities": _named_if_not_small(low, report.min_cell),
            }
        )
    flags.append(
        {
            "flag": "cohort_is_issue_date",
            "detail": "rows are grouped by the date the detainer was issued; these releases record no date of "
            "the decline itself, so no detainer issued before the period is counted in it",
        }
    )
    return {
        "detainers_issued": national.get("issued", 0),
        "unknown_outcome": national.get("unknown", 0),
        "unknown_share": national.get("unknown_share"),
        "without_county": _n(totals["no_county"], report.min_cell),
        # The parts sum to detainers_issued, so one hidden part would be given away: complements apply.
        "resolution_confidence": suppress_parts(confidence, report.min_cell),
        "buckets": bucket_names(),
        "flags": flags,
    }


def suppress_parts(parts: dict[str, int], k: int) -> dict[str, int | str]:
    """Counts that add up to a published total: small ones as "<k", and never exactly one of them hidden."""
    hidden = {name for name, v in parts.items() if 0 < v < k}
    primary = set(hidden)
    if len(hidden) == 1:
        others = sorted((v, name) for name, v in parts.items() if name not in hidden and v > 0)
        if others:
            hidden.add(others[0][1])
    return {name: (f"<{k}" if name in primary else COMPLEMENTARY) if name in hidden else v for name, v in parts.items()}


def _named_if_not_small(rows: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """Facilities with at least k detainers, by name and count. Smaller ones are not listed: their counts
    are the difference between the published confidence totals and this list, and a name would pin them."""
    return [row for row in rows if row["issued"] >= k]


def _n(value: int, k: int) -> int | str:
    return f"<{k}" if 0 < value < k else value


def _same_name_counties(
    listed: set[tuple[str, str]], counties: list[tuple[str, str, str]] | None
) -> list[tuple[str, str, list[str]]]:
    if counties is None:
        from sanctuary_atlas.resolve.gazetteer import Gazetteer

        counties = [(c.fips, c.name, c.state) for c in Gazetteer.load().counties()]
    by_name: dict[str, list[tuple[str, str]]] = {}
    for fips, name, state in counties:
        by_name.setdefault(name.upper(), []).append((fips, state))
    out = []
    for name, fips in sorted(listed):
        others = sorted(state for f, state in by_name.get(name.split(",")[0].strip().upper(), []) if f != fips)
        if others:
            out.append((name, fips, others))
    return out
