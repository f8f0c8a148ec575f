"""The Evidence reports: built from the sample warehouse, served on 127.0.0.1, read in headless Chromium.

The warehouse is the sample plus the national statistics fixture (tests/fixtures/national_statistics),
with test-only reference data so that the benchmarking pages have something to rank, and the made-up
commentary fixture (tests/fixtures/commentary: the shipped packs print none) for SD004's January 2018
pack, so that the pages have commentary to show. Skipped (with the
reason) only when node is not installed. Screenshots go to test-artifacts/reports/.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from scorecard.publish import read_build

# The warehouse, the published copy, the built site, its server and the browser are session fixtures in
# tests/conftest.py: one site build serves this file and tests/test_pack.py.
from .conftest import ARTIFACTS, DERBY, HRF_BUDGET_COMMENTARY_FIXTURE, REPORTS_DIR, fixture_commentary

AXE = REPORTS_DIR / "node_modules" / "axe-core" / "axe.min.js"  # a devDependency in reports/package.json

pytestmark = [
    # needs a built warehouse and a browser: left out of `make test-fast`
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="node/npm not installed: the Evidence reports cannot be built, so their browser test is skipped",
    ),
]


# True once a page has hydrated and its client-side queries have settled, read from what Evidence
# (reports/node_modules/@evidence-dev) draws and keeps while it loads:
# - the splash screen of app.html (#__evidence_project_splash), removed when the layout's script runs
#   in the browser, i.e. once SvelteKit hydrates the prerendered page;
# - <article id="evidence-main-article">, which EvidenceDefaultLayout swaps for its LoadingSkeleton
#   while SvelteKit navigates;
# - the skeletons of a query still loading (LoadingSkeleton, ChartLoading of a chart not yet drawn,
#   Skeleton of QueryLoad), all `animate-pulse` with a "Loading..." for screen readers;
# - any transition still running in <main> (a fade-in, whose colours axe would read half-way);
# - the page's query stores, which Evidence's preprocessor puts on globalThis under Symbol.for(<query
#   name>): none loading, and none in flight in Evidence's Query class (reached from a store; this also
#   covers a reactive query being re-run while its store still holds the previous result).
PAGE_SETTLED = """() => {
    if (document.readyState !== 'complete' || document.getElementById('__evidence_project_splash')) return false;
    const main = document.querySelector('main');
    if (!main || !main.querySelector('#evidence-main-article')) return false;
    if (main.querySelector('.animate-pulse, [aria-busy="true"]')) return false;
    const fading = (a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity
        && main.contains(a.effect?.target);
    if (document.getAnimations().some(fading)) return false;
    for (const key of Object.getOwnPropertySymbols(globalThis)) {
        let query;
        try { query = globalThis[key]?.value; } catch { continue; }
        if (!query || typeof query !== 'object' || typeof query.loading !== 'boolean') continue;
        if (query.loading || query.__proto__?.constructor?.queriesInFlight === true) return false;
    }
    return true;
}"""
SETTLE_TIMEOUT_MS = 10_000  # the bounded fallback: a page still loading after this is checked as it stands


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


class Visit:
    """A page opened in Chromium, with everything it asked for and every script error."""

    def __init__(self, browser, base: str, path: str, width: int = 1280, height: int = 900):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.goto(base + path, wait_until="networkidle")
        self.page.wait_for_selector("main")
        self.settle()
        self.text = self.page.inner_text("main")

    def settle(self) -> bool:
        """Wait until the page has hydrated and its client-side queries have settled (PAGE_SETTLED).

        Returns (and keeps in `settled`) whether they did within SETTLE_TIMEOUT_MS; the page is not
        failed here when they did not, so that its checks say what is wrong with it.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        try:
            self.page.wait_for_function(PAGE_SETTLED, timeout=SETTLE_TIMEOUT_MS)
            self.settled = True
        except PlaywrightTimeoutError:
            self.settled = False
        return self.settled

    def row(self, first_cell: str) -> str:
        """The text of the first table row whose first cell reads exactly `first_cell`."""
        rows = self.page.evaluate(
            "() => [...document.querySelectorAll('main tr')].map(tr => [...tr.cells].map(c => c.innerText.trim()))"
        )
        matches = [" | ".join(cells) for cells in rows if cells and cells[0] == first_cell]
        assert matches, f"no row starting {first_cell!r}"
        return matches[0]

    def screenshot(self, name: str) -> Path:
        target = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def refresh_text(self) -> str:
        self.text = self.page.inner_text("main")
        return self.text

    def choose(self, select: str, value: str) -> None:
        """Pick an option of a native <select> and let the page redraw."""
        self.page.select_option(select, value)
        self.page.wait_for_timeout(500)
        self.refresh_text()

    def serious_axe_violations(self) -> list[str]:
        """axe-core's violations of serious or critical impact (WCAG 2.x A/AA and best practice), as text.

        axe is injected from reports/node_modules as an inline script: nothing is fetched. A page reached
        by client-side navigation keeps the axe injected into the page before it: it is not injected again.
        """
        if not self.page.evaluate("typeof window.axe?.run === 'function'"):
            self.page.add_script_tag(content=_axe_source())
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def heading_levels(self) -> list[int]:
        return self.page.evaluate(
            "() => [...document.querySelectorAll('main h1, main h2, main h3, main h4')].map(h => +h.tagName[1])"
        )

    def evidence_error_boxes(self) -> int:
        """Evidence's error boxes (a chart's or a value's "Dataset is empty", a failed query ...)."""
        return self.page.locator("main [class*='bg-negative']").count()

    def overflow(self) -> int:
        """How far the page scrolls sideways (0: it does not)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")

    def chart_series(self) -> dict[str, list]:
        """Each drawn chart series' data, by series name (read from the ECharts instances Evidence keeps)."""
        return self.page.evaluate(
            """() => {
                const charts = window[Symbol.for('__evidence-chart-window-debug__')] ?? {};
                const out = {};
                for (const chart of Object.values(charts)) {
                    for (const s of chart.getOption().series ?? []) {
                        out[s.name] = (out[s.name] ?? []).concat(
                            (s.data ?? []).map((d) => (Array.isArray(d) ? d : d?.value ?? d))
                        );
                    }
                }
                return out;
            }"""
        )

    def assert_clean(self, base: str):
        # No error banner or error box, no script error, and nothing fetched from outside 127.0.0.1.
        for banner in ("Error in query", "Query error", "Unexpected error", "Internal Error", "Dataset is empty"):
            assert banner not in self.text
        assert self.page.locator(".error, [data-testid='error']").count() == 0
        assert self.evidence_error_boxes() == 0
        assert self.errors == []
        assert [u for u in self.requests if not u.startswith(base) and not u.startswith("data:")] == []


def test_node_driver_reads_the_published_file(published):
    """Evidence's source driver (@duckdb/node-api) opens the file Python's duckdb wrote."""
    result = subprocess.run(
        ["node", "scripts/check-published.mjs", str(published)],
        cwd=REPORTS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    _, promised, held = read_build(published)
    assert seen["duckdb"].startswith("v1.4.")
    assert {k: v for k, v in seen["marts"].items() if k != "build_info"} == held == promised
    assert seen["marts"]["fct_indicator_period"] == 380


def test_scorecard_page(server, browser, published):
    visit = Visit(browser, server, "/")
    visit.screenshot("scorecard")
    visit.assert_clean(server)
    assert "Council of source document 004" in visit.text
    assert "Jan 2018" in visit.text
    with duckdb.connect(str(published), read_only=True) as con:
        sql = "select indicator_code from marts.dim_indicator where organisation_code = 'SD004'"
        codes = [code for (code,) in con.execute(sql).fetchall()]
    assert len(codes) == 35
    for code in codes:
        assert code in visit.text, code
    # Values, targets and RAG words as pack 004 prints them for January 2018.
    fd8 = visit.row("FD 8")
    assert "18%" in fd8 and "22%" in fd8 and "Green" in fd8 and "worse" in fd8
    amt2 = visit.row("AMT 2")
    assert "59.5%" in amt2 and "95%" in amt2 and "Red" in amt2
    assert "Assessment" in visit.text and "Front Door" in visit.text  # grouped by service area
    assert "build reports-test" in visit.text
    # The chosen council and month, in words, in a heading (it prints too).
    heading = visit.page.locator("#scorecard-heading").inner_text()
    assert heading == "Council of source document 004 (not named in the pack): January 2018"
    # Owner, polarity, target, value, RAG, direction, last period's RAG: all on the table.
    headers = visit.page.locator("table.scorecard thead th").all_inner_texts()
    for column in ("Value", "Target", "RAG", "Direction", "RAG last period", "Polarity", "Owner"):
        assert column in headers, column
    assert "IL" in fd8 and "Smaller is better" in fd8 and fd8.split(" | ")[-4].startswith("●")  # last RAG: Green
    # A missing figure is an em dash read out as "no figure", never the word "blank"; a figure with
    # no RAG says why (rag_not_computed_reason).
    assert "blank" not in visit.text.lower()
    qa3 = visit.page.locator("table.scorecard tr", has_text="QA 3").first
    assert "\N{EM DASH}" in qa3.inner_text()
    assert "no figure" in qa3.locator("td.num").first.locator(".visually-hidden").inner_text()
    assert "no RAG methodology for the period" in qa3.locator(".rag-reason").inner_text()
    assert "data-only indicator" in visit.row("CL 1")
    # Indicators in pack order (indicators.sort_order), service areas in the order of their first
    # indicator: not alphabetical, and CP 5 before CP 13 and CP 10 as the pack prints them.
    with duckdb.connect(str(published), read_only=True) as con:
        pack = con.execute(
            "select indicator_code, service_area from marts.dim_indicator where organisation_code = 'SD004' "
            "order by service_area_sort_order, sort_order"
        ).fetchall()
    assert [code for code, _ in pack][:4] == ["P1", "W 1", "W1 a", "W1 b"]
    areas = list(dict.fromkeys(area for _, area in pack))
    expected = [code for area in areas for code, a in pack if a == area]
    shown = visit.page.locator("table.scorecard tbody th.code a").all_inner_texts()
    assert shown == expected
    groups = visit.page.locator("table.scorecard th[scope='rowgroup']").all_inner_texts()
    assert groups == areas and groups != sorted(groups)
    # Months newest first, by date.
    months = visit.page.locator("#scorecard-month option").evaluate_all("os => os.map(o => o.value)")
    assert months == sorted(months, reverse=True) and months[0] == "2018-01"


def _sparkline(row) -> tuple[str, int, int]:
    """A scorecard row's sparkline: its sentence (aria-label), its periods and the dots drawn for figures."""
    svg = row.locator("svg.sparkline")
    assert svg.count() == 1 and svg.get_attribute("role") == "img"
    return svg.get_attribute("aria-label"), int(svg.get_attribute("data-periods")), svg.locator("circle").count()


def test_scorecard_commentary_rag_method_and_sparkline(server, browser, published):
    """SD004, January 2018: the fixture's commentary, the RAG method in words and 12-period sparklines."""
    visit = Visit(browser, server, "/?council=SD004&month=2018-01")
    visit.screenshot("scorecard-commentary")
    visit.assert_clean(server)
    notes = fixture_commentary()
    # The scorecard section's commentary above the table, its author's role first.
    role, text = notes["scorecard"]
    assert visit.page.locator("#scorecard-commentary").inner_text() == f"{role}: {text}"
    section = visit.page.locator("#scorecard-commentary").bounding_box()
    assert section["y"] < visit.page.locator("table.scorecard").bounding_box()["y"]
    # Each indicator's commentary, exactly as written (quotes and line break kept), under its own row.
    for code in ("FD 3", "CP 10"):
        role, text = notes[code]
        row = visit.page.locator("table.scorecard tr", has=visit.page.locator("th.code a", has_text=code)).first
        commentary = row.locator("xpath=following-sibling::tr[1]")
        assert "row-commentary" in commentary.get_attribute("class").split(), code
        shown = commentary.inner_text()
        assert shown.startswith(f"Commentary on {code}:") and shown.strip().endswith(f"{role}: {text}"), code
    assert "\n" in notes["FD 3"][1] and '"front door"' in notes["FD 3"][1]
    assert visit.page.locator("tr.row-commentary").count() == 2  # none for the indicators without any
    # The RAG method in words under the badge (fct_scorecard_latest), none for a data-only indicator.
    with duckdb.connect(str(published), read_only=True) as con:
        methods = dict(con.execute(
            "select indicator_code, rag_method_description from marts.fct_scorecard_latest"
            " where organisation_code = 'SD004'"
        ).fetchall())  # fmt: skip
    assert methods["FD 3"] == "Green at or above 90%, Amber above 84%, Red at or below 84%"
    assert methods["FD 8"] == "Green at or below 22%, Amber below 26%, Red at or above 26%"
    for code in ("FD 3", "FD 8"):
        cell = visit.page.locator("table.scorecard tr", has=visit.page.locator("th.code a", has_text=code)).first
        method = cell.locator(".rag-cell .rag-method")
        assert " ".join(method.inner_text().split()) == f"RAG method: {methods[code]}"  # "RAG method:" read out only
        assert method.is_visible()
    assert methods["CL 1"] is None and "RAG method" not in visit.row("CL 1")
    # A sparkline of the last 12 periods up to the month: AMT 2 has figures for all 10 months of the
    # sample (Apr 2017 to Jan 2018), LE 2 none for January 2018 (a gap, no dot).
    with duckdb.connect(str(published), read_only=True) as con:
        periods = {code: [float(v) if v is not None else None for (v,) in con.execute(
            "select value from marts.fct_indicator_period where organisation_code = 'SD004' and indicator_code = ?"
            " and period_month <= date '2018-01-01' order by period_month desc limit 12", [code]
        ).fetchall()][::-1] for code in ("AMT 2", "LE 2")}  # fmt: skip
    assert len(periods["AMT 2"]) == 10 and (periods["AMT 2"][0], periods["AMT 2"][-1]) == (71.3, 59.5)
    amt2 = visit.page.locator("table.scorecard tr", has=visit.page.locator("th.code a", has_text="AMT 2")).first
    assert _sparkline(amt2) == ("10 periods: from 71.3% to 59.5%", 10, 10)
    assert periods["LE 2"][-1] is None and sum(v is None for v in periods["LE 2"]) == 1
    le2 = visit.page.locator("table.scorecard tr", has=visit.page.locator("th.code a", has_text="LE 2")).first
    assert _sparkline(le2) == ("10 periods: from 37.5% to 28.5%, 1 with no figure", 10, 9)
    # Only periods up to the chosen month; another month's commentary is not shown for it.
    visit.choose("#scorecard-month", "2017-06")
    assert _sparkline(amt2) == ("3 periods: from 71.3% to 90.1%", 3, 3)
    assert visit.page.locator("tr.row-commentary, #scorecard-commentary").count() == 0
    # On a phone the commentary wraps within the screen, the page does not scroll sideways.
    phone = Visit(browser, server, "/?council=SD004&month=2018-01", width=390, height=844)
    phone.screenshot("scorecard-commentary-phone")
    assert phone.overflow() <= 0
    note = phone.page.locator("tr.row-commentary p").first.bounding_box()
    assert note["x"] >= 0 and note["x"] + note["width"] <= 390
    assert notes["FD 3"][1] in phone.page.locator("tr.row-commentary").first.inner_text()


def test_scorecard_fits_a_phone(server, browser):
    visit = Visit(browser, server, "/", width=390, height=844)
    visit.screenshot("scorecard-phone")
    visit.assert_clean(server)
    overflow = visit.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert "FD 8" in visit.text
    # The RAG badge is on screen without scrolling the table sideways.
    badge = visit.page.locator("tr", has_text="FD 8").first.locator(".rag").first.bounding_box()
    assert badge is not None and badge["x"] >= 0 and badge["x"] + badge["width"] <= 390
    region = visit.page.locator(".report-scroll", has=visit.page.locator("table.scorecard")).bounding_box()
    assert badge["x"] + badge["width"] <= region["x"] + region["width"]  # not clipped by the table's own box
    # The title is not hidden on a phone: it sits under the code.
    title = visit.page.locator("tr", has_text="FD 8").first.locator(".title-inline")
    assert title.is_visible() and "re-referrals" in title.inner_text()


def test_indicator_page(server, browser):
    visit = Visit(browser, server, "/indicators/sd004-fd-8")
    visit.screenshot("indicator-fd-8")
    visit.assert_clean(server)
    assert "FD 8: Percentage of re-referrals within 12 months" in visit.text
    assert "Smaller is better" in visit.text
    jan = visit.row("Jan-18")
    assert "18%" in jan and "22%" in jan and "Green" in jan
    jun = visit.row("Jun-17")
    assert "28%" in jun and "Red" in jun
    assert visit.page.locator("main canvas, main svg").count() >= 1  # the trend chart drew
    # The RAG method in words (fct_scorecard_latest), and the bands from rpt_indicator_rag_bands.
    assert visit.page.locator("#rag-method").inner_text() == (
        "RAG method (Jan-18): Green at or below 22%, Amber below 26%, Red at or above 26%."
    )
    assert "Shaded bands show where the figure would be Green, Amber or Red" in visit.text
    assert visit.page.locator("#indicator-commentary").count() == 0  # FD 8 has no commentary
    # FD 3's commentary by month, newest first, with its author's role, exactly as written.
    role, text = fixture_commentary()["FD 3"]
    visit = Visit(browser, server, "/indicators/sd004-fd-3")
    visit.screenshot("indicator-fd-3")
    visit.assert_clean(server)
    notes = visit.page.locator("#indicator-commentary .commentary-note").all_inner_texts()
    assert notes == [f"January 2018\n{role}: {text}"]
    method = visit.page.locator("#rag-method").inner_text()
    assert method == "RAG method (Jan-18): Green at or above 90%, Amber above 84%, Red at or below 84%."


def test_budget_page(server, browser, published):
    visit = Visit(browser, server, "/budget")
    visit.screenshot("budget")
    visit.assert_clean(server)
    # Pack 000 (May 2017): the directorate total computed from its lines.
    assert "variance £1,361k (adverse)" in visit.text
    total = visit.page.locator("tr.directorate").inner_text()
    assert "21,620" in total and "22,981" in total and "1,361" in total and "adverse" in total
    lac = visit.page.locator("tr", has_text="Looked After Children").first.inner_text()
    assert "2,080" in lac and "adverse" in lac
    # The chart files each line by the mart's variance_assessment: a nil variance is "Nil", not favourable.
    assert "variance > 0" not in (REPORTS_DIR / "pages" / "budget.md").read_text(encoding="utf-8")
    with duckdb.connect(str(published), read_only=True) as con:
        council, month = con.execute(
            "select organisation_code, strftime(report_month, '%Y-%m') from marts.fct_budget_outturn"
            " where variance_assessment = 'nil' and service_level = 'line' order by report_month desc limit 1"
        ).fetchone()
        lines = con.execute(
            "select service_name, variance_assessment from marts.fct_budget_outturn where service_level = 'line'"
            " and organisation_code = ? and strftime(report_month, '%Y-%m') = ?",
            [council, month],
        ).fetchall()
    visit = Visit(browser, server, f"/budget?council={council}&month={month}")
    visit.assert_clean(server)
    series = visit.chart_series()  # every series lists every line (Evidence completes them): [variance, line]
    words = {"adverse": "Adverse (overspend)", "favourable": "Favourable (underspend)", "nil": "Nil (on budget)"}
    assert set(series) == {words[a] for _, a in lines}
    for name, assessment in lines:
        filed = [s for s, points in series.items() if any(p[1] == name and p[0] not in (None, 0) for p in points)]
        assert filed == ([] if assessment == "nil" else [words[assessment]]), (name, filed)
        assert any(p[1] == name for p in series[words[assessment]])
    assert any(a == "nil" for _, a in lines)


def test_budget_page_commentary(server, browser):
    """HRF's May 2017 budget report shows the budget section's commentary (tests/fixtures/commentary/
    commentary_HRF_2017-05.csv) exactly as written, after its author's role, above the figures; March's none."""
    role, text = fixture_commentary(HRF_BUDGET_COMMENTARY_FIXTURE)["budget"]
    assert '"out of area"' in text and "£1,361k" in text and "6.3%" in text  # quotes, £ and % kept
    visit = Visit(browser, server, "/budget?council=HRF&month=2017-05")
    visit.screenshot("budget-commentary")
    visit.assert_clean(server)
    assert visit.page.locator("#budget-month").input_value() == "2017-05"
    note = visit.page.locator("#budget-commentary")
    assert note.count() == 1 and note.is_visible()
    assert note.inner_text() == f"{role}: {text}"
    assert note.locator("strong").inner_text() == f"{role}:"  # the author's role first, in bold
    assert note.bounding_box()["y"] < visit.page.locator("table.report-table").first.bounding_box()["y"]
    # another report month of the same council: its own commentary (none), never May's
    visit.choose("#budget-month", "2017-03")
    assert "month=2017-03" in visit.page.url
    assert visit.page.locator("#budget-commentary").count() == 0 and text not in visit.text


def test_pages_hold_no_rules():
    """Orders, unit labels and RAG bands are read from the marts, never worked out on a page."""
    pages = REPORTS_DIR / "pages"
    quality = (pages / "data-quality.md").read_text(encoding="utf-8")
    pack = (pages / "pack.md").read_text(encoding="utf-8")
    for text in (quality, pack):
        assert "case severity" not in text and "order by severity_rank" in text  # rpt_data_quality_findings
    workforce = (pages / "workforce.md").read_text(encoding="utf-8")
    assert "unitLabels" not in workforce and "unit_label" in workforce  # fct_workforce_measure_period
    assert "workforceUnits" not in pack and "unit_label" in pack
    # Periods of one month in the order of the period_types seed (fct_workforce_measure_period.period_type_sort_order),
    # never a CASE over period types on a page, in SQL or in JavaScript.
    for text in (workforce, pack):
        assert "case period_type" not in text.lower() and "'quarter'" not in text and "period_order" not in text
        assert "period_type_sort_order" in text
    # "Decision required" is the programme mart's decision_label (the programme_activity_types seed), not a literal.
    programme = (pages / "programme.md").read_text(encoding="utf-8")
    for text in (programme, pack):
        assert "Decision required" not in text and "decision_required" not in text and "decision_label" in text
    indicator = (pages / "indicators" / "[indicator].md").read_text(encoding="utf-8")
    assert "scorecard.indicator_rag_bands" in indicator and "edges" not in indicator  # rpt_indicator_rag_bands
    # Figures are written in their unit's template from the mart (dim_indicator.figure_template and
    # difference_template, from units.csv): format.js knows no unit and adds no suffix of its own.
    components = REPORTS_DIR / "components"
    fmt = (components / "format.js").read_text(encoding="utf-8")
    for literal in ("'percentage'", "'days'", "'points'", "}%`", " days`", " pts`", " points`"):
        assert literal not in fmt, literal
    callers = [indicator, pack, *(path.read_text(encoding="utf-8") for path in components.glob("*.svelte"))]
    for text in callers:
        assert not re.search(r"format(Figure|Signed)\([^)]*\.unit\)|<Figure [^>]*\bunit=", text)
    assert all("figure_template" in text for text in (indicator, pack))


# ---- Benchmarking (/benchmarking): the national statistics fixture, worked by hand ----------------------
# Reporting year 2022, assessments within 45 days (bigger is better). Seven authorities have a figure
# (Rutland's is `c`, suppressed, so not ranked): 88.5 Bournemouth, Christchurch and Poole; 86.9 West
# Northamptonshire; 86.2 Plymouth; 86.1 Torbay; 85.2 North Northamptonshire; 85.0 Derby and 85.0 Leicester,
# who share 6th. Band ceil(4 x 6 / 7) = 4: D. Reporting year 2020: 88.0, 87.3, 86.9, 86.8 Leicester, 85.1 Derby,
# 76.8 Northamptonshire, 0.0 Rutland (a reported zero): Derby 5th of 7, band ceil(20 / 7) = 3: C.
# Derby 2022 is 2040 of 2400. Wilson, z = 1.959964: (4080 + z² ∓ z·√(z² + 4·2040·0.15)) / (2·(2400 + z²))
# = (4083.8415 ∓ 68.6783) / 4807.6829 = 83.5% to 86.4%, which holds England's 84.5%: similar.
# Derby's (test) neighbours in 2022: Leicester 85.0, Plymouth 86.2, Rutland suppressed: mean 85.6 of 2 of 3;
# in 2020 (86.8 + 87.3 + 0.0) / 3 = 58.0. East Midlands: 85.1 (2022), 84.8 (2020).
# Children looked after, rate per 10,000 (a context measure, ranked lowest first), 2022: 50 Rutland, 64, 69,
# 77, 87 Leicester, 95 Derby, 96 and 96: Derby 6th of 8, band ceil(24 / 8) = 3: C.
ASSESSMENTS = "/benchmarking/assessments_within_45_days_pct"
NOT_RANKED = "\N{EN DASH}"  # the rank cell of an authority with no figure


def test_how_we_compare_page(server, browser):
    visit = Visit(browser, server, "/benchmarking")
    visit.screenshot("benchmarking")
    visit.assert_clean(server)
    assert visit.page.locator("#benchmark-council").input_value() == "SD004"
    assert "is ranked as the authority Derby (GSS code E06000015), in the East Midlands region" in visit.text
    assert "AMT 2: Percentage of C&F assessments completed within 45 working days" in visit.text
    assert "Band D 6th of 7 authorities (bottom quarter)." in visit.text
    assert "Similar to England. England's 84.5% lies inside the council's 95% confidence interval" in visit.text
    assert "Down 1 place since Reporting year 2020 (was 5th)." in visit.text
    # the council, its region, its neighbours and England side by side
    assert visit.row("Derby (this council)") == "Derby (this council) | 85.0% | 95% interval 83.5% to 86.4%"
    assert visit.row("East Midlands (region)").startswith("East Midlands (region) | 85.1%")
    assert visit.row("Statistical neighbours (mean)") == (
        "Statistical neighbours (mean) | 85.6% | 2 of 3 neighbours with a figure"
    )
    assert visit.row("England").startswith("England | 84.5%")
    # FD 8 maps to a national indicator the fixture does not publish
    assert "no national figures loaded for this council: FD 8 (rereferrals_within_12_months_pct)" in visit.text
    # the indicator links to its national page; every national indicator loaded is listed
    assert visit.page.locator(f"main a[href='{ASSESSMENTS}']").count() == 2
    cla_title = "Children looked after at 31 March, rate per 10,000 children aged under 18"
    assert visit.row(cla_title) == f"{cla_title} | Reporting year 2022 | 8 | 68"


def test_national_indicator_page(server, browser):
    visit = Visit(browser, server, ASSESSMENTS)
    visit.screenshot("benchmarking-assessments")
    visit.assert_clean(server)
    assert "Assessments completed within 45 working days (%)" in visit.text
    # defaults: the first council the warehouse serves, the latest period
    assert visit.page.locator("#benchmark-authority").input_value() == DERBY
    assert visit.page.locator("#benchmark-period").input_value() == "2022-03-01"
    assert (
        "▶ Derby, the authority of Council of source document 004 (not named in the pack), is 6th of 7 authorities "
        "ranked in Reporting year 2022: band D (bottom quarter), 85.0% (95% interval 83.5% to 86.4%). "
        "England: 84.5%. Compared with England: similar." in visit.text
    )
    ranking = visit.page.locator("table.ranking tbody tr")
    ranks = [cells.split("\t")[0].strip() for cells in ranking.all_inner_texts()]
    assert ranks == ["1", "2", "3", "4", "5", "6", "6", NOT_RANKED]
    # the chosen council's row: marked in words and set in bold, not by colour alone
    selected = visit.page.locator("table.ranking tr.selected")
    assert selected.count() == 1
    row = selected.inner_text()
    for text in ("6", "▶ selected", "Derby", "85.0%", "D", "Similar", "83.5% to 86.4%", "East Midlands"):
        assert text in row, text
    weight = selected.locator("th").evaluate("th => getComputedStyle(th).fontWeight")
    assert int(weight) >= 700
    # a suppressed figure is shown as suppressed, never as a zero, and is not ranked
    rutland = visit.page.locator("table.ranking tbody tr", has_text="Rutland").inner_text()
    assert "suppressed" in rutland and "0.0" not in rutland and "Not compared" in rutland
    assert "84.5%" in visit.page.locator("table.ranking tfoot").inner_text()  # England
    # the trend against England: a chart, its text summary and its table
    assert (
        "Derby: from 85.1% in Reporting year 2020 to 85.0% in Reporting year 2022; England from 84.1% to 84.5%. "
        "Rank from 5th of 7 to 6th of 7. Gap to England from +1.0 points to +0.5 points." in visit.text
    )
    assert visit.page.locator("figure.trend-chart canvas, figure.trend-chart svg").count() >= 1
    assert visit.row("Reporting year 2020") == (
        "Reporting year 2020 | 85.1% | 5 of 7 | C | 84.1% | Similar | 84.8% | 58.0% (3 of 3)"
    )
    assert visit.row("Reporting year 2022") == (
        "Reporting year 2022 | 85.0% | 6 of 7 | D | 84.5% | Similar | 85.1% | 85.6% (2 of 3)"
    )
    # another period: Rutland's 0.0 of 2020 is a reported zero, ranked last
    visit.choose("#benchmark-period", "2020-03-01")
    assert "is 5th of 7 authorities ranked in Reporting year 2020: band C (third quarter), 85.1%" in visit.text
    rutland = visit.page.locator("table.ranking tbody tr", has_text="Rutland").inner_text()
    assert rutland.split("\t")[0].strip() == "7" and "0.0%" in rutland and "suppressed" not in rutland
    # another authority
    visit.choose("#benchmark-authority", "E06000026")
    assert "▶ Plymouth is 2nd of 7 authorities ranked in Reporting year 2020" in visit.text
    assert "Plymouth" in visit.page.locator("table.ranking tr.selected").inner_text()
    visit.screenshot("benchmarking-assessments-plymouth-2020")
    assert visit.errors == []


# ---- Every page: no error box, no sideways scroll, axe clean, at 1280 px and 390 px ----------------------
# Each top-level page, and a text it must show (None: the page's own tests check what it shows). Each page
# is opened once a width, and every check of that page at that width is made on it.
TOP_LEVEL_PAGES = {
    "/": None,
    "/indicators": "LAC 19 (12m)",
    "/budget": None,
    "/workforce": "Agency FTE",
    "/risks": "CR.035",
    "/programme": "Milestone",
    "/data-quality": "Yellow",
    "/benchmarking": "6th of 7 authorities",
    ASSESSMENTS: "is 6th of 7 authorities ranked in Reporting year 2022",
    "/benchmarking/cla_rate_per_10000": "is 6th of 8 authorities ranked in Reporting year 2022: band C",
}
BENCHMARK_PAGES = ("/benchmarking", ASSESSMENTS, "/benchmarking/cla_rate_per_10000")


def _page_problems(visit: Visit, base: str, width: int) -> list[str]:
    """Everything wrong with one page, as text (so one test can report every page at once)."""
    problems = []
    if not visit.settled:
        problems.append(f"still loading after {SETTLE_TIMEOUT_MS / 1000:.0f} s")
    try:
        visit.assert_clean(base)
    except AssertionError as error:
        problems.append(f"not clean: {error!r} errors={visit.errors[:3]} boxes={visit.evidence_error_boxes()}")
    if visit.overflow() > 0:
        problems.append(f"scrolls sideways by {visit.overflow()} px at {width} px")
    problems += visit.serious_axe_violations()
    # every box that scrolls sideways is a focusable, labelled region
    unlabelled = visit.page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter((e) => {
            const style = getComputedStyle(e);
            return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1
                && !(e.getAttribute('role') === 'region' && e.tabIndex === 0
                     && (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')));
        }).map((e) => e.className)"""
    )
    if unlabelled:
        problems.append(f"scrolling boxes that are not focusable labelled regions: {unlabelled}")
    return problems


def _benchmark_page_problems(visit: Visit, path: str, width: int) -> list[str]:
    """A benchmarking page's own checks: headings in order; tables and charts captioned; the ranking fits."""
    problems = []
    levels = visit.heading_levels()
    if not (levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))):
        problems.append(f"headings out of order: {levels}")
    if visit.page.locator("main table").count() == 0:
        problems.append("no table of the figures")
    if visit.page.locator("main table:not(:has(caption))").count():
        problems.append("a table without a caption")
    # every chart sits in a figure with a caption (and the page gives its figures in a table too)
    uncaptioned = visit.page.evaluate(
        "() => [...document.querySelectorAll('main .chart-container')]"
        ".filter(c => !c.closest('figure')?.querySelector('figcaption')).length"
    )
    if uncaptioned:
        problems.append(f"{uncaptioned} chart(s) without a figure caption")
    if path != "/benchmarking" and width == 390:
        # rank, authority, figure, band and the comparison are on screen without scrolling the table
        for cell in visit.page.locator("table.ranking tr.selected").locator("td, th").all()[:5]:
            box = cell.bounding_box()
            if box is None or box["x"] < 0 or box["x"] + box["width"] > 390:
                problems.append(f"the selected ranking row's cell {cell.inner_text()!r} is off screen: {box}")
    return problems


def _top_page_problems(visit: Visit, path: str, width: int) -> list[str]:
    """A top-level page's own checks, beside _page_problems: the text it must show; a benchmarking page's."""
    visit.screenshot((path.strip("/").replace("/", "-") or "scorecard") + ("-all" if width == 1280 else "-phone-all"))
    problems = []
    expected = TOP_LEVEL_PAGES[path]
    if expected is not None and expected not in visit.text:
        problems.append(f"does not show {expected!r}")
    if path in BENCHMARK_PAGES:
        problems += _benchmark_page_problems(visit, path, width)
    return problems


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_is_clean_and_accessible(server, browser, width):
    """Every top-level page: no error box or script error, no sideways scroll, axe clean, the text it must
    show, and a benchmarking page's own checks (_benchmark_page_problems).

    One browser page a width: the first page is opened by its address, and the others are reached from it
    as a reader following links does (see _walk). Each page is also opened by its address in tests of its
    own (the benchmarking pages' route by test_national_indicator_page).
    """
    first, *others = TOP_LEVEL_PAGES
    visit = Visit(browser, server, first, width=width, height=900 if width == 1280 else 844)
    found = _page_problems(visit, server, width) + _top_page_problems(visit, first, width)
    problems = {first: found} if found else {}
    visit.page.evaluate("window.__loaded_once = true")
    stops = {
        path: Stop(path, PAGE_SHOWN, path, "the page", functools.partial(_top_page_problems, path=path, width=width))
        for path in others
    }
    problems |= _walk(visit, server, width, stops, start=first)
    assert problems == {}
    assert visit.page.evaluate("window.__loaded_once === true")  # every other page came by client-side navigation
    visit.page.close()


@pytest.fixture(scope="module")
def indicator_pages(published) -> dict[str, tuple[str, str]]:
    """Every indicator's page: its slug, and the heading and council its page shows."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select i.indicator_slug, i.indicator_code || ': ' || i.indicator_title, o.organisation_name"
            " from marts.dim_indicator as i left join marts.dim_organisation as o using (organisation_code)"
            " order by 1"
        ).fetchall()
    return {slug: (heading, council) for slug, heading, council in rows}


# True once SvelteKit has put the indicator page asked for in place: its address, its heading and its council.
INDICATOR_SHOWN = """([path, heading, council]) => {
    const words = (text) => (text ?? '').replace(/\\s+/g, ' ').trim();
    const h1 = document.querySelector('main #evidence-main-article h1');
    return location.pathname.replace(/\\/$/, '') === path && h1 !== null && words(h1.textContent) === heading
        && words(document.querySelector('main').textContent).includes(council);
}"""


def _follow_link(visit: Visit, path: str) -> None:
    """Go to `path` as a reader's click on a link does: SvelteKit's router loads it, no page load.

    A link is put in the document, clicked and taken out again (before any check reads the page).
    """
    visit.page.evaluate(
        """(path) => {
            const a = document.createElement('a');
            a.href = path;
            document.body.append(a);
            a.click();
            a.remove();
        }""",
        path,
    )


# True once SvelteKit has put the page asked for in place: its address, and an article drawn since _walk left
# the page before (EvidenceDefaultLayout draws a new one for each navigation).
PAGE_SHOWN = """(path) => {
    const article = document.querySelector('main #evidence-main-article');
    return location.pathname.replace(/\\/$/, '') === path.replace(/\\/$/, '') && article !== null
        && !article.hasAttribute('data-walk-left');
}"""


@dataclass
class Stop:
    """One page of a walk: its address, when it is shown (a predicate in the page and its argument), what it
    should have shown (for the problem when it never does), and its own checks beside _page_problems."""

    path: str
    shown: str
    argument: object
    showing: str
    checks: Callable[[Visit], list[str]]


def _walk(
    visit: Visit, base: str, width: int, stops: dict[str, Stop], start: str | None = None
) -> dict[str, list[str]]:
    """Each stop in turn, in one browser page, by client-side navigation; each one's problems, by its key.

    Script errors raised after the checks of the page the walk starts on are that page's (`start`, its key).

    DuckDB-wasm is downloaded and started once, by the page `visit` opened. Script errors and requests
    are collected afresh for each stop, and its checks wait until its page is shown (Stop.shown) and its
    queries have settled, so that nothing of the page before is checked or blamed on it.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    problems: dict[str, list[str]] = {}

    def late_errors(key: str | None, checked: int) -> None:
        """Script errors the page `key` raised after its checks are its own."""
        if key is not None and visit.errors[checked:]:
            problems.setdefault(key, []).append(f"script errors after its checks: {visit.errors[checked:][:3]}")

    previous, checked = start, len(visit.errors)
    for key, stop in stops.items():
        late_errors(previous, checked)
        visit.errors.clear()
        visit.requests.clear()
        visit.page.evaluate("document.querySelector('main #evidence-main-article')?.setAttribute('data-walk-left', '')")
        _follow_link(visit, stop.path)
        found = []
        try:
            visit.page.wait_for_function(stop.shown, arg=stop.argument, timeout=15_000)
        except PlaywrightTimeoutError:
            found.append(f"never showed {stop.showing} (at {visit.page.url})")
        visit.settle()
        visit.refresh_text()
        found += _page_problems(visit, base, width)
        found += stop.checks(visit)
        if found:
            problems[key] = found
        previous, checked = key, len(visit.errors)
    late_errors(previous, checked)
    return problems


def _has_history(visit: Visit) -> list[str]:
    if "history" not in visit.text.lower() and "no figures have been reported" not in visit.text:
        return ["no history"]
    return []


def _indicator_walk(visit: Visit, base: str, width: int, pages: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Every indicator page in turn (see _walk), shown once the address, the heading and the council are the
    new indicator's; each has a history, or says that no figures have been reported."""
    stops = {}
    for slug, (heading, council) in pages.items():
        path = f"/indicators/{slug}"
        words = [path, " ".join(heading.split()), " ".join(council.split())]
        stops[slug] = Stop(path, INDICATOR_SHOWN, words, f"{heading!r} of {council!r}", _has_history)
    return _walk(visit, base, width, stops)


@pytest.mark.parametrize("width", [1280, 390])
def test_every_indicator_page(server, browser, indicator_pages, width):
    """Every indicator of the warehouse: no error box (an indicator without RAG bands draws none), axe clean.

    One browser page a width, opened on the index, goes from indicator to indicator as a reader following
    links does (see _indicator_walk).
    """
    assert len(indicator_pages) >= 45  # 35 for SD004, 10 for HRF
    visit = Visit(browser, server, "/indicators", width=width, height=900 if width == 1280 else 844)
    linked = visit.page.locator("main table a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(linked) == sorted(f"/indicators/{slug}" for slug in indicator_pages)  # the index links them all
    visit.assert_clean(server)  # the one full page load: DuckDB-wasm and the app, all from 127.0.0.1
    visit.page.evaluate("window.__loaded_once = true")
    problems = _indicator_walk(visit, server, width, indicator_pages)
    assert problems == {}
    assert visit.page.evaluate("window.__loaded_once === true")  # every page came by client-side navigation
    visit.page.close()


def test_indicator_walk_blames_the_page_at_fault(server, browser, indicator_pages):
    """The walk of test_every_indicator_page reports a fault against the indicator that has it, and only that one.

    The middle of three indicators has its prerendered query results (/api/<md5 of the route>/<md5 of its
    params>/all-queries.json, see the layout's load in reports/.evidence/template/src/pages/+layout.js)
    answered with a 500: its page still draws, from DuckDB-wasm, but the browser logs the failed request.
    """
    slugs = list(indicator_pages)[:3]
    route, params = (
        hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
        for text in ("/indicators/[indicator]", f"indicator\x1f{slugs[1]}")
    )
    visit = Visit(browser, server, "/indicators")
    visit.page.route(f"**/api/{route}/{params}/all-queries.json", lambda r: r.fulfill(status=500, body="test fault"))
    problems = _indicator_walk(visit, server, 1280, {slug: indicator_pages[slug] for slug in slugs})
    assert list(problems) == [slugs[1]], problems
    assert "status of 500" in " ".join(problems[slugs[1]])
    visit.page.close()


def test_indicator_without_bands(server, browser):
    """CWB 01 has no RAG methodology: the chart draws, with no band and no error box, and says why."""
    visit = Visit(browser, server, "/indicators/hrf-cwb-01")
    visit.screenshot("indicator-hrf-cwb-01")
    visit.assert_clean(server)
    assert visit.page.locator("main canvas, main svg").count() >= 1
    assert "No Green, Amber or Red bands are drawn" in visit.text
    assert "no RAG methodology for the period" in visit.text
    assert "annual_only" not in visit.text and "annual only" in visit.text


# ---- Choosing: native selects, the choice in the URL, focus kept, the month follows the council ---------
def test_scorecard_choices_follow_the_council_and_live_in_the_url(server, browser, published):
    visit = Visit(browser, server, "/")
    page = visit.page
    assert page.locator("#scorecard-council").input_value() == "SD004"
    assert page.locator("#scorecard-month").input_value() == "2018-01"
    assert "council=SD004" in page.url and "month=2018-01" in page.url
    # An earlier month, then another council by keyboard: the month resets to that council's latest.
    visit.choose("#scorecard-month", "2017-06")
    assert "month=2017-06" in page.url
    page.focus("#scorecard-council")
    page.keyboard.press("ArrowDown")  # Herefordshire follows "Council of source document 004"
    page.wait_for_timeout(500)
    visit.refresh_text()
    assert page.evaluate("document.activeElement.id") == "scorecard-council"  # focus stays on the control
    assert page.locator("#scorecard-council").input_value() == "HRF"
    with duckdb.connect(str(published), read_only=True) as con:
        (latest,) = con.execute(
            "select strftime(max(period_month), '%Y-%m') from marts.fct_indicator_period"
            " where organisation_code = 'HRF'"
        ).fetchone()
        hrf_months = [m for (m,) in con.execute(
            "select distinct strftime(period_month, '%Y-%m') from marts.fct_indicator_period"
            " where organisation_code = 'HRF' order by 1 desc"
        ).fetchall()]  # fmt: skip
    assert page.locator("#scorecard-month").input_value() == latest == "2017-05"
    assert page.locator("#scorecard-month option").evaluate_all("os => os.map(o => o.value)") == hrf_months
    assert "council=HRF" in page.url and f"month={latest}" in page.url
    assert page.locator("#scorecard-heading").inner_text().endswith("May 2017")
    with duckdb.connect(str(published), read_only=True) as con:
        (with_figure,) = con.execute(
            "select count(value) from marts.fct_indicator_period where organisation_code = 'HRF'"
            " and strftime(period_month, '%Y-%m') = ?",
            [latest],
        ).fetchone()
    counts = page.locator("#rag-counts").inner_text()
    assert with_figure > 0 and f"{with_figure} of 10 indicators have a figure for May 2017" in counts, counts
    # The month by keyboard: focus stays on it too.
    page.focus("#scorecard-month")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    assert page.evaluate("document.activeElement.id") == "scorecard-month"
    assert page.locator("#scorecard-month").input_value() == hrf_months[1]
    assert f"month={hrf_months[1]}" in page.url
    visit.screenshot("scorecard-hrf")
    assert visit.errors == []
    # A shared link (or a reload) opens on the same choice.
    shared = Visit(browser, server, "/?council=HRF&month=2016-12")
    assert shared.page.locator("#scorecard-council").input_value() == "HRF"
    assert shared.page.locator("#scorecard-month").input_value() == "2016-12"
    assert shared.page.locator("#scorecard-heading").inner_text().endswith("December 2016")
    shared.page.reload(wait_until="networkidle")
    shared.settle()
    assert shared.page.locator("#scorecard-month").input_value() == "2016-12"
    # A month the council has no figures for is never kept.
    odd = Visit(browser, server, "/?council=HRF&month=2018-01")
    assert odd.page.locator("#scorecard-month").input_value() == "2017-05"


HRF_NAME = "Herefordshire Council - Children's Wellbeing directorate"  # dim_organisation's names
SD004_NAME = "Council of source document 004 (not named in the pack)"


def test_scorecard_links_to_the_printable_pack(server, browser):
    """The scorecard links to the pack of the chosen council and month; the pack has a print button, not printed."""
    visit = Visit(browser, server, "/?council=HRF&month=2017-03")
    visit.assert_clean(server)
    link = visit.page.locator("#scorecard-pack-link")
    assert link.count() == 1 and link.is_visible()
    assert link.get_attribute("href") == "/pack?council=HRF&month=2017-03"
    # its accessible name says what it opens, for which council and month
    assert link.evaluate("a => a.textContent.trim()") == f"Monthly pack for {HRF_NAME}, March 2017"
    assert "A4 landscape" in visit.page.locator(".pack-link").inner_text()
    # it follows the choice: another month, then another council (on its own latest month)
    visit.choose("#scorecard-month", "2017-05")
    assert link.get_attribute("href") == "/pack?council=HRF&month=2017-05"
    visit.choose("#scorecard-council", "SD004")
    assert link.get_attribute("href") == "/pack?council=SD004&month=2018-01"
    assert visit.serious_axe_violations() == []
    visit.page.emulate_media(media="print")
    assert not link.is_visible()  # the printed scorecard carries no link
    visit.page.emulate_media(media="screen")
    # the link opens the pack of that council and month
    link.click()
    visit.page.wait_for_url("**/pack**council=SD004**")
    visit.page.wait_for_selector("[data-pack-ready]", timeout=60_000)
    assert "month=2018-01" in visit.page.url
    assert visit.page.locator("#pack-cover-heading").inner_text() == SD004_NAME
    # the pack: a "Print or save as PDF" button that opens the browser's print dialog, hidden when printed
    pack = Visit(browser, server, "/pack?council=HRF&month=2017-05")
    pack.page.wait_for_selector("[data-pack-ready]", timeout=60_000)
    pack.screenshot("pack-print-button")
    button = pack.page.get_by_role("button", name="Print or save as PDF")
    assert button.count() == 1 and button.is_visible() and button.is_enabled()
    pack.page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button.click()
    assert pack.page.evaluate("window.__printed") == 1
    button.focus()  # a native button: reachable by keyboard
    assert pack.page.evaluate("document.activeElement.id") == "pack-print"
    pack.page.emulate_media(media="print")
    pack.page.wait_for_timeout(300)
    assert not button.is_visible()
    assert pack.page.locator("#pack-cover-heading").is_visible()  # the pack itself still prints
    assert pack.errors == []


def test_skip_link_is_first_and_moves_focus(server, browser):
    visit = Visit(browser, server, "/workforce")
    page = visit.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert page.evaluate("!!document.activeElement.closest('main')")
    page.keyboard.press("Tab")  # the next stop is inside the page's content, past the header and sidebar
    assert page.evaluate("!!document.activeElement.closest('main')")


# ---- Programme, workforce, data quality ------------------------------------------------------------------
def test_programme_is_one_report_month_by_month(server, browser):
    from datetime import datetime

    visit = Visit(browser, server, "/programme?council=HRF&month=2017-03")
    visit.screenshot("programme-2017-03")
    visit.assert_clean(server)
    page = visit.page
    assert page.locator("#programme-report").input_value() == "HRF|2017-03"
    assert "March 2017" in page.locator(".chosen-heading").inner_text()
    months = page.locator("table.plan tr.month th").all_inner_texts()
    dates = [datetime.strptime(m, "%B %Y") for m in months]
    assert len(dates) >= 10 and dates == sorted(dates)
    assert len(set(months)) == len(months)  # one report: each month once
    region = page.locator(".report-scroll", has=page.locator("table.plan"))
    assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
    assert region.get_attribute("aria-labelledby")
    # it fits the column at 1280 px: the text wraps, the table does not scroll
    plan = page.locator("table.plan")
    assert plan.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    visit.choose("#programme-report", "HRF|2017-05")
    assert "month=2017-05" in page.url
    assert page.locator("table.plan tr.month th").all_inner_texts() == ["May 2017"]


def test_workforce_missing_figure_is_a_gap(server, browser, published):
    visit = Visit(browser, server, "/workforce")
    visit.assert_clean(server)
    series = visit.chart_series()
    assert set(series) >= {"FTE", "Agency FTE"}
    fte = series["FTE"]
    assert all(point[1] != 0 for point in fte)  # never a zero for a missing month
    with duckdb.connect(str(published), read_only=True) as con:
        months, with_figure = con.execute(
            "select date_diff('month', min(period_month), max(period_month)) + 1,"
            " count(distinct period_month) filter (where measure_code = 'fte' and value is not null)"
            " from marts.fct_workforce_measure_period"
            " where organisation_code = 'HRF' and unit = 'fte' and period_type = 'month'"
        ).fetchone()
    # every month of the axis is there; a month with no FTE figure (May 2017: only agency FTE) is a null
    assert len(fte) == months
    assert sum(point[1] is not None for point in fte) == with_figure
    assert sum(point[1] is None for point in fte) == months - with_figure > 0


def test_data_quality_count_and_reason(server, browser, published):
    with duckdb.connect(str(published), read_only=True) as con:
        total, errors, warnings = con.execute(
            "select count(*), count(*) filter (where severity = 'error'), count(*) filter (where severity = 'warning')"
            " from marts.rpt_data_quality_findings"
        ).fetchone()
    visit = Visit(browser, server, "/data-quality")
    visit.assert_clean(server)
    count = visit.page.locator("#findings-count").inner_text()
    assert count.startswith(f"{total} findings: {errors} errors, {warnings} warnings"), count
    # compact rows, the reason on screen at 1280 px (wrapping), every finding listed
    rows = visit.page.locator("table#findings tbody tr")
    assert rows.count() == total
    heights = [box["height"] for box in (r.bounding_box() for r in rows.all())]
    assert max(heights) <= 130, heights
    reason = visit.page.locator("table#findings thead th", has_text="Reason").bounding_box()
    assert reason["x"] + reason["width"] <= 1280
    cell = visit.page.locator("table#findings tbody tr").first.locator("td").last
    assert cell.evaluate("td => getComputedStyle(td).whiteSpace") == "normal"
    # usable on a phone: no sideways page scroll; the table scrolls in its own labelled region
    phone = Visit(browser, server, "/data-quality", width=390, height=844)
    assert phone.overflow() <= 0
    region = phone.page.locator(".report-scroll", has=phone.page.locator("table#findings"))
    assert region.get_attribute("role") == "region" and region.get_attribute("tabindex") == "0"
    phone.screenshot("data-quality-phone")


# ---- Printing: A4 landscape, no navigation or filters, the choice as a heading, nothing cut off -----------
A4_LANDSCAPE_CONTENT_PX = 1047  # 297 mm less 2 x 10 mm margins, at 96 px to the inch


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Council of source document 004 (not named in the pack): January 2018"),
        ("/?council=HRF&month=2017-03", "Herefordshire Council - Children's Wellbeing directorate: March 2017"),
        ("/budget", "budget report, May 2017"),
        ("/programme?council=HRF&month=2017-03", "Programme report: Herefordshire Council"),
        ("/data-quality", None),
        ("/workforce", "Herefordshire Council"),
        ("/risks", "Risk register: Herefordshire Council"),
        ("/indicators/sd004-fd-8", None),
    ],
)
def test_print_layout(server, browser, path, heading):
    visit = Visit(browser, server, path, width=A4_LANDSCAPE_CONTENT_PX, height=740)
    page = visit.page
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    has_landscape_a4 = page.evaluate(
        """() => [...document.styleSheets].some((sheet) => {
            try {
                const walk = (rules) => [...rules].some((r) =>
                    (r.type === CSSRule.PAGE_RULE && /A4\\s+landscape/i.test(r.style.size))
                    || (r.cssRules && walk(r.cssRules)));
                return walk(sheet.cssRules);
            } catch { return false; }
        })"""
    )
    assert has_landscape_a4
    for hidden in ("header", "aside", "nav", ".choices", ".skip-link"):
        assert all(not el.is_visible() for el in page.locator(hidden).all()), hidden
    if heading:
        assert heading in page.locator(".chosen-heading").inner_text()
    # nothing wider than the page: every table's every column is inside it
    assert visit.overflow() <= 0
    cut = page.evaluate(
        """(width) => [...document.querySelectorAll('main table')].filter((t) => {
            const box = t.getBoundingClientRect();
            return box.left < -1 || box.right > width + 1 || t.scrollWidth > t.getBoundingClientRect().width + 1;
        }).map((t) => t.id || t.className)""",
        A4_LANDSCAPE_CONTENT_PX,
    )
    assert cut == []
    if path == "/":
        page.pdf(path=str(ARTIFACTS / "scorecard-print.pdf"), prefer_css_page_size=True)
