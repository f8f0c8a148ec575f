"""The front door: a short README whose links all work, and dbt docs a newcomer can navigate.

- the README is at most 200 lines, and every docs/*.md page it links to exists;
- every relative link (and image) in the README and in docs/*.md resolves: the file,
  and the heading when the link names one (GitHub's heading anchors);
- `dbt docs generate` on a copy of the sample warehouse gives a manifest with the
  project's overview page, a description for every project macro (and a type and
  description for each argument its signature has), an exposure for every report page
  (reading exactly the marts behind the page's sources) and for every Dagster job, and
  an exports exposure on every mart; every mart has a group with an owner;
- `make docs` never builds a warehouse: with none there, it still writes the site and
  creates no database file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR, run_dbt

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

README = PROJECT_DIR / "README.md"
DOCS = PROJECT_DIR / "docs"
PAGES = PROJECT_DIR / "reports" / "pages"
SOURCES = PROJECT_DIR / "reports" / "sources" / "scorecard"
PACKAGE = "council_scorecard"
MART_PREFIXES = ("dim_", "fct_", "rpt_")

FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def prose(path: Path) -> str:
    """The Markdown without fenced blocks and code spans, where links are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))


def links(path: Path) -> list[str]:
    return LINK.findall(prose(path))


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces to hyphens)."""
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text(encoding="utf-8"))):
        text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, f"README.md has {len(lines)} lines: move detail into docs/"


def test_readme_links_every_docs_page_it_names_and_they_exist():
    linked = [target.split("#")[0] for target in links(README) if target.startswith("docs/")]
    pages = [target for target in linked if target.endswith(".md")]
    assert pages, "the README links no docs/*.md page"
    for target in pages:
        assert (PROJECT_DIR / target).is_file(), f"README links {target}, which does not exist"
    # and every page in docs/ is reachable from the README
    unlinked = {p.name for p in DOCS.glob("*.md")} - {Path(t).name for t in pages}
    assert not unlinked, f"docs pages the README does not link: {sorted(unlinked)}"


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading #{anchor} in {resolved.name}")
    assert not broken, f"{page.name}: " + "; ".join(broken)


# ---- dbt docs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest(warehouse, tmp_path_factory) -> dict:
    """`dbt docs generate` on a copy of the session's sample warehouse; its manifest."""
    work_dir = tmp_path_factory.mktemp("docs")
    database = work_dir / "warehouse.duckdb"
    shutil.copy2(warehouse, database)
    result = run_dbt(["docs", "generate"], database, work_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    for name in ("index.html", "catalog.json", "manifest.json"):
        assert (work_dir / "target" / name).is_file(), name
    return json.loads((work_dir / "target" / "manifest.json").read_text(encoding="utf-8"))


def marts(manifest: dict) -> dict[str, dict]:
    """The marts: models under models/marts named dim_*, fct_* or rpt_*."""
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["package_name"] == PACKAGE
        and node["fqn"][1] == "marts"
        and node["name"].startswith(MART_PREFIXES)
    }


def exposure_marts(exposure: dict, manifest: dict) -> set[str]:
    return {manifest["nodes"][unique_id]["name"] for unique_id in exposure["depends_on"]["nodes"]}


def test_the_project_has_an_overview_page(manifest):
    overview = manifest["docs"].get(f"doc.{PACKAGE}.__overview__")
    assert overview, "no {% docs __overview__ %} block in the project"
    text = overview["block_contents"]
    for must in ("staging", "intermediate", "marts", "seeds/reference", "macros/rules", "scorecard/values.py"):
        assert must in text, f"the overview does not mention {must}"
    for mart in marts(manifest):
        assert mart in text, f"the overview's reading list leaves out {mart}"


def test_every_project_macro_is_documented(manifest):
    own = {m["name"]: m for m in manifest["macros"].values() if m["package_name"] == PACKAGE}
    assert len(own) >= 20
    problems = []
    # An engine's implementation of a dispatched macro (default__regex_matches, postgres__regex_matches)
    # is documented by the macro it implements, which must exist and be documented itself.
    engines = re.compile(r"^(default|duckdb|postgres|spark)__(\w+)$")
    for name in sorted(own):
        implemented = engines.match(name)
        dbt_own = any(m["name"] == implemented.group(2) and m["package_name"] == "dbt"
                      for m in manifest["macros"].values()) if implemented else False  # fmt: skip
        if implemented and implemented.group(2) not in own and not dbt_own:
            problems.append(f"{name}: implements {implemented.group(2)}, a macro of neither the project nor dbt")
    own = {name: macro for name, macro in own.items() if not engines.match(name)}
    for name, macro in sorted(own.items()):
        if not macro["description"].strip():
            problems.append(f"{name}: no description")
            continue
        signature = re.search(r"{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%}", macro["macro_sql"], re.DOTALL)
        declared = [a.split("=")[0].strip() for a in signature.group(1).split(",") if a.strip()] if signature else []
        documented = [a["name"] for a in macro["arguments"]]
        if documented != declared:
            problems.append(f"{name}: arguments documented {documented}, declared {declared}")
        for argument in macro["arguments"]:
            if not (argument.get("type") or "").strip() or not argument["description"].strip():
                problems.append(f"{name}({argument['name']}): needs a type and a description")
    assert not problems, "\n".join(problems)


