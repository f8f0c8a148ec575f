"""The monthly pack as a PDF (`scorecard pack`, `make pack`): printed from the built site, read back as text.

Reuses the reports test's site (the sample warehouse plus the national statistics fixture, published,
`evidence build` into reports/build) and its browser: session fixtures in tests/conftest.py, so one
site build serves this file and tests/test_reports.py. Each PDF is read with poppler's `pdftotext -layout`
and `pdfinfo`, installed by `make browser`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from scorecard.pack import PackError, check, chromium_path, render

from .conftest import HRF_BUDGET_COMMENTARY_FIXTURE, fixture_commentary

SCORECARD = Path(sys.executable).parent / "scorecard"
HRF = "Herefordshire Council - Children's Wellbeing directorate"  # dim_organisation's name
MINUS = "\N{MINUS SIGN}"  # how the pack writes a fall

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="node/npm not installed: the Evidence reports cannot be built, so the pack cannot be printed",
    ),
]


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.fail("poppler-utils (pdftotext, pdfinfo) is not installed: run `make browser` (make test does)")
    result = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return result.stdout


def _page_size(pdf: Path) -> tuple[int, int, int]:
    """(width, height) in points, rounded, and the number of pages, from pdfinfo. A4 landscape is 842 x 595."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return round(float(width)), round(float(height)), pages


def _line(text: str, start: str) -> str:
    """The first line of the PDF's text that holds `start` (pdftotext -layout keeps a table row on one line)."""
    lines = [line for line in text.splitlines() if start in line]
    assert lines, f"no line with {start!r}"
    return re.sub(r"\s+", " ", lines[0].strip())


def _figure(database: Path, council: str, code: str, month: str) -> tuple[str, str, str]:
    """An indicator's value and target as the pack prints them (92.6%, 18%) and its RAG, from the warehouse."""
    sql = """
        select value, target, rag_status from marts.fct_indicator_period
        where organisation_code = ? and indicator_code = ? and period_month = ?::date
    """
    with duckdb.connect(str(database), read_only=True) as con:
        value, target, rag = con.execute(sql, [council, code, f"{month}-01"]).fetchone()
    return f"{float(value):g}%", f"{float(target):g}%", rag


@pytest.fixture(scope="module")
def packs(site, browser, tmp_path_factory) -> dict[str, tuple[Path, str]]:
    """The three packs printed once: HRF May 2017, HRF March 2017 and SD004 January 2018."""
    out = tmp_path_factory.mktemp("packs")
    made = {}
    for council, month in [("HRF", "2017-05"), ("HRF", "2017-03"), ("SD004", "2018-01")]:
        pack = render(council, month, out=out / f"{council}_{month}.pdf", site=site, browser=browser)
        assert pack.pdf.exists()
        made[f"{council} {month}"] = (pack.pdf, _pdftotext(pack.pdf))
    return made


def test_hrf_may_2017(packs, published):
    pdf, text = packs["HRF 2017-05"]
    assert _page_size(pdf)[:2] == (842, 595)  # A4 landscape
    # the cover
    assert HRF in text and "Council code HRF" in text
    assert "May 2017" in text
    assert re.search(r"Warehouse build\s+reports-test", text)
    assert "Page 1 of" in text
    assert f"{HRF} (HRF) · May 2017 · Children's services scorecard pack" in text  # the footer
    assert "Print or save as PDF" not in text  # the page's print button is not printed
    # scorecard: CWB 02 as the warehouse holds it (90.6% against 88%; no RAG methodology in May 2017)
    value, target, rag = _figure(published, "HRF", "CWB 02", "2017-05")
    assert (value, target, rag) == ("90.6%", "88%", None)
    cwb02 = _line(text, "CWB 02")
    assert "Bigger is better" in cwb02 and f"{target} {value}" in cwb02 and "no RAG" in cwb02 and "better" in cwb02
    # a figure left blank in the pack is "no figure", never the word "blank" (CWB 06 against its 40%)
    cwb06 = _line(text, "CWB 06")
    assert "40% no figure" in cwb06 and "blank" not in cwb06
    # budget: the May 2017 report, variance and its word
    assert "Budget report of May 2017" in text
    assert "2,080 adverse" in _line(text, "Looked After Children")
    directorate = _line(text, "Childrens Wellbeing")
    assert "21,620 22,981 1,361 adverse" in directorate
    assert "(341) favourable" in _line(text, "Additional Needs")
    # workforce: the latest figure of each measure up to May 2017
    assert f"May-17 21.17 FTE 21.77 {MINUS}0.6 ↓ better" in _line(text, "Agency FTE")
    assert f"Apr-17 297.7 FTE 301 {MINUS}3.3" in _line(text, "FTE ")  # no FTE figure in May: April's, labelled
    assert "May-17 7.7 days 7.26 +0.44 ↑ worse" in _line(text, "Absence")
    # risks: the register of May 2017
    assert "The risk register as reported in May 2017" in text
    assert "CR.035 Early Help" in _line(text, "CR.035")
    # programme: the May 2017 report gives each project's RAG (its month-by-month plan was not legible)
    assert "Young Persons Housing" in text and "Amber" in _line(text, "Young Persons Housing")
    # data quality: the council's findings up to May 2017
    assert re.search(r"warning\s+target_missing\s+CWB 09\s+May 2017", text)
    assert re.search(r"error\s+ratio_differs_from_value\s+CWB 06\s+Mar 2017", text)


