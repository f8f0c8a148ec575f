"""The monthly scorecard pack as a PDF: the built reports site's /pack page printed by headless Chromium.

`scorecard pack --council HRF --month 2017-05` (and `make pack COUNCIL=HRF MONTH=2017-05`) serves the
built site (reports/build, made by `make reports`) on 127.0.0.1 from a throwaway thread, opens
/pack/?council=HRF&month=2017-05 in Debian's Chromium through Playwright, waits until the page says
its figures have rendered (`data-pack-ready`) and prints it as an A4 landscape PDF with a footer
(council, month, "Page N of M"). The default output is warehouse/published/packs/<COUNCIL>_<yyyy-mm>.pdf,
beside the published warehouse (git-ignored).

The council and month are checked first against the data the site was built from (its own copy of
the marts, reports/build/data), so a wrong council or a month with no figures fails in a second
with one line, and never prints a pack the site cannot show.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from scorecard.settings import PROJECT_DIR, published_path

SITE_DIR = PROJECT_DIR / "reports" / "build"
CHROMIUM = "/usr/bin/chromium"
# Headless, with nothing fetched from outside 127.0.0.1 (no component updates, no sync, no field trials).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
READY = "[data-pack-ready]"
# The page margins: the same as the page's own @page rule; the footer sits in the bottom margin.
MARGIN = {"top": "12mm", "right": "10mm", "bottom": "16mm", "left": "10mm"}


class PackError(Exception):
    """The pack cannot be printed; the message is one line, for the reader."""


@dataclass(frozen=True)
class Pack:
    council: str
    council_name: str
    month: str  # yyyy-mm
    month_label: str  # "May 2017"
    pdf: Path
    pages: int | None = None


def default_output(council: str, month: str) -> Path:
    """warehouse/published/packs/<COUNCIL>_<yyyy-mm>.pdf, beside the published warehouse (git-ignored)."""
    return published_path().parent / "packs" / f"{council}_{month}.pdf"


def month_label(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1).strftime("%B %Y")


def _site_table(site: Path, name: str) -> Path | None:
    """The parquet file of one source query in the built site (reports/build/data/...), if it has rows."""
    manifest = site / "data" / "manifest.json"
    files = json.loads(manifest.read_text(encoding="utf-8")).get("renderedFiles", {}).get("scorecard", [])
    for entry in files:
        if Path(entry).stem == name:
            path = site / Path(entry).relative_to("static")
            with path.open("rb") as fh:  # an empty query is an Arrow stream, not parquet: no rows
                return path if fh.read(4) == b"PAR1" else None
    raise PackError(f"the site in {_shown(site)} has no {name} data: rebuild it with `make reports`")


def _shown(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(PROJECT_DIR))
    return str(path)


def check(council: str, month: str, site: Path = SITE_DIR) -> tuple[str, str]:
    """Check the request against the built site; return the council's code and name, or raise PackError."""
    if not MONTH.match(month or ""):
        raise PackError(f"month {month!r} is not yyyy-mm (e.g. 2017-05)")
    if not (site / "pack" / "index.html").exists() or not (site / "data" / "manifest.json").exists():
        what = "has no pack page" if (site / "index.html").exists() else "is not built"
        raise PackError(f"the reports site in {_shown(site)} {what}: build it with `make reports`")
    organisations = _site_table(site, "organisations")
    periods = _site_table(site, "indicator_periods")
    with duckdb.connect() as con:
        councils = (
            con.execute(
                "select organisation_code, organisation_name from read_parquet(?) order by organisation_code",
                [str(organisations)],
            ).fetchall()
            if organisations
            else []
        )
        found = [(code, name) for code, name in councils if code.upper() == council.strip().upper()]
        if not found:
            known = ", ".join(code for code, _ in councils) or "none"
            raise PackError(f"council {council!r} is not in the warehouse (councils: {known})")
        code, name = found[0]
        months = (
            [
                m
                for (m,) in con.execute(
                    "select distinct strftime(period_month, '%Y-%m') as m from read_parquet(?) "
                    "where organisation_code = ? order by m desc",
                    [str(periods), code],
                ).fetchall()
            ]
            if periods
            else []
        )
    if month not in months:
        latest = f"its latest month is {months[0]}" if months else "it has no figures for any month"
        raise PackError(f"{code} has no figures for {month} ({latest})")
    return code, name


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 (a free port) from a daemon thread; yield its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def chromium_path() -> str:
    """Debian's Chromium ($SCORECARD_CHROMIUM overrides the path)."""
    wanted = os.environ.get("SCORECARD_CHROMIUM") or CHROMIUM
    found = (
        wanted if Path(wanted).exists() else (None if "SCORECARD_CHROMIUM" in os.environ else shutil.which("chromium"))
    )
    if not found:
        raise PackError(f"Chromium not found at {wanted}: install it with `make browser`")
    return found


def footer_template(council: str, name: str, label: str) -> str:
    text = html.escape(f"{name} ({council}) · {label} · Children's services scorecard pack")
    return (
        '<div style="font-size:8px;font-family:Helvetica,Arial,sans-serif;color:#374151;width:100%;'
        'padding:0 10mm;display:flex;justify-content:space-between;">'
        f"<span>{text}</span>"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>'
    )


def render(
    council: str,
    month: str,
    out: Path | None = None,
    site: Path = SITE_DIR,
    browser=None,
    timeout_s: float = 120,
) -> Pack:
    """Print the pack of `council` for `month` (yyyy-mm) to a PDF; return where it went.

    `browser` is an already launched Playwright browser (tests pass theirs); otherwise Chromium is
    launched and closed here.
    """
    code, name = check(council, month, site)
    label = month_label(month)
    target = Path(out) if out else default_output(code, month)
    if browser is None:
        executable = chromium_path()
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise PackError("Playwright for Python is not installed: run `make setup`") from None
        with sync_playwright() as p:
            launched = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                return _print(launched, site, code, name, month, label, target, timeout_s)
            finally:
                launched.close()
    return _print(browser, site, code, name, month, label, target, timeout_s)


def _print(browser, site: Path, code: str, name: str, month: str, label: str, target: Path, timeout_s: float) -> Pack:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with serve(site) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{base}/pack/?{urlencode({'council': code, 'month': month})}", wait_until="load")
            try:
                page.wait_for_selector(READY, state="attached", timeout=timeout_s * 1000)
            except PlaywrightTimeout:
                detail = f" (script error: {errors[0].splitlines()[0]})" if errors else ""
                raise PackError(f"the pack page did not finish loading in {timeout_s:.0f} s{detail}") from None
            problem = page.get_attribute(READY, "data-pack-error")
            if problem:
                raise PackError(f"the pack page says: {problem}")
            page.evaluate("document.fonts.ready.then(() => true)")
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.tmp")
            page.pdf(
                path=str(staged),
                format="A4",
                landscape=True,
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer_template(code, name, label),
                margin=MARGIN,
                prefer_css_page_size=True,  # the page's @page rule: exactly A4 landscape (297 x 210 mm)
            )
            os.replace(staged, target)
        finally:
            page.close()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", target.read_bytes()))
    return Pack(code, name, month, label, target, pages or None)
