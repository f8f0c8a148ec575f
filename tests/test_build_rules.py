"""Builds over altered extracts: reconciliation beyond tolerance, and the sample switch."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.conftest import PROJECT_DIR, build_warehouse

# Needs a built warehouse (or a browser, or a wheel build): left out of `make test-fast`.
pytestmark = pytest.mark.slow


def test_printed_subtotal_beyond_tolerance_fails_reconciliation_and_is_a_finding(tmp_path, sample_copy):
    budget = sample_copy / "budget_outturn_HRF_2017-03.csv"
    text = budget.read_text(encoding="utf-8")
    # Education & Commissioning: its variance and its five lines' are printed in whole £000, so the tolerance is
    # 0.5 + 5 x 0.5 = 3; print (679) where the lines sum to (673). The main column keeps the printed (679).
    assert 'HRF,Mar-17,EDC,Education & Commissioning,,"5,741","5,068",(673),' in text
    budget.write_text(text.replace('"5,068",(673),', '"5,068",(679),'), encoding="utf-8")
    database, _ = build_warehouse(tmp_path, sample_copy)
    run = json.loads((tmp_path / "target" / "run_results.json").read_text())
    failed = {
        r["unique_id"].split(".")[2]: (r["status"], r["failures"])
        for r in run["results"]
        if r["unique_id"].startswith("test.") and r["status"] != "pass"
    }
    variance_test = "reconciles_within_tolerance_fct_budget_outturn_variance__computed_variance__variance_tolerance"
    assert failed == {variance_test: ("warn", 1)}
    with duckdb.connect(str(database), read_only=True) as con:
        findings = con.execute(
            "select finding_type, subject_code, printed_value, expected_value"
            " from marts.rpt_data_quality_findings where subject_type like 'budget%'"
        ).fetchall()
    assert findings == [("subtotal_does_not_reconcile", "EDC", "-679", "-673")]
    with duckdb.connect(str(database), read_only=True) as con:
        edc = con.execute(
            "select variance, computed_variance, variance_difference, variance_tolerance, is_reconciled"
            " from marts.fct_budget_outturn where service_code = 'EDC' and report_month = date '2017-03-01'"
        ).fetchone()
    assert edc == (-679, -673, -6, 3, False)


def test_within_tolerance_passes(tmp_path, sample_copy):
    budget = sample_copy / "budget_outturn_HRF_2017-03.csv"
    text = budget.read_text(encoding="utf-8")
    # (676) against the lines' (673): a difference of 3, the most rounding allows for a subtotal of five lines
    budget.write_text(text.replace('"5,068",(673),', '"5,068",(676),'), encoding="utf-8")
    database, result = build_warehouse(tmp_path, sample_copy)
    assert result.returncode == 0
    assert "WARN=0" in result.stdout
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.rpt_data_quality_findings where subject_type like 'budget%'"
        ).fetchone() == (0,)


def test_sample_switch_leaves_sample_rows_out(tmp_path):
    database, result = build_warehouse(tmp_path, env={"SCORECARD_INCLUDE_SAMPLE": "false"})
    assert result.returncode == 0, result.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as con:
        facts = [
            con.execute(f"select count(*) from marts.{t}").fetchone()[0]
            for t in ("fct_indicator_period", "fct_budget_outturn", "fct_workforce_measure_period", "fct_risk")
        ]
        assert facts == [0, 0, 0, 0]
        assert con.execute("select count(*) from raw.indicator_values").fetchone() == (380,)
        assert con.execute("select count(*) from marts.dim_indicator").fetchone() == (45,)


def test_every_mart_has_an_enforced_contract_and_a_primary_key_test(warehouse):
    manifest = json.loads((warehouse.parent / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"].values()
    marts = [n for n in nodes if n["resource_type"] == "model" and n["path"].startswith("marts/")]
    assert len(marts) == 17
    key_tests = {"unique", "unique_combination_of_columns"}
    for mart in marts:
        assert mart["config"]["contract"]["enforced"], mart["name"]
        assert all(c.get("data_type") for c in mart["columns"].values()), mart["name"]
        tests = [
            n for n in nodes
            if n["resource_type"] == "test" and mart["unique_id"] in n["depends_on"]["nodes"]
            and (n.get("test_metadata") or {}).get("name") in key_tests
        ]  # fmt: skip
        assert tests, f"{mart['name']} has no primary-key test"
    models = [n for n in nodes if n["resource_type"] == "model"]
    assert all(m["description"] for m in models)
    unit_tested = {n["depends_on"]["nodes"][0].split(".")[-1] for n in manifest["unit_tests"].values()}
    assert {
        "stg_extracts__indicator_values", "stg_extracts__budget_outturn", "int_rag_methodologies_parsed",
        "int_budget_lines_rolled_up", "fct_indicator_period", "fct_scorecard_latest", "fct_budget_outturn",
        "fct_workforce_measure_period", "fct_risk", "rpt_data_quality_findings", "dim_indicator",
        "fct_authority_benchmark", "rpt_indicator_rag_bands", "fct_commentary", "stg_extracts__commentary",
        "rpt_indicator_completeness",
    } <= unit_tested  # fmt: skip
    assert PROJECT_DIR.exists()


def test_build_ran_every_dbt_unit_and_data_test_and_all_passed(warehouse):
    run = json.loads((warehouse.parent / "target" / "run_results.json").read_text())
    by_kind: dict[str, list[str]] = {}
    for result in run["results"]:
        kind = result["unique_id"].split(".")[0]
        by_kind.setdefault(kind, []).append(result["status"])
    assert len(by_kind["unit_test"]) == 41
    assert len(by_kind["test"]) >= 180
    assert set(by_kind["unit_test"]) == {"pass"}
    assert set(by_kind["test"]) == {"pass"}
    assert set(by_kind["model"]) == {"success"}
