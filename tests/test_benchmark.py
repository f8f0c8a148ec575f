"""The benchmark end to end: a national-statistics file in the DfE's published layout, loaded
through the real loader beside the sample extracts, built by dbt and checked against figures
worked by hand from tests/fixtures/national_statistics/ (the arithmetic is in docs/benchmarking.md).

The project ships national_statistics_columns.csv and statistical_neighbours.csv empty; this
test writes the fixture's column mapping and a few neighbours into a copy of the seeds, and
gives council SD004 (whose pack does not name its council) Derby's GSS code. That is test-only
reference data: the fixture's figures are made up.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from scorecard.loader import load_paths, load_sample

from .conftest import NO_UNIT_TESTS, PROJECT_DIR, run_dbt

pytestmark = pytest.mark.slow  # builds a warehouse

FIXTURE = PROJECT_DIR / "tests" / "fixtures" / "national_statistics" / "national_statistics_fixture.csv"
MAPPING = """\
assess_45_pct,characteristic=Total,assessments_within_45_days_pct,value,,
assess_45_num,characteristic=Total,assessments_within_45_days_pct,numerator,,
assess_45_den,characteristic=Total,assessments_within_45_days_pct,denominator,,
cla_rate,characteristic=Total,cla_rate_per_10000,value,,
cla_count,characteristic=Total,cla_rate_per_10000,numerator,,
child_pop,characteristic=Total,cla_rate_per_10000,denominator,,
"""
# Derby's neighbours: Leicester and Rutland under both models; Northamptonshire under the 2019
# model, North Northamptonshire (one of its successors) under the 2021 model.
NEIGHBOURS = """\
E06000015,E06000016,1,2019,test
E06000015,E06000017,2,2019,test
E06000015,E10000021,3,2019,test
E06000015,E06000016,1,2021,test
E06000015,E06000017,2,2021,test
E06000015,E06000061,3,2021,test
"""
DERBY = "E06000015"


def write_benchmark_seeds(seeds: Path) -> Path:
    """A copy of the project's seeds (the CSV files only) with the fixture's test-only mapping, neighbours and
    Derby's GSS code for SD004; returns its reference folder."""
    # the seed files only: dbt would write the tests its YAML declares under the YAML's own path
    shutil.copytree(PROJECT_DIR / "seeds", seeds, ignore=shutil.ignore_patterns("*.yml"))
    reference = seeds / "reference"
    with (reference / "national_statistics_columns.csv").open("a", encoding="utf-8") as fh:
        fh.write(MAPPING)
    with (reference / "statistical_neighbours.csv").open("a", encoding="utf-8") as fh:
        fh.write(NEIGHBOURS)
    organisations = reference / "organisations.csv"
    organisations.write_text(
        organisations.read_text(encoding="utf-8").replace(
            "SD004,Council of source document 004 (not named in the pack),unknown,,",
            f"SD004,Council of source document 004 (not named in the pack),unknown,{DERBY},",
        ),
        encoding="utf-8",
    )
    assert DERBY in organisations.read_text(encoding="utf-8")
    return reference


@pytest.fixture(scope="module")
def benchmarked(tmp_path_factory):
    work = tmp_path_factory.mktemp("benchmark")
    seeds = work / "seeds"
    reference = write_benchmark_seeds(seeds)
    env = {"SCORECARD_SEED_DIR": str(seeds), "SCORECARD_REFERENCE_DIR": str(reference)}
    database = work / "warehouse.duckdb"
    monkey = pytest.MonkeyPatch()
    for name, value in env.items():
        monkey.setenv(name, value)
    try:
        load_sample(database)
        results = load_paths([FIXTURE], database, is_sample=False, settle=0)
    finally:
        monkey.undo()
    assert [r.status for r in results] == ["loaded"], [r.messages for r in results]
    result = run_dbt(["build", *NO_UNIT_TESTS], database, work, env)
    assert result.returncode == 0, result.stdout[-4000:]
    return database


