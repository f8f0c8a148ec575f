"""Reading figures, periods and codes as councils print them: the one grammar.

The loader checks every printed value with this grammar before anything is
written, and writes what it read (numbers, statuses, months) into typed raw
columns beside the text it keeps; dbt staging only renames those columns. So a
file the loader accepts always builds, and reads to the values it checked.
Brackets are negatives, placeholders are not numbers, periods are months,
quarters or financial years, and text the grammar does not know is refused
with a reason, never guessed.
"""

from __future__ import annotations

import calendar
import csv
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path

from scorecard.settings import PROJECT_DIR, reference_dir

EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")


@dataclass(frozen=True)
class Unit:
    """A unit of measure from seeds/reference/units.csv: its bounds and, for money, pounds per unit."""

    name: str
    description: str
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    whole_number: bool = False
    pounds_per_unit: Decimal | None = None


def _seed(name: str) -> list[dict[str, str]]:
    folder = reference_dir()
    return _read_seed(str(folder), name, _stamp(folder / f"{name}.csv"))


def _stamp(path: Path) -> tuple[int, int]:
    """When and how big a seed file is: cached readings are renewed when a seed is edited."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@cache
def _read_seed(folder: str, name: str, stamp: tuple[int, int]) -> list[dict[str, str]]:
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
        # codes belong to a council: CP 1 of one council is not CP 1 of another
        return {(r["organisation_code"], r["indicator_code"]) for r in _seed("indicators")}
    if lookup == "workforce_measures":
        # staffing measure codes belong to a council too: (organisation_code, measure_code)
        return {(r["organisation_code"], r["measure_code"]) for r in _seed("workforce_measures")}
    if lookup == "services":
        return {(r["organisation_code"], r["service_code"]) for r in _seed("service_hierarchy")}
    if lookup == "authorities":
        return authority_codes()
    if lookup == "time_identifiers":
        return set(time_identifiers())
    if lookup == "pack_sections":
        # the sections of a pack a commentary may be about (a reference folder without the seed has none)
        return {r["section_key"].strip() for r in _seed_if_present("pack_sections")}
    raise KeyError(lookup)


def indicator_units() -> dict[tuple[str, str], str]:
    """Unit of each indicator, keyed by (organisation_code, indicator_code)."""
    return {(r["organisation_code"], r["indicator_code"]): r["unit"] for r in _seed("indicators")}


def measure_units() -> dict[tuple[str, str], str]:
    """Unit of each staffing measure, keyed by (organisation_code, measure_code)."""
    return {(r["organisation_code"], r["measure_code"]): r["unit"] for r in _seed("workforce_measures")}


def measure_names() -> dict[str, dict[str, str]]:
    """Per council: its measure codes by lower-cased printed name or code."""
    out: dict[str, dict[str, str]] = {}
    for r in _seed("workforce_measures"):
        names = out.setdefault(r["organisation_code"], {})
        names[r["measure_code"].lower()] = r["measure_code"]
        names[r["measure_name"].lower()] = r["measure_code"]
    return out


def units() -> dict[str, Unit]:
    """The units of measure in seeds/reference/units.csv."""

    def number(text: str) -> Decimal | None:
        return Decimal(text) if text.strip() else None

    return {
        r["unit"]: Unit(
            r["unit"],
            r["description"],
            number(r["min_value"]),
            number(r["max_value"]),
            r["whole_number"].strip().lower() == "true",
            number(r["pounds_per_unit"]),
        )
        for r in _seed("units")
    }


def budget_units() -> dict[str, str]:
    """The unit each council prints its budget amounts in (organisations.budget_unit), where it names one.

    A council without one prints them in the money column's own unit (£000).
    """
    rows = _seed("organisations")
    return {r["organisation_code"]: r["budget_unit"].strip() for r in rows if (r.get("budget_unit") or "").strip()}


def rag_codes() -> set[str]:
    return {r["printed_rag"] for r in _seed("rag_codes")}


def polarity_codes() -> set[str]:
    return {r["printed_polarity"].lower() for r in _seed("polarity_codes")}


def direction_codes() -> set[str]:
    return {r["printed_direction"].strip().lower() for r in _seed("direction_codes")}


FLAG_WORDS = {
    "y": True,
    "yes": True,
    "true": True,
    "✓": True,
    "✔": True,
    "n": False,
    "no": False,
    "false": False,
    "✗": False,
}  # not "x": packs use it both as a tick and as a cross, so it is refused rather than guessed


def read_flag(text: str) -> bool | None:
    """Yes / no as printed; None for blank. Raises Unreadable for anything else."""
    key = text.strip().lower()
    if not key:
        return None
    if key not in FLAG_WORDS:
        raise Unreadable(f"not yes or no (one of {', '.join(sorted(FLAG_WORDS))})")
    return FLAG_WORDS[key]


_QUARTILE = re.compile(r"^(?:q\s*)?([1-4])$|^([a-d])$", re.I)


def read_quartile(text: str) -> int | None:
    """A quartile as printed: 1-4, Q1-Q4 or A-D (A is 1); None for blank. Raises Unreadable otherwise."""
    key = text.strip()
    if not key:
        return None
    match = _QUARTILE.match(key)
    if not match:
        raise Unreadable("not a quartile (1-4, Q1-Q4 or A-D)")
    return int(match.group(1)) if match.group(1) else "abcd".index(match.group(2).lower()) + 1


def statistic_symbols() -> dict[str, str]:
    """The DfE's symbols for a figure not given (seeds/reference/national_statistics_symbols.csv): symbol
    lower-cased -> value_status. Empty when the seed is missing (every symbol is then refused)."""
    rows = _seed_if_present("national_statistics_symbols")
    return {r["symbol"].strip().lower(): r["value_status"].strip() for r in rows}


def time_identifiers() -> dict[str, str]:
    """The DfE's time identifiers (seeds/reference/national_time_identifiers.csv), as published (case
    kept) -> the format of their time_period: yyyy or yyyyyy."""
    return {r["time_identifier"]: r["period_format"].strip() for r in _seed_if_present("national_time_identifiers")}


def authority_codes() -> set[str]:
    """GSS codes of the authorities in seeds/reference/authorities.csv: each gss_code, and each of the
    comma-separated former_gss_codes (the same authority under an earlier code)."""
    codes = set()
    for r in _seed_if_present("authorities"):
        codes.add(r["gss_code"].strip())
        codes.update(c.strip() for c in (r.get("former_gss_codes") or "").split(",") if c.strip())
    return codes - {""}


def _seed_if_present(name: str) -> list[dict[str, str]]:
    """A seed the national statistics or commentary extract reads; a reference folder without it reads as empty."""
    return _seed(name) if (reference_dir() / f"{name}.csv").is_file() else []


@dataclass(frozen=True)
class Reference:
    """The reference data one load checks against, read once from the seeds."""

    codes: dict[str, set]
    indicator_units: dict[tuple[str, str], str]
    measure_units: dict[tuple[str, str], str]
    rag_codes: set[str]
    polarity_codes: set[str]
    direction_codes: set[str]
    placeholders: list[tuple[str, str, str]]
    units: dict[str, Unit]
    # council -> the unit its budget amounts without a scale are printed in (organisations.budget_unit)
    budget_units: dict[str, str]
    # national statistics: symbol (lower-cased) -> value_status; time identifier -> period_format
    statistic_symbols: dict[str, str]
    time_identifiers: dict[str, str]

    @classmethod
    def load(cls) -> Reference:
        """The reference seeds in SCORECARD_REFERENCE_DIR, read once per folder and state of its files."""
        folder = reference_dir()
        return _reference(str(folder), tuple(sorted((p.name, _stamp(p)) for p in folder.glob("*.csv"))))


@cache
def _reference(folder: str, stamps: tuple) -> Reference:
    lookups = (
        "organisations",
        "indicators",
        "workforce_measures",
        "services",
        "authorities",
        "time_identifiers",
        "pack_sections",
    )
    return Reference(
        {name: reference_codes(name) for name in lookups},
        indicator_units(),
        measure_units(),
        rag_codes(),
        polarity_codes(),
        direction_codes(),
        placeholders(),
        units(),
        budget_units=budget_units(),
        statistic_symbols=statistic_symbols(),
        time_identifiers=time_identifiers(),
    )


# --------------------------------------------------------------------------- the grammar
#
# Figures. A printed figure is: an optional opening bracket (a negative), an
# optional sign (-, + or the minus sign U+2212), an optional £, digits with `,`
# between groups of three and `.` before decimals, for money an optional scale
# (k, m or mn, bn), an optional %, the closing bracket, then optionally a ratio
# `(395/1221)` and a qualifier (`(6m+)`, `*Q4 only`, `¹`). Anything else that
# starts like a number is refused with what was seen: a space or `.` between
# thousands (1 234, 1.234,5), a decimal comma (12,5), an exponent (1e3), text
# joined to the digits, brackets and a minus sign together ((-5)), a scale on a
# figure that is not money, more than 14 digits before the point (the marts
# hold decimal(18, 4)). Numbers are exact decimals held to 4 decimal places.

NUMBER_DIGITS = 14  # decimal(18, 4): 14 digits before the point
NUMBER_PLACES = 4
NUMBER_LIMIT = Decimal(10) ** NUMBER_DIGITS
_QUANTUM = Decimal(1).scaleb(-NUMBER_PLACES)
SCALES = {"k": 3, "m": 6, "mn": 6, "bn": 9}
_SPACES = "\u00a0\u2007\u2009\u202f"  # no-break, figure, thin and narrow no-break spaces
_FIGURE = re.compile(
    r"(?P<open>\()?[ \t]*(?P<sign1>[-+])?[ \t]*(?P<currency>£)?[ \t]*(?P<sign2>[-+])?[ \t]*"
    r"(?P<digits>[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?:[ \t]*(?P<scale>bn|Bn|BN|mn|Mn|MN|[kKmM])(?![A-Za-z]))?"
    r"[ \t]*(?P<percent>%)?[ \t]*(?P<close>\))?"
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")
_RATIO = re.compile(r"\(\s*([0-9][0-9,]*)\s*/\s*([0-9][0-9,]*)\s*\)")
_RATIO_LIKE = re.compile(r"\(\s*[0-9][^()]*/[^()]*\)")  # what looks like a ratio but is not one
FOOTNOTE_MARKS = "*†‡¹²³⁴⁵⁶⁷⁸⁹⁰"  # may touch a figure: 3.8%***, 13¹
_COMPARISON = re.compile(r"^\s*(?:[<>≤≥=]+|at least|at most|no more than|no less than|above|below)\s*", re.I)


class Unreadable(ValueError):
    """Printed text the grammar refuses; `reason` says what was seen."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Figure:
    """A printed figure: its number (if any), its status and printed details.

    status is 'reported' (a number), 'blank', a placeholder status from the
    value_placeholders seed, or 'unparseable' (then `reason` says why).
    """

    number: Decimal | None
    status: str
    percent_sign: bool = False
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    decimals: int = 0
    qualifier: str | None = None
    currency: bool = False
    scale: str | None = None
    reason: str | None = None


