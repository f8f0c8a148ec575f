"""The semantic layer: MetricFlow's metrics give the marts' own numbers.

- `dbt ls` lists every metric, semantic model and saved query defined in
  models/marts/_metrics.yml, _semantic_models.yml and _saved_queries.yml, and every
  one of them (and every entity, dimension and measure) has a description;
- the time spine covers the calendar day by day, with dim_period's financial years;
- every shell block of docs/semantic-layer.md runs as written, from the root of a
  project laid out as `make build` leaves it: a copy of the session's sample warehouse
  as the working file, its marts published by `scorecard.publish`, and target/ from
  `dbt parse`. Each `mf query` table it prints equals plain SQL on the marts: EXPECTED
  below holds that SQL, one entry per documented query, and the page documents
  exactly those queries;
- figures a council would check by hand: SD004's share on target in January 2018 is
  Green / rated on its scorecard, the budget variance is the directorate total the
  pack prints (subtotals not counted twice), the agency share is agency FTE over all
  FTE in the months that report both (staffing measures are rows of the long workforce
  mart, and a measure only in the seed is queryable through `staffing_figure`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from scorecard.publish import publish
from tests.conftest import PROJECT_DIR, run_dbt

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

PAGE = PROJECT_DIR / "docs" / "semantic-layer.md"
MARTS_YAML = PROJECT_DIR / "models" / "marts"
BLOCK = re.compile(r"(?:<!-- readme-test: skip \((?P<why>[^)]+)\) -->\n)?```(?:bash|sh)\n(?P<body>.*?)```", re.DOTALL)
MF_QUERY = re.compile(r"\.venv/bin/mf query [^\n]*")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

# Every `mf query` on the page, exactly as written there, and plain SQL on the marts that
# gives the same table (columns named as mf names them). Snapshot measures are
# non-additive over the month: a period longer than a month (or none) takes each
# council's latest month in it.
RATED = """
    count(rag_status) as {p}indicators_with_rag,
    100.0 * count(case when rag_status = 'Green' then 1 end) / nullif(count(rag_status), 0) as {p}on_target_pct
"""
# Staffing measures are rows of fct_workforce_measure_period: a metric is one measure code's figure.
MEASURE = "sum(case when measure_code = '{}' then value end)"
STAFFING = f"""
    100.0 * {MEASURE.format("agency_fte")} / nullif({MEASURE.format("fte")} + {MEASURE.format("agency_fte")}, 0)
        as agency_share_of_fte_pct,
    {MEASURE.format("fte")} as fte, {MEASURE.format("agency_fte")} as agency_fte
