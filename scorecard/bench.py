"""Load benchmark: rows per second for a large wide workbook and a large long CSV.

Run with `make bench-load` (or `scorecard bench-load --rows N`). It writes the
files and a reference catalogue that knows their codes into a temporary
folder, loads each into a fresh DuckDB file through the real loader (checks
included), and prints the figures. Nothing here is asserted: tests never time.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import time
from pathlib import Path

from scorecard.loader import load_paths
from scorecard.settings import PROJECT_DIR


def _months(count: int) -> list[str]:
    out, year, month = [], 2018 - (count + 11) // 12, 1
    while len(out) < count:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _reference(folder: Path, indicators: int) -> None:
    shutil.copytree(PROJECT_DIR / "seeds" / "reference", folder)
    with (folder / "organisations.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["BENCH", "Benchmark council", "synthetic", "", "", "", ""])
    with (folder / "indicators.csv").open("a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        for i in range(indicators):
            unit = "percentage" if i % 2 else "count"
            writer.writerow([f"B{i:05d}", "BENCH", f"Benchmark indicator {i}", "Bench", unit, "monthly",
                             "BIB", "false", "", "", "", str(10 * (i + 1))])  # fmt: skip


def _write_csv(path: Path, indicators: int, months: list[str]) -> int:
    reported_in = months[-1]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["organisation_code", "indicator_code", "period", "value", "reported_rag",
                         "polarity_as_printed", "target_as_printed", "rag_methodology_as_printed",
                         "reported_in", "notes"])  # fmt: skip
        rows = 0
        for i in range(indicators):
            for j, month in enumerate(months):
                value = f"{(i * 7 + j * 3) % 1000 / 10:.1f}%" if i % 2 else str((i + j) % 500)
                writer.writerow(["BENCH", f"B{i:05d}", month, value, "", "BIB", "", "", reported_in, ""])
                rows += 1
    return rows


def _write_workbook(path: Path, indicators: int, months: list[str]) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Indicators")
    sheet.append(["Benchmark scorecard"])
    sheet.append(["Organisation", "BENCH"])
    sheet.append(["Reported in", months[-1]])
    sheet.append([])
    sheet.append(["Indicator Number", "Indicator Title", "Polarity", *months, "Target", "RAG"])
    for i in range(indicators):
        values = [((i * 7 + j * 3) % 1000) / 1000 if i % 2 else (i + j) % 500 for j in range(len(months))]
        sheet.append([f"B{i:05d}", f"Benchmark indicator {i}", "BIB", *values, "", ""])
    workbook.save(path)
    return indicators * len(months)


def run(rows: int = 200_000, indicators: int = 2_000, months: int = 24) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_months = _months(max(1, rows // indicators))
        _reference(folder / "reference", indicators)
        os.environ["SCORECARD_REFERENCE_DIR"] = str(folder / "reference")
        try:
            cases = [
                ("long CSV", folder / "indicator_values_BENCH.csv", _write_csv, csv_months),
                ("wide workbook", folder / "indicator_values_BENCH.xlsx", _write_workbook, _months(months)),
            ]
            print(f"{'file':15} {'rows':>9} {'MB':>7} {'seconds':>8} {'rows/s':>9}")
            for label, path, writer, month_list in cases:
                count = writer(path, indicators, month_list)
                size = path.stat().st_size / 1e6
                start = time.perf_counter()
                results = load_paths([path], folder / f"{path.suffix[1:]}.duckdb", settle=0,
                                     quarantine=folder / "q")  # fmt: skip
                seconds = time.perf_counter() - start
                assert results[0].status == "loaded" and results[0].rows == count, results[0]
                print(f"{label:15} {count:9d} {size:7.1f} {seconds:8.2f} {count / seconds:9.0f}")
        finally:
            os.environ.pop("SCORECARD_REFERENCE_DIR", None)