def _decimal(digits: str, what: str = "figure") -> Decimal:
    integer = digits.split(".")[0]
    if integer and not _GROUPED.fullmatch(integer):
        if re.fullmatch(r"[0-9]+,[0-9]{1,2}", digits):
            raise Unreadable(
                f"decimal comma ({digits}): write the decimal point as . (e.g. {digits.replace(',', '.')})"
            )
        raise Unreadable(f"thousands separator , not between groups of three digits ({digits})")
    number = Decimal(digits.replace(",", ""))
    if abs(number) >= NUMBER_LIMIT:
        raise Unreadable(f"{what} has more than {NUMBER_DIGITS} digits before the point: the marts hold figures "
                         f"up to {NUMBER_LIMIT - _QUANTUM:,}")  # fmt: skip
    return number


def _held(number: Decimal) -> Decimal:
    """A number as the warehouse holds it: 4 decimal places, within decimal(18, 4)."""
    held = number.quantize(_QUANTUM, rounding=ROUND_HALF_EVEN)
    if abs(held) >= NUMBER_LIMIT:
        raise Unreadable(f"figure is beyond what the marts hold (up to {NUMBER_LIMIT - _QUANTUM:,})")
    return held + 0  # no negative zero


def _read_number(text: str) -> Figure:
    """The number at the start of `text` and what follows it; raises Unreadable."""
    for space in _SPACES:
        text = text.replace(space, " ")
    text = text.replace("\u2212", "-")
    m = _FIGURE.match(text)
    if not m:
        raise Unreadable("not a number or a known placeholder (seeds/reference/value_placeholders.csv)")
    rest = text[m.end() :]
    digits = m.group("digits")
    if re.match(r"[ \t]*[0-9]", rest) and not m.group("percent") and not m.group("close") and not m.group("scale"):
        raise Unreadable(f"space inside a number ({text.strip()}): write thousands as 1,234 or 1234")
    if re.match(r"[.,][0-9]", rest):
        if "." in digits and rest[0] == ",":
            raise Unreadable(f"European number format ({digits}{rest.split()[0]}): write 1234.5, not 1.234,5")
        raise Unreadable(f"more than one decimal point or separator ({digits}{rest.split()[0]})")
    if re.match(r"[eE][-+]?[0-9]", rest):
        raise Unreadable(f"exponent ({digits}{rest.split()[0]}): write the number in full")
    separated = text[m.end() - 1] in " \t"
    if rest and not separated and rest[0] not in FOOTNOTE_MARKS:
        raise Unreadable(f"text joined to the number ({text.strip()}): only a footnote mark (* † ¹) may touch it")
    opened, closed = bool(m.group("open")), bool(m.group("close"))
    signs = [s for s in (m.group("sign1"), m.group("sign2")) if s]
    if len(signs) > 1:
        raise Unreadable(f"two signs ({text.strip()})")
    if opened and signs:
        raise Unreadable(f"brackets and a sign together ({text.strip()}): a bracketed figure is already negative")
    if opened and not closed:
        raise Unreadable(f"opening bracket without its closing bracket ({text.strip()})")
    if closed and not opened:
        raise Unreadable(f"closing bracket without an opening bracket ({text.strip()})")
    number = _decimal(digits)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    if opened or signs == ["-"]:
        number = -number
    numerator = denominator = None
    qualifier_text = rest
    ratio = _RATIO.search(rest)
    if ratio:
        numerator, denominator = _decimal(ratio.group(1), "numerator"), _decimal(ratio.group(2), "denominator")
        qualifier_text = rest[: ratio.start()] + rest[ratio.end() :]
    if _RATIO_LIKE.search(qualifier_text):
        raise Unreadable(f"a ratio that cannot be read ({text.strip()}): write it as (395/1221) or (1,395/2,221)")
    qualifier = qualifier_text.strip() or None
    scale = m.group("scale").lower() if m.group("scale") else None
    return Figure(number, "reported", bool(m.group("percent")), numerator, denominator, decimals, qualifier,
                  bool(m.group("currency")), scale)  # fmt: skip