"""
EXPECTED: dict[str, str] = {
    ".venv/bin/mf query --saved-query scorecard_rag_summary --order organisation,metric_time__month": """
        select organisation_code as organisation, period_month as metric_time__month,
            count(rag_status) as indicators_with_rag,
            count(case when rag_status = 'Green' then 1 end) as indicators_green,
            count(case when rag_status = 'Amber' then 1 end) as indicators_amber,
            count(case when rag_status = 'Red' then 1 end) as indicators_red,
            100.0 * count(case when rag_status = 'Green' then 1 end) / nullif(count(rag_status), 0) as on_target_pct,
            100.0 * count(case when performance = 'improving' then 1 end) / nullif(count(performance), 0)
                as improving_pct
        from marts.fct_indicator_period group by all
    """,
    ".venv/bin/mf query --metrics indicators_with_rag --group-by organisation,metric_time__month,"
    "indicator_period__rag_status --where \"{{ Dimension('indicator_period__rag_status') }} is not null\" "
    "--start-time 2018-01-01 --end-time 2018-01-01 --order indicator_period__rag_status": """
        select organisation_code as organisation, period_month as metric_time__month,
            rag_status as indicator_period__rag_status, count(*) as indicators_with_rag
        from marts.fct_indicator_period
        where rag_status is not null and period_month = date '2018-01-01'
        group by all
    """,
    ".venv/bin/mf query --metrics on_target_pct,improving_pct,average_variance_to_target_pct --group-by "
    "organisation,indicator__service_area --start-time 2018-01-01 --end-time 2018-01-01 "
    "--order organisation,indicator__service_area": """
        select figures.organisation_code as organisation, indicators.service_area as indicator__service_area,
            100.0 * count(case when figures.rag_status = 'Green' then 1 end)
                / nullif(count(figures.rag_status), 0) as on_target_pct,
            100.0 * count(case when figures.performance = 'improving' then 1 end)
                / nullif(count(figures.performance), 0) as improving_pct,
            avg(figures.variance_to_target_pct) as average_variance_to_target_pct
        from marts.fct_indicator_period as figures
        left join marts.dim_indicator as indicators on figures.indicator_code = indicators.indicator_code
        where figures.period_month = date '2018-01-01'
        group by all
    """,
    ".venv/bin/mf query --metrics average_variance_to_target --group-by indicator,indicator__unit --where "
    "\"{{ Entity('organisation') }} = 'SD004'\" --start-time 2018-01-01 --end-time 2018-01-01 --order indicator": """
        select figures.indicator_code as indicator, indicators.unit as indicator__unit,
            avg(figures.variance_to_target) as average_variance_to_target
        from marts.fct_indicator_period as figures
        left join marts.dim_indicator as indicators on figures.indicator_code = indicators.indicator_code
        where figures.organisation_code = 'SD004' and figures.period_month = date '2018-01-01'
        group by all
    """,
    ".venv/bin/mf query --metrics scorecard_indicators_with_rag,scorecard_on_target_pct,scorecard_improving_pct "
    "--group-by organisation --order organisation": """
        select organisation_code as organisation,
            count(rag_status) as scorecard_indicators_with_rag,
            100.0 * count(case when rag_status = 'Green' then 1 end) / nullif(count(rag_status), 0)
                as scorecard_on_target_pct,
            100.0 * count(case when performance = 'improving' then 1 end) / nullif(count(performance), 0)
                as scorecard_improving_pct
        from marts.fct_scorecard_latest group by all
    """,
    ".venv/bin/mf query --metrics on_target_pct,indicators_with_rag --group-by organisation,"
    "metric_time__financial_year --order organisation,metric_time__financial_year": f"""
        with latest as (
            select organisation_code, financial_year, max(period_month) as period_month
            from marts.fct_indicator_period group by all
        )
        select organisation_code as organisation, financial_year as metric_time__financial_year,
            {RATED.format(p="")}
        from marts.fct_indicator_period
        inner join latest using (organisation_code, financial_year, period_month)
        group by all
    """,
    ".venv/bin/mf query --saved-query budget_by_service --start-time 2017-05-01 --end-time 2017-05-01 "
    "--order budget_row__parent_service_code,budget_row__service_name": """
        select organisation_code as organisation, report_month as metric_time__month,
            parent_service_code as budget_row__parent_service_code, service_name as budget_row__service_name,
            sum(net_budget) as budget_net_budget, sum(forecast_outturn) as budget_forecast_outturn,
            sum(variance) as budget_variance, sum(movement) as budget_movement
        from marts.fct_budget_outturn
        where service_level = 'line' and report_month = date '2017-05-01'
        group by all
    """,
    ".venv/bin/mf query --metrics budget_variance,budget_movement --group-by organisation,metric_time__month "
    "--order organisation,metric_time__month": """
        select organisation_code as organisation, report_month as metric_time__month,
            sum(variance) as budget_variance, sum(movement) as budget_movement
        from marts.fct_budget_outturn where service_level = 'line' group by all
    """,
    ".venv/bin/mf query --saved-query workforce_by_month --order organisation,metric_time__month": f"""
        select organisation_code as organisation, period_month as metric_time__month, {STAFFING},
            {MEASURE.format("headcount")} as headcount, {MEASURE.format("permanent_cost")} as permanent_cost,
            {MEASURE.format("agency_cost")} as agency_cost
        from marts.fct_workforce_measure_period
        where period_type = 'month' and measure_code in ('fte', 'agency_fte', 'headcount', 'permanent_cost',
            'agency_cost')
        group by all
    """,
    ".venv/bin/mf query --metrics agency_share_of_fte_pct,fte,agency_fte --group-by organisation,"
    "metric_time__financial_quarter --order organisation,metric_time__financial_quarter": f"""
        with quartered as (
            select *, financial_year || ' Q' || cast((month(period_month) + 8) % 12 // 3 + 1 as varchar)
                as financial_quarter
            from marts.fct_workforce_measure_period
            where period_type = 'month' and measure_code in ('fte', 'agency_fte')
        ),
        latest as (
            -- each measure's latest month in the quarter
            select * from quartered
            qualify period_month
                = max(period_month) over (partition by organisation_code, measure_code, financial_quarter)
        )
        select organisation_code as organisation, financial_quarter as metric_time__financial_quarter, {STAFFING}
        from latest
        group by all
    """,
    ".venv/bin/mf query --metrics staffing_figure --group-by organisation,metric_time__month,"
    "workforce_figure__measure_code --order organisation,metric_time__month,workforce_figure__measure_code": """
        select organisation_code as organisation, period_month as metric_time__month,
            measure_code as workforce_figure__measure_code, sum(value) as staffing_figure
        from marts.fct_workforce_measure_period
        where period_type = 'month'
        group by all
    """,
    ".venv/bin/mf query --saved-query risks_by_band --order organisation,metric_time__month": """
        select organisation_code as organisation, reported_in as metric_time__month,
            band_after_controls as risk_entry__band_after_controls, count(risk_reference) as risks
        from marts.fct_risk group by all
    """,
    ".venv/bin/mf query --metrics scorecard_on_target_pct,scorecard_indicators_with_rag --group-by "
    "organisation,organisation__organisation_name --order organisation": f"""
        select scorecard.organisation_code as organisation,
            organisations.organisation_name as organisation__organisation_name,
            {RATED.format(p="scorecard_")}
        from marts.fct_scorecard_latest as scorecard
        left join marts.dim_organisation as organisations
            on scorecard.organisation_code = organisations.organisation_code
        group by all
    """,
}


def defined(kind: str) -> set[str]:
    """Names of the semantic models, metrics or saved queries in models/marts/*.yml."""
    names = set()
    for path in MARTS_YAML.glob("*.yml"):
        names |= {item["name"] for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(kind, [])}
    return names


def shell_blocks() -> list[tuple[str | None, str]]:
    return [(m.group("why"), m.group("body")) for m in BLOCK.finditer(PAGE.read_text(encoding="utf-8"))]


@dataclass
class Block:
    body: str
    returncode: int
    stdout: str
    stderr: str

    @property
    def query(self) -> str | None:
        queries = MF_QUERY.findall(self.body)
        assert len(queries) <= 1, f"one mf query per block, so its table can be read:\n{self.body}"
        return queries[0] if queries else None


def parse_table(output: str) -> tuple[list[str], list[list[str | None]]]:
    """mf's table (tabulate's 'simple' format): the columns are where the dashes under the header are."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if re.fullmatch(r"-+( +-+)*\s*", line))
    spans = [m.span() for m in re.finditer(r"-+", lines[rule])]
    spans[-1] = (spans[-1][0], None)

    def cells(line: str) -> list[str | None]:
        return [line[start:end].strip() or None for start, end in spans]

    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip():
            break
        rows.append(cells(line))
    return [c or "" for c in cells(lines[rule - 1])], rows


def key_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()[:10]
    text = str(value)
    return text[:10] if DATE.match(text) else text


def same_number(printed: str | None, expected) -> bool:
    if expected is None or printed is None:
        return printed is None and expected is None
    return math.isclose(float(printed), float(expected), rel_tol=1e-5, abs_tol=1e-9)


@pytest.fixture(scope="module")
def project(warehouse, tmp_path_factory) -> Path:
    """A project root as `make build` leaves it: the working file, the published one, target/, the .venv."""
    root = tmp_path_factory.mktemp("semantic") / "project"
    (root / "warehouse" / "published").mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(PROJECT_DIR / name, root / name)
    (root / ".venv").symlink_to(PROJECT_DIR / ".venv")
    working = root / "warehouse" / "scorecard.duckdb"
    shutil.copy2(warehouse, working)
    publish(working, root / "warehouse" / "published" / "scorecard.duckdb", "semantic", require_passing_build=False)
    # the semantic manifest names tables after the file dbt parsed with: parse as make build does
    result = run_dbt(["parse"], root / "warehouse" / "scorecard.duckdb", root)
    assert result.returncode == 0, result.stdout[-4000:]
    assert (root / "target" / "semantic_manifest.json").is_file()
    return root


@pytest.fixture(scope="module")
def blocks(project) -> list[Block]:
    """Every shell block of the page not marked skip, run as written, in order, from the project root.

    A reader holds the published file open (read-only) throughout, as a BI tool would: the
    page's read-only profile must not need it to let go.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCORECARD_", "DBT_", "MAKE"))}
    ran = []
    with duckdb.connect(str(project / "warehouse" / "published" / "scorecard.duckdb"), read_only=True) as reader:
        for why, body in shell_blocks():
            if why is not None:
                continue
            done = subprocess.run(
                ["bash", "-e", "-o", "pipefail", "-c", body], cwd=project, env=env, capture_output=True, text=True
            )
            ran.append(Block(body, done.returncode, done.stdout, done.stderr))
        assert reader.execute("select count(*) from marts.fct_scorecard_latest").fetchone()[0] > 0
    return ran


@pytest.fixture(scope="module")
def tables(blocks) -> dict[str, tuple[list[str], list[list[str | None]]]]:
    return {block.query: parse_table(block.stdout) for block in blocks if block.query and block.returncode == 0}


@pytest.fixture(scope="module")
def marts(project):
    """The marts as published from the sample build (read-only)."""
    with duckdb.connect(str(project / "warehouse" / "published" / "scorecard.duckdb"), read_only=True) as con:
        yield con


def sql_rows(con, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(sql)
    return [d[0] for d in cursor.description], cursor.fetchall()


# ---- definitions ----------------------------------------------------------------------


def test_dbt_lists_every_metric_semantic_model_and_saved_query(project):
    kinds = {"metric": "metrics", "semantic_model": "semantic_models", "saved_query": "saved_queries"}
    result = run_dbt(
        ["ls", "--quiet", "--output", "json", *(a for kind in kinds for a in ("--resource-type", kind))],
        project / "warehouse" / "scorecard.duckdb",
        project,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    listed: dict[str, set[str]] = {kind: set() for kind in kinds}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            node = json.loads(line)
            listed[node["resource_type"]].add(node["name"])
    for kind, key in kinds.items():
        assert listed[kind] == defined(key), kind
    required = {
        "indicators_with_rag", "on_target_pct", "improving_pct", "average_variance_to_target_pct",
        "budget_variance", "budget_movement", "agency_share_of_fte_pct", "risks",
    }  # fmt: skip
    assert required <= listed["metric"]
    assert {"scorecard_rag_summary", "budget_by_service", "workforce_by_month"} <= listed["saved_query"]


def test_every_semantic_model_entity_dimension_measure_metric_and_saved_query_is_described(project):
    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text(encoding="utf-8"))
    missing = []
    for model in manifest["semantic_models"]:
        if not (model.get("description") or "").strip():
            missing.append(model["name"])
        for kind in ("entities", "dimensions", "measures"):
            missing += [f"{model['name']}.{item['name']}" for item in model[kind] if not item.get("description")]
    for kind in ("metrics", "saved_queries"):
        missing += [item["name"] for item in manifest[kind] if not (item.get("description") or "").strip()]
    assert not missing, f"no description: {missing}"
    assert all(metric.get("label") for metric in manifest["metrics"])


def test_the_time_spine_covers_the_calendar_day_by_day_with_financial_years(marts):
    first, last, days, distinct = marts.execute(
        "select min(date_day), max(date_day), count(*), count(distinct date_day) from marts.metricflow_time_spine"
    ).fetchone()
    assert (first, last) == (dt.date(2010, 4, 1), dt.date(2036, 3, 31))
    assert days == distinct == (last - first).days + 1
    differ = marts.execute(
        """
        select count(*)
        from marts.dim_period as periods
        left join marts.metricflow_time_spine as spine on spine.date_day = periods.period_month
        where spine.financial_year is distinct from periods.financial_year
            or spine.financial_quarter is distinct from periods.financial_year || ' ' || periods.financial_quarter
        """
    ).fetchone()[0]
    assert differ == 0


def test_the_page_explains_every_metric_and_documents_exactly_the_tested_queries():
    text = PAGE.read_text(encoding="utf-8")
    unexplained = sorted(m for m in defined("metrics") if f"`{m}`" not in text)
    assert not unexplained, f"docs/semantic-layer.md does not explain {unexplained}"
    documented = [q for why, body in shell_blocks() if why is None for q in MF_QUERY.findall(body)]
    assert len(documented) == len(set(documented))
    assert set(documented) == set(EXPECTED)


# ---- the page's blocks against the sample warehouse -----------------------------------------


def test_every_block_of_the_page_runs_as_written(blocks):
    assert len(blocks) >= 10
    for block in blocks:
        assert block.returncode == 0, f"{block.body}\n--- stdout\n{block.stdout[-3000:]}\n--- {block.stderr[-3000:]}"
        assert "Traceback" not in block.stderr, block.body


def test_mf_lists_every_metric(blocks):
    listing = next(b for b in blocks if "mf list metrics" in b.body)
    listed = set(re.findall(r"^• (\w+):", listing.stdout, re.MULTILINE))
    assert listed == defined("metrics")


@pytest.mark.parametrize("query", list(EXPECTED), ids=lambda q: q.removeprefix(".venv/bin/mf query ")[:60])
def test_documented_query_equals_sql_on_the_marts(query, tables, marts):
    assert query in tables, "the block did not run (see test_every_block_of_the_page_runs_as_written)"
    header, rows = tables[query]
    columns, expected = sql_rows(marts, EXPECTED[query])
    assert sorted(header) == sorted(columns)
    metrics = defined("metrics")
    keys = [c for c in columns if c not in metrics]
    got = {tuple(key_text(row[header.index(c)]) for c in keys): row for row in rows}
    want = {tuple(key_text(row[columns.index(c)]) for c in keys): row for row in expected}
    assert len(got) == len(rows) and len(want) == len(expected), "the group-by columns must identify a row"
    assert sorted(got) == sorted(want)
    assert expected, "the query should return rows on the sample"
    for key, row in want.items():
        for i, column in enumerate(columns):
            if column in metrics:
                printed = got[key][header.index(column)]
                assert same_number(printed, row[i]), f"{key} {column}: mf printed {printed}, the marts give {row[i]}"


# ---- figures a council would check by hand ------------------------------------------------


def documented(text: str) -> str:
    """The one documented query containing `text`."""
    (query,) = [q for q in EXPECTED if text in q]
    return query


def row_of(tables, query: str, **match) -> dict[str, str | None]:
    header, rows = tables[query]
    found = [dict(zip(header, row, strict=True)) for row in rows]
    found = [r for r in found if all(key_text(r[k]) == v for k, v in match.items())]
    assert len(found) == 1, (match, found)
    return found[0]


def test_sd004_share_on_target_in_january_2018_is_green_over_rated_on_its_scorecard(tables, marts):
    green, rated, all_green, all_rated = marts.execute(
        """
        select count(case when rag_status = 'Green' and period_month = date '2018-01-01' then 1 end),
            count(case when period_month = date '2018-01-01' then rag_status end),
            count(case when rag_status = 'Green' then 1 end), count(rag_status)
        from marts.fct_scorecard_latest where organisation_code = 'SD004'
        """
    ).fetchone()
    # CP 10's printed Green counts: the printed RAG is shown where the pack printed one
    assert (green, rated, all_green, all_rated) == (10, 26, 10, 27)
    month = row_of(tables, documented("scorecard_rag_summary"), organisation="SD004", metric_time__month="2018-01-01")
    assert (month["indicators_green"], month["indicators_with_rag"]) == ("10", "26")
    assert same_number(month["on_target_pct"], Decimal(100) * green / rated)  # 38.5%
    current = row_of(tables, documented("scorecard_improving_pct"), organisation="SD004")
    assert same_number(current["scorecard_on_target_pct"], Decimal(100) * all_green / all_rated)  # 37.0%


def test_budget_variance_is_the_directorate_total_with_no_subtotal_counted_twice(tables, marts):
    query = documented("--metrics budget_variance,budget_movement")
    directorate = marts.execute(
        "select organisation_code, report_month, variance, movement from marts.fct_budget_outturn "
        "where service_level = 'directorate'"
    ).fetchall()
    assert len(directorate) == len(tables[query][1]) == 2
    for organisation, month, variance, movement in directorate:
        row = row_of(tables, query, organisation=organisation, metric_time__month=month.isoformat())
        assert same_number(row["budget_variance"], variance)
        assert same_number(row["budget_movement"], movement)
    may = row_of(tables, query, organisation="HRF", metric_time__month="2017-05-01")
    assert may["budget_variance"] == "1361"  # the pack's £1,361k adverse


def test_agency_share_of_fte_is_agency_fte_over_all_fte_from_the_long_mart(tables, marts):
    query = documented("workforce_by_month")
    months = marts.execute(
        """
        select organisation_code, period_month,
            max(case when measure_code = 'fte' then value end) as fte,
            max(case when measure_code = 'agency_fte' then value end) as agency_fte
        from marts.fct_workforce_measure_period
        where period_type = 'month' and measure_code in ('fte', 'agency_fte')
        group by all
        """
    ).fetchall()
    both = [(org, month, fte, agency) for org, month, fte, agency in months if fte is not None and agency is not None]
    assert len(both) >= 10
    for organisation, month, fte, agency in months:
        row = row_of(tables, query, organisation=organisation, metric_time__month=month.isoformat())
        printed = row["agency_share_of_fte_pct"]
        if fte is None or agency is None:
            assert printed is None, (organisation, month)  # only in the months that report both
        else:
            assert same_number(printed, Decimal(100) * agency / (fte + agency)), (organisation, month)
    # Apr-17 (pack 000): agency FTE 21.77 against FTE 297.7; May-17's FTE is not legible: no share
    april = row_of(tables, query, organisation="HRF", metric_time__month="2017-04-01")
    assert round(float(april["agency_share_of_fte_pct"]), 2) == 6.81
    may = row_of(tables, query, organisation="HRF", metric_time__month="2017-05-01")
    assert (may["fte"], may["agency_fte"], may["agency_share_of_fte_pct"]) == (None, "21.17", None)


def test_a_new_staffing_measure_needs_no_metric_to_be_queried(tables, marts):
    """staffing_figure holds every measure in the seed: one row per council, month and measure code."""
    query = documented("--metrics staffing_figure")
    codes = {row[2] for row in tables[query][1]}
    held = marts.execute("select distinct measure_code from marts.fct_workforce_measure_period").fetchall()
    assert codes == {code for (code,) in held} == {
        "fte", "headcount", "permanent_cost", "agency_fte", "agency_cost", "absence_days_per_fte", "turnover_rate",
    }  # fmt: skip
    row = row_of(tables, query, organisation="HRF", metric_time__month="2017-03-01",
                 workforce_figure__measure_code="turnover_rate")  # fmt: skip
    assert row["staffing_figure"] == "18"
