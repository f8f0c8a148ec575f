"""Reading extract files: refuse or read correctly, never misread, never a traceback for a bad file."""

from __future__ import annotations

import codecs
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from scorecard import readers
from scorecard.contracts import CONTRACTS
from scorecard.readers import FileProblem, Grid, find_tables, read_grids

IV = CONTRACTS["indicator_values"]
IV_HEADER = IV.column_names
IV_ROW = ["SD004", "FD 3", "Feb-18", "88%", "Amber", "BIB", "90%", "", "Feb-18", ""]
SHEET = "xl/worksheets/sheet1.xml"


# --------------------------------------------------------------------------- helpers


def csv_path(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "indicator_values_SD004_2018-02.csv"
    path.write_bytes(raw)
    return path


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in cells] for _, cells in grid.rows]


def xlsx(tmp_path: Path, sheets: dict[str, list[list]], states: dict[str, str] | None = None, name="w.xlsx") -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = (states or {}).get(title, "visible")
    path = tmp_path / name
    workbook.save(path)
    return path


def rewrite_member(path: Path, member: str, change) -> None:
    """Rewrite one member of a zip (e.g. a sheet's XML) with `change(text) -> text`."""
    with zipfile.ZipFile(path) as archive:
        contents = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in contents.items():
            if info.filename == member:
                new = change(data.decode("utf-8")).encode("utf-8")
                assert new != data, "the rewrite changed nothing"
                data = new
            archive.writestr(info.filename, data)


def refused(path: Path) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        read_grids(path)
    problem = caught.value
    assert "\n" not in problem.reason and problem.reason == problem.reason.strip()
    return problem


# --------------------------------------------------------------------------- CSV encodings


def test_utf8_file_with_a_stray_windows_byte_is_refused_at_that_byte(tmp_path):
    head = b"organisation_code,notes\n"
    line = "SD004,Cost £1,200".encode() + b"\x92" + b"s agreed\n"
    problem = refused(csv_path(tmp_path, head + line))
    offset = len(head) + len("SD004,Cost £1,200".encode())
    assert problem.reason == (
        f"not valid UTF-8 at byte {offset} (0x92): the file is UTF-8 apart from this byte; save it again as UTF-8"
    )
    assert (problem.row, problem.sheet, problem.column) == (2, None, None)


def test_stray_byte_row_counts_crlf_and_cr_line_ends(tmp_path):
    raw = "a,b\r\nc,d\re,£\n".encode() + b"f,\x92\n"
    problem = refused(csv_path(tmp_path, raw))
    offset = raw.index(b"\x92")
    assert problem.reason.startswith(f"not valid UTF-8 at byte {offset} (0x92)")
    assert problem.row == 4


def test_utf8_bom_file_with_a_stray_byte_is_refused(tmp_path):
    raw = codecs.BOM_UTF8 + b"a,b\nx,\x92\n"
    problem = refused(csv_path(tmp_path, raw))
    assert problem.reason == (
        "not valid UTF-8 at byte 9 (0x92): the file starts with a UTF-8 byte-order mark but this byte is not "
        "UTF-8; save it again as UTF-8"
    )
    assert problem.row == 2


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'"\xa31,200"', "£1,200"),
        (b"\x93as agreed\x94", "\u201cas agreed\u201d"),
        (b"\x80 5 \x96 6", "€ 5 \u2013 6"),
        (b"caf\xe9 it\x92s", "café it\u2019s"),
    ],
    ids=["pound", "smart-quotes", "euro-dash", "accent-apostrophe"],
)
def test_genuine_windows_1252_file_reads_as_windows_1252(tmp_path, raw, expected):
    [grid] = read_grids(csv_path(tmp_path, b"code,notes\r\nSD004," + raw + b"\r\n"))
    assert texts(grid) == [["code", "notes"], ["SD004", expected]]


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom"],
)
def test_unicode_files_read_exactly(tmp_path, encode):
    text = "organisation_code,notes\r\nSD004,Cost £1,200 \u2013 \u201cagreed\u201d\r\n"
    [grid] = read_grids(csv_path(tmp_path, encode(text)))
    assert texts(grid) == [["organisation_code", "notes"], ["SD004", "Cost £1", "200 \u2013 \u201cagreed\u201d"]]
    assert grid.sheet is None and not grid.hidden


