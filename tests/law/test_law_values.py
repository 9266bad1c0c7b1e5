"""Parsing of partial dates, fiscal years and dollar amounts (property-based where it parses)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctuary_atlas.law.values import (
    CellError,
    PartialDate,
    parse_date_list,
    parse_fiscal_years,
    parse_partial_date,
    parse_usd,
    weakest,
)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_full_dates_round_trip(day: date) -> None:
    parsed = parse_partial_date(day.isoformat())
    assert parsed.precision == "day"
    assert parsed.start() == parsed.end() == day


@given(st.integers(1900, 2099), st.integers(1, 12), st.text(max_size=30))
def test_month_dates_keep_their_precision(year: int, month: int, qualifier: str) -> None:
    text = f"{year:04d}-{month:02d}" + (f" ({qualifier})" if qualifier else "")
    parsed = parse_partial_date(text)
    assert (parsed.year, parsed.month, parsed.day, parsed.precision) == (year, month, None, "month")
    assert parsed.start() <= parsed.end()
    assert parsed.start().day == 1 and parsed.end().month == month


@given(st.integers(1900, 2099))
def test_year_only(year: int) -> None:
    parsed = parse_partial_date(f"{year}")
    assert parsed.precision == "year"
    assert parsed.start() == date(year, 1, 1) and parsed.end() == date(year, 12, 31)
    assert parsed.is_uncertain_on(date(year, 6, 1)) and not parsed.is_uncertain_on(date(year + 1, 1, 1))


@pytest.mark.parametrize("text", ["2019-13", "2019-02-30", "19-01-01", "", "n/a", "2019-1-5", "20190105"])
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(CellError):
        parse_partial_date(text)


def test_real_cells_from_the_reference_tables() -> None:
    assert parse_partial_date("2025-10 (DOJ agreed to remove conditions)") == PartialDate(2025, 10)
    assert parse_partial_date("2018-05-21 (returned by Governor; became law 2018-05-23)").iso() == "2018-05-21"
    assert [d.iso() for d in parse_date_list("2017-01-25; 2025-01-20; 2025-02-19")] == [
        "2017-01-25",
        "2025-01-20",
        "2025-02-19",
    ]
    assert [d.iso() for d in parse_date_list("2025-02 to 2025-09")] == ["2025-02", "2025-09"]


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("FY2017", 2017, 2017),
        ("FY2019-FY2020", 2019, 2020),
        ("2025-", 2025, None),
        ("2025 (FY2024/FY2025 awards)", 2024, 2025),
        ("2017-2021; 2025-", 2025, None),
        ("annual (2025 statement)", 2025, 2025),
        ("FY2017-FY2018", 2017, 2018),
    ],
)
def test_fiscal_years(text: str, first: int, last: int | None) -> None:
    fy = parse_fiscal_years(text)
    assert fy is not None and (fy.first, fy.last) == (first, last)


def test_no_fiscal_year() -> None:
    assert parse_fiscal_years("program basics") is None
    assert parse_fiscal_years("2025-").years(2026) == [2025, 2026]  # type: ignore[union-attr]


@given(st.integers(min_value=0, max_value=10**13))
def test_dollars_with_separators(n: int) -> None:
    assert parse_usd(f"${n:,}") == n
    assert parse_usd(str(n)) == n
    assert parse_usd(f"$ {n:,}.00") == n


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_cents_survive(value: Decimal) -> None:
    assert parse_usd(f"{value:.2f}") == value


@pytest.mark.parametrize("text", ["-5", "(1,234)", "$-3", "about $4.1 million", "1,23,456", "12.345", "abc"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(CellError):
        parse_usd(text)


def test_blank_amount_is_unknown_not_zero() -> None:
    assert parse_usd("") is None and parse_usd(" - ") is None


def test_weakest_verification() -> None:
    assert weakest(["verified", "partially_verified"]) == "partially_verified"
    assert weakest(["verified", "unverified", "partially_verified"]) == "unverified"
    assert weakest([]) == "unverified"