def placeholder_status(text: str, markers: list[tuple[str, str, str]] | None = None) -> str | None:
    """The status of the first placeholder marker the text matches (exact first), or None."""
    lowered = text.strip().lower()
    for marker, match_type, status in markers if markers is not None else placeholders():
        if (match_type == "exact" and lowered == marker) or (match_type == "contains" and marker in lowered):
            return status
    return None


def parse_figure(
    text: str,
    markers: list[tuple[str, str, str]] | None = None,
    unit: Unit | None = None,
    printed_in: Unit | None = None,
) -> Figure:
    """A figure as printed, read in its unit: `92.6%`, `(1,234)`, `£1.2m`, `32.6% (395/1221)`, `-`, `New`, `c` ...

    Without a unit the number is read as printed. With one: money with a scale is
    converted into the unit (`£18.2m` is 18,200 in £000), a bare fraction up to 1
    of a percentage is a share (0.926 is 92.6), and a scale, £ or % that the unit
    cannot carry is refused. Money without a scale is read in `printed_in` (a
    council's budget_unit, e.g. `18.2` in £m is 18,200 in £000), else in the unit
    itself. `decimals` counts the printed decimal places in the unit, so money
    printed in a larger unit has fewer, down to negative: `£18.2m` and `18.2` in
    £m are -2 in £000. Never raises: an unreadable text has status
    'unparseable' and a reason.
    """
    stripped = (text or "").strip()
    if not stripped:
        return Figure(None, "blank")
    status = placeholder_status(stripped, markers)
    if status:
        return Figure(None, status)
    if is_excel_error(stripped):
        return Figure(None, "unparseable", reason="Excel error value")
    try:
        fig = _read_number(stripped)
        return _in_unit(fig, unit, printed_in) if unit is not None else replace(fig, number=_held(fig.number))
    except Unreadable as exc:
        return Figure(None, "unparseable", reason=exc.reason)


