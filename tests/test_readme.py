"""The README's shell blocks, then those of docs/*.md, run as written.

Every ```bash block in README.md is run, in order, in a copy of the project (the
files git tracks or would track: untracked files that .gitignore does not exclude
are copied too, so work not yet committed is tested as it will be committed, with
this checkout's .venv), with no SCORECARD_* or DBT_* settings, as a new user would
paste them. Then the blocks of every docs/*.md page run, page by page in name order,
in the same copy, so a page may rely on what the README's walkthrough built. A block
is left out only when an HTML comment right above it says `readme-test: skip (why)`:
the test suite itself, servers, and runs of several minutes that other tests cover.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_DIR

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

BLOCK = re.compile(r"(?:<!-- readme-test: skip \((?P<why>[^)]+)\) -->\n)?```(?:bash|sh)\n(?P<body>.*?)```", re.DOTALL)


def shell_blocks(page: Path) -> list[tuple[str | None, str]]:
    """(reason it is skipped or None, body) for every bash/sh block of a Markdown page, in order."""
    text = page.read_text(encoding="utf-8")
    return [(m.group("why"), m.group("body")) for m in BLOCK.finditer(text)]


def readme_blocks() -> list[tuple[str | None, str]]:
    return shell_blocks(PROJECT_DIR / "README.md")


# Pages whose blocks run, as written, in a test of their own: onboarding changes the project (it onboards
# a council), so it has a copy of its own and the other pages run against the README's warehouse as it
# left it; the semantic layer's test runs every block of its page and checks what each printed.
OWN_TEST = {"onboarding.md": "tests/test_onboarding.py", "semantic-layer.md": "tests/test_semantic_layer.py"}


def docs_pages() -> list[Path]:
    return sorted(p for p in (PROJECT_DIR / "docs").glob("*.md") if p.name not in OWN_TEST)


def project_copy(folder: Path) -> Path:
    """The files git tracks or would track, with their times (so make sees an up-to-date setup), and this .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = PROJECT_DIR / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(PROJECT_DIR / ".venv")
    return folder


def run_block(body: str, project: Path, env: dict[str, str], where: str) -> str:
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", body], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{where} block failed:\n{body}\n--- stdout\n{done.stdout[-3000:]}\n" + (
        f"--- stderr\n{done.stderr[-3000:]}"
    )
    assert "Traceback" not in done.stderr, f"{where}:\n{body}\n{done.stderr[-3000:]}"
    return done.stdout


def test_every_readme_shell_block_runs_as_written(tmp_path):
    blocks = readme_blocks()
    run = [body for why, body in blocks if why is None]
    assert len(run) >= 5 and len(blocks) - len(run) <= 3, "most blocks must run; skips need a reason"
    project = project_copy(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORECARD_", "DBT_", "MAKE"))}
    env["PYTHONPATH"] = str(project)  # the copy's own code, so every path is inside the copy
    outputs = [run_block(body, project, env, "README") for body in run]
    joined = "\n".join(outputs)
    # the quick-start query printed the scorecard
    assert "indicator_code" in joined and "AD 7           │      383.9100" in joined
    # the monthly routine loaded the February file, built and published
    assert "loaded   indicator_values        4 rows  indicator_values_SD004_2018-02.csv" in joined
    assert joined.count("published build") >= 3
    # the retraction walkthrough left the February figures out of the published marts
    with duckdb.connect(str(project / "warehouse" / "published" / "scorecard.duckdb"), read_only=True) as con:
        february = con.execute(
            "select count(*) from marts.fct_indicator_period where period_month = date '2018-02-01'"
        ).fetchone()[0]
        retracted = con.execute(
            "select subject_code from marts.rpt_data_quality_findings where finding_type = 'load_retracted'"
        ).fetchall()
    assert february == 0
    assert retracted == [("indicator_values_SD004_2018-02.csv",)]

    # then the docs' blocks, page by page, in the same project
    ran = 0
    for page in docs_pages():
        for why, body in shell_blocks(page):
            if why is None:
                run_block(body, project, env, f"docs/{page.name}")
                ran += 1
    assert ran >= 1, "no docs/*.md shell block ran"


def test_skipped_blocks_say_why():
    """A skip comment must carry a reason, and nothing but a comment line may sit between it and its block."""
    for page in [PROJECT_DIR / "README.md", *docs_pages()]:
        text = page.read_text(encoding="utf-8")
        comments = re.findall(r"^<!-- readme-test:.*$", text, re.MULTILINE)
        well_formed = re.findall(r"^<!-- readme-test: skip \([^)]+\) -->\n```(?:bash|sh)\n", text, re.MULTILINE)
        assert len(comments) == len(well_formed), f"{page.name}: malformed readme-test comment, or not above a block"
