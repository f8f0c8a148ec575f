"""The Evidence reports: built from the sample warehouse, served on 127.0.0.1, read in headless Chromium.

Skipped (with the reason) only when node is not installed. Screenshots go to test-artifacts/reports/.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from scorecard.publish import publish, read_build

from .conftest import PROJECT_DIR

REPORTS_DIR = PROJECT_DIR / "reports"
SOURCE_DIR = REPORTS_DIR / "sources" / "scorecard"
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "reports"

pytestmark = [
    # needs a built warehouse and a browser: left out of `make test-fast`
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="node/npm not installed: the Evidence reports cannot be built, so their browser test is skipped",
    ),
]


def _run(args: list[str], env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=REPORTS_DIR, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def published(warehouse, tmp_path_factory) -> Path:
    """The sample warehouse, published the way `make build` publishes it."""
    work = tmp_path_factory.mktemp("reports")
    working = work / "scorecard.duckdb"
    shutil.copyfile(warehouse, working)
    run_results = warehouse.parent / "target" / "run_results.json"  # the build that made it, which passed
    return publish(
        working, work / "published" / "scorecard.duckdb", build_id="reports-test", run_results=run_results
    ).published


@pytest.fixture(scope="module")
def site(published) -> Path:
    """`evidence sources` and `evidence build` against the published sample warehouse."""
    if not (REPORTS_DIR / "node_modules" / ".installed").exists():
        pytest.fail("reports/node_modules is not installed: run `make reports-setup` (make test does)")
    env = {
        **os.environ,
        "EVIDENCE_SOURCE__scorecard__filename": os.path.relpath(published, SOURCE_DIR),
        "SEND_ANONYMOUS_USAGE_STATS": "no",
    }
    _run(["npm", "run", "--silent", "sources"], env)
    _run(["npm", "run", "--silent", "build"], env)
    build = REPORTS_DIR / "build"
    assert (build / "index.html").exists()
    return build


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed: run `make browser` (make test does)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield b
        b.close()


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
        self.page.wait_for_timeout(1500)  # let client-side queries settle after hydration
        self.text = self.page.inner_text("main")

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

    def assert_clean(self, base: str):
        # No error banner, no script error, and nothing fetched from outside 127.0.0.1.
        for banner in ("Error in query", "Query error", "Unexpected error", "Internal Error"):
            assert banner not in self.text
        assert self.page.locator(".error, [data-testid='error']").count() == 0
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


def test_budget_page(server, browser):
    visit = Visit(browser, server, "/budget")
    visit.screenshot("budget")
    visit.assert_clean(server)
    # Pack 000 (May 2017): the directorate total computed from its lines.
    assert "variance £1,361k (adverse)" in visit.text
    total = visit.page.locator("tr.directorate").inner_text()
    assert "21,620" in total and "22,981" in total and "1,361" in total and "adverse" in total
    lac = visit.page.locator("tr", has_text="Looked After Children").first.inner_text()
    assert "2,080" in lac and "adverse" in lac


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/workforce", "Agency FTE"),
        ("/risks", "CR.035"),
        ("/programme", "Milestone"),
        ("/data-quality", "Yellow"),
        ("/indicators", "LAC 19 (12m)"),
    ],
)
def test_other_pages_render(server, browser, path, expected):
    visit = Visit(browser, server, path)
    visit.screenshot(path.strip("/"))
    visit.assert_clean(server)
    assert expected in visit.text