def _rows(database, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_ranks_bands_and_ties_for_a_bigger_is_better_percentage(benchmarked):
    rows = _rows(
        benchmarked,
        "select authority_name, value_status, rank_position, quartile_band, percentile, authorities_ranked "
        "from marts.fct_authority_benchmark where national_code = 'assessments_within_45_days_pct' "
        "and period_month = date '2022-03-01' order by rank_position nulls last, authority_name",
    )
    # 7 figures (Rutland's is c); Derby and Leicester tie on 85.0 and share 6th; band = ceil(4 x rank / 7).
    assert rows == [
        ("Bournemouth, Christchurch and Poole", "reported", 1, "A", Decimal("100.0"), 7),
        ("West Northamptonshire", "reported", 2, "B", Decimal("83.3"), 7),
        ("Plymouth", "reported", 3, "B", Decimal("66.7"), 7),
        ("Torbay", "reported", 4, "C", Decimal("50.0"), 7),
        ("North Northamptonshire", "reported", 5, "C", Decimal("33.3"), 7),
        ("Derby", "reported", 6, "D", Decimal("16.7"), 7),
        ("Leicester", "reported", 6, "D", Decimal("16.7"), 7),
        ("Rutland", "suppressed", None, None, None, 7),
    ]


def test_the_abolished_authority_is_ranked_only_while_it_existed(benchmarked):
    rows = _rows(
        benchmarked,
        "select period_month, rank_position, previous_rank from marts.fct_authority_benchmark "
        "where national_code = 'assessments_within_45_days_pct' and gss_code in ('E10000021', 'E06000061') "
        "order by gss_code, period_month",
    )
    # North Northamptonshire starts in 2022 with no previous rank; Northamptonshire was 6th of 7 in 2020.
    assert [(str(m), r, p) for m, r, p in rows] == [("2022-03-01", 5, None), ("2020-03-01", 6, None)]


def test_intervals_and_the_comparison_with_england(benchmarked):
    rows = _rows(
        benchmarked,
        "select national_code, authority_name, period_month, interval_lower, interval_upper, england_value, "
        "compared_with_england from marts.fct_authority_benchmark "
        "where (authority_name, period_month) in (('Derby', date '2022-03-01'), ('Rutland', date '2020-03-01'), "
        "('Bournemouth, Christchurch and Poole', date '2022-03-01'), ('Rutland', date '2022-03-01')) "
        "order by national_code, authority_name, period_month",
    )
    assert [(c, a, str(m), lo, hi, e, v) for c, a, m, lo, hi, e, v in rows] == [
        # Wilson: 3150 of 3560 lies above England's 84.5; Derby's 2040 of 2400 includes it; 0 of 25 lies below.
        ("assessments_within_45_days_pct", "Bournemouth, Christchurch and Poole", "2022-03-01",
         Decimal("87.3928"), Decimal("89.4905"), Decimal("84.5000"), "better"),
        ("assessments_within_45_days_pct", "Derby", "2022-03-01",
         Decimal("83.5156"), Decimal("86.3726"), Decimal("84.5000"), "similar"),
        ("assessments_within_45_days_pct", "Rutland", "2020-03-01",
         Decimal("0.0000"), Decimal("13.3192"), Decimal("84.1000"), "worse"),
        ("assessments_within_45_days_pct", "Rutland", "2022-03-01", None, None, Decimal("84.5000"), "not_compared"),
        # Byar, a context measure: 480 per 69,400 includes England's 68 ...
        ("cla_rate_per_10000", "Bournemouth, Christchurch and Poole", "2022-03-01", Decimal("63.1143"),
         Decimal("75.6376"), Decimal("68.0000"), "similar"),
        # ... 590 per 62,000 lies above it (higher, not worse) ...
        ("cla_rate_per_10000", "Derby", "2022-03-01", Decimal("87.6365"), Decimal("103.1594"), Decimal("68.0000"),
         "higher"),
        # ... 40 per 7,600 includes England's 67 in 2020 (37.596447 before rounding: computed in 8-byte
        # doubles; a 4-byte float once gave 37.5965), and 38 per 7,650 its 68 in 2022.
        ("cla_rate_per_10000", "Rutland", "2020-03-01", Decimal("37.5964"), Decimal("71.6712"), Decimal("67.0000"),
         "similar"),
        ("cla_rate_per_10000", "Rutland", "2022-03-01", Decimal("35.1473"), Decimal("68.1823"), Decimal("68.0000"),
         "similar"),
    ]  # fmt: skip


def test_a_context_measure_is_ranked_lowest_first_and_a_missing_figure_is_not_ranked(benchmarked):
    rows = _rows(
        benchmarked,
        "select authority_name, period_month, value_status, value, rank_position, rank_order "
        "from marts.fct_authority_benchmark where national_code = 'cla_rate_per_10000' "
        "and authority_name in ('Rutland', 'Plymouth', 'Torbay') order by period_month, authority_name",
    )
    assert [(a, str(m), s, v, r, o) for a, m, s, v, r, o in rows] == [
        ("Plymouth", "2020-03-01", "reported", Decimal("92.0000"), 6, "lowest_first"),
        ("Rutland", "2020-03-01", "reported", Decimal("53.0000"), 1, "lowest_first"),
        ("Torbay", "2020-03-01", "not_available", None, None, "lowest_first"),
        ("Plymouth", "2022-03-01", "reported", Decimal("96.0000"), 7, "lowest_first"),
        ("Rutland", "2022-03-01", "reported", Decimal("50.0000"), 1, "lowest_first"),
        ("Torbay", "2022-03-01", "reported", Decimal("96.0000"), 7, "lowest_first"),
    ]


def test_the_council_against_its_region_neighbours_and_its_previous_year(benchmarked):
    rows = _rows(
        benchmarked,
        "select organisation_code, indicator_code, period_month, value, region_value, neighbour_model_year, "
        "neighbours_listed, neighbours_with_figure, neighbour_mean, rank_position, previous_rank, rank_change, "
        "gap_to_england, gap_to_england_change from marts.fct_indicator_benchmark order by period_month",
    )
    assert [tuple(str(x) if x is not None else None for x in row) for row in rows] == [
        # 2020, 2019 model: Leicester 86.8, Rutland 0.0, Northamptonshire 76.8 -> mean 54.5333
        ("SD004", "AMT 2", "2020-03-01", "85.1000", "84.8000", "2019", "3", "3", "54.5333", "5", None, None,
         "1.0000", None),
        # 2022, 2021 model: Leicester 85.0, Rutland c (listed, not averaged), North Northamptonshire 85.2
        ("SD004", "AMT 2", "2022-03-01", "85.0000", "85.1000", "2021", "3", "2", "85.1000", "6", "5", "-1",
         "0.5000", "-0.5000"),
    ]  # fmt: skip


def test_the_fixture_raises_no_benchmark_findings(benchmarked):
    rows = _rows(
        benchmarked,
        "select finding_type, count(*) from marts.rpt_data_quality_findings "
        "where finding_type in ('quartile_differs_from_printed', 'authority_not_in_period') group by all",
    )
    assert rows == []
