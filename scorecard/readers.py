"""Read extract files into tables of text: CSV or Excel, long or wide layout.

A file becomes one or more `Table`s (one per sheet that holds a table), each a
list of rows of contract columns as text, with the sheet and row number every
value came from, so that any problem can be reported by file, sheet, row and
column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

from scorecard.contracts import (
    NATIONAL_COMPUTED_COLUMNS,
    NATIONAL_METADATA_COLUMNS,
    NATIONAL_METADATA_SUFFIX,
    PERSONAL_DATA_HEADER_PATTERNS,
    WIDE_HEADER_ALIASES,
    WIDE_ROW_KEY_HEADERS,
    WIDE_TARGET_PREFIX,
    ExtractContract,
)
from scorecard.values import Unreadable, cell_text, is_excel_error, measure_names, parse_period, read_places

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
# Limits checked before a workbook is unpacked (tests patch them small).
MB = 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * MB  # all the zip's members together, as their headers declare
MAX_COMPRESSION_RATIO = 100  # a member unpacking to more than 100 times its packed size ...
RATIO_CHECK_MIN_BYTES = 10 * MB  # ... is refused when it unpacks to more than this
MAX_SHEET_ROWS = 1_048_576  # Excel's own maximum
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook or an old .xls
FORMULA_SHOWN = 40  # characters of a formula quoted in a reason
# A well-formed multi-byte UTF-8 sequence: one is enough to say a file was meant as UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
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
    """A problem that stops a file being read at all.

    `file` names another file than the one read when the problem is there (a national statistics
    file's metadata file); `value` is the text at fault, if any.
    """

    def __init__(
        self,
        reason: str,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
        file: str | None = None,
    ):
        super().__init__(reason)
        self.reason, self.sheet, self.row, self.column = reason, sheet, row, column
        self.value, self.file = value, file


class FileProblems(FileProblem):
    """Several problems that each stop a file being read: all are reported, one per issue."""

    def __init__(self, problems: list[FileProblem]):
        first = problems[0]
        super().__init__(first.reason, first.sheet, first.row, first.column, first.value, first.file)
        self.problems = problems


@dataclass
class Cell:
    text: str
    is_error: bool = False


@dataclass
class Grid:
    sheet: str | None
    rows: list[tuple[int, list[Cell]]]
    # A hidden or very hidden sheet: skipped, not read (its rows are empty); kept so callers can say so.
    hidden: bool = False


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
    layout: str  # 'long', 'wide' or 'melted' (a national statistics file: one row per indicator column)
    header_row: int
    headers: list[str]
    rows: list[Row]


# Columns of a wide indicator row printed once for the indicator (they hold for every
# period on the row) and columns printed for the latest period with a figure only.
WIDE_ROW_COLUMNS = (
    "polarity_as_printed",
    "target_as_printed",
    "rag_methodology_as_printed",
    "contract_measure_as_printed",
)
WIDE_LATEST_PERIOD_COLUMNS = (
    "reported_rag",
    "direction_as_printed",
    "national_quartile_as_printed",
    "national_figure_as_printed",
    "neighbour_figure_as_printed",
)


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
    text = _decode_csv(raw)
    if not text.strip():
        raise FileProblem("file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[Cell]]] = []
    ended = 0  # the line the previous row ended on
    try:
        for record in reader:
            # a row is numbered by the line it starts on: a quoted value with line breaks (commentary) spans
            # several lines, and the next row starts after them
            rows.append((ended + 1, [Cell(v, is_excel_error(v)) for v in record]))
            ended = reader.line_num
    except csv.Error as exc:
        raise FileProblem(f"broken CSV: {exc}", row=reader.line_num + 1) from None
    return Grid(None, rows)


def _decode_csv(raw: bytes) -> str:
    """A CSV's text: UTF-8 (with or without BOM), UTF-16 with BOM, or a genuine Windows-1252 file.

    A file that is UTF-8 apart from a few bytes is refused, never re-read as Windows-1252
    (which would turn every £ into Â£).
    """
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            body = raw[len(bom) :]
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as exc:
                offset = len(bom) + exc.start
                line = _line_of(body[: exc.start - exc.start % 2].decode(codec))
                bad = " ".join(f"0x{b:02X}" for b in body[exc.start : exc.end])
                raise FileProblem(
                    f"not valid {codec.upper()} at byte {offset} ({bad}): the file starts with a UTF-16 "
                    "byte-order mark but is not UTF-16 from here; save it again as UTF-8",
                    row=line,
                ) from None
            if "\x00" in text:
                raise FileProblem("file is not text (it contains NUL bytes)")
            return text
    if b"\x00" in raw:
        raise FileProblem("file is not text (it contains NUL bytes)")
    has_bom = raw.startswith(codecs.BOM_UTF8)
    skip = len(codecs.BOM_UTF8) if has_bom else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
    multibyte = _UTF8_MULTIBYTE.search(raw, skip) is not None  # the BOM itself does not count
    if has_bom or multibyte:
        why = (
            "the file is UTF-8 apart from this byte"
            if multibyte
            else "the file starts with a UTF-8 byte-order mark but this byte is not UTF-8"
        )
        raise FileProblem(
            f"not valid UTF-8 at byte {offset} (0x{raw[offset]:02X}): {why}; save it again as UTF-8",
            row=_line_of(raw[:offset].decode("utf-8", errors="replace")),
        )
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileProblem(
            f"not valid UTF-8 or Windows-1252 at byte {exc.start} (0x{raw[exc.start]:02X}): "
            "the encoding cannot be told; save it again as UTF-8",
            row=_line_of(raw[: exc.start].decode("cp1252", errors="replace")),
        ) from None


def _line_of(text_before: str) -> int:
    """The line (as the csv module numbers them: CRLF, LF or CR ends a line) a position falls on."""
    return len(_LINE_BREAK.findall(text_before)) + 1


def _read_xlsx_grids(path: Path) -> list[Grid]:
    try:
        _check_workbook_container(path)
        return _read_workbook(path)
    except FileProblem:
        raise
    except Exception as exc:  # a damaged workbook: any error from zipfile, XML or openpyxl
        raise FileProblem(f"cannot read workbook: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    """An exception as `Class: first line of its message`, printable and not too long."""
    lines = str(exc).strip().splitlines()
    message = _printable(lines[0].strip() if lines else "")
    if len(message) > 200:
        message = message[:197] + "..."
    name = type(exc).__name__
    if name == "error":  # zlib.error, struct.error ...
        name = f"{type(exc).__module__}.{name}"
    return f"{name}: {message}" if message else name


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _check_workbook_container(path: Path) -> None:
    """Refuse, before anything is unpacked, what is not an .xlsx or would unpack out of all proportion."""
    with path.open("rb") as fh:
        head = fh.read(len(OLE_MAGIC))
    if not head:
        raise FileProblem("file is empty")
    if head == OLE_MAGIC:
        raise FileProblem("workbook is encrypted or in the old .xls format: save it as an unprotected .xlsx")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, or NotImplementedError and others for a damaged directory
        if head.startswith(b"PK"):  # begins like a zip: cut short or damaged in transfer
            raise FileProblem(
                f"cannot read workbook: {_one_line(exc)} (it begins like an .xlsx but is damaged or cut short; "
                "land it again)"
            ) from None
        raise FileProblem("not an Excel workbook (.xlsx is a zip file; this file is not): save it as .xlsx") from None
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        largest = max(members, key=lambda m: m.file_size)
        raise FileProblem(
            f"workbook unpacks to {_size(total)}, over the limit of {_size(MAX_XLSX_UNCOMPRESSED_BYTES)} "
            f"(largest member {_printable(largest.filename)}: {_size(largest.file_size)})"
        )
    for member in members:
        if member.file_size <= RATIO_CHECK_MIN_BYTES:
            continue
        if member.file_size > MAX_COMPRESSION_RATIO * member.compress_size:
            ratio = f"{member.file_size // member.compress_size:,}:1" if member.compress_size else "unbounded"
            raise FileProblem(
                f"workbook member {_printable(member.filename)} unpacks to {_size(member.file_size)} from "
                f"{_size(member.compress_size)} (ratio {ratio}; the limit is {MAX_COMPRESSION_RATIO}:1 "
                f"for members over {_size(RATIO_CHECK_MIN_BYTES)}): refused as a possible zip bomb"
            )


def _size(size: int) -> str:
    """A size as people read it: MB, or KB or bytes for small ones (limits patched small in tests)."""
    if size >= MB:
        return f"{size / MB:,.1f}".removesuffix(".0") + " MB"
    if size >= 1024:
        return f"{size / 1024:,.1f}".removesuffix(".0") + " KB"
    return f"{size:,} bytes"


def _read_workbook(path: Path) -> list[Grid]:
    from openpyxl.reader.excel import ExcelReader

    # openpyxl's load_workbook, unrolled to see the sheets the workbook lists: it silently drops
    # a listed sheet whose part is missing from the zip, which would lose that sheet's rows.
    reader = ExcelReader(path, read_only=True, data_only=True)
    try:
        reader.read()
    except BaseException:
        reader.archive.close()
        raise
    workbook = reader.wb
    grids = []
    try:
        present = set(workbook.sheetnames)
        for listed in reader.parser.sheets:
            if listed.name not in present:
                raise FileProblem(
                    f"workbook lists sheet '{_printable(str(listed.name))}' but the file does not hold it "
                    "(the file is damaged): save it again and land it again"
                )
        for sheet in workbook.worksheets:
            if sheet.sheet_state in ("hidden", "veryHidden"):
                grids.append(Grid(sheet.title, [], hidden=True))
                continue
            _check_formulas_have_values(sheet)
            grids.append(_read_sheet(sheet))
    finally:
        workbook.close()
    return grids


def _read_sheet(sheet) -> Grid:
    # The sheet's <dimension> may be stale (fewer rows or columns than it holds): read what is there.
    sheet.reset_dimensions()
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_SHEET_ROWS:
            raise FileProblem(f"sheet has more than {MAX_SHEET_ROWS:,} rows", sheet.title, number)
        out = []
        for cell in cells:
            value = getattr(cell, "value", None)
            fmt = getattr(cell, "number_format", "General")
            error = getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and is_excel_error(value))
            out.append(Cell(cell_text(value, fmt), error))
        rows.append((number, out))
    return Grid(sheet.title, rows)


def _check_formulas_have_values(sheet) -> None:
    """Refuse a formula cell saved without its value (openpyxl would read it as blank).

    Streams the sheet's XML: a cell with an <f> and no <v>, or an empty <v/> outside a string
    cell (as openpyxl and other programs write formulas), was never calculated. Excel saves a
    formula whose value is "" as a string cell (t="str") with an empty <v>: that reads as blank.
    """
    if not _has_formula(sheet):
        return
    from openpyxl.formula.translate import Translator
    from openpyxl.utils import coordinate_to_tuple, get_column_letter

    shared: dict[str, tuple[str, str]] = {}  # shared formula index -> (formula, its cell)
    row_number, column, last_ref = 0, 0, None
    names: dict[str, str] = {}  # qualified tag -> local name
    with sheet._get_source() as source:  # the sheet's XML in the workbook's zip (openpyxl 3.1)
        sheet_data = None
        for event, elem in iterparse(source, events=("start", "end")):
            tag = names.get(elem.tag)
            if tag is None:
                tag = names[elem.tag] = elem.tag.rpartition("}")[2]
            if event == "start":
                if tag == "row":
                    row_number, column, last_ref = int(elem.get("r") or row_number + 1), 0, None
                    if row_number > MAX_SHEET_ROWS:  # refuse before reading an outsized sheet twice
                        raise FileProblem(f"sheet has more than {MAX_SHEET_ROWS:,} rows", sheet.title, row_number)
                elif tag == "sheetData":
                    sheet_data = elem
                continue
            if tag == "row":
                if sheet_data is not None and len(sheet_data) and sheet_data[-1] is elem:
                    sheet_data.remove(elem)  # keep memory flat on long sheets
                else:
                    elem.clear()
                continue
            if tag != "c":
                continue
            ref = elem.get("r")
            if ref:
                last_ref = ref
            else:  # a cell without a reference follows the one before it
                column = (coordinate_to_tuple(last_ref)[1] if last_ref else column) + 1
                ref = last_ref = f"{get_column_letter(column)}{row_number}"
            formula = saved = None
            for child in elem:
                local = names.get(child.tag) or child.tag.rpartition("}")[2]
                if local == "f":
                    formula = child
                elif local == "v":
                    saved = child
            if formula is None:
                continue
            text = formula.text or ""
            index = formula.get("si")
            if formula.get("t") == "shared" and index is not None:
                if text:
                    shared[index] = (text, ref)
                elif index in shared:
                    master, origin = shared[index]
                    try:
                        text = Translator("=" + master, origin).translate_formula(ref)[1:]
                    except Exception:  # an odd formula the translator cannot move: show the first cell's
                        text = master
            if saved is not None and (saved.text or elem.get("t") == "str"):
                continue  # a saved value (an empty <v> is a saved "" only in a string cell)
            shown = " ".join(text.split()) or "a shared formula"
            if len(shown) > FORMULA_SHOWN:
                shown = shown[: FORMULA_SHOWN - 3] + "..."
            raise FileProblem(
                f"formula in cell {ref} has no saved value (={shown}): open the workbook in Excel, "
                "let it calculate, save it and land it again",
                sheet.title,
                coordinate_to_tuple(ref)[0],
                ref.rstrip("0123456789"),
            )


_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formula(sheet) -> bool:
    """Whether the sheet's XML holds any <f> element: a fast byte scan, so sheets without formulas parse once."""
    tail = b""
    with sheet._get_source() as source:
        while chunk := source.read(1 << 20):
            if _FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


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
    """Tables in a file's sheets, long or wide. Sheets without a table (cover, notes) and hidden sheets are skipped."""
    visible = [g for g in grids if not g.hidden]
    hidden = [g.sheet or "" for g in grids if g.hidden]
    tables = []
    for grid in visible:
        table = _find_long(grid, contract) or _find_wide(grid, contract)
        if table:
            tables.append(table)
    if not tables:
        if not hidden and not any(any(c.text.strip() for c in cells) for g in visible for _, cells in g.rows):
            raise FileProblem("file is empty")
        expected = contract.columns_text
        names = ", ".join("'" + name + "'" for name in hidden)
        note = f" (hidden sheets are skipped: {names})" if hidden else ""
        raise FileProblem(f"no table with the {contract.name} columns found (expected: {expected}){note}")
    return tables


def _find_long(grid: Grid, contract: ExtractContract) -> Table | None:
    names = set(contract.column_names)
    expected = set(contract.expected_column_names)
    required = {c.name for c in contract.columns if c.required}
    for index, (number, cells) in enumerate(grid.rows[:30]):
        headers = [c.text.strip().lstrip("\ufeff") for c in cells]
        present = {h for h in headers if h in names}
        # A header row names at least half the contract's columns, the required ones among them
        # (renamed or missing ones are reported as such, not taken for a title row).
        if len(present & expected) * 2 < len(expected) or not (required & present):
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
            raise FileProblem(f"unexpected column (expected: {contract.columns_text})", sheet, row, header)
    for name in contract.expected_column_names:
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
        # period columns: months (Apr-17), quarters (Q3 2016/17) or financial years (2016/17)
        months = [i for i, t in enumerate(texts) if parse_period(t)]
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
    # a printed measure name is looked up among the measures of the council the sheet declares
    council = declared["organisation_code"].strip()
    measure_lookup = measure_names().get(council, {}) if contract.name == "workforce" else None
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
                values.update(indicator_code=key)
                # what the row prints once: the indicator's, so every period's
                values.update({c: attrs.get(c, "") for c in WIDE_ROW_COLUMNS})
                # what the row prints for one period: the latest period with a figure
                values.update({c: attrs.get(c, "") if i == rated else "" for c in WIDE_LATEST_PERIOD_COLUMNS})
            else:
                values["measure_code"] = measure_lookup.get(key.lower(), key)
            sources = {"value": month, "period": month}  # a month column's heading names both
            rows.append(Row({c: values.get(c, "") for c in contract.column_names}, sheet, row_number, sources))
    return Table(sheet, "wide", number, texts, rows)


# --------------------------------------------------------------------------- national statistics
#
# The DfE's open-data layout (explore-education-statistics): a data CSV with one row per time
# period x geography x filter combination and one column per indicator, and beside it a metadata
# CSV (`<same stem>.meta.csv`) saying which columns are filters and which indicators, with each
# indicator's unit and decimal places. Each data row becomes one Row per indicator column; its
# `sources` name that column, so a refused figure is reported under its published heading.


@dataclass(frozen=True)
class MetadataColumn:
    """One row of a metadata file: a filter or indicator column of the data file."""

    name: str
    col_type: str  # 'Filter' or 'Indicator' ('' when the row's col_type is refused)
    unit: str
    dp: str
    row: int


def metadata_path(path: Path) -> Path:
    """The metadata file a national statistics data file needs beside it: `<same stem>.meta.csv`."""
    return path.with_name(path.stem + NATIONAL_METADATA_SUFFIX)


def is_metadata_file(path: Path) -> bool:
    """A `*.meta.csv` file: the metadata of a data file, never an extract on its own."""
    return path.name.lower().endswith(NATIONAL_METADATA_SUFFIX)


def data_file_of(metadata: Path) -> Path:
    """The data file a metadata file describes: `x.meta.csv` -> `x.csv`."""
    return metadata.with_name(metadata.name[: -len(NATIONAL_METADATA_SUFFIX)] + ".csv")


def read_national_statistics(path: Path, contract: ExtractContract) -> list[Table]:
    """A national statistics data file and its metadata file, unpivoted into one long table.

    Raises FileProblem (FileProblems for several, one per issue) when the pair cannot be read:
    not a CSV, no metadata file, a metadata row or a data column the other file does not match,
    a missing geography or time column, a row of the wrong width.
    """
    if path.suffix.lower() != ".csv":
        raise FileProblem(
            f"{path.suffix or 'this file type'} is not read for {contract.name}: the layout is read as the DfE "
            f"publishes it, a .csv beside its {NATIONAL_METADATA_SUFFIX} file"
        )
    meta = metadata_path(path)
    if not meta.is_file():
        raise FileProblem(f"no metadata file {meta.name} beside it")
    grid = _read_csv_grid(path)
    try:
        meta_grid = _read_csv_grid(meta)
    except FileProblem as exc:
        raise FileProblem(exc.reason, row=exc.row, file=meta.name) from None
    described, problems = _read_metadata(meta_grid, meta.name)
    return [_melt(grid, contract, described, problems, meta.name)]


def _read_metadata(grid: Grid, name: str) -> tuple[dict[str, MetadataColumn], list[FileProblem]]:
    """The columns a metadata file describes, by name, and every problem in it."""
    rows = [(number, cells) for number, cells in grid.rows if any(c.text.strip() for c in cells)]
    if not rows:
        raise FileProblem("metadata file is empty", file=name)
    header_row, header_cells = rows[0]
    headers = [c.text.strip().lstrip("\ufeff").strip().lower() for c in header_cells]
    problems: list[FileProblem] = []
    needed = ", ".join(NATIONAL_METADATA_COLUMNS)
    for column in NATIONAL_METADATA_COLUMNS:
        if headers.count(column) > 1:
            problems.append(FileProblem("duplicated column", row=header_row, column=column, file=name))
        elif column not in headers:
            problems.append(FileProblem(f"missing column in the metadata file (it needs {needed})", row=header_row,
                                        column=column, file=name))  # fmt: skip
    if problems:
        raise FileProblems(problems)
    at = {column: headers.index(column) for column in NATIONAL_METADATA_COLUMNS}
    described: dict[str, MetadataColumn] = {}
    for number, cells in rows[1:]:
        if len(cells) != len(header_cells):
            problems.append(FileProblem(f"row has {len(cells)} cells, header has {len(header_cells)}", row=number,
                                        file=name))  # fmt: skip
            continue
        texts = {column: cells[i].text for column, i in at.items()}
        col_name = texts["col_name"].strip()
        if not col_name:
            problems.append(FileProblem("col_name is empty", row=number, column="col_name", file=name))
            continue
        if col_name in described:
            first = described[col_name].row
            problems.append(FileProblem(f"column described twice in the metadata file (first on row {first})",
                                        row=number, column="col_name", value=col_name, file=name))  # fmt: skip
            continue
        col_type = {"filter": "Filter", "indicator": "Indicator"}.get(texts["col_type"].strip().lower(), "")
        if not col_type:
            problems.append(FileProblem("col_type is not Filter or Indicator", row=number, column="col_type",
                                        value=texts["col_type"], file=name))  # fmt: skip
        try:
            read_places(texts["indicator_dp"])
        except Unreadable as exc:
            problems.append(FileProblem(exc.reason, row=number, column="indicator_dp", value=texts["indicator_dp"],
                                        file=name))  # fmt: skip
        described[col_name] = MetadataColumn(col_name, col_type, texts["indicator_unit"].strip(),
                                             texts["indicator_dp"].strip(), number)  # fmt: skip
    if not problems and not any(c.col_type == "Indicator" for c in described.values()):
        problems.append(FileProblem("the metadata file describes no Indicator column", file=name))
    return described, problems


def _melt(grid: Grid, contract: ExtractContract, described: dict[str, MetadataColumn],
          problems: list[FileProblem], meta_name: str) -> Table:  # fmt: skip
    """The data file's rows, one Row per indicator column, checked against what the metadata describes."""
    geography = [c for c in contract.column_names if c not in NATIONAL_COMPUTED_COLUMNS]
    required = [c.name for c in contract.columns if c.name in geography and not c.may_be_absent]
    rows = [(number, cells) for number, cells in grid.rows if any(c.text.strip() for c in cells)]
    if not rows:
        raise FileProblem("file is empty")
    header_row, header_cells = rows[0]
    headers = [c.text.strip().lstrip("\ufeff").strip() for c in header_cells]
    check_personal_data(headers, None, header_row)
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    at: dict[str, int] = {}
    for i, header in enumerate(headers[:width]):
        if not header:
            problems.append(FileProblem(f"column {i + 1} has no heading", row=header_row))
        elif header in at:
            problems.append(FileProblem("duplicated column", row=header_row, column=header))
        else:
            at[header] = i
            if header in geography and header in described:
                problems.append(FileProblem("a geography or time column is not a filter or an indicator",
                                            row=described[header].row, column="col_name", value=header,
                                            file=meta_name))  # fmt: skip
            elif header not in geography and header not in described:
                problems.append(FileProblem("column not described in the metadata file", row=header_row,
                                            column=header))  # fmt: skip
    problems += [FileProblem("missing column", row=header_row, column=name) for name in required if name not in at]
    for name, column in described.items():
        if name not in at:
            problems.append(FileProblem("column described in the metadata file is not in the data file",
                                        row=column.row, column="col_name", value=name, file=meta_name))  # fmt: skip
    if problems:
        raise FileProblems(problems)
    filters = sorted(name for name, column in described.items() if column.col_type == "Filter")
    indicators = [h for h in headers[:width] if h in described and described[h].col_type == "Indicator"]
    filter_source = ", ".join(filters)
    out: list[Row] = []
    for number, cells in rows[1:]:
        if len(cells) != len(header_cells):
            problems.append(FileProblem(f"row has {len(cells)} cells, header has {len(header_cells)}", row=number))
            continue
        texts = [c.text for c in cells]
        if any(t.strip() for t in texts[width:]):
            problems.append(FileProblem("values beyond the last heading", row=number))
            continue
        for i, cell in enumerate(cells[:width]):
            if cell.is_error and headers[i] not in indicators:  # an indicator's is refused by the grammar
                problems.append(FileProblem(f"Excel error value {cell.text}", row=number, column=headers[i]))
        base = {name: texts[at[name]] if name in at else "" for name in geography}
        base["filters"] = "; ".join(f"{name}={texts[at[name]].strip()}" for name in filters)
        for name in indicators:
            column = described[name]
            values = {**base, "indicator": name, "value": texts[at[name]], "indicator_unit": column.unit,
                      "indicator_dp": column.dp}  # fmt: skip
            sources = {"indicator": name, "value": name, **({"filters": filter_source} if filters else {})}
            out.append(Row(values, None, number, sources))
    if problems:
        raise FileProblems(problems)
    return Table(None, "melted", header_row, headers[:width], out)