def test_byte_undefined_in_windows_1252_is_refused_not_a_traceback(tmp_path):
    raw = b"a,b\nx,y\n\x81z,1\n"
    problem = refused(csv_path(tmp_path, raw))
    assert problem.reason == (
        "not valid UTF-8 or Windows-1252 at byte 8 (0x81): the encoding cannot be told; save it again as UTF-8"
    )
    assert problem.row == 3


def test_utf16_file_cut_short_is_refused(tmp_path):
    raw = codecs.BOM_UTF16_LE + "a,b\nc,d\n".encode("utf-16-le") + b"x"
    problem = refused(csv_path(tmp_path, raw))
    assert problem.reason.startswith(f"not valid UTF-16-LE at byte {len(raw) - 1} (0x78): the file starts with")
    assert problem.row == 3


@pytest.mark.parametrize(
    "raw",
    [b"a,b\nx,3\x0000\n", "a,b\nx,\x00\n".encode("utf-16-le"), codecs.BOM_UTF16_LE + "a,\x00\n".encode("utf-16-le")],
    ids=["nul-in-utf8", "utf-16-without-bom", "nul-in-utf16"],
)
def test_nul_bytes_are_not_text(tmp_path, raw):
    assert refused(csv_path(tmp_path, raw)).reason == "file is not text (it contains NUL bytes)"


@pytest.mark.parametrize("raw", [b"", b" \r\n", codecs.BOM_UTF16_LE, codecs.BOM_UTF8 + b"\n"])
def test_empty_csv_is_refused(tmp_path, raw):
    assert refused(csv_path(tmp_path, raw)).reason == "file is empty"


def test_mixed_line_endings_read_every_row(tmp_path):
    [grid] = read_grids(csv_path(tmp_path, b"a,b\r\nc,d\ne,f\r\ng,h"))
    assert texts(grid) == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]]
    assert [n for n, _ in grid.rows] == [1, 2, 3, 4]


# --------------------------------------------------------------------------- Excel: formulas


def test_formula_without_saved_value_is_refused_naming_the_cell(tmp_path):
    path = xlsx(tmp_path, {"Data": [["a", "b"], [1, 2], [3, "=SUM(A1:A2)"]]})
    problem = refused(path)
    assert problem.reason == (
        "formula in cell B3 has no saved value (=SUM(A1:A2)): open the workbook in Excel, let it calculate, "
        "save it and land it again"
    )
    assert (problem.sheet, problem.row, problem.column) == ("Data", 3, "B")


def test_long_formula_is_shortened_in_the_reason(tmp_path):
    formula = '=IF(A1>0,"a very long piece of text that goes on",SUM(A1:A2))'
    problem = refused(xlsx(tmp_path, {"Data": [[1, formula]]}))
    assert problem.reason.startswith(
        'formula in cell B1 has no saved value (=IF(A1>0,"a very long piece of text th...):'
    )
    assert (problem.row, problem.column) == (1, "B")


def test_shared_formula_without_saved_value_shows_its_own_formula(tmp_path):
    path = xlsx(tmp_path, {"Data": [[1, 2, 3], [4, 5, 6]]})
    rewrite_member(
        path,
        SHEET,
        lambda x: x.replace(
            '<c r="C1" t="n"><v>3</v></c>', '<c r="C1"><f t="shared" ref="C1:C2" si="0">A1+B1</f><v>3</v></c>'
        ).replace('<c r="C2" t="n"><v>6</v></c>', '<c r="C2"><f t="shared" si="0"/></c>'),
    )
    problem = refused(path)
    assert problem.reason.startswith("formula in cell C2 has no saved value (=A2+B2):")
    assert (problem.row, problem.column) == (2, "C")


