"""Write wide scorecard workbooks like the councils' packs (used for examples, tests and benchmarks).

Layout, as in the January 2018 pack (004): a title row, the organisation and
report month declared above the table, a merged heading, then one row per
indicator with its polarity, one column per month, target, owner, RAG and RAG
methodology. One sheet per service area. Percentages are written as numbers
with a percent format, months as dates, as Excel users keep them.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from scorecard.values import indicator_units, parse_figure, parse_month, parse_period


def _cell_value(text: str, unit: str | None):
    """A printed figure as Excel would hold it: 92.6% -> 0.926 with a % format."""
    fig = parse_figure(text)
    if fig.status != "reported" or text.strip() != text or fig.numerator is not None:
        return text, None
    stripped = text.strip()
    if fig.percent_sign and stripped.endswith("%"):
        decimals = len(stripped[:-1].split(".")[1]) if "." in stripped else 0
        return fig.number / 100, "0." + "0" * decimals + "%" if decimals else "0%"
    if stripped.replace(".", "", 1).lstrip("-").isdigit():
        return fig.number if "." in stripped else int(fig.number), None
    return text, None


def write_wide_indicator_workbook(long_csv: Path, out: Path, service_areas: dict[str, str] | None = None) -> Path:
    """Turn a long indicator_values extract (one pack) into a wide workbook."""
    from openpyxl import Workbook

    with long_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    organisation = rows[0]["organisation_code"]
    reported_in = parse_month(rows[0]["reported_in"])
    units = indicator_units()
    months = sorted({parse_period(r["period"])[0] for r in rows})
    by_indicator: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_indicator[r["indicator_code"]].append(r)
    areas: dict[str, list[str]] = defaultdict(list)
    for code in by_indicator:
        areas[(service_areas or {}).get(code, "Indicators")].append(code)
    workbook = Workbook()
    workbook.remove(workbook.active)
    cover = workbook.create_sheet("Cover")
    cover["A1"] = "Children's improvement scorecard"
    cover["A2"] = "This workbook's tables are on the sheets that follow."
    for area, codes in areas.items():
        sheet = workbook.create_sheet(area[:31])
        sheet["A1"] = f"{area} - scorecard"
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        sheet["A2"], sheet["B2"] = "Organisation", organisation
        sheet["A3"], sheet["B3"] = "Reported in", date(reported_in.year, reported_in.month, 1)
        sheet["B3"].number_format = "mmm-yy"
        header = ["Indicator Number", "Indicator Title", "Polarity", *months,
                  "2017-18 Target", "Target Owner", "RAG", "RAG Methodology", "Notes"]  # fmt: skip
        for col, text in enumerate(header, start=1):
            cell = sheet.cell(row=5, column=col, value=text)
            if isinstance(text, date):
                cell.number_format = "mmm-yy"
        for offset, code in enumerate(codes, start=6):
            cells = {parse_period(r["period"])[0]: r for r in by_indicator[code]}
            first = by_indicator[code][0]
            rag = next((r["reported_rag"] for r in by_indicator[code] if r["reported_rag"]), "")
            sheet.cell(row=offset, column=1, value=code)
            sheet.cell(row=offset, column=3, value=first["polarity_as_printed"] or None)
            for i, month in enumerate(months, start=4):
                text = cells[month]["value"] if month in cells else ""
                value, fmt = _cell_value(text, units.get(code))
                cell = sheet.cell(row=offset, column=i, value=value if value != "" else None)
                if fmt:
                    cell.number_format = fmt
            base = 4 + len(months)
            sheet.cell(row=offset, column=base, value=first["target_as_printed"] or None)
            sheet.cell(row=offset, column=base + 2, value=rag or None)
            sheet.cell(row=offset, column=base + 3, value=first["rag_methodology_as_printed"] or None)
            sheet.cell(row=offset, column=base + 4, value=first["notes"] or None)
    workbook.save(out)
    return out
