"""docs/onboarding.md followed step by step: a second council onboarded by data alone.

The page's shell blocks run, in order, in a copy of the project (as the README
test runs the README's). The fixture council, Example Children's Trust, is
unlike the bundled packs: quarterly columns and a latest month, rates per
10,000, national quartiles, six-month trend arrows with a level band, contract
measures, staffing measures of its own, and a budget in £m whose total is not
the sum of the lines shown. The test then checks that the walkthrough changed
nothing but `seeds/reference/*.csv`, that the build is green, and what the
marts hold for the trust: the printed figures as printed, the computed RAG
where a target exists, and the computed direction equal to the printed arrow.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import PROJECT_DIR
from tests.test_readme import project_copy, run_block, shell_blocks

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

# Build output and local state the walkthrough creates; everything else must be unchanged
# except the seeds.
GENERATED = ("warehouse/", "target/", "logs/", "landing/", ".venv", "reports/", "dbt_packages/")


def _digests(root: Path) -> dict[str, str]:
    out = {}
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if path.is_file() and not path.is_symlink() and not name.startswith(GENERATED) and "__pycache__" not in name:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory) -> Path:
    project = project_copy(tmp_path_factory.mktemp("onboarding") / "project")
    before = _digests(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORECARD_", "DBT_", "MAKE"))}
    env["PYTHONPATH"] = str(project)
    blocks = shell_blocks(PROJECT_DIR / "docs" / "onboarding.md")
    assert [why for why, _ in blocks] == [None] * len(blocks), "every onboarding block runs"
    outputs = [run_block(body, project, env, "docs/onboarding.md") for _, body in blocks]
    after = _digests(project)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    project.joinpath("changed.txt").write_text("\n".join(sorted(changed)), encoding="utf-8")
    project.joinpath("outputs.txt").write_text("\n".join(outputs), encoding="utf-8")
    return project


def _rows(project: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(project / "warehouse" / "published" / "scorecard.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_onboarding_touches_only_reference_data(onboarded):
    changed = set(filter(None, (onboarded / "changed.txt").read_text(encoding="utf-8").split("\n")))
    assert changed == {
        "seeds/reference/organisations.csv",
        "seeds/reference/indicators.csv",
        "seeds/reference/indicator_targets.csv",
        "seeds/reference/indicator_rules.csv",
        "seeds/reference/workforce_measures.csv",
        "seeds/reference/service_hierarchy.csv",
    }
    outputs = (onboarded / "outputs.txt").read_text(encoding="utf-8")
    assert "reference data OK" in outputs
    assert "3 loaded, 0 rejected" in outputs


def test_latest_month_printed_rag_and_arrow_agree_with_the_computed_ones(onboarded):
    rows = _rows(
        onboarded,
        """
        select indicator_code, value, target, target_source, rag_status, rag_status_source, computed_rag_status,
               direction, direction_source, computed_direction, comparison_period_month, comparison_value,
               national_quartile_as_printed, national_figure_as_printed, neighbour_figure_as_printed,
               contract_measure_as_printed
        from marts.fct_indicator_period
        where organisation_code = 'ECT' and period_label = 'Dec-18'
        order by indicator_code
        """,
    )
    d = Decimal
    six_months_before = date(2018, 6, 1)
    assert rows == [
        ("CIN 7", d("331.0000"), None, None, None, None, None, "up", "printed", "up", six_months_before, d("318.0000"),
         2, d("334.3000"), d("341.2000"), False),
        ("CP 10", d("44.0000"), d("45.0000"), "reference", "Green", "printed", "Green", "down", "printed", "down",
         six_months_before, d("46.1000"), 2, d("43.7000"), d("47.3000"), False),
        ("EH 2", d("88.9000"), d("85.0000"), "reference", "Green", "printed", "Green", "up", "printed", "up",
         six_months_before, d("83.0000"), 1, d("82.1000"), d("80.4000"), True),
        ("LAC 10", d("72.4000"), d("70.0000"), "pack", "Amber", "printed", "Amber", "level", "printed", "level",
         six_months_before, d("72.8000"), 3, d("64.0000"), d("79.0000"), False),
        ("REF 3", d("19.6000"), d("20.0000"), "reference", "Green", "printed", "Green", "down", "printed", "down",
         six_months_before, d("21.5000"), 2, d("22.6000"), d("23.1000"), True),
    ]  # fmt: skip


def test_quarters_get_computed_rag_and_direction_by_the_trusts_rules(onboarded):
    rows = _rows(
        onboarded,
        """
        select indicator_code, period_label, period_type, rag_rule, green_boundary, amber_boundary, rag_status,
               rag_status_source, direction, direction_source
        from marts.fct_indicator_period
        where organisation_code = 'ECT' and period_label = 'Q1 2018/19' order by indicator_code
        """,
    )
    d = Decimal
    assert rows == [
        ("CIN 7", "Q1 2018/19", "quarter", "target_tolerance_relative", None, None, None, None, "down", "computed"),
        # SIB, target 45, Amber up to 5% above it: 47.25
        ("CP 10", "Q1 2018/19", "quarter", "target_tolerance_relative", d("45.0000"), d("47.2500"), "Amber",
         "computed", "down", "computed"),
        # met or not met: 83.0 against 85 is Red
        ("EH 2", "Q1 2018/19", "quarter", "target_only", d("85.0000"), d("85.0000"), "Red", "computed", "up",
         "computed"),
        # the pack's target of 70 holds for 2018/19, the year it reports on
        ("LAC 10", "Q1 2018/19", "quarter", "target_tolerance_relative", d("70.0000"), d("73.5000"), "Amber",
         "computed", "down", "computed"),
        ("REF 3", "Q1 2018/19", "quarter", "bands", d("20.0000"), d("25.0000"), "Amber", "computed", "down",
         "computed"),
    ]  # fmt: skip


def test_codes_belong_to_a_council(onboarded):
    rows = _rows(
        onboarded,
        """
        select organisation_code, indicator_title, unit from marts.dim_indicator
        where indicator_code = 'CP 10' order by organisation_code
        """,
    )
    assert [(org, unit) for org, _, unit in rows] == [("ECT", "rate_per_10000"), ("SD004", "count")]
    assert _rows(onboarded, "select indicator_slug from marts.dim_indicator where indicator_code = 'CP 10'") in (
        [("ect-cp-10",), ("sd004-cp-10",)],
        [("sd004-cp-10",), ("ect-cp-10",)],
    )


def test_workforce_measures_of_the_trust_flow_to_the_long_mart(onboarded):
    rows = _rows(
        onboarded,
        """
        select measure_code, period_label, period_type, value, previous_value, movement, direction, performance
        from marts.fct_workforce_measure_period
        where organisation_code = 'ECT' and measure_code = 'sw_turnover' order by period_month, period_type
        """,
    )
    d = Decimal
    assert rows == [
        ("sw_turnover", "2017/18", "financial_year", d("18.4000"), None, None, None, None),
        ("sw_turnover", "Q1 2018/19", "quarter", d("4.9000"), None, None, None, None),
        ("sw_turnover", "Q2 2018/19", "quarter", d("5.3000"), d("4.9000"), d("0.4000"), "up", "worsening"),
    ]
    measures = _rows(
        onboarded,
        "select distinct measure_code from marts.fct_workforce_measure_period where organisation_code = 'ECT'",
    )
    assert sorted(m for (m,) in measures) == ["asye", "avg_caseload", "sickness_days", "sw_turnover"]


def test_budget_in_millions_shown_as_printed_and_total_not_resummed(onboarded):
    rows = _rows(
        onboarded,
        """
        select service_code, net_budget, forecast_outturn, variance, computed_variance, movement
        from marts.fct_budget_outturn where organisation_code = 'ECT' order by sort_order
        """,
    )
    d = Decimal
    by_code = {r[0]: r[1:] for r in rows}
    # £m printed with one decimal, held in £000
    assert by_code["CSC"][:3] == (d("21300.0000"), d("21900.0000"), d("600.0000"))
    # the printed variance (from unrounded pounds) is shown; forecast - net budget sits beside it
    assert by_code["PLC"][2:4] == (d("1500.0000"), d("1400.0000"))
    # the total is shown as printed, although its three shown lines sum to 55,000
    assert by_code["CT"][:3] == (d("62400.0000"), d("64100.0000"), d("1700.0000"))


def test_no_findings_and_last_years_quarters_say_why_they_have_no_rag(onboarded):
    assert _rows(onboarded, "select * from marts.rpt_data_quality_findings where organisation_code = 'ECT'") == []
    rows = _rows(
        onboarded,
        """
        select period_label, target, rag_status, rag_not_computed_reason from marts.fct_indicator_period
        where organisation_code = 'ECT' and indicator_code = 'LAC 10' and financial_year = '2017/18'
        order by period_month
        """,
    )
    assert rows == [
        ("Q3 2017/18", None, None, "no target for the period"),
        ("Q4 2017/18", None, None, "no target for the period"),
    ]
