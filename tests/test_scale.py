"""Synthetic data at scale and incremental builds: an incremental build equals a full refresh."""

from __future__ import annotations

import csv
import os
import shutil
import uuid

import duckdb
import pytest

from scorecard.loader import load_paths
from scorecard.synth import CATALOGUE, generate

from .conftest import NO_UNIT_TESTS, PROJECT_DIR, run_dbt

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow

MARTS = [
    "fct_indicator_period", "fct_scorecard_latest", "fct_budget_outturn", "fct_workforce_measure_period", "fct_risk",
    "fct_programme_milestone", "rpt_data_quality_findings", "dim_indicator", "dim_organisation",
]  # fmt: skip


@pytest.fixture(scope="module")
def synth():
    # dbt needs seed paths inside the project: generate under the git-ignored warehouse/ folder.
    out = PROJECT_DIR / "warehouse" / f"test-synth-{uuid.uuid4().hex[:8]}"
    summary = generate(out, councils=3, months=24, seed=7)
    old = os.environ.get("SCORECARD_REFERENCE_DIR")
    os.environ["SCORECARD_REFERENCE_DIR"] = str(out / "seeds" / "reference")
    yield summary
    if old is None:
        os.environ.pop("SCORECARD_REFERENCE_DIR", None)
    else:
        os.environ["SCORECARD_REFERENCE_DIR"] = old
    shutil.rmtree(out, ignore_errors=True)


def _env(summary) -> dict[str, str]:
    return {
        "SCORECARD_SEED_DIR": os.path.relpath(summary.out / "seeds", PROJECT_DIR),
        "SCORECARD_REFERENCE_DIR": str(summary.out / "seeds" / "reference"),
        "SCORECARD_INCLUDE_SAMPLE": "false",
    }


