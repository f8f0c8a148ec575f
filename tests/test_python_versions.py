"""Python 3.11, 3.12 and 3.13: the pinned dependencies resolve to wheels on each.

CI runs the suite on 3.11. For 3.12 and 3.13, pip resolves the project's own
dependencies (pyproject.toml, with the dev extras) under constraints.txt for that
interpreter, wheels only, without installing anything: the pins hold there too.
The one pin published only as source (halo, a pure-Python dependency of
MetricFlow's CLI) is built into a wheel first, as pip does when it installs it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import PROJECT_DIR

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow


def requirements() -> list[str]:
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["dev"]]


def test_the_declared_python_versions_are_the_tested_ones():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11,<3.14"
    declared = {
        c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")
    }
    assert declared == {"3.11", "3.12", "3.13"}


SOURCE_ONLY = ("halo",)


@pytest.fixture(scope="module")
def source_only_wheels(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("wheels")
    pins = [line for line in (PROJECT_DIR / "constraints.txt").read_text().splitlines() if line.startswith(SOURCE_ONLY)]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(folder), *pins],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    return str(folder)


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_pins_resolve_on_python(version, tmp_path, source_only_wheels):
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--report", "-",
         "--target", str(tmp_path / "target"), "--python-version", version, "--only-binary=:all:",
         "--find-links", source_only_wheels,
         "--constraint", str(PROJECT_DIR / "constraints.txt"), *requirements()],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    resolved = {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]}
    assert resolved["dbt-core"] == "1.11.16"
    assert resolved["duckdb"] == "1.4.4"
    assert resolved["dagster"] == "1.13.27"