def test_hrf_march_2017_milestones(packs):
    pdf, text = packs["HRF 2017-03"]
    assert "March 2017" in text and _page_size(pdf)[:2] == (842, 595)
    assert "as the programme report of March 2017 planned them" in text
    assert "Award contracts" in _line(text, "Dec 2016")
    assert "Soft Market Testing" in _line(text, "Jan 2017")


def test_sd004_january_2018(packs, published):
    pdf, text = packs["SD004 2018-01"]
    width, height, pages = _page_size(pdf)
    assert (width, height) == (842, 595) and pages >= 7  # cover and six sections, each from a new page
    assert f"Page {pages} of {pages}" in text
    assert "Council of source document 004" in text and "Council code SD004" in text
    assert "January 2018" in text
    # every indicator, with value, target and RAG as the warehouse holds them
    with duckdb.connect(str(published), read_only=True) as con:
        sql = "select indicator_code from marts.dim_indicator where organisation_code = 'SD004'"
        codes = [code for (code,) in con.execute(sql).fetchall()]
    assert len(codes) == 35
    for code in codes:  # pdftotext may close up a code's space ("F 3" reads "F3") or wrap it
        pattern = r"\s*".join(re.escape(part) for part in code.split())
        assert re.search(rf"^\s*{pattern}\s", text, re.MULTILINE), code
    value, target, rag = _figure(published, "SD004", "FD 8", "2018-01")
    assert (value, target, rag) == ("18%", "22%", "Green")
    fd8 = _line(text, "FD 8 ")
    assert "IL Smaller is better 22% 18% ● Green" in fd8 and "worse" in fd8
    value, target, rag = _figure(published, "SD004", "AMT 2", "2018-01")
    assert "MK Bigger is better 95% 59.5% ▲ Red" in _line(text, "AMT 2 ")
    # sections with nothing for this council say so
    assert "No budget report for January 2018." in text
    assert "No workforce figures up to January 2018." in text
    assert "No risk register reported up to January 2018." in text
    assert "No programme report up to January 2018." in text
    # data quality: errors first
    assert re.search(r"error\s+reported_rag_differs\s+AD 7\s+Jan 2018", text)
    assert re.search(r"error\s+polarity_contradicts_methodology\s+QA 1", text)
    assert text.index("polarity_contradicts_methodology") < text.index("methodology_gap")
    # the commentary fixture's text, exactly as written, with its author's role: each section's at the top
    # of its section (budget's too, though there is no budget report), the indicators' in the scorecard
    # section (pdftotext wraps long lines: compared with runs of white space as one space)
    notes = fixture_commentary()
    flat = " ".join(text.split())
    for subject in ("scorecard", "FD 3", "CP 10", "budget"):
        role, words = notes[subject]
        assert f"{role}: {' '.join(words.split())}" in flat, subject
    assert "Commentary on indicators" in text
    scorecard, budget = flat.index("Scorecard, January 2018"), flat.index("Budget report of January 2018")
    assert flat.index("Head of Performance:") < scorecard < flat.index("Head of Service:") < budget
    assert scorecard < flat.index("Head of Finance:") < budget < flat.index("No budget report for January 2018.")


def test_hrf_packs_print_only_their_own_commentary(packs):
    """SD004's fixture is not HRF's: HRF's packs print none of it (and no empty heading for indicators).
    HRF's own fixture is one note on the May 2017 budget report: May's pack prints it at the top of its
    budget section, March's pack prints no commentary at all."""
    for key in ("HRF 2017-05", "HRF 2017-03"):
        _, text = packs[key]
        assert "Commentary on indicators" not in text
        for _, words in fixture_commentary().values():
            assert " ".join(words.split()) not in " ".join(text.split()), key
    assert "Test commentary" not in packs["HRF 2017-03"][1]
    role, words = fixture_commentary(HRF_BUDGET_COMMENTARY_FIXTURE)["budget"]
    flat = " ".join(packs["HRF 2017-05"][1].split())
    assert flat.count("Test commentary") == 1
    note = flat.index(f"{role}: {' '.join(words.split())}")
    assert flat.index("Scorecard, May 2017") < note < flat.index("Budget report of May 2017")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCORECARD), "pack", *args], capture_output=True, text=True, timeout=300)


def test_unknown_council_and_month_without_figures(site):
    result = _cli("--council", "XYZ", "--month", "2017-05")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "scorecard pack: council 'XYZ' is not in the warehouse (councils: HRF, SD004)\n"
    result = _cli("--council", "HRF", "--month", "2019-01")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "scorecard pack: HRF has no figures for 2019-01 (its latest month is 2017-05)\n"
    result = _cli("--council", "HRF", "--month", "May 2017")
    assert result.stderr == "scorecard pack: month 'May 2017' is not yyyy-mm (e.g. 2017-05)\n"


def test_site_not_built_and_chromium_missing(tmp_path, monkeypatch):
    with pytest.raises(PackError, match=r"^the reports site in .+ is not built: build it with `make reports`$"):
        check("HRF", "2017-05", site=tmp_path)
    monkeypatch.setenv("SCORECARD_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PackError, match=r"^Chromium not found at .+no-chromium: install it with `make browser`$"):
        chromium_path()


def test_cli_writes_the_pack(site, tmp_path):
    """`scorecard pack` end to end: its own Chromium, the default site, one line of output."""
    out = tmp_path / "HRF_2017-05.pdf"
    result = _cli("--council", "hrf", "--month", "2017-05", "--out", str(out))
    assert result.returncode == 0, result.stderr
    expected = f"pack of {HRF} (HRF) for May 2017: {out}, 7 pages\n"
    assert result.stdout == expected
    assert HRF in _pdftotext(out)
