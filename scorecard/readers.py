"""Read extract files into tables of text: CSV or Excel, long or wide layout.

A file becomes one or more `Table`s (one per sheet that holds a table), each a
list of rows of contract columns as text, with the sheet and row number every
value came from, so that any problem can be reported by file, sheet, row and
column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from scorecard.contracts import (
    PERSONAL_DATA_HEADER_PATTERNS,
    WIDE_HEADER_ALIASES,
    WIDE_ROW_KEY_HEADERS,
    WIDE_TARGET_PREFIX,
    ExtractContract,
)
from scorecard.values import cell_text, is_excel_error, measure_names, parse_month

# Headings a wide sheet may carry that the warehouse takes from its reference data instead.
WIDE_IGNORED_HEADERS = {
    "indicator title",
    "title",
    "indicator",
    "description",
    "target owner",
    "owner",
    "unit",
}
DECLARATION_LABELS = {
    "organisation_code": (
        "organisation",
        "organisation code",
        "organisation_code",
        "council",
        "council code",
    ),
    "reported_in": ("reported in", "reported_in", "report month", "report_month", "month of report"),
}


class FileProblem(Exception):
    """A problem that stops a file being read at all."""

    def __init__(self, reason: str, sheet: str | None = None, row: int | None = None, column: str | None = None):
        super().__init__(reason)
        self.reason, self.sheet, self.row, self.column = reason, sheet, row, column


@dataclass
class Cell:
    text: str
    is_error: bool = False


@dataclass
class Grid:
    sheet: str | None
    rows: list[tuple[int, list[Cell]]]


@dataclass
class Row:
    values: dict[str, str]
    sheet: str | None
    row_number: int
    # Where each contract column's value came from (wide layouts: the month's heading).
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    sheet: str | None
    layout: str  # 'long' or 'wide'
    header_row: int
    headers: list[str]
    rows: list[Row]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[_\W]+", " ", text or "").strip().lower())


def read_grids(path: Path) -> list[Grid]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_read_csv_grid(path)]
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx_grids(path)
    raise FileProblem(f"unsupported file type {suffix!r}: use .csv or .xlsx")


def _read_csv_grid(path: Path) -> Grid:
    raw = path.read_bytes()
    if not raw.strip():
        raise FileProblem("file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict")
    if "\x00" in text:
        raise FileProblem("file is not text (it contains NUL bytes)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for record in reader:
            rows.append((reader.line_num, [Cell(v, is_excel_error(v)) for v in record]))
    except csv.Error as exc:
        raise FileProblem(f"broken CSV: {exc}", row=reader.line_num + 1) from None
    return Grid(None, rows)


def _read_xlsx_grids(path: Path) -> list[Grid]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or password-protected workbook
        raise FileProblem(f"cannot open workbook: {exc}") from None
    grids = []
    try:
        for sheet in workbook.worksheets:
            rows = []
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                out = []
                for cell in cells:
                    value = getattr(cell, "value", None)
                    fmt = getattr(cell, "number_format", "General")
                    error = getattr(cell, "data_type", None) == "e" or (
                        isinstance(value, str) and is_excel_error(value)
                    )
                    out.append(Cell(cell_text(value, fmt), error))
                rows.append((number, out))
            grids.append(Grid(sheet.title, rows))
    finally:
        workbook.close()
    return grids


def check_personal_data(headers: list[str], sheet: str | None, row: int) -> None:
    for header in headers:
        norm = _norm(header)
        if norm and any(re.search(p, norm) for p in PERSONAL_DATA_HEADER_PATTERNS):
            raise FileProblem(
                "column looks like a personal identifier; the warehouse holds aggregate figures only",
                sheet,
                row,
                header,
            )


def find_tables(grids: list[Grid], contract: ExtractContract) -> list[Table]:
    """Tables in a file's sheets, long or wide. Sheets without a table (cover, notes) are skipped."""
    tables = []
    for grid in grids:
        table = _find_long(grid, contract) or _find_wide(grid, contract)
        if table:
            tables.append(table)
    if not tables:
        if not any(any(c.text.strip() for c in cells) for g in grids for _, cells in g.rows):
            raise FileProblem("file is empty")
        expected = ", ".join(contract.column_names)
        raise FileProblem(f"no table with the {contract.name} columns found (expected: {expected})")
    return tables


def _find_long(grid: Grid, contract: ExtractContract) -> Table | None:
    names = set(contract.column_names)
    required = {c.name for c in contract.columns if c.required}
    for index, (number, cells) in enumerate(grid.rows[:30]):
        headers = [c.text.strip().lstrip("\ufeff") for c in cells]
        present = {h for h in headers if h in names}
        # A header row names at least half the contract's columns, the required ones among them
        # (renamed or missing ones are reported as such, not taken for a title row).
        if len(present) * 2 < len(names) or not (required & present):
            continue
        check_personal_data(headers, grid.sheet, number)
        _check_long_headers(headers, contract, grid.sheet, number)
        width = len(headers)
        while width and not headers[width - 1]:
            width -= 1
        rows = []
        for row_number, row_cells in grid.rows[index + 1 :]:
            texts = [c.text for c in row_cells]
            if not any(t.strip() for t in texts):
                continue
            if grid.sheet is None and len(row_cells) != len(cells):
                raise FileProblem(f"row has {len(row_cells)} cells, header has {len(cells)}", grid.sheet, row_number)
            if any(t.strip() for t in texts[width:]):
                raise FileProblem("values beyond the last heading", grid.sheet, row_number)
            for cell, header in zip(row_cells, headers, strict=False):
                if cell.is_error:
                    raise FileProblem(f"Excel error value {cell.text}", grid.sheet, row_number, header)
            values = {h: (texts[i] if i < len(texts) else "") for i, h in enumerate(headers[:width]) if h}
            rows.append(Row(values, grid.sheet, row_number))
        return Table(grid.sheet, "long", number, headers[:width], rows)
    return None


