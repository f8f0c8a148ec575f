"""The published layer is the marts, and the exports written beside it at publish time.

Publishes a copy of the sample warehouse (the session fixture `warehouse`) into a
temporary folder, then reads back the published file, the Parquet and CSV of
every mart, the council workbooks and manifest.json, and checks that a failed
export or a failed rename leaves the previous publication byte for byte as it was.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from scorecard import exports
from scorecard import publish as publish_module
from scorecard.cli import main as cli_main
from scorecard.publish import ExportFailed, publish, read_build

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

BUILD_ID = "exports-test"
SHEETS = ["Scorecard", "Budget", "Workforce", "Risks", "Programme"]
LEFT_OUT = {"raw", "staging", "intermediate", "reference"}


def working_copy(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "working.duckdb"
    shutil.copyfile(warehouse, target)
    return target


def run_results(warehouse: Path) -> Path:
    return warehouse.parent / "target" / "run_results.json"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the published file and the exports), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("exports")
    working = working_copy(warehouse, work)
    target = work / "published" / "scorecard.duckdb"
    publication = publish(working, target, build_id=BUILD_ID, run_results=run_results(warehouse))
    assert publication.exports == target.parent / "exports"
    return target


@pytest.fixture(scope="module")
def marts(warehouse) -> dict[str, int]:
    """Row counts and column types of every mart in the working warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [n for (n,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_name <> 'build_info' order by 1").fetchall()]  # fmt: skip
        return {n: con.execute(f"select count(*) from marts.{n}").fetchone()[0] for n in names}


def column_types(con, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "select column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()


def test_the_published_file_holds_the_marts_and_nothing_else(published, warehouse, marts):
    with duckdb.connect(str(published), read_only=True) as con:
        objects = con.execute(
            "select table_schema, table_name, table_type from information_schema.tables order by 1, 2"
        ).fetchall()
        schemas = {s for (s,) in con.execute("select schema_name from information_schema.schemata").fetchall()}
        with duckdb.connect(str(warehouse), read_only=True) as working:
            for table in marts:
                assert column_types(con, table) == column_types(working, table), table
        latest = con.execute(
            "select value, target, period_month, reported_rag_matches, variance_to_target_pct "
            "from marts.fct_scorecard_latest where organisation_code = 'SD004' and indicator_code = 'FD 3'"
        ).fetchone()
        build_id, published_at, promised = con.execute("select * from marts.build_info").fetchone()
    assert {schema for schema, _, _ in objects} == {"marts"}
    assert {name for _, name, _ in objects} == {*marts, "build_info"}
    assert {kind for _, _, kind in objects} == {"BASE TABLE"}
    assert not schemas & LEFT_OUT
    # decimals, dates and booleans arrive as they were
    assert latest == (Decimal("86.0000"), Decimal("90.0000"), date(2018, 1, 1), True, Decimal("-4.44"))
    assert build_id == BUILD_ID and isinstance(published_at, datetime)
    assert json.loads(promised) == marts
    assert read_build(published) == (BUILD_ID, marts, marts)
    # the raw text and staging stay in the working file
    with duckdb.connect(str(warehouse), read_only=True) as working:
        kept = {s for (s,) in working.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert kept >= LEFT_OUT


def test_every_mart_is_exported_as_parquet_and_csv_with_its_rows(published, marts):
    folder = published.parent / "exports"
    con = duckdb.connect()
    with duckdb.connect(str(published), read_only=True) as pub:
        for table, rows in {**marts, "build_info": 1}.items():
            parquet, csv = folder / "parquet" / f"{table}.parquet", folder / "csv" / f"{table}.csv"
            assert con.execute("select count(*) from read_parquet(?)", [str(parquet)]).fetchone()[0] == rows, table
            assert con.execute("select count(*) from read_csv(?)", [str(csv)]).fetchone()[0] == rows, table
            # Parquet keeps the mart's types; the CSV's header is the mart's columns, after a BOM for Excel
            types = [(c, t) for c, t, *_ in con.execute("describe select * from read_parquet(?)", [str(parquet)])
                     .fetchall()]  # fmt: skip
            assert types == column_types(pub, table), table
            text = csv.read_bytes()
            assert text.startswith(b"\xef\xbb\xbf" + ",".join(c for c, _ in types).encode() + b"\n"), table
        kv = dict(con.execute(
            "select key::varchar, value::varchar from parquet_kv_metadata(?)",
            [str(folder / "parquet" / "fct_scorecard_latest.parquet")]).fetchall())  # fmt: skip
    assert kv["build_id"] == BUILD_ID

    fd3 = "where organisation_code = 'SD004' and indicator_code = 'FD 3'"
    lac = "where organisation_code = 'HRF' and service_code = 'LAC' and report_month = date '2017-05-01'"
    parquet = folder / "parquet"
    assert con.execute(f"select value, rag_status from read_parquet('{parquet}/fct_scorecard_latest.parquet') {fd3}"
                       ).fetchone() == (Decimal("86.0000"), "Amber")  # fmt: skip
    assert con.execute(f"select variance from read_parquet('{parquet}/fct_budget_outturn.parquet') {lac}"
                       ).fetchone() == (Decimal("2080.0000"),)  # fmt: skip
    csv = folder / "csv"
    assert con.execute(f"select value, rag_status from read_csv('{csv}/fct_scorecard_latest.csv') {fd3}"
                       ).fetchone() == (86.0, "Amber")  # fmt: skip
    assert con.execute(f"select variance from read_csv('{csv}/fct_budget_outturn.csv') {lac}").fetchone() == (2080.0,)
    # ISO dates and '.' decimals, as printed in the file
    lines = (csv / "fct_scorecard_latest.csv").read_text(encoding="utf-8-sig").splitlines()
    ad7 = next(line for line in lines if line.startswith("SD004,AD 7,"))
    assert ",2018-01-01,2017/18,Jan-18,383.9100,reported," in ad7


def council_sheet(published: Path, council: str, sheet: str):
    return load_workbook(published.parent / "exports" / "councils" / f"{council}.xlsx")[sheet]


def row_of(ws, column: int, value) -> tuple:
    return next(row for row in ws.iter_rows(min_row=5) if row[column - 1].value == value)


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_scorecard_sheet_of_a_council_workbook(published):
    book = load_workbook(published.parent / "exports" / "councils" / "SD004.xlsx")
    assert book.sheetnames == SHEETS
    assert book.properties.keywords == BUILD_ID
    ws = book["Scorecard"]
    assert ws["A1"].value.endswith("(SD004): scorecard, report month January 2018")
    assert ws["A1"].font.b and f"Build {BUILD_ID}" in ws["A2"].value
    header = [c.value for c in ws[4]]
    assert header[:9] == ["Indicator", "Title", "Service area", "Period", "Period label", "Value", "Target", "RAG",
                          "Variance to target"]  # fmt: skip
    assert all(c.font.b for c in ws[4]) and ws.freeze_panes == "B5"
    assert ws.column_dimensions["B"].width == 50
    assert ws.max_row == 4 + 35  # SD004's 35 indicators

    fd3 = row_of(ws, 1, "FD 3")
    assert (fd3[3].value, fd3[3].number_format) == (datetime(2018, 1, 1), "mmm yyyy")  # a date, not text
    assert (fd3[5].value, fd3[5].number_format) == (0.86, "0%")  # 86% as an Excel percentage
    assert (fd3[6].value, fd3[6].number_format) == (0.9, "0%")
    assert (fd3[8].value, fd3[8].number_format) == (-4, '+#,##0" pp";-#,##0" pp";0" pp"')
    amber = fd3[7]
    assert amber.value == "Amber" and amber.fill.fill_type == "solid"
    assert (amber.fill.fgColor.rgb[-6:], amber.font.color.rgb[-6:]) == ("FBBF24", "1F1F1F")

    amt2 = row_of(ws, 1, "AMT 2")
    assert (amt2[5].value, amt2[5].number_format, amt2[7].value) == (0.595, "0.0%", "Red")
    assert (amt2[7].fill.fgColor.rgb[-6:], amt2[7].font.color.rgb[-6:]) == ("B91C1C", "FFFFFF")
    ad7 = row_of(ws, 1, "AD 7")
    assert (ad7[5].value, ad7[5].number_format, ad7[7].value) == (383.91, "#,##0.00", "Green")
    assert ad7[7].fill.fgColor.rgb[-6:] == "15803D"
    # every RAG fill keeps WCAG AA contrast (4.5:1) with its text
    for fill, text in exports.RAG_COLOURS.values():
        assert contrast(fill, text) >= 4.5


def test_the_budget_workforce_risks_and_programme_sheets(published):
    budget = council_sheet(published, "HRF", "Budget")
    assert budget["A1"].value.endswith("(HRF): budget outturn, report month May 2017")
    assert budget.max_row == 4 + 17  # the May 2017 report only
    lac = row_of(budget, 2, "LAC")
    assert (lac[0].value, lac[0].alignment.indent) == ("Looked After Children", 2)
    assert (lac[6].value, lac[6].number_format) == (2080, "#,##0;(#,##0);0")  # £000, negatives in brackets
    assert (lac[7].value, lac[7].font.color.rgb[-6:]) == ("adverse", "B91C1C")
    assert (lac[8].value, lac[8].number_format) == (0.2019, "0.00%")
    edc = row_of(budget, 2, "EDC")
    assert (edc[6].value, edc[0].font.b, edc[7].value) == (-424, True, "favourable")
    cwb = row_of(budget, 2, "CWB")
    assert (cwb[0].value, cwb[6].value, cwb[7].value) == ("Childrens Wellbeing", 1361, "adverse")

    # one row per staffing measure and period (the long mart), the latest 13 months: May-16 to May-17
    workforce = council_sheet(published, "HRF", "Workforce")
    rows = list(workforce.iter_rows(min_row=5))
    assert len(rows) == 88  # 13 months of 5 measures, 12 of FTE (May-17 not legible), 11 of turnover
    assert (rows[0][0].value, rows[0][1].value) == ("FTE", datetime(2016, 5, 1))
    assert {r[1].value for r in rows} == {datetime(2016 + (m > 12), (m - 1) % 12 + 1, 1) for m in range(5, 18)}
    assert workforce["B5"].number_format == "mmm yyyy"
    fte = next(r for r in rows if r[0].value == "FTE" and r[1].value == datetime(2017, 4, 1))
    assert [c.value for c in fte[4:9]] == [297.7, 301, -3.3, "down", None]  # FTE is neutral: no better or worse
    assert (fte[4].number_format, fte[6].number_format) == ("#,##0.0", "+#,##0.0;-#,##0.0;0")
    turnover = rows[-1]  # Turnover, Mar-17: 18% from 19%, smaller is better
    assert [c.value for c in turnover[4:9]] == [0.18, 0.19, -1, "down", "improving"]
    assert (turnover[4].number_format, turnover[6].number_format) == ("0%", '+#,##0" pp";-#,##0" pp";0" pp"')
    agency = next(r for r in rows if r[0].value == "Agency cost (£k)" and r[1].value == datetime(2017, 5, 1))
    assert [c.value for c in agency[4:9]] == [83, 70, 13, "up", "worsening"]

    risks = council_sheet(published, "HRF", "Risks")
    assert [r[0].value for r in risks.iter_rows(min_row=5)] == ["CR.034", "CR.035"]  # the May 2017 register
    assert risks["A1"].value.endswith("risk register, report month May 2017")

    programme = council_sheet(published, "HRF", "Programme")
    rags = {r[1].value for r in programme.iter_rows(min_row=5)}
    assert programme.max_row == 4 + 9 and {"Green", "Amber"} <= rags
    green = next(r[1] for r in programme.iter_rows(min_row=5) if r[1].value == "Green")
    assert green.fill.fgColor.rgb[-6:] == "15803D"

    # SD004 sent only indicators: its other sheets say so
    empty = council_sheet(published, "SD004", "Budget")
    assert empty["A1"].value.endswith("budget outturn, nothing reported")
    assert empty["A5"].value == "Nothing for SD004 in marts.fct_budget_outturn (latest report month)."


def test_the_manifest_lists_every_file_with_its_rows_and_sha256(published, marts):
    folder = published.parent / "exports"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(published), read_only=True) as con:
        build_id, published_at = con.execute("select build_id, published_at from marts.build_info").fetchone()
    assert manifest["build_id"] == build_id == BUILD_ID
    assert manifest["published_at"] == published_at.isoformat() + "Z"
    assert manifest["database"] == {"file": "scorecard.duckdb", "bytes": published.stat().st_size,
                                    "sha256": sha256(published)}  # fmt: skip
    listed = {item["path"]: item for item in manifest["files"]}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(listed) == on_disk
    assert {p for p in on_disk if p.startswith("councils/")} == {"councils/HRF.xlsx", "councils/SD004.xlsx"}
    for path, item in listed.items():
        assert (item["sha256"], item["bytes"]) == (sha256(folder / path), (folder / path).stat().st_size), path
    for table, rows in {**marts, "build_info": 1}.items():
        assert listed[f"parquet/{table}.parquet"]["rows"] == listed[f"csv/{table}.csv"]["rows"] == rows
    assert listed["councils/SD004.xlsx"]["sheets"] == {"Scorecard": 35, "Budget": 0, "Workforce": 0, "Risks": 0,
                                                       "Programme": 0}  # fmt: skip
    assert listed["councils/HRF.xlsx"]["sheets"] == {"Scorecard": 10, "Budget": 17, "Workforce": 88, "Risks": 2,
                                                     "Programme": 9}  # fmt: skip
    assert exports.check_exports(folder) == []


def test_councils_sharing_a_warehouse_each_get_a_file_of_their_own_rows(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("SCORECARD_COUNCIL_FILES", "true")
    working = working_copy(warehouse, tmp_path)
    target = tmp_path / "published" / "scorecard.duckdb"
    publish(working, target, build_id=BUILD_ID, run_results=run_results(warehouse))
    folder = target.parent / "exports"
    listed = {
        item["path"]: item for item in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    }
    assert {p for p in listed if p.endswith(".duckdb")} == {"councils/HRF.duckdb", "councils/SD004.duckdb"}
    assert exports.check_exports(folder) == []
    with duckdb.connect(str(target), read_only=True) as whole:
        for code in ("HRF", "SD004"):
            item = listed[f"councils/{code}.duckdb"]
            with duckdb.connect(str(folder / item["path"]), read_only=True) as own:
                for table, rows in item["tables"].items():
                    columns = [c for (c,) in own.execute(
                        "select column_name from information_schema.columns where table_schema = 'marts' "
                        "and table_name = ?", [table]).fetchall()]  # fmt: skip
                    if "organisation_code" in columns:
                        assert own.execute(f"select distinct organisation_code from marts.{table}").fetchall() in (
                            [], [(code,)]), table  # fmt: skip
                        expected = "select count(*) from marts.{t} where organisation_code = ?"
                        assert whole.execute(expected.format(t=table), [code]).fetchone()[0] == rows, table
                    else:  # public: the national figures, the calendar, the build stamp
                        assert whole.execute(f"select count(*) from marts.{table}").fetchone()[0] == rows, table
            assert item["tables"]["fct_scorecard_latest"] == {"HRF": 10, "SD004": 35}[code]
            assert item["tables"]["dim_organisation"] == 1


def test_a_failed_export_leaves_the_previous_publication_as_it_was(warehouse, tmp_path, monkeypatch, capsys):
    working = working_copy(warehouse, tmp_path)
    target = tmp_path / "published" / "scorecard.duckdb"
    publish(working, target, build_id="first", run_results=run_results(warehouse))
    before = snapshot(target.parent)
    assert "exports/councils/HRF.xlsx" in before

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "write_council_workbook", disk_full)
    with pytest.raises(ExportFailed, match=r"could not write the exports \(OSError: .*No space left on device\); "
                                           r"the published file and exports are unchanged"):  # fmt: skip
        publish(working, target, build_id="second", run_results=run_results(warehouse))
    assert snapshot(target.parent) == before  # nothing left behind either
    assert read_build(target)[0] == "first"

    # the command line says so in one line
    monkeypatch.setenv("SCORECARD_PUBLISHED_PATH", str(target))
    monkeypatch.setenv("DBT_TARGET_PATH", str(run_results(warehouse).parent))
    assert cli_main(["--database", str(working), "publish"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("scorecard publish: not published: could not write the exports (OSError: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(target.parent) == before

    # and with the writer back, the command publishes the marts and their exports
    monkeypatch.undo()
    monkeypatch.setenv("SCORECARD_PUBLISHED_PATH", str(target))
    monkeypatch.setenv("DBT_TARGET_PATH", str(run_results(warehouse).parent))
    assert cli_main(["--database", str(working), "publish"]) == 0
    manifest = json.loads((target.parent / "exports" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_id"] == read_build(target)[0] != "first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["exports", "scorecard.duckdb"]


@pytest.mark.parametrize("exchange", [True, False], ids=["atomic-exchange", "two-renames"])
def test_a_failed_rename_puts_the_previous_exports_back(warehouse, tmp_path, monkeypatch, exchange):
    working = working_copy(warehouse, tmp_path)
    target = tmp_path / "published" / "scorecard.duckdb"
    publish(working, target, build_id="first", run_results=run_results(warehouse))
    before = snapshot(target.parent)
    if not exchange:
        monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(publish_module.os, "replace", refuse)
    with pytest.raises(PermissionError):
        publish(working, target, build_id="second", run_results=run_results(warehouse))
    assert snapshot(target.parent) == before
    monkeypatch.undo()
    if not exchange:
        monkeypatch.setattr(publish_module, "_exchange", lambda a, b: False)
    publish(working, target, build_id="third", run_results=run_results(warehouse))
    assert read_build(target)[0] == "third"
    assert exports.read_manifest(target.parent / "exports")["build_id"] == "third"
    assert sorted(p.name for p in target.parent.iterdir()) == ["exports", "scorecard.duckdb"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 exchanges two names on Linux only")
def test_two_folders_are_exchanged_in_one_step(tmp_path):
    old, new = tmp_path / "exports", tmp_path / ".exports.next.tmp"
    old.mkdir()
    new.mkdir()
    (old / "manifest.json").write_text("old")
    (new / "manifest.json").write_text("new")
    assert publish_module._exchange(new, old)
    assert ((old / "manifest.json").read_text(), (new / "manifest.json").read_text()) == ("new", "old")


def test_the_duckdb_command_line_reads_the_published_file_read_only(published):
    cli = Path(sys.executable).parent / "duckdb"
    assert cli.exists(), "the DuckDB command line is missing: pip install duckdb-cli==1.4.4.post2"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith(f"v{duckdb.__version__} "), version  # the same DuckDB as the Python package
    done = subprocess.run(
        [str(cli), "-readonly", str(published), "-c", "select count(*) from marts.fct_scorecard_latest"],
        capture_output=True,
        text=True,
        check=True,
    )
    with duckdb.connect(str(published), read_only=True) as con:
        expected = con.execute("select count(*) from marts.fct_scorecard_latest").fetchone()[0]
    assert re.search(r"│\s+(\d+)\s+│", done.stdout).group(1) == str(expected) == "45"
