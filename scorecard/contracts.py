"""Extract contracts: the columns of each monthly extract type.

Declared once here. The loader checks files against them and creates the raw
tables from them; `models/staging/extracts/_extracts__sources.yml` documents
the same columns (a pytest keeps the two in step).

Every value is loaded as text exactly as printed; dbt staging parses it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class ExtractContract:
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


ORG = Column("organisation_code", "Council code from the organisations seed.", required=True)
NOTES = Column("notes", "Free text: how a garbled or ambiguous figure was read.")

CONTRACTS: dict[str, ExtractContract] = {
    c.name: c
    for c in (
        ExtractContract(
            name="indicator_values",
            table="indicator_values",
            description="One row per organisation x indicator x period, as printed in the pack.",
            columns=(
                ORG,
                Column("indicator_code", "Indicator code from the catalogue seed.", required=True),
                Column(
                    "period",
                    "Month (Apr-17 or 2017-04), quarter (Q3 2016/17) or financial year (2016/17).",
                    required=True,
                ),
                Column("value", "The figure as printed: 92.6%, 18, 32.6% (395/1221), -, New ..."),
                Column("reported_rag", "RAG printed for this period, if any (Red, Amber, Green, ...)."),
                Column("polarity_as_printed", "Polarity printed on the indicator's row (SIB, BIB ...)."),
                Column("target_as_printed", "Target printed on the indicator's row."),
                Column("rag_methodology_as_printed", "RAG methodology text printed on the row."),
                Column("reported_in", "Month of the pack that printed the figure (Jan-18).", True),
                NOTES,
            ),
            grain=("organisation_code", "indicator_code", "period", "reported_in"),
        ),
        ExtractContract(
            name="workforce",
            table="workforce",
            description="One row per organisation x month x staffing measure.",
            columns=(
                ORG,
                Column("period", "Month the figure describes (Dec-15).", required=True),
                Column("measure_code", "Measure code from the workforce_measures seed.", True),
                Column("value", "The figure as printed: 1,024, 14%, 7.53."),
                Column("reported_in", "Month of the pack that printed the figure.", True),
                NOTES,
            ),
            grain=("organisation_code", "period", "measure_code", "reported_in"),
        ),
        ExtractContract(
            name="budget_outturn",
            table="budget_outturn",
            description="One row per organisation x report month x service line or printed subtotal, £000.",
            columns=(
                ORG,
                Column("report_month", "Month of the budget monitoring report (Mar-17).", True),
                Column("service_code", "Service code from the service_hierarchy seed.", True),
                Column("service_name", "Service name as printed."),
                Column("gross_budget", "Gross budget, £000, negatives in brackets."),
                Column("net_budget", "Net budget, £000."),
                Column("forecast_outturn", "Forecast (projected) outturn, £000."),
                Column("variance", "Projected over / (under) spend as printed, £000."),
                Column("previous_variance", "Variance at the previous report as printed, £000."),
                Column("movement", "Movement in variance, adverse / (favourable), as printed."),
                NOTES,
            ),
            grain=("organisation_code", "report_month", "service_code"),
        ),
        ExtractContract(
            name="risks",
            table="risks",
            description="One row per organisation x report month x risk in the register.",
            columns=(
                ORG,
                Column("reported_in", "Month of the report that holds the register.", True),
                Column("risk_reference", "Risk reference, e.g. CR.034.", required=True),
                Column("risk_title", "Short title."),
                Column("risk_description", "IF/AS ... THEN ... description."),
                Column("score_before_controls", "Likelihood x impact before controls, 1-25."),
                Column("score_after_controls", "Likelihood x impact after controls, 1-25."),
                Column("controls", "Existing controls in place."),
                Column("owner_role", "Owning role (a job title, never a person's name)."),
                Column("date_opened", "Month the risk was opened (Jul-14)."),
                NOTES,
            ),
            grain=("organisation_code", "reported_in", "risk_reference"),
        ),
        ExtractContract(
            name="programme",
            table="programme",
            description="One row per organisation x report x project x plan month.",
            columns=(
                ORG,
                Column("reported_in", "Month of the report that holds the plan.", True),
                Column("project_name", "Project name as printed.", required=True),
                Column("project_rag", "Project RAG at the report: G, A, R or C (complete)."),
                Column("plan_month", "Month of the plan cell (Apr-16).", required=True),
                Column("activity", "Text in the plan cell."),
                Column("activity_type", "phase, milestone or decision."),
                NOTES,
            ),
            grain=("organisation_code", "reported_in", "project_name", "plan_month"),
        ),
    )
}

# Load metadata added to every raw row.
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "varchar"),
    ("_file_sha256", "varchar"),
    ("_sheet", "varchar"),
    ("_row_number", "integer"),
    ("_loaded_at", "timestamp"),
    ("_is_sample", "boolean"),
)
