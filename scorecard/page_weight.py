"""Page weight and time to content of the built reports site: figures only, no pass or fail.

`make measure-pages` (or `python -m scorecard.page_weight`) serves reports/build on 127.0.0.1, opens
each page in headless Chromium at 1280 px with a cold cache (a new browser context per page) and
prints, per page:

- before: bytes transferred until the page's figures are visible (responses finished by then);
- total: bytes transferred once the page is idle;
- requests: requests made by then;
- content ms: milliseconds from navigation start until an element holding a real figure is visible
  (for the scorecard, the first table row with a value).

Bytes are the response bodies and headers as sent (Playwright's request sizes), for the page and its
workers (DuckDB-wasm fetches its .wasm from a worker). The local server sends
no compression, so the figures are what a server without gzip/brotli would send; a server that
compresses .wasm and .js sends less. `--detail /` lists what was fetched before the figures of one
page, largest first.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from scorecard.pack import CHROMIUM_ARGS, SITE_DIR, chromium_path, serve

# Each page and the test that its real figures are on screen: a CSS selector, and a pattern the
# element's text must match (a digit: a figure, not a header or a loading skeleton).
FIGURE = r"\d"
PAGES: list[tuple[str, str, str]] = [
    ("/", "main table.scorecard tbody tr:not(.group) td.num", FIGURE),
    ("/budget", "main tr.directorate td", FIGURE),
    ("/workforce", "main table td", FIGURE),
    ("/risks", "main table td", FIGURE),
    ("/programme", "main table td", FIGURE),
    ("/data-quality", "main table td", FIGURE),
    ("/indicators", "main table td", FIGURE),
    ("/indicators/sd004-fd-8", "main table td", FIGURE),
    ("/benchmarking", "main table td", FIGURE),
    ("/benchmarking/assessments_within_45_days_pct", "main table td", FIGURE),
    ("/pack?council=SD004&month=2018-01", "[data-pack-ready] table td", FIGURE),
]

# Installed before any script of the page: records performance.now() the first time the selector
# matches a visible element whose text matches the pattern.
WATCH = """
(() => {
  const [selector, pattern] = %s;
  const re = new RegExp(pattern);
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const check = () => {
    if (window.__contentAt !== undefined) return;
    for (const el of document.querySelectorAll(selector)) {
      if (re.test(el.textContent || '') && visible(el)) {
        window.__contentAt = performance.now();
        window.__contentText = (el.closest('tr') || el).textContent.trim().replace(/\\s+/g, ' ').slice(0, 80);
        return;
      }
    }
  };
  const start = () => {
    const options = { childList: true, subtree: true, characterData: true };
    new MutationObserver(check).observe(document.documentElement, options);
    check();
  };
  const timer = setInterval(() => { check(); if (window.__contentAt !== undefined) clearInterval(timer); }, 10);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
"""


@dataclass
class Measure:
    path: str
    content_ms: float | None
    before_bytes: int
    total_bytes: int
    requests: int
    content_text: str = ""
    before: list[tuple[int, str]] = field(default_factory=list)


def _measure(browser, base: str, path: str, selector: str, pattern: str, timeout_s: float) -> Measure:
    import json

    context = browser.new_context(viewport={"width": 1280, "height": 900})  # a cold cache per page
    page = context.new_page()
    page.add_init_script(WATCH % json.dumps([selector, pattern]))
    # Playwright reports the requests of the page and of its workers (DuckDB-wasm fetches its .wasm
    # from a worker, which the page's own DevTools session does not see).
    requested: list[str] = []
    finished = []
    page.on("request", lambda r: requested.append(r.url) if not r.url.startswith("data:") else None)
    page.on("requestfinished", lambda r: finished.append(r) if not r.url.startswith("data:") else None)
    content_at = None
    try:
        page.goto(base + path, wait_until="load")
        with contextlib.suppress(Exception):
            page.wait_for_function("window.__contentAt !== undefined", timeout=timeout_s * 1000, polling=50)
        content_ms, origin, text = page.evaluate(
            "[window.__contentAt ?? null, performance.timeOrigin, window.__contentText || '']"
        )
        if content_ms is not None:
            content_at = origin + content_ms  # ms since the epoch, as Playwright's request timings are
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=timeout_s * 1000)
        page.wait_for_timeout(500)
        rows = []
        for request in finished:
            sizes = request.sizes()
            timing = request.timing
            done = timing["startTime"] + max(timing["responseEnd"], 0)
            rows.append((done, sizes["responseBodySize"] + sizes["responseHeadersSize"], request.url.replace(base, "")))
    finally:
        context.close()
    cutoff = content_at if content_at is not None else float("inf")
    before = sorted(((size, url) for done, size, url in rows if done <= cutoff), reverse=True)
    return Measure(
        path=path,
        content_ms=content_ms,
        before_bytes=sum(size for size, _ in before),
        total_bytes=sum(size for _, size, _ in rows),
        requests=len(requested),
        content_text=text,
        before=before,
    )


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f} MB"


def run(site: Path = SITE_DIR, pages: list[str] | None = None, detail: str | None = None, timeout_s: float = 45) -> int:
    if not (site / "index.html").exists():
        print(f"measure-pages: no built site in {site}: build it with `make reports`", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    chosen = [p for p in PAGES if pages is None or p[0] in pages]
    results: list[Measure] = []
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            print(f"{'page':46} {'before content':>15} {'total':>10} {'requests':>9} {'content ms':>11}")
            for path, selector, pattern in chosen:
                m = _measure(browser, base, path, selector, pattern, timeout_s)
                results.append(m)
                shown = f"{m.content_ms:,.0f}" if m.content_ms is not None else "not seen"
                print(f"{path:46} {_mb(m.before_bytes):>15} {_mb(m.total_bytes):>10} {m.requests:>9} {shown:>11}")
                if detail == path:
                    print(f"  figures seen: {m.content_text!r}; fetched before them, largest first:")
                    for size, url in m.before[:15]:
                        print(f"    {size:>12,} B  {url}")
        finally:
            browser.close()
    seen = [m.content_ms for m in results if m.content_ms is not None]
    slowest = max((m for m in results if m.content_ms is not None), key=lambda m: m.content_ms, default=None)
    print(
        f"summary: {len(results)} pages, figures seen on {len(seen)}; time to content median "
        f"{statistics.median(seen):,.0f} ms, slowest {slowest.content_ms:,.0f} ms ({slowest.path}); "
        f"before content median {_mb(int(statistics.median(m.before_bytes for m in results)))}, "
        f"total per page median {_mb(int(statistics.median(m.total_bytes for m in results)))}"
        if seen
        else f"summary: {len(results)} pages, figures seen on none"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scorecard.page_weight", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=SITE_DIR, help="the built site (default reports/build)")
    parser.add_argument("--page", action="append", help="measure only this page (repeatable), e.g. /budget")
    parser.add_argument("--detail", help="list what one page fetched before its figures, e.g. /")
    args = parser.parse_args(argv)
    return run(args.site, args.page, args.detail)


if __name__ == "__main__":
    sys.exit(main())