def _in_unit(fig: Figure, unit: Unit, printed_in: Unit | None = None) -> Figure:
    number, decimals = fig.number, fig.decimals
    if unit.pounds_per_unit:
        if fig.percent_sign:
            raise Unreadable(f"% in a money figure (the column is {unit.description})")
        # pounds as a power of ten: of the printed scale, else of the unit the amount is printed in
        if fig.scale:
            printed = SCALES[fig.scale]
        elif printed_in is not None and printed_in.pounds_per_unit:
            printed = printed_in.pounds_per_unit.adjusted()
        else:
            printed = unit.pounds_per_unit.adjusted()
        shift = printed - unit.pounds_per_unit.adjusted()
        number = number.scaleb(shift)
        decimals -= shift  # may go negative: 18.2 in £m is 18,200 in £000, printed to the nearest 100
    else:
        if fig.scale:
            raise Unreadable(f"a scale ({fig.scale}) is read only on money; this figure is {unit.name}")
        if fig.currency:
            raise Unreadable(f"£ on a figure that is not money ({unit.name})")
        if unit.name == "percentage" and not fig.percent_sign and 0 <= number <= 1 and fig.numerator is None:
            number, decimals = number * 100, max(0, decimals - 2)
    return replace(fig, number=_held(number), decimals=min(decimals, NUMBER_PLACES))