def _check_long_headers(headers: list[str], contract: ExtractContract, sheet: str | None, row: int) -> None:
    expected = contract.column_names
    seen = set()
    for header in headers:
        if not header:
            continue
        if header in seen:
            raise FileProblem("duplicated column", sheet, row, header)
        seen.add(header)
        if header not in expected:
            raise FileProblem(f"unexpected column (expected: {', '.join(expected)})", sheet, row, header)
    for name in expected:
        if name not in seen:
            raise FileProblem("missing column", sheet, row, name)


def _find_wide(grid: Grid, contract: ExtractContract) -> Table | None:
    keys = WIDE_ROW_KEY_HEADERS.get(contract.name)
    if not keys:
        return None
    declared: dict[str, str] = {}
    for index, (number, cells) in enumerate(grid.rows[:30]):
        texts = [c.text.strip() for c in cells]
        norms = [_norm(t) for t in texts]
        _collect_declarations(texts, norms, declared)
        key_at = next((i for i, n in enumerate(norms) if n in keys), None)
        months = [i for i, t in enumerate(texts) if parse_month(t)]
        if key_at is None or not months:
            continue
        check_personal_data(texts, grid.sheet, number)
        return _wide_table(grid, contract, index, number, texts, key_at, months, declared)
    return None


def _collect_declarations(texts: list[str], norms: list[str], declared: dict[str, str]) -> None:
    for i, norm in enumerate(norms):
        for column, labels in DECLARATION_LABELS.items():
            if norm in labels:
                value = next((t for t in texts[i + 1 :] if t), "")
                if value:
                    declared[column] = value


def _wide_table(grid, contract, index, number, texts, key_at, months, declared) -> Table:
    sheet = grid.sheet
    for column in ("organisation_code", "reported_in"):
        if column not in declared:
            raise FileProblem(
                f"wide sheet does not declare {column} above its header "
                f"(a row such as '{DECLARATION_LABELS[column][0].title()} | value')",
                sheet,
                number,
            )
    aliases = WIDE_HEADER_ALIASES[contract.name]
    roles: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, text in enumerate(texts):
        norm = _norm(text)
        if i == key_at or not norm:
            continue
        if i in months:
            role = "month:" + text
        elif norm in aliases:
            role = aliases[norm]
        elif WIDE_TARGET_PREFIX in norm and "owner" not in norm:
            role = "target_as_printed"
        elif norm in WIDE_IGNORED_HEADERS:
            continue
        else:
            raise FileProblem("unexpected column in wide layout", sheet, number, text)
        if role in seen:
            raise FileProblem("duplicated column", sheet, number, text)
        seen[role] = i
        roles[i] = role
    measure_lookup = measure_names() if contract.name == "workforce" else None
    rows: list[Row] = []
    for row_number, cells in grid.rows[index + 1 :]:
        cell_texts = [c.text for c in cells]
        key = cell_texts[key_at].strip() if key_at < len(cell_texts) else ""
        if not key:
            # a blank row, a section heading (e.g. WORKFORCE), or figures without a code
            if sum(bool(t.strip()) for t in cell_texts) > 1:
                raise FileProblem("row has figures but no code", sheet, row_number, texts[key_at])
            continue
        for i, cell in enumerate(cells):
            if cell.is_error:
                raise FileProblem(
                    f"Excel error value {cell.text}", sheet, row_number, texts[i] if i < len(texts) else None
                )
        for i, t in enumerate(cell_texts):
            if t.strip() and i not in roles and i != key_at and (i >= len(texts) or not _norm(texts[i])):
                raise FileProblem("values under a column with no heading", sheet, row_number)
        attrs = {role: cell_texts[i] if i < len(cell_texts) else "" for i, role in roles.items() if ":" not in role}
        month_cols = [(i, role.split(":", 1)[1]) for i, role in roles.items() if role.startswith("month:")]
        with_value = [i for i, _ in month_cols if i < len(cell_texts) and cell_texts[i].strip()]
        rated = with_value[-1] if with_value else month_cols[-1][0]
        for i, month in month_cols:
            values = {
                "organisation_code": declared["organisation_code"],
                "period": month,
                "value": cell_texts[i] if i < len(cell_texts) else "",
                "reported_in": declared["reported_in"],
                "notes": attrs.get("notes", ""),
            }
            if contract.name == "indicator_values":
                values.update(
                    indicator_code=key,
                    reported_rag=attrs.get("reported_rag", "") if i == rated else "",
                    polarity_as_printed=attrs.get("polarity_as_printed", ""),
                    target_as_printed=attrs.get("target_as_printed", ""),
                    rag_methodology_as_printed=attrs.get("rag_methodology_as_printed", ""),
                )
            else:
                values["measure_code"] = measure_lookup.get(key.lower(), key)
            rows.append(Row({c: values.get(c, "") for c in contract.column_names}, sheet, row_number, {"value": month}))
    return Table(sheet, "wide", number, texts, rows)
