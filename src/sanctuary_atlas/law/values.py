"""Parsing of the value kinds the reference tables use: partial dates, fiscal years, dollar amounts.

The tables are hand-built, so a date may be known only to the month or the year and may carry a
qualifier in parentheses ("2025-10 (DOJ agreed to remove conditions)"). We keep the precision that
the source gave instead of inventing a day, and we keep the qualifier text next to the value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

VERIFICATION_LEVELS = ("verified", "partially_verified", "unverified")

_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-])")


class CellError(ValueError):
    """A cell that does not hold the kind of value its column promises."""


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.month is None and self.day is not None:
            raise CellError("a day without a month")
        # date() does the calendar checks (month 13, 30 February) for us.
        date(self.year, self.month or 1, self.day or 1)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def start(self) -> date:
        """The earliest day the value could mean."""
        return date(self.year, self.month or 1, self.day or 1)

    def end(self) -> date:
        """The latest day the value could mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def is_uncertain_on(self, when: date) -> bool:
        """True when ``when`` falls inside the span the value leaves open (e.g. within 2018-06)."""
        return self.precision != "day" and self.start() <= when <= self.end()

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def __str__(self) -> str:
        return self.iso()


def parse_partial_date(text: str) -> PartialDate:
    """Read the leading ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; trailing qualifier text is allowed."""
    match = _DATE_RE.match(text or "")
    if not match:
        raise CellError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD expected): {text!r}")
    year, month, day = match.groups()
    try:
        return PartialDate(int(year), int(month) if month else None, int(day) if day else None)
    except ValueError as exc:
        raise CellError(f"impossible date {text!r}: {exc}") from exc


def parse_optional_date(text: str) -> PartialDate | None:
    return parse_partial_date(text) if (text or "").strip() else None


def parse_date_list(text: str) -> tuple[PartialDate, ...]:
    """Cells such as ``2017-01-25; 2025-01-20`` or ``2025-02 to 2025-09`` hold several dates."""
    found = re.findall(r"(?<![\d-])\d{4}(?:-\d{2}(?:-\d{2})?)?(?![\d-])", text or "")
    return tuple(parse_partial_date(value) for value in found)


@dataclass(frozen=True)
class FiscalYears:
    """A fiscal-year span; ``last`` is None for an open-ended period such as ``2025-``."""

    first: int
    last: int | None

    def years(self, through: int) -> list[int]:
        """The fiscal years of the span, an open span closed at ``through``."""
        last = self.last if self.last is not None else max(self.first, through)
        return list(range(self.first, last + 1))


_FY_RE = re.compile(r"FY\s?(\d{4})(?:\s*-\s*FY\s?(\d{4}))?")
_YEAR_RANGE_RE = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})?(?!\d)")


def parse_fiscal_years(text: str) -> FiscalYears | None:
    """``FY2017``, ``FY2019-FY2020``, ``2025-``, ``2025 (FY2024/FY2025 awards)``; None if no year.

    Explicit ``FY`` years win over calendar years beside them, because the FY is what grant money is
    keyed on. ``2017-2021; 2025-`` (two eras of one condition) is read as its open last era: the
    earlier era ended with a revocation, which the rulings data carries as a dated event.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    fy = [int(y) for pair in _FY_RE.findall(raw) for y in pair if y]
    if fy:
        return FiscalYears(min(fy), max(fy))
    eras = [part.strip() for part in raw.split(";")]
    if re.fullmatch(r"\d{4}\s*-", eras[-1]):
        return FiscalYears(int(eras[-1][:4]), None)
    match = _YEAR_RANGE_RE.match(raw)
    if match:
        first, last = match.groups()
        return FiscalYears(int(first), int(last) if last else None)
    years = [int(y) for y in re.findall(r"(?<!\d)(\d{4})(?!\d)", raw)]
    if years:
        return FiscalYears(min(years), max(years))
    return None


_MONEY_RE = re.compile(r"^\(?-?\$?\s*[\d,]*\.?\d*\)?$")


def parse_usd(text: str) -> Decimal | None:
    """A dollar amount as written in a table: ``$1,234``, ``1234.50``, ``(1,234)``; blank is None.

    Returns Decimal so that cents survive; refuses negative amounts (a grant allocation cannot be
    negative, so a minus sign or accounting brackets mean a cell we misunderstand) and words such as
    "about" (a figure with a qualifier belongs in the text column, not the number column).
    """
    raw = (text or "").strip()
    if not raw or raw in {"-", "--", "—"}:
        return None
    cleaned = raw.replace(" ", "")
    if not _MONEY_RE.match(cleaned) or not re.search(r"\d", cleaned):
        raise CellError(f"not a dollar amount: {text!r}")
    if cleaned.startswith(("(", "-")) or cleaned.startswith("$-"):
        raise CellError(f"negative dollar amount: {text!r}")
    digits = cleaned.replace("$", "")
    if "," in digits:
        whole = digits.split(".")[0]
        groups = whole.split(",")
        if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
            raise CellError(f"misplaced thousands separator: {text!r}")
        digits = digits.replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:
        raise CellError(f"not a dollar amount: {text!r}") from exc
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CellError(f"more than two decimal places: {text!r}")
    return value


def split_list(cell: str) -> tuple[str, ...]:
    """Cells hold ``; ``-separated lists; some ID lists use a bare ``;``."""
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def weakest(levels: list[str] | tuple[str, ...]) -> str:
    """The verification of a conclusion is that of the weakest fact it rests on."""
    if not levels:
        return "unverified"
    return max(levels, key=lambda level: VERIFICATION_LEVELS.index(level))
