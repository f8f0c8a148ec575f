"""Reading figures, periods and codes as councils print them.

The loader uses these to check extracts before anything is written; dbt's
staging macros (macros/parsing/) parse the same text in the warehouse. Both
follow the rules in the README: brackets are negatives, placeholders are not
numbers, periods are months, quarters or financial years.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from scorecard.settings import reference_dir

EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")

_NUMBER = re.compile(r"^\(?\s*(-)?\s*£?\s*(-)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(%?)\s*(\))?")
_RATIO = re.compile(r"\(\s*([0-9][0-9,]*)\s*/\s*([0-9][0-9,]*)\s*\)")
_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}


@dataclass(frozen=True)
class Figure:
    """A printed figure: its number (if any), its status and printed details."""

    number: float | None
    status: str  # 'reported', 'blank', a placeholder status, or 'unparseable'
    percent_sign: bool = False
    numerator: float | None = None
    denominator: float | None = None


def _seed(name: str) -> list[dict[str, str]]:
    return _read_seed(str(reference_dir()), name)


@cache
def _read_seed(folder: str, name: str) -> list[dict[str, str]]:
    with (Path(folder) / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def placeholders() -> list[tuple[str, str, str]]:
    rows = _seed("value_placeholders")
    ordered = sorted(rows, key=lambda r: (r["match_type"] != "exact", r["marker"]))
    return [(r["marker"].lower(), r["match_type"], r["value_status"]) for r in ordered]


def reference_codes(lookup: str) -> set:
    """Allowed codes for a `code` column, read from the reference seeds."""
    if lookup == "organisations":
        return {r["organisation_code"] for r in _seed("organisations")}
    if lookup == "indicators":
        return {r["indicator_code"] for r in _seed("indicators")}
    if lookup == "workforce_measures":
        return {r["measure_code"] for r in _seed("workforce_measures")}
    if lookup == "services":
        return {(r["organisation_code"], r["service_code"]) for r in _seed("service_hierarchy")}
    raise KeyError(lookup)


def indicator_units() -> dict[str, str]:
    return {r["indicator_code"]: r["unit"] for r in _seed("indicators")}


def measure_units() -> dict[str, str]:
    return {r["measure_code"]: r["unit"] for r in _seed("workforce_measures")}


def measure_names() -> dict[str, str]:
    """Measure code by lower-cased printed name or code."""
    out = {}
    for r in _seed("workforce_measures"):
        out[r["measure_code"].lower()] = r["measure_code"]
        out[r["measure_name"].lower()] = r["measure_code"]
    return out


def rag_codes() -> set[str]:
    return {r["printed_rag"] for r in _seed("rag_codes")}


def polarity_codes() -> set[str]:
    return {r["printed_polarity"].lower() for r in _seed("polarity_codes")}


@dataclass(frozen=True)
class Reference:
    """The reference data one load checks against, read once from the seeds."""

    codes: dict[str, set]
    indicator_units: dict[str, str]
    measure_units: dict[str, str]
    rag_codes: set[str]
    polarity_codes: set[str]
    placeholders: list[tuple[str, str, str]]

    @classmethod
    def load(cls) -> Reference:
        """The reference seeds in SCORECARD_REFERENCE_DIR, built once per folder (as the seed files are read)."""
        return _reference(str(reference_dir()))


@cache
def _reference(folder: str) -> Reference:
    lookups = ("organisations", "indicators", "workforce_measures", "services")
    return Reference(
        {name: reference_codes(name) for name in lookups},
        indicator_units(),
        measure_units(),
        rag_codes(),
        polarity_codes(),
        placeholders(),
    )


def parse_figure(text: str, markers: list[tuple[str, str, str]] | None = None) -> Figure:
    """A figure as printed: `92.6%`, `(1,234)`, `£1,200`, `32.6% (395/1221)`, `-`, `New`, `c` ..."""
    stripped = (text or "").strip()
    if not stripped:
        return Figure(None, "blank")
    lowered = stripped.lower()
    for marker, match_type, status in markers if markers is not None else placeholders():
        if (match_type == "exact" and lowered == marker) or (match_type == "contains" and marker in lowered):
            return Figure(None, status)
    m = _NUMBER.match(stripped)
    if not m:
        return Figure(None, "unparseable")
    minus1, minus2, digits, percent, close = m.groups()
    number = float(digits.replace(",", ""))
    if (stripped.startswith("(") and close) or minus1 or minus2:
        number = -number
    ratio = _RATIO.search(stripped)
    num, den = (
        (float(ratio.group(1).replace(",", "")), float(ratio.group(2).replace(",", ""))) if ratio else (None, None)
    )
    return Figure(number, "reported", bool(percent), num, den)


@cache
def parse_month(text: str) -> date | None:
    """`Apr-17`, `April 2017`, `Sept-17`, `2017-04` -> first of the month; None otherwise."""
    t = (text or "").strip()
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", t)
    if m and 1 <= int(m.group(2)) <= 12:
        return date(int(m.group(1)), int(m.group(2)), 1)
    m = re.fullmatch(r"([A-Za-z]{3,9})[\s-]+([0-9]{2}|[0-9]{4})", t)
    if m and m.group(1)[:3].lower() in _MONTHS:
        year = int(m.group(2))
        return date(year + 2000 if year < 100 else year, _MONTHS[m.group(1)[:3].lower()], 1)
    return None


@cache
def parse_period(text: str) -> tuple[date, str] | None:
    """A period as printed -> (first day of its last month, type); None if not a period."""
    t = (text or "").strip()
    m = re.fullmatch(r"([0-9]{4})\s*(/|-)\s*([0-9]{2})", t)
    if m and (m.group(2) == "/" or int(m.group(3)) > 12):
        return date(int(m.group(1)) + 1, 3, 1), "financial_year"
    m = re.fullmatch(r"[Qq]([1-4])\s+([0-9]{4})\s*[/-]\s*[0-9]{2}", t)
    if m:
        q, start = int(m.group(1)), int(m.group(2))
        month = 3 + 3 * q
        return (date(start, month, 1) if month <= 12 else date(start + 1, month - 12, 1)), "quarter"
    month = parse_month(t)
    return (month, "month") if month else None


def month_label(value: date | datetime) -> str:
    """A date as packs print months: Apr-17."""
    return value.strftime("%b-%y")


def cell_text(value, number_format: str = "General") -> str:
    """An Excel cell's value as the text the pack shows (percent cells as `92.6%`, dates as `Apr-17`)."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return month_label(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        fmt = number_format or "General"
        decimals = _format_decimals(fmt)
        if "%" in fmt:
            number = value * 100
            return (f"{number:.{decimals}f}" if decimals is not None else _plain(number)) + "%"
        return f"{value:.{decimals}f}" if decimals is not None else _plain(value)
    return str(value).strip()


