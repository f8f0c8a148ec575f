"""Extract contracts: the columns of each monthly extract type.

Declared once here. The loader checks files against them and creates the raw
tables from them; `models/staging/extracts/_extracts__sources.yml` documents
the same columns (a pytest keeps the two in step).

Every value is kept as text exactly as printed; beside it the loader writes what
the grammar in scorecard/values.py read from it (typed `<column>__<suffix>`
columns, PARSED_COLUMNS below), and dbt staging only renames those.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a column holds, which decides how the loader checks it:
#   text       free text
#   code       a code that must exist in the reference seeds (see `lookup` and `lookup_by`)
#   period     a month (Apr-17, 2017-04), quarter (Q3 2016/17) or financial year (2016/17)
#   month      a month only
#   figure     a number as printed (92.6%, (1,234), £1,200) or a placeholder (-, New, c ...)
#   money      money in the column's unit (£000 for budgets) as printed; £18.2m, £640k, £1.2bn are
#              converted into it, and so is an amount without a scale when the council prints its
#              budget in another unit (organisations.budget_unit: 18.2 in £m is 18,200); no text
#              after the amount; blank or a not-available marker (a dash, tbc: value_placeholders)
#              for no figure, no other placeholder
#   score      a whole risk score 1-25
#   rag        a RAG as printed (Red, A, G ...), checked against the rag_codes seed
#   polarity   a polarity as printed (SIB, Bigger is better ...), checked against polarity_codes
#   target     free text that may hold a number (<180, 95.0%, Primary 88%): never refused
#   direction  an arrow or word for the direction of travel as printed (↑, ▼, ↔, up, no change ...),
#              checked against the direction_codes seed
#   flag       yes / no as printed (Y, N, yes, no, true, false, ✓, ✗); blank for not printed; an x is
#              refused, as packs use it both as a tick and as a cross
#   quartile   a quartile as printed: 1-4, Q1-Q4 or A-D (A is 1)
#   time_period  a DfE time_period: a year (2023) or two consecutive years (202324), in the form its
#              time identifier's period_format says (national_time_identifiers)
#   statistic  a figure as the DfE publishes it: a plain number (82.3, -1.5, 1200), a symbol from
#              national_statistics_symbols (c, x, z, low ...; never a number) or blank
#   places     a number of decimal places: a whole number 0-10, or blank
#   choice     one of the column's `choices`, exactly as printed (surrounding space aside)
KINDS = (
    "text",
    "code",
    "period",
    "month",
    "figure",
    "money",
    "score",
    "rag",
    "polarity",
    "target",
    "direction",
    "flag",
    "quartile",
    "time_period",
    "statistic",
    "places",
    "choice",
)

# What the loader writes beside each printed column, by kind: what the grammar in
# scorecard/values.py read from the text, as typed columns named `<column>__<suffix>`.
# dbt staging renames these and parses nothing, so the build reads exactly what the
# loader checked. (suffix, type, description)
PARSED_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "code": (("code", "varchar", "The code as checked: the printed text without surrounding white space."),),
    "period": (
        ("month", "date", "First day of the period's last month, as the loader read it."),
        ("period_type", "varchar", "month, quarter or financial_year."),
    ),
    "month": (("month", "date", "First day of the month, as the loader read it."),),
    "figure": (
        ("status", "varchar", "reported (a number), blank, or a placeholder status from value_placeholders."),
        ("number", "decimal(18,4)", "The figure in its unit (percent points for percentages; £000 for money)."),
        ("decimals", "integer", "Decimal places the figure was printed with, in its unit."),
        ("numerator", "decimal(18,4)", "Numerator printed in brackets after the figure, e.g. 395 in 32.6% (395/1221)."),
        ("denominator", "decimal(18,4)", "Denominator printed in brackets after the figure."),
        ("qualifier", "varchar", "What is printed beside the number: (6m+), *Q4 only, a footnote marker."),
    ),
    "money": (
        ("status", "varchar", "reported (a number), blank, or not_available (a dash)."),
        ("number", "decimal(18,4)", "The amount in the column's unit (£000): £18.2m is 18,200; (198) is -198."),
        (
            "decimals",
            "integer",
            "Decimal places the amount was printed with, in the column's unit; negative when printed in a larger "
            "unit (£18.2m in a £000 column is -2).",
        ),
    ),
    "score": (("number", "integer", "The whole score."),),
    "rag": (("key", "varchar", "The printed RAG lower-cased and trimmed: the key of the rag_codes seed."),),
    "polarity": (("key", "varchar", "The printed polarity lower-cased and trimmed: a key of polarity_codes."),),
    "target": (("number", "decimal(18,4)", "The number in the printed target (<180 is 180), if it holds one."),),
    "direction": (("key", "varchar", "The printed arrow or word lower-cased and trimmed: a key of direction_codes."),),
    "flag": (("flag", "boolean", "True for yes, false for no, as the loader read it."),),
    "quartile": (("number", "integer", "The quartile as a number 1-4 (Q1 and A are 1)."),),
    "time_period": (("end_year", "integer", "The year the period ends in: 2023 for 2023, 2024 for 202324."),),
    "statistic": (
        (
            "status",
            "varchar",
            "reported (a number), blank, or the value_status of the symbol printed (national_statistics_symbols: "
            "suppressed for c, not_available for x ...); a symbol never has a number.",
        ),
        ("number", "decimal(18,4)", "The number as published, held to 4 decimal places."),
        ("decimals", "integer", "Decimal places the number was published with (at most 4)."),
    ),
    "places": (("number", "integer", "The number of decimal places, 0-10."),),
}


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    kind: str = "text"
    # For kind == "code": the reference set the value must belong to.
    lookup: str | None = None
    # Inclusive bounds for numbers (figures are also checked against the indicator's unit).
    min_value: float | None = None
    max_value: float | None = None
    # For kind == "money": the unit (seeds/reference/units.csv) the figures are in.
    unit: str | None = None
    # Months must fall in the calendar the marts cover (dim_period); False for dates such as a risk's opening.
    in_calendar: bool = True
    # What only some packs print (an arrow, a quartile, a forecast RAG): a long file may leave the
    # column out altogether, which reads as blank. Every other column must be present, even if empty.
    may_be_absent: bool = False
    # For kind == "choice": the values accepted, exactly as printed.
    choices: tuple[str, ...] = ()
    # For kind == "code" whose reference set depends on another column of the row: that column, and the
    # reference set for each of its values, e.g. ("subject_kind", (("indicator", "indicators"), ...)).
    # A row whose deciding value has no set here is refused on that column, not on this one.
    lookup_by: tuple[str, tuple[tuple[str, str], ...]] | None = None

    def lookup_for(self, values: dict[str, str]) -> str | None:
        """The reference set a code of this row belongs to: `lookup`, or the one `lookup_by` chooses."""
        if self.lookup_by is None:
            return self.lookup
        column, sets = self.lookup_by
        return dict(sets).get(values.get(column, "").strip())


@dataclass(frozen=True)
class ExtractContract:
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    grain: tuple[str, ...]
    # Columns of the grain that may be blank (a National row has no region or authority): a blank is
    # a value of the key like any other. Every other grain column must be filled for a row to be keyed.
    grain_may_be_blank: tuple[str, ...] = ()
    # The column holding the month of the report a file is (every row the same, matching the month in the
    # file name; a retraction records it); None when the rows have no report month (national statistics).
    report_month_column: str | None = "reported_in"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def expected_column_names(self) -> list[str]:
        """The columns a long file must have (others may be absent, read as blank)."""
        return [c.name for c in self.columns if not c.may_be_absent]

    @property
    def columns_text(self) -> str:
        """The columns as a refusal names them: the expected ones, then the optional ones."""
        optional = [c.name for c in self.columns if c.may_be_absent]
        return ", ".join(self.expected_column_names) + (f"; optional: {', '.join(optional)}" if optional else "")

    @property
    def parsed_columns(self) -> list[tuple[str, str, str]]:
        """(name, type, description) of the typed columns the loader writes: `<column>__<suffix>`."""
        return [
            (f"{col.name}__{suffix}", dtype, description)
            for col in self.columns
            for suffix, dtype, description in PARSED_COLUMNS.get(col.kind, ())
        ]


NATIONAL_GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")
# What a commentary row is about: one of the council's indicators, or a section of the pack
# (seeds/reference/pack_sections.csv holds the section keys).
COMMENTARY_SUBJECT_KINDS = ("indicator", "section")

ORG = Column(
    "organisation_code",
    "Council code from the organisations seed.",
    required=True,
    kind="code",
    lookup="organisations",
)
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
                Column("indicator_code", "Indicator code from the catalogue seed.", True, "code", "indicators"),
                Column(
                    "period",
                    "Month (Apr-17 or 2017-04), quarter (Q3 2016/17) or financial year (2016/17).",
                    required=True,
                    kind="period",
                ),
                Column("value", "The figure as printed: 92.6%, 18, 32.6% (395/1221), -, New ...", kind="figure"),
                Column(
                    "reported_rag",
                    "RAG printed for this period, if any (Red, Amber, Green, ...).",
                    kind="rag",
                ),
                Column(
                    "polarity_as_printed",
                    "Polarity printed on the indicator's row (SIB, BIB ...).",
                    kind="polarity",
                ),
                Column("target_as_printed", "Target printed on the indicator's row.", kind="target"),
                Column("rag_methodology_as_printed", "RAG methodology text printed on the row."),
                Column(
                    "direction_as_printed",
                    "Direction-of-travel arrow or word printed for this period (↑, ↓, ↔, ▲, ▼, up, no change ...).",
                    kind="direction",
                    may_be_absent=True,
                ),
                Column(
                    "contract_measure_as_printed",
                    "Whether the pack marks the indicator as a contract measure (Y / N).",
                    kind="flag",
                    may_be_absent=True,
                ),
                Column(
                    "national_quartile_as_printed",
                    "National rank quartile printed for this period (1-4, Q1-Q4 or A-D), kept as printed.",
                    kind="quartile",
                    may_be_absent=True,
                ),
                Column(
                    "national_figure_as_printed",
                    "National (England) figure printed beside this period's figure, kept as printed.",
                    kind="figure",
                    may_be_absent=True,
                ),
                Column(
                    "neighbour_figure_as_printed",
                    "Statistical neighbours' figure printed beside this period's figure, kept as printed.",
                    kind="figure",
                    may_be_absent=True,
                ),
                Column("reported_in", "Month of the pack that printed the figure (Jan-18).", True, "month"),
                NOTES,
            ),
            grain=("organisation_code", "indicator_code", "period", "reported_in"),
        ),
        ExtractContract(
            name="workforce",
            table="workforce",
            description="One row per organisation x period x staffing measure.",
            columns=(
                ORG,
                Column(
                    "period",
                    "Period the figure describes: a month (Dec-15 or 2015-12), quarter (Q3 2016/17) or financial "
                    "year (2016/17).",
                    required=True,
                    kind="period",
                ),
                Column(
                    "measure_code",
                    "Measure code of the council in the workforce_measures seed.",
                    True,
                    "code",
                    "workforce_measures",
                ),
                Column("value", "The figure as printed: 1,024, 14%, 7.53.", kind="figure", min_value=0),
                Column("reported_in", "Month of the pack that printed the figure.", True, "month"),
                NOTES,
            ),
            grain=("organisation_code", "period", "measure_code", "reported_in"),
        ),
        ExtractContract(
            name="budget_outturn",
            table="budget_outturn",
            description="One row per organisation x report month x service line or printed subtotal, £000 "
            "(amounts printed in the council's budget_unit, e.g. £m, are converted).",
            columns=(
                ORG,
                Column("report_month", "Month of the budget monitoring report (Mar-17).", True, "month"),
                Column("service_code", "Service code from the service_hierarchy seed.", True, "code", "services"),
                Column("service_name", "Service name as printed."),
                Column(
                    "gross_budget", "Gross budget, £000, negatives in brackets.", kind="money", unit="gbp_thousands"
                ),
                Column("net_budget", "Net budget, £000.", kind="money", unit="gbp_thousands"),
                Column("forecast_outturn", "Forecast (projected) outturn, £000.", kind="money", unit="gbp_thousands"),
                Column(
                    "variance", "Projected over / (under) spend as printed, £000.", kind="money", unit="gbp_thousands"
                ),
                Column(
                    "previous_variance",
                    "Variance at the previous report as printed, £000.",
                    kind="money",
                    unit="gbp_thousands",
                ),
                Column(
                    "movement",
                    "Movement in variance, adverse / (favourable), as printed.",
                    kind="money",
                    unit="gbp_thousands",
                ),
                NOTES,
            ),
            grain=("organisation_code", "report_month", "service_code"),
            report_month_column="report_month",
        ),
        ExtractContract(
            name="risks",
            table="risks",
            description="One row per organisation x report month x risk in the register.",
            columns=(
                ORG,
                Column("reported_in", "Month of the report that holds the register.", True, "month"),
                Column("risk_reference", "Risk reference, e.g. CR.034.", required=True),
                Column("risk_title", "Short title."),
                Column("risk_description", "IF/AS ... THEN ... description."),
                Column("score_before_controls", "Likelihood x impact before controls, 1-25.", kind="score"),
                Column("score_after_controls", "Likelihood x impact after controls, 1-25.", kind="score"),
                Column("controls", "Existing controls in place."),
                Column("owner_role", "Owning role (a job title, never a person's name)."),
                Column("date_opened", "Month the risk was opened (Jul-14).", kind="month", in_calendar=False),
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
                Column("reported_in", "Month of the report that holds the plan.", True, "month"),
                Column("project_name", "Project name as printed.", required=True),
                Column("project_rag", "Project RAG at the report: G, A, R or C (complete).", kind="rag"),
                Column("forecast_rag", "Forecast RAG printed for the project, if any.", kind="rag", may_be_absent=True),
                Column("status_text", "Status commentary printed for the project.", may_be_absent=True),
                Column("plan_month", "Month of the plan cell (Apr-16).", required=True, kind="month"),
                Column("activity", "Text in the plan cell."),
                Column("activity_type", "phase, milestone or decision."),
                NOTES,
            ),
            grain=("organisation_code", "reported_in", "project_name", "plan_month"),
        ),
        ExtractContract(
            name="commentary",
            table="commentary",
            description="One row per organisation x subject (an indicator or a section of the pack) x month: "
            "the narrative commentary a named role wrote for the pack.",
            columns=(
                ORG,
                Column(
                    "subject_kind",
                    "What the commentary is about: indicator or section, exactly as printed.",
                    required=True,
                    kind="choice",
                    choices=COMMENTARY_SUBJECT_KINDS,
                ),
                Column(
                    "subject_code",
                    "The indicator code (the council's own, from the indicators seed) or the section key (from "
                    "the pack_sections seed) the commentary is about, as subject_kind says.",
                    required=True,
                    kind="code",
                    lookup_by=("subject_kind", (("indicator", "indicators"), ("section", "pack_sections"))),
                ),
                Column(
                    "period",
                    "Month of the pack the commentary was written for (Jan-18 or 2018-01); every row of a file "
                    "has the same month, the month in the file name.",
                    required=True,
                    kind="month",
                ),
                Column(
                    "author_role",
                    "The role that wrote the commentary (a job title such as Head of Service, never a person's name).",
                    required=True,
                ),
                Column(
                    "commentary",
                    "The commentary as written: free text that may hold commas, quotes, line breaks, £ and %.",
                    required=True,
                ),
            ),
            grain=("organisation_code", "subject_kind", "subject_code", "period"),
            report_month_column="period",
        ),
        ExtractContract(
            name="national_statistics",
            table="national_statistics",
            description="One row per time period x geography x filter combination x indicator of a DfE "
            "national-statistics file (explore-education-statistics' open-data CSV, with its .meta.csv), "
            "unpivoted from one column per indicator.",
            columns=(
                Column(
                    "time_period",
                    "The period as published: a year (2023) or two consecutive years (202324), in the form of "
                    "the time identifier's period_format.",
                    required=True,
                    kind="time_period",
                ),
                Column(
                    "time_identifier",
                    "The time identifier as published (Reporting year, Financial year ...), matched with its "
                    "case against the national_time_identifiers seed.",
                    required=True,
                    kind="code",
                    lookup="time_identifiers",
                ),
                Column(
                    "geographic_level",
                    "National, Regional or Local authority, exactly as published.",
                    required=True,
                    kind="choice",
                    choices=NATIONAL_GEOGRAPHIC_LEVELS,
                ),
                Column("country_code", "ONS country code (E92000001 for England)."),
                Column("country_name", "Country name.", may_be_absent=True),
                Column("region_code", "ONS region code; required on Regional rows, blank on National ones."),
                Column("region_name", "Region name; required on Regional rows, blank on National ones."),
                Column(
                    "new_la_code",
                    "GSS code of the local authority (Local authority rows only, where it is required): a "
                    "gss_code or former_gss_codes entry of the authorities seed.",
                    kind="code",
                    lookup="authorities",
                ),
                Column("old_la_code", "The DfE's three-digit local authority number.", may_be_absent=True),
                Column("la_name", "Local authority name as published."),
                Column(
                    "filters",
                    "The row's filter columns (those the metadata file describes as Filter) as name=value "
                    "pairs sorted by column name, joined by '; ' (characteristic=Total); empty when the file "
                    "has no filter columns.",
                ),
                Column(
                    "indicator",
                    "Name of the indicator column the value was published in (described as Indicator in the "
                    "metadata file).",
                    required=True,
                    kind="code",
                ),
                Column(
                    "value",
                    "The figure as published: a plain number, a symbol (c, x, z, low ...) or blank.",
                    kind="statistic",
                ),
                Column("indicator_unit", "The indicator's unit from the metadata file (blank, %, £ ...)."),
                Column(
                    "indicator_dp",
                    "Decimal places the metadata file gives for the indicator (blank if none).",
                    kind="places",
                ),
            ),
            grain=(
                "time_period",
                "time_identifier",
                "geographic_level",
                "region_code",
                "new_la_code",
                "filters",
                "indicator",
            ),
            grain_may_be_blank=("region_code", "new_la_code", "filters"),
            report_month_column=None,
        ),
    )
}

# National statistics files (explore-education-statistics' layout): `national_statistics_<anything>.csv`
# with its metadata beside it, `<same stem>.meta.csv`. The data file has the geography and time columns of
# the contract above (those not computed by the unpivot), then filter and indicator columns as the
# metadata file describes them; each row becomes one raw row per indicator column.
NATIONAL_CONTRACT = "national_statistics"
NATIONAL_METADATA_SUFFIX = ".meta.csv"
NATIONAL_METADATA_COLUMNS = ("col_name", "col_type", "label", "indicator_unit", "indicator_dp")
NATIONAL_COMPUTED_COLUMNS = ("filters", "indicator", "value", "indicator_unit", "indicator_dp")

# Load metadata added to every raw row.
METADATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_source_file", "varchar"),
    ("_file_sha256", "varchar"),
    ("_content_sha256", "varchar"),
    ("_sheet", "varchar"),
    ("_row_number", "integer"),
    ("_loaded_at", "timestamp"),
    ("_is_sample", "boolean"),
)


# Column headers that look like personal identifiers. The warehouse holds
# aggregate figures only: a file with any of these is refused before a row of
# it is read. Matched against headers lower-cased with punctuation as spaces.
PERSONAL_DATA_HEADER_PATTERNS: tuple[str, ...] = (
    r"\b(first|last|given|family|full|child'?s?|client|person|pupil|young person'?s?)\s*names?\b",
    r"^(fore|sur)?names?$",
    r"\bforenames?\b",
    r"\bsurnames?\b",
    r"\b(dob|d o b|date of birth|birth ?date)\b",
    r"\bupn\b",
    r"\bunique pupil (number|no)\b",
    r"\bnhs (number|no)\b",
    r"\bnhs\b",
    r"\bpost ?codes?\b",
    r"\b(child|case|client|person|pupil|young person|mosaic|lcs|liquidlogic)"
    r" (id|ids|identifier|ref|reference|number|no)\b",
    r"\bhome address\b",
    r"^address( line)?",
)

# Wide layouts: rows are indicators (or staffing measures), columns are months,
# as in the scorecard packs. Header aliases map a pack's headings onto contract
# columns (lower-cased, spaces collapsed).
WIDE_ROW_KEY_HEADERS: dict[str, tuple[str, ...]] = {
    "indicator_values": ("indicator number", "indicator code", "ref", "indicator_code", "code"),
    "workforce": ("measure", "measure code", "measure_code", "staffing"),
}
WIDE_HEADER_ALIASES: dict[str, dict[str, str]] = {
    "indicator_values": {
        "polarity": "polarity_as_printed",
        "rag": "reported_rag",
        "ra": "reported_rag",
        "current rag": "reported_rag",
        "rag methodology": "rag_methodology_as_printed",
        "dot": "direction_as_printed",
        "direction": "direction_as_printed",
        "direction of travel": "direction_as_printed",
        "trend": "direction_as_printed",
        "6 month trend": "direction_as_printed",
        "contract measure": "contract_measure_as_printed",
        "contract": "contract_measure_as_printed",
        "national quartile": "national_quartile_as_printed",
        "quartile": "national_quartile_as_printed",
        "england": "national_figure_as_printed",
        "england average": "national_figure_as_printed",
        "national": "national_figure_as_printed",
        "statistical neighbours": "neighbour_figure_as_printed",
        "stat neighbours": "neighbour_figure_as_printed",
        "sn average": "neighbour_figure_as_printed",
        "notes": "notes",
    },
    "workforce": {"notes": "notes"},
}
# Headers of wide sheets whose heading starts with this text hold the target.
WIDE_TARGET_PREFIX = "target"


# Retracted loads: `scorecard retract` appends a row; builds leave the file's rows out.
RETRACTIONS_TABLE = "retractions"
RETRACTION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("file_sha256", "varchar", "SHA-256 of the retracted file (its rows keep this in _file_sha256)."),
    ("source_file", "varchar", "Name of the retracted file."),
    ("extract", "varchar", "Extract type of the file."),
    ("organisation_code", "varchar", "Council the file reported for (blank for national statistics)."),
    ("reported_in", "date", "Month of the report the file held (blank for national statistics)."),
    ("row_count", "integer", "Raw rows the retraction leaves out."),
    ("reason", "varchar", "Why the load was retracted, as given to `scorecard retract --reason`."),
    ("retracted_at", "timestamp", "When (UTC)."),
)

METADATA_DESCRIPTIONS = {
    "_source_file": "Name of the file the row was loaded from.",
    "_file_sha256": "SHA-256 of the file.",
    "_content_sha256": "SHA-256 of the rows the file holds (the same figures saved again have the same value).",
    "_sheet": "Worksheet of an Excel file (blank for CSV).",
    "_row_number": "Row number in the file or sheet (the header's row counts).",
    "_loaded_at": "When the row was loaded (UTC).",
    "_is_sample": "True for rows from the bundled sample extracts.",
}

NATIONAL_METADATA_DESCRIPTIONS = {
    "_file_sha256": "SHA-256 of the data file's bytes followed by its metadata file's: the pair is what is loaded.",
    "_sheet": "Blank (national statistics files are CSV).",
    "_row_number": "Row number in the data file (the header's row counts); each indicator column of the row has it.",
}


def sources_yaml() -> str:
    """The dbt sources file for the raw extract tables, generated from the contracts."""
    import yaml

    tables = []
    for c in CONTRACTS.values():
        # data_type: the raw column's type as the loader writes it; Spark's external raw tables are
        # declared from it (macros/cross_db/register_raw_tables.sql)
        columns = [
            {"name": col.name, "data_type": "varchar",
             "description": col.description + (" Required." if col.required else "")}
            for col in c.columns
        ]  # fmt: skip
        columns += [{"name": name, "data_type": dtype, "description": f"Read by the loader: {desc}"}
                    for name, dtype, desc in c.parsed_columns]  # fmt: skip
        described = {**METADATA_DESCRIPTIONS, **(NATIONAL_METADATA_DESCRIPTIONS if c.name == NATIONAL_CONTRACT else {})}
        columns += [
            {"name": name, "data_type": dtype, "description": described[name]} for name, dtype in METADATA_COLUMNS
        ]
        tables.append(
            {
                "name": c.table,
                "description": f"{c.description} Text as printed; grain: {', '.join(c.grain)}. "
                "Append-only, written by `scorecard load`.",
                "columns": columns,
            }
        )
    tables.append(
        {
            "name": RETRACTIONS_TABLE,
            "description": "Loads withdrawn by `scorecard retract`: their rows stay in raw (history is never "
            "deleted) and every build leaves them out. Append-only.",
            "columns": [
                {"name": name, "data_type": dtype, "description": desc} for name, dtype, desc in RETRACTION_COLUMNS
            ],
        }
    )
    doc = {
        "version": 2,
        "sources": [
            {
                "name": "extracts",
                "description": "Monthly extracts from councils, checked and loaded as text by `scorecard load` "
                "into append-only raw tables. Generated from scorecard/contracts.py by `scorecard write-sources`: "
                "do not edit by hand.",
                "schema": "{{ var('raw_schema') }}",
                "tables": tables,
            }
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False, width=100, allow_unicode=True)