def parse_target(text: str) -> Decimal | None:
    """The number in a target as printed (`<180`, `95.0%`, `≥ 90%`, `<10% of cohort`); None if there is none."""
    stripped = _COMPARISON.sub("", (text or "").strip())
    try:
        return _held(_read_number(stripped).number) if stripped else None
    except Unreadable:
        return None


# National statistics: the DfE's open-data layout (explore-education-statistics). A
# figure is published as a plain number: an optional leading `-`, digits, and an
# optional `.` with digits after it (`82.3`, `-1.5`, `1200`); no thousands
# separators, no %, £ or brackets (the unit is in the metadata file). A figure
# not given is one of the DfE's symbols (national_statistics_symbols: c, x, z,
# low, [c] ...), matched whole, ignoring case and surrounding space: it has that
# symbol's status and never a number. Blank is blank. Anything else is refused
# naming what was seen. Numbers are held to 4 decimal places (decimal(18, 4)):
# more places are rounded half to even, as for every figure, except that a
# number that is not zero is never held as zero (refused: the DfE prints `low`).

_STATISTIC = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Statistic:
    """A published figure: 'reported' with its number and printed decimal places, 'blank', or a symbol's status."""

    status: str
    number: Decimal | None = None
    decimals: int | None = None


def read_statistic(text: str, symbols: dict[str, str] | None = None) -> Statistic:
    """A figure as the DfE publishes it: a plain number, a symbol (c, x, z, low ...) or blank.

    `symbols` maps each symbol, lower-cased, to its status (default: the national_statistics_symbols
    seed). A symbol is never read as a number. Raises Unreadable naming what was seen otherwise.
    """
    stripped = (text or "").strip()
    if not stripped:
        return Statistic("blank")
    status = (statistic_symbols() if symbols is None else symbols).get(stripped.lower())
    if status:
        return Statistic(status)
    if not _STATISTIC.fullmatch(stripped):
        raise Unreadable(_not_plain(stripped))
    integer, _, places = stripped.lstrip("-").partition(".")
    if len(integer.lstrip("0")) > NUMBER_DIGITS:
        raise Unreadable(f"more than {NUMBER_DIGITS} digits before the point: the marts hold figures "
                         f"up to {NUMBER_LIMIT - _QUANTUM:,}")  # fmt: skip
    number = Decimal(stripped)
    held = _held(number)
    if held == 0 and number != 0:
        raise Unreadable(f"a figure that is not zero but rounds to 0 at {NUMBER_PLACES} decimal places: "
                         "the warehouse holds figures to 4 places (the published layout prints low)")  # fmt: skip
    return Statistic("reported", held, min(len(places), NUMBER_PLACES))