@pytest.mark.parametrize(
    ("cell", "reference"),
    [
        ('<c r="B2"><f>A1*2</f></c>', "B2"),  # no <v> at all
        ('<c r="B2" t="n"><f>A1*2</f><v></v></c>', "B2"),  # an empty number is no value
        ("<c><f>A1*2</f><v /></c>", "B2"),  # cells without references follow the one before
    ],
    ids=["no-v", "empty-number", "no-reference"],
)
def test_formula_cells_without_a_value_in_other_shapes(tmp_path, cell, reference):
    path = xlsx(tmp_path, {"Data": [["a", "b"], [1, 2]]})
    rewrite_member(path, SHEET, lambda x: x.replace('<c r="B2" t="n"><v>2</v></c>', cell))
    problem = refused(path)
    assert problem.reason.startswith(f"formula in cell {reference} has no saved value (=A1*2):")
    assert (problem.sheet, problem.row, problem.column) == ("Data", 2, "B")


def test_formula_with_saved_value_reads_the_value(tmp_path):
    path = xlsx(tmp_path, {"Data": [["a", "b"], [20, 22], ["total", "=SUM(B1:B2)"]]})
    rewrite_member(path, SHEET, lambda x: x.replace("<f>SUM(B1:B2)</f><v />", "<f>SUM(B1:B2)</f><v>42</v>"))
    [grid] = read_grids(path)
    assert texts(grid) == [["a", "b"], ["20", "22"], ["total", "42"]]


def test_formula_whose_saved_value_is_empty_text_reads_blank(tmp_path):
    path = xlsx(tmp_path, {"Data": [["a", '=IF(1,"","x")']]})
    rewrite_member(path, SHEET, lambda x: x.replace('<c r="B1">', '<c r="B1" t="str">'))
    [grid] = read_grids(path)
    assert texts(grid) == [["a", ""]]


def test_formula_with_saved_error_is_an_excel_error_cell(tmp_path):
    path = xlsx(tmp_path, {"Data": [["a", "=1/0"]]})
    rewrite_member(
        path, SHEET, lambda x: x.replace('<c r="B1"><f>1/0</f><v />', '<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v>')
    )
    [grid] = read_grids(path)
    cell = grid.rows[0][1][1]
    assert (cell.text, cell.is_error) == ("#DIV/0!", True)


def test_excel_error_cells_still_refused_in_a_table(tmp_path):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, [*IV_ROW[:3], "#DIV/0!", *IV_ROW[4:]]]})
    grids = read_grids(path)
    with pytest.raises(FileProblem) as caught:
        find_tables(grids, IV)
    assert caught.value.reason == "Excel error value #DIV/0!"
    assert (caught.value.sheet, caught.value.row, caught.value.column) == ("Data", 2, "value")


# --------------------------------------------------------------------------- Excel: dimensions and hidden sheets


def test_stale_dimension_still_reads_every_row_and_column(tmp_path):
    rows = [[f"r{r}c{c}" for c in range(1, 6)] for r in range(1, 11)]
    path = xlsx(tmp_path, {"Data": rows})
    rewrite_member(path, SHEET, lambda x: x.replace('<dimension ref="A1:E10" />', '<dimension ref="A1:B2" />'))
    # openpyxl alone trusts the stale dimension: the file really does exercise the problem
    plain = load_workbook(path, read_only=True, data_only=True)
    assert [list(r) for r in plain["Data"].iter_rows(values_only=True)] == [["r1c1", "r1c2"], ["r2c1", "r2c2"]]
    plain.close()
    [grid] = read_grids(path)
    assert texts(grid) == rows
    assert [n for n, _ in grid.rows] == list(range(1, 11))


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet_is_skipped_and_not_read(tmp_path, state):
    sheets = {
        "Cover": [["Scorecard"]],
        "Old": [IV_HEADER, IV_ROW, ["=SUM(A1:A2)"]],  # would be refused if it were read
        "Data": [IV_HEADER, IV_ROW],
    }
    grids = read_grids(xlsx(tmp_path, sheets, {"Old": state}))
    assert [(g.sheet, g.hidden) for g in grids] == [("Cover", False), ("Old", True), ("Data", False)]
    assert grids[1].rows == []
    [table] = find_tables(grids, IV)
    assert table.sheet == "Data" and len(table.rows) == 1


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_only_table_on_a_hidden_sheet_is_refused_with_a_note(tmp_path, state):
    sheets = {"Cover": [["Scorecard"]], "Data": [IV_HEADER, IV_ROW], "Lookups": [["x"]]}
    grids = read_grids(xlsx(tmp_path, sheets, {"Data": state, "Lookups": "hidden"}))
    with pytest.raises(FileProblem) as caught:
        find_tables(grids, IV)
    reason = caught.value.reason
    assert reason.startswith("no table with the indicator_values columns found (expected: organisation_code,")
    assert reason.endswith("(hidden sheets are skipped: 'Data', 'Lookups')")


