"""Exports written at publish time, beside the published file, for people who do not write SQL.

    exports/
      manifest.json            the build id, published_at, and every file below with its rows and SHA-256
      parquet/<table>.parquet  every table of the published `marts` schema (Power BI, pandas, DuckDB)
      csv/<table>.csv          the same as CSV: UTF-8 with a BOM (for Excel), ISO dates, '.' decimals
      councils/<code>.xlsx     one formatted workbook per council: Scorecard, Budget, Workforce, Risks, Programme

Everything is read from the published file (only the marts), so the exports and
the file always hold the same build. `write_exports` fills an empty folder;
`scorecard.publish` builds that folder under a temporary name and swaps it into
place only once every file is written, so a failure leaves the previous exports
as they were.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from scorecard.settings import council_files

MARTS_SCHEMA = "marts"
MANIFEST_NAME = "manifest.json"
BOM = "\ufeff".encode()
CHUNK = 1 << 20

# RAG fills and text colours as in the reports (reports/components/RagBadge.svelte), so they keep WCAG AA
# contrast: white on #B91C1C is 6.5:1, #1F1F1F on #FBBF24 is 9.9:1, white on #15803D is 5.0:1.
RAG_COLOURS = {"Red": ("B91C1C", "FFFFFF"), "Amber": ("FBBF24", "1F1F1F"), "Green": ("15803D", "FFFFFF")}
# Budget assessments: the word in bold, coloured as the reports do (6.5:1 and 7.1:1 on white).
ASSESSMENT_COLOURS = {"adverse": "B91C1C", "favourable": "166534"}
HEADER_COLOURS = ("1F2937", "FFFFFF")  # white on dark grey: 14.7:1
NOTE_COLOUR = "4B5563"  # grey on white: 7.6:1
MONEY = "#,##0;(#,##0);0"  # £000, thousands separators, negatives in brackets as the packs print them
BUDGET_INDENT = {"directorate": 0, "subtotal": 1}  # budget lines are indented twice under their subtotal


def sql_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def fsync_dir(path: Path) -> None:
    """Make renames and new names in a folder durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [MARTS_SCHEMA]
        ).fetchall()
    ]