def test_generator_is_deterministic_and_sized(synth, tmp_path):
    assert synth.councils == 3 and synth.months == 24 and synth.new_month == "2026-03"
    assert len(CATALOGUE) == 60
    # 3 councils x 60 indicators x 24 months = 4,320 figures, less about 1% missing, plus restatements.
    assert synth.rows["indicator_values"] == 4287
    again = generate(tmp_path / "again", councils=3, months=24, seed=7)
    assert again.rows == synth.rows
    first = (synth.out / "landing" / "history" / "indicator_values_S002.csv").read_bytes()
    assert (tmp_path / "again" / "landing" / "history" / "indicator_values_S002.csv").read_bytes() == first
    generate(tmp_path / "other", councils=3, months=24, seed=8)
    assert (tmp_path / "other" / "landing" / "history" / "indicator_values_S002.csv").read_bytes() != first
    with (synth.out / "landing" / "history" / "indicator_values_S001.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    percentages = [float(r["value"].rstrip("%")) for r in rows if r["value"].endswith("%")]
    assert percentages and min(percentages) >= 0 and max(percentages) <= 100
    assert any(r["value"] == "-" for r in rows)  # placeholders occur


def _table(con, name: str) -> list[tuple]:
    """The mart's rows, less built_at: when a row was written differs between the two builds by design."""
    columns = [c for (c,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
        "and column_name != 'built_at' order by ordinal_position", [name]).fetchall()]  # fmt: skip
    return sorted(con.execute(f"select {', '.join(columns)} from marts.{name}").fetchall(), key=repr)


def test_incremental_build_equals_full_refresh(synth, tmp_path):
    env = _env(synth)
    database = tmp_path / "incremental.duckdb"
    history = sorted((synth.out / "landing" / "history").iterdir())
    new_month = sorted((synth.out / "landing" / "new_month").iterdir())

    assert all(r.status == "loaded" for r in load_paths(history, database, is_sample=False, settle=0))
    first = run_dbt(["build", *NO_UNIT_TESTS], database, tmp_path / "first", env)
    assert first.returncode == 0, first.stdout[-4000:]
    with duckdb.connect(str(database), read_only=True) as con:
        before = con.execute("select count(*), max(period_month) from marts.fct_indicator_period").fetchone()
    assert str(before[1]) == "2026-02-01"

    # With the new month, S001 sends February's budget report again: a line's forecast changed, a line dropped.
    resent = _resend_budget_report(synth.out / "landing" / "history" / "budget_outturn_S001_2026-02.csv", tmp_path)
    assert all(r.status == "loaded" for r in load_paths([*new_month, resent], database, is_sample=False, settle=0))
    incremental = run_dbt(["build", *NO_UNIT_TESTS], database, tmp_path / "incremental", env)
    assert incremental.returncode == 0, incremental.stdout[-4000:]

    full = tmp_path / "full.duckdb"
    shutil.copyfile(database, full)
    refreshed = run_dbt(["build", "--full-refresh", *NO_UNIT_TESTS], full, tmp_path / "full", env)
    assert refreshed.returncode == 0, refreshed.stdout[-4000:]

    with duckdb.connect(str(database), read_only=True) as inc, duckdb.connect(str(full), read_only=True) as ful:
        for mart in MARTS:
            assert _table(inc, mart) == _table(ful, mart), mart
        count, latest = inc.execute("select count(*), max(period_month) from marts.fct_indicator_period").fetchone()
        february = inc.execute(
            "select service_code, forecast_outturn, variance, lines_in_rollup from marts.fct_budget_outturn "
            "where organisation_code = 'S001' and report_month = date '2026-02-01' "
            "and service_code in ('LAC', 'MGT', 'DIR') order by all"
        ).fetchall()
        restated = inc.execute(
            "select indicator_code, organisation_code, value, first_reported_value, previous_value "
            "from marts.fct_indicator_period where version_count = 2 order by all"
        ).fetchall()
        staffing = inc.execute(
            "select organisation_code, count(distinct measure_code), count(*), count(movement), "
            "count(performance) from marts.fct_workforce_measure_period group by all order by all"
        ).fetchall()
    assert str(latest) == "2026-03-01"
    # Each synthetic council's own staffing measures (seed rows synth writes for it), every month of the 24:
    # 7 x 24 rows, movement from the second month, judged for the 4 measures with a polarity.
    assert staffing == [(org, 7, 168, 161, 92) for org in ("S001", "S002", "S003")]
    # The resent report replaced February's rows whole: LAC's new forecast, MGT gone, 9 lines in the total.
    assert february == [("DIR", 36_548, -75, 9), ("LAC", 15_700, 193, 1)]
    # The new month adds one row per council x indicator that reported it (180, less 3 missing).
    assert count - before[0] == 177
    # Every restatement in the new month's files is the figure now shown, with the first figure kept.
    printed = []
    for path in new_month:
        if path.name.startswith("indicator_values_"):
            with path.open(encoding="utf-8") as fh:
                printed += [r for r in csv.DictReader(fh) if r["notes"] == "Restated"]
    assert len(restated) == len(printed) == 9
    shown = {(code, org): float(value) for code, org, value, _first, _prev in restated}
    for row in printed:
        assert shown[(row["indicator_code"], row["organisation_code"])] == pytest.approx(
            float(row["value"].rstrip("%")), abs=0.05
        )
    assert all(first != value for _c, _o, value, first, _p in restated)


def _resend_budget_report(path, tmp_path):
    """A council's report for a month sent again: LAC's forecast revised, the MGT line dropped."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["forecast_outturn"] for r in rows if r["service_code"] == "LAC"] == ["15608"]
    kept = [r for r in rows if r["service_code"] != "MGT"]
    for r in kept:
        if r["service_code"] == "LAC":
            r.update(forecast_outturn="15700", variance="193", movement="50", notes="Revised forecast")
    out = tmp_path / "resent" / path.name
    out.parent.mkdir()
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    return out