def page_marts(page: Path) -> set[str]:
    """The marts a report page reads: each `scorecard.<source>` it queries is a select from marts.<mart>."""
    sources = set(re.findall(r"\bscorecard\.(\w+)", page.read_text(encoding="utf-8")))
    found = set()
    for source in sources:
        found |= set(re.findall(r"\bmarts\.(\w+)", (SOURCES / f"{source}.sql").read_text(encoding="utf-8")))
    return found


def test_every_report_page_is_an_exposure_on_the_marts_it_reads(manifest):
    by_page = {e["config"]["meta"].get("page"): e for e in manifest["exposures"].values()}
    all_marts = set(marts(manifest))
    pages = sorted(PAGES.rglob("*.md"))
    assert len(pages) >= 8
    for page in pages:
        name = str(page.relative_to(PROJECT_DIR))
        assert name in by_page, f"no exposure with meta page: {name}"
        exposure = by_page[name]
        assert exposure["type"] == "dashboard", name
        expected = page_marts(page) & all_marts  # build_info is written by publish, not a dbt model
        assert expected, name
        assert exposure_marts(exposure, manifest) == expected, f"{name}: the exposure's depends_on"


def test_every_dagster_job_is_an_exposure(manifest):
    from orchestration import jobs

    job_names = {obj.name for obj in vars(jobs).values() if type(obj).__name__.endswith("JobDefinition")}
    assert {"land_and_build", "load_and_update"} <= job_names
    by_job = {e["config"]["meta"].get("dagster_job"): e for e in manifest["exposures"].values()}
    all_marts = set(marts(manifest))
    # load_and_update builds what depends on the raw tables: the marts with a source upstream
    parents = manifest["parent_map"]

    def reads_raw(unique_id: str, seen: set[str]) -> bool:
        for parent in parents.get(unique_id, []):
            if parent.startswith("source."):
                return True
            if parent not in seen:
                seen.add(parent)
                if reads_raw(parent, seen):
                    return True
        return False

    from_raw = {node["name"] for node in marts(manifest).values() if reads_raw(node["unique_id"], set())}
    for job in sorted(job_names):
        assert job in by_job, f"no exposure with meta dagster_job: {job}"
        exposure = by_job[job]
        assert exposure["type"] == "application", job
        assert exposure_marts(exposure, manifest) == (from_raw if job == "load_and_update" else all_marts), job


def test_the_exports_exposure_reads_every_mart(manifest):
    exports = manifest["exposures"].get(f"exposure.{PACKAGE}.mart_exports")
    assert exports, "no mart_exports exposure"
    assert exposure_marts(exports, manifest) == set(marts(manifest))


def test_every_exposure_has_a_team_owner(manifest):
    for exposure in manifest["exposures"].values():
        owner = exposure["owner"]
        assert owner.get("name") and owner.get("email", "").endswith("@example.org"), exposure["name"]


def test_every_mart_has_an_owner(manifest):
    groups = {group["name"]: group for group in manifest["groups"].values()}
    assert len(marts(manifest)) >= 11
    for name, node in marts(manifest).items():
        group = node["config"].get("group")
        assert group in groups, f"{name} is in no dbt group"
        owner = groups[group]["owner"]
        assert owner.get("name") and owner.get("email"), f"group {group} ({name}) has no owner name and email"


def test_make_docs_never_builds_a_warehouse(tmp_path):
    """With no warehouse yet, `make docs` parses and writes the site without opening (or creating) a database."""
    database = tmp_path / "none.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORECARD_", "DBT_", "MAKE"))}
    env |= {
        "SCORECARD_DUCKDB_PATH": str(database),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", "setup", "docs"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "no warehouse" in done.stdout
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (tmp_path / "target" / name).is_file(), name
    assert not database.exists(), "make docs created a warehouse file"