def write_exports(
    database: Path, folder: Path, build_id: str, published_at: datetime, database_name: str | None = None
) -> dict[str, Any]:
    """Write every export of `database` (a published file) into the empty `folder`; return the manifest.

    `database_name` is the name the file is published under (it is written under a temporary one).
    """
    folder = Path(folder)
    for sub in ("parquet", "csv", "councils"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    stamp = published_at.isoformat() + "Z"
    files: list[dict[str, Any]] = []
    with duckdb.connect(str(database), read_only=True) as con:
        for table in mart_tables(con):
            files.append(_parquet(con, table, folder, build_id, stamp))
            files.append(_csv(con, table, folder))
        files.extend(write_council_workbooks(council_sheets(con), folder / "councils", build_id, published_at))
    if council_files():
        files.extend(write_council_databases(database, folder / "councils"))
    database = Path(database)
    manifest = {
        "build_id": build_id,
        "published_at": stamp,
        "database": {
            "file": database_name or database.name,
            "bytes": database.stat().st_size,
            "sha256": sha256_of(database),
        },
        "files": files,
    }
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    fsync_file(path)
    for sub in ("parquet", "csv", "councils", "."):
        fsync_dir(folder / sub)
    return manifest


def _entry(path: Path, folder: Path, rows: int, sha256: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "path": path.relative_to(folder).as_posix(),
        **extra,
        "rows": rows,
        "bytes": path.stat().st_size,
        "sha256": sha256 or sha256_of(path),
    }


def _parquet(con: duckdb.DuckDBPyConnection, table: str, folder: Path, build_id: str, stamp: str) -> dict[str, Any]:
    """The table as Parquet (snappy, which Power BI reads), stamped with the build id in its key-value metadata."""
    path = folder / "parquet" / f"{table}.parquet"
    metadata = f"{{build_id: {sql_literal(build_id)}, published_at: {sql_literal(stamp)}}}"
    [(rows,)] = con.execute(
        f'copy (select * from {MARTS_SCHEMA}."{table}") to {sql_literal(path)} '
        f"(format parquet, compression snappy, kv_metadata {metadata})"
    ).fetchall()
    fsync_file(path)
    return _entry(path, folder, rows, format="parquet", table=f"{MARTS_SCHEMA}.{table}")


def _csv(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> dict[str, Any]:
    """The table as CSV: DuckDB writes it (ISO dates, '.' decimals); a BOM goes first so Excel reads UTF-8."""
    path = folder / "csv" / f"{table}.csv"
    plain = path.with_name(f".{path.name}.nobom")
    [(rows,)] = con.execute(
        f'copy (select * from {MARTS_SCHEMA}."{table}") to {sql_literal(plain)} '
        "(format csv, header true, delimiter ',', quote '\"')"
    ).fetchall()
    digest = hashlib.sha256(BOM)
    with plain.open("rb") as src, path.open("wb") as dst:
        dst.write(BOM)
        while block := src.read(CHUNK):
            digest.update(block)
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    plain.unlink()
    return _entry(path, folder, rows, digest.hexdigest(), format="csv", table=f"{MARTS_SCHEMA}.{table}")


# --------------------------------------------------------------------------------------------------------------
# Council workbooks


@dataclass(frozen=True)
class Column:
    header: str
    key: str | Callable[[dict[str, Any]], Any]
    kind: str = "text"  # text, wrap, month, measure, delta, percent, money, int, number, rag, assessment, yesno
    width: float = 14


@dataclass(frozen=True)
class SheetSpec:
    name: str
    title: str
    source: str
    note: str
    sql: str
    report_month: str  # the column whose latest value is the sheet's report month
    columns: tuple[Column, ...]
    freeze: str = "A5"


def _indicator_note(row: dict[str, Any]) -> str | None:
    notes = []
    if row.get("value_status") and row["value_status"] != "reported":
        notes.append(f"value {row['value_status']}")
    notes += [row.get("value_qualifier"), row.get("rag_not_computed_reason")]
    return "; ".join(n for n in notes if n) or None


SHEETS = (
    SheetSpec(
        "Scorecard",
        "scorecard",
        "marts.fct_scorecard_latest",
        "Each indicator's latest figure. Variance to target: positive is better than target, negative worse; "
        "for percentages it is in percentage points (pp).",
        f"""
        select * from {MARTS_SCHEMA}.fct_scorecard_latest
        order by organisation_code, service_area, regexp_extract(indicator_code, '^\\D*'),
            try_cast(regexp_extract(indicator_code, '(\\d+)', 1) as integer), indicator_code
        """,
        "reported_in",
        (
            Column("Indicator", "indicator_code", "text", 11),
            Column("Title", "indicator_title", "wrap", 50),
            Column("Service area", "service_area", "text", 20),
            Column("Period", "period_month", "month", 11),
            Column("Period label", "period_label", "text", 11),
            Column("Value", "value", "measure", 11),
            Column("Target", "target", "measure", 11),
            Column("RAG", "rag_status", "rag", 9),
            Column("Variance to target", "variance_to_target", "delta", 12),
            Column("Previous value", "previous_value", "measure", 11),
            Column("Previous RAG", "previous_rag_status", "rag", 10),
            Column("Direction", "direction", "text", 10),
            Column("Better or worse", "performance", "text", 12),
            Column("Polarity", "polarity", "text", 9),
            Column("Unit", "unit", "text", 13),
            Column("Frequency", "frequency", "text", 12),
            Column("Owner", "owner", "text", 12),
            Column("Notes", _indicator_note, "wrap", 40),
        ),
        freeze="B5",
    ),
    SheetSpec(
        "Budget",
        "budget outturn",
        "marts.fct_budget_outturn (latest report month)",
        "£000, as the report printed them (computed where it printed none). Variance is forecast outturn minus net "
        "budget: an overspend is positive, an underspend in brackets. Movement is the change in variance since the "
        "previous report.",
        f"""
        select * from {MARTS_SCHEMA}.fct_budget_outturn
        qualify report_month = max(report_month) over (partition by organisation_code)
        order by organisation_code, sort_order, service_code
        """,
        "report_month",
        (
            Column("Service", "service_name", "text", 36),
            Column("Code", "service_code", "text", 9),
            Column("Level", "service_level", "text", 11),
            Column("Gross budget £000", "gross_budget", "money", 12),
            Column("Net budget £000", "net_budget", "money", 12),
            Column("Forecast outturn £000", "forecast_outturn", "money", 12),
            Column("Variance £000", "variance", "money", 12),
            Column("Variance", "variance_assessment", "assessment", 12),
            Column("Variance % of net budget", "variance_pct_of_net_budget", "percent", 12),
            Column("Previous variance £000", "previous_variance", "money", 12),
            Column("Movement £000", "movement", "money", 12),
            Column("Movement", "movement_assessment", "assessment", 12),
            Column("Printed figures add up (within rounding)", "is_reconciled", "yesno", 14),
        ),
    ),
    SheetSpec(
        "Workforce",
        "workforce",
        "marts.fct_workforce_measure_period (latest 13 months)",
        "Each staffing measure the council reports, for the latest 13 months (the same month a year ago first), "
        "in the measure's unit; costs in £000. Movement is on the previous period of the same type (month, quarter "
        "or year) with a figure. Every period is in the CSV and Parquet exports.",
        f"""
        select * from {MARTS_SCHEMA}.fct_workforce_measure_period
        qualify period_month > max(period_month) over (partition by organisation_code) - interval 13 month
        order by organisation_code, sort_order, measure_code,
            case period_type when 'month' then 1 when 'quarter' then 2 else 3 end, period_month
        """,
        "reported_in",
        (
            Column("Measure", "measure_name", "wrap", 26),
            Column("Period", "period_month", "month", 11),
            Column("Period label", "period_label", "text", 11),
            Column("Financial year", "financial_year", "text", 10),
            Column("Value", "value", "measure", 11),
            Column("Previous value", "previous_value", "measure", 11),
            Column("Movement", "movement", "delta", 11),
            Column("Direction", "direction", "text", 10),
            Column("Better or worse", "performance", "text", 12),
            Column("Unit", "unit", "text", 13),
        ),
    ),
    SheetSpec(
        "Risks",
        "risk register",
        "marts.fct_risk (latest register)",
        "The latest register. Scores are likelihood x impact (1 to 25). "
        "Earlier registers are in the CSV and Parquet exports.",
        f"""
        select * from {MARTS_SCHEMA}.fct_risk
        qualify reported_in = max(reported_in) over (partition by organisation_code)
        order by organisation_code, risk_reference
        """,
        "reported_in",
        (
            Column("Reference", "risk_reference", "text", 11),
            Column("Risk", "risk_title", "wrap", 30),
            Column("Description", "risk_description", "wrap", 45),
            Column("Score before controls", "score_before_controls", "int", 10),
            Column("Band before", "band_before_controls", "text", 10),
            Column("Score after controls", "score_after_controls", "int", 10),
            Column("Band after", "band_after_controls", "text", 10),
            Column("Reduction", "score_reduction", "int", 10),
            Column("Reduction %", "score_reduction_pct", "percent", 10),
            Column("Controls", "controls", "wrap", 40),
            Column("Owner", "owner_role", "wrap", 22),
            Column("Opened", "date_opened", "month", 11),
            Column("Notes", "notes", "wrap", 30),
        ),
    ),
    SheetSpec(
        "Programme",
        "programme milestones",
        "marts.fct_programme_milestone (latest plan)",
        "The latest plan. Earlier plans are in the CSV and Parquet exports.",
        f"""
        select * from {MARTS_SCHEMA}.fct_programme_milestone
        qualify reported_in = max(reported_in) over (partition by organisation_code)
        order by organisation_code, project_name, plan_month, milestone
        """,
        "reported_in",
        (
            Column("Project", "project_name", "wrap", 30),
            Column("Project RAG", "project_rag", "rag", 10),
            Column("Month", "plan_month", "month", 11),
            Column("Financial year", "financial_year", "text", 10),
            Column("Phase", "phase", "text", 14),
            Column("Milestone", "milestone", "wrap", 45),
            Column("Decision required", "decision_required", "yesno", 10),
            Column("Decision", "decision", "wrap", 30),
            Column("Notes", "notes", "wrap", 30),
        ),
    ),
)


def _decimals(value: Decimal | float) -> int:
    if not isinstance(value, Decimal):
        value = Decimal(repr(value))
    exponent = value.normalize().as_tuple().exponent
    return min(max(-exponent, 0), 3) if isinstance(exponent, int) else 0


def _digits(decimals: int) -> str:
    return "." + "0" * decimals if decimals else ""


def _measure(value: Any, unit: str | None, signed: bool = False) -> tuple[Any, str | None]:
    """A figure in its indicator's unit: percentages as Excel percentages (86 -> 0.86, shown 86%)."""
    if value is None:
        return None, None
    decimals = _decimals(value)
    if unit == "percentage" and not signed:
        return float(Decimal(value) / 100), f"0{_digits(decimals)}%"
    if unit == "gbp_thousands":
        money = f'"£"#,##0{_digits(decimals)}"k"'
        return float(value), (f"+{money};-{money};0" if signed else f"{money};({money})")
    number = f"#,##0{_digits(decimals)}"
    if signed:
        suffix = '" pp"' if unit == "percentage" else ""
        return float(value), f"+{number}{suffix};-{number}{suffix};0{suffix}"
    return float(value), number


class _Styles:
    """Styles for one workbook. Each distinct combination is looked up in the workbook once and then copied
    (cell._style, as openpyxl's own copy of a worksheet does): with tens of thousands of cells, hashing the
    style objects for every cell would be most of the time taken."""

    def __init__(self) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.fonts = {
            "title": Font(bold=True, size=14),
            "note": Font(italic=True, color=NOTE_COLOUR),
            "header": Font(bold=True, color=HEADER_COLOURS[1]),
            "bold": Font(bold=True),
            **{f"rag:{word}": Font(bold=True, color=text) for word, (_, text) in RAG_COLOURS.items()},
            **{f"assessment:{word}": Font(bold=True, color=colour) for word, colour in ASSESSMENT_COLOURS.items()},
        }
        self.fills = {
            "header": PatternFill("solid", fgColor=HEADER_COLOURS[0]),
            **{f"rag:{word}": PatternFill("solid", fgColor=fill) for word, (fill, _) in RAG_COLOURS.items()},
        }
        self.alignments = {
            "header": Alignment(wrap_text=True, vertical="center"),
            "wrap": Alignment(wrap_text=True, vertical="top"),
            "top": Alignment(vertical="top"),
            **{f"indent:{level}": Alignment(indent=level, vertical="top") for level in range(4)},
        }
        self.borders = {"header": Border(bottom=Side(style="thin", color="000000"))}
        self._arrays: dict[tuple, Any] = {}

    def cell(self, ws, value: Any, fmt: str | None = None, font=None, fill=None, alignment=None, border=None):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(ws, value=value)
        key = (fmt, font, fill, alignment, border)
        array = self._arrays.get(key)
        if array is None:
            if fmt:
                cell.number_format = fmt
            if font:
                cell.font = self.fonts[font]
            if fill:
                cell.fill = self.fills[fill]
            if alignment:
                cell.alignment = self.alignments[alignment]
            if border:
                cell.border = self.borders[border]
            self._arrays[key] = copy(cell._style)
        else:
            cell._style = copy(array)
        return cell


def _cell(ws, styles: _Styles, column: Column, row: dict[str, Any], emphasis: bool = False):
    raw = column.key(row) if callable(column.key) else row.get(column.key)
    if raw is None:
        return None
    kind, fmt, value, font, fill = column.kind, None, raw, "bold" if emphasis else None, None
    if kind == "month":
        fmt = "mmm yyyy"
    elif kind in ("measure", "delta"):
        value, fmt = _measure(raw, row.get("unit"), signed=kind == "delta")
    elif kind == "percent":
        value, fmt = float(raw) / 100, f"0{_digits(max(1, min(_decimals(raw), 2)))}%"
    elif kind == "money":
        value, fmt = float(raw), MONEY
    elif kind == "int":
        value, fmt = float(raw) if isinstance(raw, Decimal) else raw, "#,##0"
    elif kind == "number":
        value, fmt = float(raw), "#,##0.0#"
    elif kind == "yesno":
        value = "Yes" if raw else "No"
    elif kind == "rag" and raw in RAG_COLOURS:
        font = fill = f"rag:{raw}"
    elif kind == "assessment" and raw in ASSESSMENT_COLOURS:
        font = f"assessment:{raw}"
    if kind == "wrap":
        alignment = "wrap"
    elif column.key == "service_name":
        alignment = f"indent:{BUDGET_INDENT.get(row.get('service_level'), 2)}"
    else:
        alignment = "top"
    return styles.cell(ws, value, fmt, font, fill, alignment)


def _write_sheet(wb, styles: _Styles, spec: SheetSpec, council: str, name: str, rows: list[dict], build, published):
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(spec.name)
    for i, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = spec.freeze
    ws.sheet_view.zoomScale = 90
    ws.print_title_rows = "4:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    months = [r[spec.report_month] for r in rows if r.get(spec.report_month)]
    when = f"report month {max(months):%B %Y}" if months else "nothing reported"
    ws.append([styles.cell(ws, f"{name} ({council}): {spec.title}, {when}", font="title")])
    note = f"Build {build}, published {published:%d %B %Y %H:%M} UTC, from {spec.source}. {spec.note}"
    ws.append([styles.cell(ws, note, font="note")])
    ws.append([])
    ws.append([styles.cell(ws, c.header, None, "header", "header", "header", "header") for c in spec.columns])
    for row in rows:
        emphasis = row.get("service_level") in ("directorate", "subtotal")
        ws.append([_cell(ws, styles, column, row, emphasis) for column in spec.columns])
    if not rows:
        ws.append([f"Nothing for {council} in {spec.source}."])
    last = get_column_letter(len(spec.columns))
    ws.auto_filter.ref = f"A4:{last}{4 + max(len(rows), 1)}"


def _rows_by_council(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[dict[str, Any]]]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for values in result.fetchall():
        row = dict(zip(names, values, strict=True))
        grouped[row["organisation_code"]].append(row)
    return grouped


def _file_name(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", code) + ".xlsx"


def write_council_workbook(
    path: Path, council: str, name: str, sheets: Iterable[tuple[SheetSpec, list[dict]]], build_id: str, published_at
) -> dict[str, int]:
    """One council's workbook: a formatted sheet per spec. Returns the data rows written per sheet."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wb.properties.title = f"{name} ({council}): children's services scorecard"
    wb.properties.subject = f"Build {build_id}"
    wb.properties.keywords = build_id
    wb.properties.creator = "council-scorecard"
    styles = _Styles()
    counts = {}
    for spec, rows in sheets:
        _write_sheet(wb, styles, spec, council, name, rows, build_id, published_at)
        counts[spec.name] = len(rows)
    wb.save(path)
    fsync_file(path)
    return counts


Council = tuple[str, str, list[tuple[SheetSpec, list[dict[str, Any]]]]]  # code, name, the rows of each sheet


def council_sheets(con: duckdb.DuckDBPyConnection) -> list[Council]:
    """Every council's rows for its workbook, from the small marts only (each read once for every council)."""
    names = dict(
        con.execute(f"select organisation_code, organisation_name from {MARTS_SCHEMA}.dim_organisation").fetchall()
    )
    data = [(spec, _rows_by_council(con, spec.sql)) for spec in SHEETS]
    codes = sorted(set(names) | {code for _, grouped in data for code in grouped})
    return [
        (code, names.get(code) or code, [(spec, grouped.get(code, [])) for spec, grouped in data]) for code in codes
    ]


def write_council_databases(database: Path, folder: Path) -> list[dict[str, Any]]:
    """Each council's own DuckDB file in `folder`, `<code>.duckdb`, for councils sharing one warehouse.

    Every mart with an `organisation_code` column holds that council's rows only; marts without
    one (every authority's national benchmark figures, the calendar, the build stamp) are public
    and copied whole. Its manifest entry counts the council's rows in every mart.
    """
    entries = []
    with duckdb.connect() as con:
        con.execute(f"attach {sql_literal(database)} as published (read_only)")
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'published' "
            "and table_schema = ? order by 1", [MARTS_SCHEMA]).fetchall()]  # fmt: skip
        by_council = {t for (t,) in con.execute(
            "select table_name from information_schema.columns where table_catalog = 'published' "
            "and table_schema = ? and column_name = 'organisation_code'", [MARTS_SCHEMA]).fetchall()}  # fmt: skip
        organisations = f"published.{MARTS_SCHEMA}.dim_organisation"
        codes = [c for (c,) in con.execute(f"select organisation_code from {organisations} order by 1").fetchall()]
        for code in codes:
            path = folder / _file_name(code).replace(".xlsx", ".duckdb")
            path.unlink(missing_ok=True)
            con.execute(f"attach {sql_literal(path)} as council")
            try:
                con.execute(f"create schema council.{MARTS_SCHEMA}")
                counts = {}
                for table in tables:
                    own = table in by_council
                    con.execute(
                        f'create table council.{MARTS_SCHEMA}."{table}" as select * from '
                        f'published.{MARTS_SCHEMA}."{table}"' + (" where organisation_code = ?" if own else ""),
                        [code] if own else [],
                    )
                    [(counts[table],)] = con.execute(
                        f'select count(*) from council.{MARTS_SCHEMA}."{table}"'
                    ).fetchall()
                con.execute("checkpoint council")
            finally:
                con.execute("detach council")
            fsync_file(path)
            entries.append(_entry(path, folder.parent, sum(counts.values()), format="duckdb",
                                  organisation_code=code, tables=counts))  # fmt: skip
    return entries


def write_council_workbooks(
    councils: list[Council], folder: Path, build_id: str, published_at: datetime
) -> list[dict[str, Any]]:
    """A workbook per council in `folder`; their manifest entries."""
    entries = []
    for code, name, sheets in councils:
        path = folder / _file_name(code)
        counts = write_council_workbook(path, code, name, sheets, build_id, published_at)
        entries.append(
            _entry(path, folder.parent, sum(counts.values()), format="xlsx", organisation_code=code, sheets=counts)
        )
    return entries


def read_manifest(folder: Path) -> dict[str, Any]:
    return json.loads((Path(folder) / MANIFEST_NAME).read_text(encoding="utf-8"))


def check_exports(folder: Path) -> list[str]:
    """Compare every file with the manifest: the problems found (none when the folder is complete)."""
    folder = Path(folder)
    problems = []
    for item in read_manifest(folder)["files"]:
        path = folder / item["path"]
        if not path.exists():
            problems.append(f"{item['path']}: missing")
        elif sha256_of(path) != item["sha256"]:
            problems.append(f"{item['path']}: SHA-256 differs from the manifest")
    return problems