def test_empty_visible_sheets_with_a_hidden_one_name_the_hidden_sheet(tmp_path):
    grids = read_grids(xlsx(tmp_path, {"Blank": [], "Data": [IV_HEADER, IV_ROW]}, {"Data": "hidden"}))
    with pytest.raises(FileProblem) as caught:
        find_tables(grids, IV)
    assert caught.value.reason.endswith("(hidden sheets are skipped: 'Data')")


def test_no_table_without_hidden_sheets_keeps_its_reason(tmp_path):
    grids = read_grids(xlsx(tmp_path, {"Notes": [["Scorecard"], ["No data"]]}))
    with pytest.raises(FileProblem) as caught:
        find_tables(grids, IV)
    assert caught.value.reason == (
        f"no table with the indicator_values columns found (expected: {', '.join(IV.expected_column_names)}; optional: "
        "direction_as_printed, contract_measure_as_printed, national_quartile_as_printed, national_figure_as_printed, "
        "neighbour_figure_as_printed)"
    )
    with pytest.raises(FileProblem, match=r"^file is empty$"):
        find_tables(read_grids(xlsx(tmp_path, {"Sheet1": []}, name="empty.xlsx")), IV)


# --------------------------------------------------------------------------- Excel: not a workbook, damaged, too big


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            b"organisation_code,notes\nSD004,x\n",
            "not an Excel workbook (.xlsx is a zip file; this file is not): save it as .xlsx",
        ),
        (
            readers.OLE_MAGIC + b"\x00" * 504,
            "workbook is encrypted or in the old .xls format: save it as an unprotected .xlsx",
        ),
        (b"", "file is empty"),
    ],
    ids=["renamed-csv", "ole-encrypted-or-xls", "empty"],
)
def test_files_that_are_not_xlsx_are_refused(tmp_path, raw, reason):
    path = tmp_path / "indicator_values_SD004_2018-02.xlsx"
    path.write_bytes(raw)
    problem = refused(path)
    assert problem.reason == reason
    assert (problem.sheet, problem.row, problem.column) == (None, None, None)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, -1], ids=["10pc", "half", "90pc", "last-byte-lost"])
def test_truncated_workbook_is_refused_in_one_line(tmp_path, keep):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW] * 50})
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * keep)] if keep > 0 else raw[:keep])
    problem = refused(path)
    assert problem.reason == (
        "cannot read workbook: BadZipFile: File is not a zip file (it begins like an .xlsx but is damaged or cut "
        "short; land it again)"
    )


def test_broken_sheet_xml_is_refused_in_one_line(tmp_path):
    path = xlsx(tmp_path, {"Data": [["a", "b"], [1, 2]]})
    rewrite_member(path, SHEET, lambda x: x.replace("</sheetData>", "<row><c></sheetData>"))
    assert refused(path).reason.startswith("cannot read workbook: ParseError: mismatched tag: line 1, column")


def test_damaged_member_data_is_refused_in_one_line(tmp_path):
    path = xlsx(tmp_path, {"Data": [[f"text {i}" for i in range(20)]] * 200})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    raw = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    middle = start + info.compress_size // 2
    raw[middle : middle + 40] = b"\xff" * 40
    path.write_bytes(bytes(raw))
    assert refused(path).reason.startswith("cannot read workbook: ")


def test_zip_that_is_not_a_workbook_is_refused_in_one_line(tmp_path):
    path = tmp_path / "w.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(path).reason.startswith("cannot read workbook: ")


def test_sheet_listed_but_missing_from_the_zip_is_refused(tmp_path):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW], "More": [IV_HEADER, IV_ROW]})
    with zipfile.ZipFile(path) as archive:
        contents = {i.filename: archive.read(i) for i in archive.infolist() if i.filename != "xl/worksheets/sheet2.xml"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    assert refused(path).reason == (
        "workbook lists sheet 'More' but the file does not hold it (the file is damaged): save it again and land it "
        "again"
    )


def test_workbook_unpacking_beyond_the_default_limit_is_refused_quickly(tmp_path):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW]})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/media/big.bin", "w") as fh:
        for _ in range(210):
            fh.write(bytes(1024 * 1024))
    started = time.monotonic()
    problem = refused(path)
    assert time.monotonic() - started < 5
    assert problem.reason == (
        "workbook unpacks to 210 MB, over the limit of 200 MB (largest member xl/media/big.bin: 210 MB)"
    )