def _not_plain(text: str) -> str:
    """Why a text is not a plain number in the published layout: what was seen."""
    plain = "the published layout prints plain numbers"
    if is_excel_error(text):
        return "an Excel error value: the published layout prints a number or a symbol (c, x, z ...)"
    if not re.search(r"[0-9]", text):
        return "not a number or a symbol of seeds/reference/national_statistics_symbols.csv"
    if re.fullmatch(r"-?[0-9]+,[0-9]{1,2}", text):
        return f"a decimal comma: {plain} with a decimal point (e.g. {text.replace(',', '.')})"
    checks = (
        (",", "a thousands separator"),
        ("%", "a per cent sign (the unit is in the metadata file)"),
        ("£", "a pound sign (the unit is in the metadata file)"),
        ("(", "brackets (a negative is printed with a leading -)"),
        (")", "brackets (a negative is printed with a leading -)"),
        ("+", "a plus sign"),
        ("\u2212", "a minus sign that is not - (U+2212)"),
    )
    for mark, what in checks:
        if mark in text:
            return f"{what}: {plain}"
    if re.search(r"[0-9][ \t" + _SPACES + r"]+[0-9]", text):
        return f"a space inside the number: {plain}"
    if re.search(r"[0-9][eE][-+]?[0-9]", text):
        return f"an exponent: {plain} in full"
    if re.fullmatch(r"-?\.[0-9]+", text):
        return f"no digit before the decimal point: {plain} (0.5, not .5)"
    if re.fullmatch(r"-?[0-9]+\.", text):
        return f"a decimal point with no digits after it: {plain}"
    if text.count(".") > 1:
        return f"more than one decimal point: {plain}"
    return f"text beside the number: {plain} (a figure not given is a symbol of national_statistics_symbols.csv)"


_TIME_PERIOD = re.compile(r"([0-9]{4})([0-9]{2})?")


def read_time_period(text: str, period_format: str | None = None) -> int:
    """A DfE time_period -> the year it ends in: `2023` (one year) is 2023, `202324` (two consecutive
    years: a financial or academic year) is 2024. With `period_format` (yyyy or yyyyyy, the time
    identifier's in national_time_identifiers) the period must have that form. Raises Unreadable."""
    t = (text or "").strip()
    m = _TIME_PERIOD.fullmatch(t)
    if not m:
        raise Unreadable("not a time period: a year (2023) or two consecutive years (202324)")
    start = int(m.group(1))
    if start < 1900:
        raise Unreadable(f"{start} is not a plausible year")
    if m.group(2) is not None and int(m.group(2)) != (start + 1) % 100:
        raise Unreadable(f"not two consecutive years: {m.group(2)} does not follow {start} "
                         f"(write {start}{(start + 1) % 100:02d})")  # fmt: skip
    form = "yyyyyy" if m.group(2) is not None else "yyyy"
    if period_format and form != period_format:
        raise Unreadable(f"a {form} period, but the time identifier's period_format is {period_format} "
                         "(seeds/reference/national_time_identifiers.csv)")  # fmt: skip
    return start + 1 if m.group(2) is not None else start


MAX_DECIMAL_PLACES = 10


def read_places(text: str) -> int | None:
    """A number of decimal places (the metadata's indicator_dp): a whole number 0-10; None for blank."""
    t = (text or "").strip()
    if not t:
        return None
    if not re.fullmatch(r"[0-9]+", t) or int(t) > MAX_DECIMAL_PLACES:
        raise Unreadable(f"not a whole number of decimal places from 0 to {MAX_DECIMAL_PLACES}")
    return int(t)


# Periods. Months: `Apr-17`, `April 2017`, `Sept-17`, `apr 17`, `2017-04`.
# Financial years (April to March): `2017/18`, `2017-18`, `2017/2018`. Quarters
# of the financial year: `Q3 2016/17`. Every period is held as the first day of
# its last month. `2011-12` reads as December 2011: write financial years with
# a slash when the years are 2011/12. Months outside the calendar in
# dbt_project.yml (calendar_start to calendar_end) are refused.

_MONTH_WORDS = {
    **{m[:3]: i for i, m in enumerate(calendar.month_name) if m},
    **{m.lower(): i for i, m in enumerate(calendar.month_name) if m},
    "sept": 9,
}
_MONTH_WORDS = {k.lower(): v for k, v in _MONTH_WORDS.items()}


def read_month(text: str) -> date:
    """A month as printed -> its first day; raises Unreadable naming what was seen."""
    t = " ".join((text or "").split())
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", t)
    if m:
        if not 1 <= int(m.group(2)) <= 12:
            raise Unreadable(f"month {m.group(2)} does not exist ({t})")
        return date(int(m.group(1)), int(m.group(2)), 1)
    m = re.fullmatch(r"([A-Za-z]+)\.?[ -]?'?([0-9]{2}|[0-9]{4})", t)
    if not m:
        raise Unreadable("not a month (Apr-17, April 2017 or 2017-04)")
    word = m.group(1).lower()
    if word not in _MONTH_WORDS:
        raise Unreadable(f"{m.group(1)!r} is not a month name (Apr, April, Sept ...)")
    year = int(m.group(2))
    return date(year + 2000 if len(m.group(2)) == 2 else year, _MONTH_WORDS[word], 1)