def _format_decimals(number_format: str) -> int | None:
    """Decimal places an Excel number format shows (`0.0%` -> 1, `0%` -> 0); None for General."""
    fmt = number_format.split(";")[0]
    if fmt in ("General", "@") or not re.search(r"[0#]", fmt):
        return None
    m = re.search(r"[0#]\.([0#]+)", fmt)
    return len(m.group(1)) if m else 0


def _plain(number: float) -> str:
    rounded = round(float(number), 9)
    return str(int(rounded)) if rounded == int(rounded) else repr(rounded)


def normalise_percentage(text: str, markers: list[tuple[str, str, str]] | None = None) -> str:
    """A percentage written without `%`: 0.926 -> `92.6%` (fractions up to 1), 92.6 -> `92.6%`."""
    fig = parse_figure(text, markers)
    if fig.status != "reported" or fig.percent_sign:
        return text
    rest = text.strip()[_NUMBER.match(text.strip()).end() :]
    number = fig.number * 100 if 0 <= fig.number <= 1 else fig.number
    return f"{_plain(number)}%{rest}"


def is_excel_error(text: str) -> bool:
    return (text or "").strip().upper() in EXCEL_ERRORS


def file_month(path: Path) -> date | None:
    """The month a file name declares, e.g. `indicator_values_SD004_2018-01.csv` -> 2018-01-01."""
    m = re.search(r"(?<![0-9])(20[0-9]{2})-(0[1-9]|1[0-2])(?![0-9])", path.name)
    return date(int(m.group(1)), int(m.group(2)), 1) if m else None