def test_workbook_unpacking_beyond_the_limit_is_refused(tmp_path, monkeypatch):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW]})
    monkeypatch.setattr(readers, "MAX_XLSX_UNCOMPRESSED_BYTES", 1000)
    problem = refused(path)
    assert problem.reason.startswith("workbook unpacks to ")
    assert ", over the limit of 1,000 bytes (largest member xl/" in problem.reason


def test_zip_bomb_member_is_refused_quickly(tmp_path):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW]})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(20 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    started = time.monotonic()
    problem = refused(path)
    assert time.monotonic() - started < 5
    assert problem.reason.startswith("workbook member xl/media/zeros.bin unpacks to 20 MB from ")
    assert problem.reason.endswith("; the limit is 100:1 for members over 10 MB): refused as a possible zip bomb")


def test_highly_compressed_small_member_is_fine(tmp_path):
    path = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW]})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(2 * 1024 * 1024))
    [grid] = read_grids(path)
    assert texts(grid) == [IV_HEADER, IV_ROW]


def test_sheet_with_too_many_rows_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_SHEET_ROWS", 5)
    path = xlsx(tmp_path, {"Cover": [["x"]] * 5, "Data": [[i] for i in range(1, 9)]})
    problem = refused(path)
    assert problem.reason == "sheet has more than 5 rows"
    assert (problem.sheet, problem.row) == ("Data", 6)
    [grid] = read_grids(xlsx(tmp_path, {"Data": [[i] for i in range(1, 6)]}, name="five.xlsx"))
    assert len(grid.rows) == 5


def test_read_grids_on_bad_bytes_never_raises_anything_else(tmp_path):
    good = xlsx(tmp_path, {"Data": [IV_HEADER, IV_ROW] * 20}).read_bytes()
    variants = [good[:i] + bytes(reversed(good[i : i + 64])) + good[i + 64 :] for i in range(0, len(good), 97)]
    for n, raw in enumerate(variants):
        path = tmp_path / f"v{n}.xlsx"
        path.write_bytes(raw)
        try:
            read_grids(path)
        except FileProblem as exc:
            assert "\n" not in exc.reason


def test_wide_scorecard_with_quarterly_columns_and_a_latest_month():
    """The trust's corporate scorecard (tests/fixtures/childrens_trust): quarter and month columns are periods;
    polarity, target and contract measure hold for every period of a row; the RAG, the trend arrow, the
    quartile and the national and neighbours' figures belong to the latest period with a figure."""
    path = Path(__file__).parent / "fixtures" / "childrens_trust" / "extracts" / "indicator_values_ECT_2018-12.csv"
    [table] = find_tables(read_grids(path), CONTRACTS["indicator_values"])
    assert table.layout == "wide"
    cp10 = [row.values for row in table.rows if row.values["indicator_code"] == "CP 10"]
    assert [v["period"] for v in cp10] == ["Q3 2017/18", "Q4 2017/18", "Q1 2018/19", "Q2 2018/19", "Dec-18"]
    assert [v["value"] for v in cp10] == ["48.2", "47.0", "46.1", "44.8", "44.0"]
    assert {(v["target_as_printed"], v["contract_measure_as_printed"], v["polarity_as_printed"]) for v in cp10} == {
        ("45", "N", "Smaller is better")
    }
    latest = {k: cp10[-1][k] for k in ("reported_rag", "direction_as_printed", "national_quartile_as_printed")}
    assert latest == {"reported_rag": "G", "direction_as_printed": "↓", "national_quartile_as_printed": "2"}
    assert (cp10[-1]["national_figure_as_printed"], cp10[-1]["neighbour_figure_as_printed"]) == ("43.7", "47.3")
    assert all(v["direction_as_printed"] == v["reported_rag"] == "" for v in cp10[:-1])