def read_period(text: str) -> tuple[date, str]:
    """A period as printed -> (first day of its last month, 'month' | 'quarter' | 'financial_year')."""
    t = " ".join((text or "").split())
    m = re.fullmatch(r"(?:[Qq]([1-4]) )?([0-9]{4}) ?([/-]) ?([0-9]{2}|[0-9]{4})", t)
    if m and (m.group(1) or m.group(3) == "/" or len(m.group(4)) == 4 or int(m.group(4)) > 12):
        start, end = int(m.group(2)), int(m.group(4))
        if end != (start + 1) % (100 if len(m.group(4)) == 2 else 10_000):
            if not m.group(1) and m.group(3) == "-" and len(m.group(4)) == 2:
                raise Unreadable(f"neither a month nor a financial year ({t}): a month is 01-12; "
                                 "a financial year's second year follows its first (2017-18)")  # fmt: skip
            raise Unreadable(f"not a financial year: {m.group(4)} does not follow {start} ({t})")
        if m.group(1):
            last = 3 + 3 * int(m.group(1))
            return (date(start, last, 1) if last <= 12 else date(start + 1, last - 12, 1)), "quarter"
        return date(start + 1, 3, 1), "financial_year"
    try:
        return read_month(t), "month"
    except Unreadable as exc:
        if re.match(r"[Qq][0-9]", t):
            raise Unreadable("not a quarter (Q1 to Q4 then the financial year, e.g. Q3 2016/17)") from None
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", t):
            raise Unreadable(f"neither a month nor a financial year ({t}): a month is 01-12; "
                             "a financial year's second year follows its first (2017-18)") from None  # fmt: skip
        if "not a month (" in exc.reason:
            raise Unreadable("not a month (Apr-17, 2017-04), quarter (Q3 2016/17) or year (2016/17)") from None
        raise


@cache
def calendar_range() -> tuple[date, date]:
    """The months dim_period covers: vars calendar_start and calendar_end in dbt_project.yml (one place)."""
    import yaml

    with (PROJECT_DIR / "dbt_project.yml").open(encoding="utf-8") as fh:
        variables = yaml.safe_load(fh)["vars"]
    return date.fromisoformat(str(variables["calendar_start"])), date.fromisoformat(str(variables["calendar_end"]))


def in_calendar(month: date) -> None:
    """Refuse a month outside the calendar the marts cover, naming the limits."""
    first, last = calendar_range()
    if not first <= month <= last:
        raise Unreadable(f"{month_label(month)} is outside the calendar ({month_label(first)} to {month_label(last)}; "
                         "calendar_start and calendar_end in dbt_project.yml)")  # fmt: skip


@cache
def parse_month(text: str) -> date | None:
    """`Apr-17`, `April 2017`, `Sept-17`, `2017-04` -> first of the month; None otherwise."""
    try:
        return read_month(text)
    except Unreadable:
        return None


@cache
def parse_period(text: str) -> tuple[date, str] | None:
    """A period as printed -> (first day of its last month, type); None if not a period."""
    try:
        return read_period(text)
    except Unreadable:
        return None


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
    """A cell's number as plain digits, never in exponent form (1e-05 is 0.00001)."""
    text = format(Decimal(repr(round(float(number), 9))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def normalise_percentage(text: str, markers: list[tuple[str, str, str]] | None = None) -> str:
    """A percentage written without `%`: 0.926 -> `92.6%` (fractions up to 1), 92.6 -> `92.6%`."""
    fig = parse_figure(text, markers)
    if fig.status != "reported" or fig.percent_sign or fig.numerator is not None:
        return text
    stripped = text.strip()
    rest = stripped[_FIGURE.match(stripped.replace("\u2212", "-")).end() :]
    number = fig.number * 100 if 0 <= fig.number <= 1 else fig.number
    return f"{_plain(number)}%{rest}"


def is_excel_error(text: str) -> bool:
    return (text or "").strip().upper() in EXCEL_ERRORS


def file_month(path: Path) -> date | None:
    """The month a file name declares, e.g. `indicator_values_SD004_2018-01.csv` -> 2018-01-01."""
    m = re.search(r"(?<![0-9])(20[0-9]{2})-(0[1-9]|1[0-2])(?![0-9])", path.name)
    return date(int(m.group(1)), int(m.group(2)), 1) if m else None
