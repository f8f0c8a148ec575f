"""A deterministic synthetic dataset at national scale, written as landing files.

`make synth` (or `scorecard synth --councils 153 --months 120 --seed 2026`) writes

    <out>/seeds/                  the project's seeds plus the synthetic councils, a shared
                                  catalogue of 60 indicators with targets and RAG thresholds,
                                  and each council's budget hierarchy and staffing measures
    <out>/landing/history/        one file per council and extract type: every month but the last
    <out>/landing/new_month/      one file per council and extract type for the last month, with
                                  a few earlier figures restated (a new version of a past month)
    <out>/landing/national/       the DfE's published layout (national_statistics_synthetic_<year>.csv
                                  and its .meta.csv): 10 reporting years ending in March of the last
                                  month's year (or the year before, for a last month before March),
                                  England, the 9 regions and every authority that existed at each
                                  31 March, one column per national definition and its numerator and
                                  denominator, about 2% of figures suppressed (c) and 1% not available (x)

Each synthetic council is given the GSS code of a current authority (council i the i-th by
gss_code), the catalogue's indicators that measure a national definition carry its national_code,
and seeds/reference gets synthetic statistical neighbours and the mapping of the national files'
columns (national_statistics_columns), so the benchmark joins.

The files are in the documented extract formats and go through the real loader.
Build against them with SCORECARD_SEED_DIR=<out>/seeds and
SCORECARD_REFERENCE_DIR=<out>/seeds/reference. Values are plausible, not real:
percentages stay in 0-100 with a trend and noise per council, counts scale with
council size, about 1% of figures are missing and 0.5% carry a placeholder (`-`). Each quarter-end pack also
carries three paragraphs of commentary (commentary_<council>_<yyyy-mm>.csv), worded as synthetic.
The same seed always writes the same bytes. No personal data: aggregate figures only.
"""

from __future__ import annotations

import csv
import math
import random
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scorecard.settings import PROJECT_DIR

# (code, title, service area, unit, polarity or None for data only, typical value, spread,
#  target, amber boundary). Green begins at the target; Red begins at the amber boundary.
CATALOGUE: list[tuple] = [
    ("FD01", "Contacts actioned within 1 working day", "Front Door", "percentage", "BIB", 88, 6, 90, 80),
    ("FD02", "Contacts leading to a referral", "Front Door", "percentage", None, 22, 5, None, None),
    ("FD03", "Re-referrals within 12 months", "Front Door", "percentage", "SIB", 21, 4, 22, 26),
    ("FD04", "Contacts received in the month", "Front Door", "count", None, 900, 120, None, None),
    ("FD05", "Referrals received in the month", "Front Door", "count", None, 210, 30, None, None),
    ("FD06", "Referrals per 10,000 children (rolling 12 months)", "Front Door", "rate_per_10000", None, 540, 60,
     None, None),
    ("AS01", "Assessments completed within 45 working days", "Assessment", "percentage", "BIB", 84, 7, 90, 80),
    ("AS02", "Assessments completed in the month", "Assessment", "count", None, 230, 35, None, None),
    ("AS03", "Average days to complete an assessment", "Assessment", "days", "SIB", 34, 5, 35, 42),
    ("AS04", "Assessments ending with no further action", "Assessment", "percentage", None, 38, 6, None, None),
    ("CN01", "Children in need visited within 4 weeks", "Children in Need", "percentage", "BIB", 82, 8, 90, 80),
    ("CN02", "Children in need plans reviewed on time", "Children in Need", "percentage", "BIB", 80, 9, 90, 75),
    ("CN03", "Children in need (open cases)", "Children in Need", "count", None, 1150, 120, None, None),
    ("CN04", "Children in need per 10,000 children", "Children in Need", "rate_per_10000", None, 330, 30, None,
     None),
    ("CP01", "Initial conferences within 15 working days of strategy discussion", "Child Protection", "percentage",
     "BIB", 78, 10, 85, 70),
    ("CP02", "Child protection plans visited within 4 weeks", "Child Protection", "percentage", "BIB", 92, 4, 95,
     90),
    ("CP03", "Child protection plans reviewed on time", "Child Protection", "percentage", "BIB", 94, 4, 98, 90),
    ("CP04", "Children subject to a child protection plan", "Child Protection", "count", None, 260, 35, None, None),
    ("CP05", "Child protection plans lasting 2 years or more", "Child Protection", "percentage", "SIB", 3, 1.5, 4, 6),
    ("CP06", "Second or subsequent child protection plans", "Child Protection", "percentage", "SIB", 20, 4, 20, 25),
    ("CP07", "Child protection plans per 10,000 children", "Child Protection", "rate_per_10000", None, 43, 6, None,
     None),
    ("LA01", "Looked after children", "Looked After Children", "count", None, 390, 40, None, None),
    ("LA02", "Looked after children per 10,000 children", "Looked After Children", "rate_per_10000", None, 70, 8,
     None, None),
    ("LA03", "Looked after children visited within statutory timescales", "Looked After Children", "percentage",
     "BIB", 90, 5, 95, 85),
    ("LA04", "Looked after children reviews held on time", "Looked After Children", "percentage", "BIB", 89, 6, 95,
     85),
    ("LA05", "Three or more placements in 12 months", "Looked After Children", "percentage", "SIB", 10, 2.5, 10,
     13),
    ("LA06", "Under 16s in the same placement for 2+ years", "Looked After Children", "percentage", "BIB", 68, 6,
     70, 60),
    ("LA07", "Health assessments completed on time", "Looked After Children", "percentage", "BIB", 86, 7, 90, 80),
    ("LA08", "Dental checks up to date", "Looked After Children", "percentage", "BIB", 78, 9, 85, 70),
    ("LA09", "Personal education plans up to date", "Looked After Children", "percentage", "BIB", 90, 5, 95, 85),
    ("LA10", "Missing episodes in the month", "Looked After Children", "count", None, 45, 12, None, None),
    ("LA11", "Return home interviews offered within 72 hours", "Looked After Children", "percentage", "BIB", 80, 9,
     90, 75),
    ("LA12", "Placed more than 20 miles from home", "Looked After Children", "percentage", "SIB", 16, 4, 15, 20),
    ("AD01", "Average days from entering care to adoptive placement", "Adoption and Fostering", "days", "SIB", 480,
     60, 426, 500),
    ("AD02", "Children adopted in the year to date", "Adoption and Fostering", "count", None, 14, 5, None, None),
    ("AD03", "Foster carer annual reviews on time", "Adoption and Fostering", "percentage", "BIB", 88, 7, 95, 85),
    ("AD04", "Looked after children in foster care", "Adoption and Fostering", "percentage", "BIB", 72, 5, 75, 65),
    ("CL01", "Care leavers in education, employment or training", "Care Leavers", "percentage", "BIB", 55, 6, 60,
     50),
    ("CL02", "Care leavers in suitable accommodation", "Care Leavers", "percentage", "BIB", 86, 5, 90, 80),
    ("CL03", "Care leavers in touch with the council", "Care Leavers", "percentage", "BIB", 92, 4, 95, 88),
    ("CL04", "Care leavers with an up-to-date pathway plan", "Care Leavers", "percentage", "BIB", 85, 7, 95, 85),
    ("CL05", "Care leavers (open cases)", "Care Leavers", "count", None, 280, 30, None, None),
    ("EH01", "Early help assessments completed in the month", "Early Help", "count", None, 160, 30, None, None),
    ("EH02", "Early help cases closed with outcomes met", "Early Help", "percentage", "BIB", 70, 8, 75, 65),
    ("EH03", "Early help cases stepped up to social care", "Early Help", "percentage", "SIB", 12, 3, 12, 16),
    ("EH04", "Families supported by early help", "Early Help", "count", None, 1400, 180, None, None),
    ("WF01", "Social worker vacancy rate", "Workforce", "percentage", "SIB", 18, 5, 15, 25),
    ("WF02", "Agency social workers", "Workforce", "percentage", "SIB", 16, 5, 15, 25),
    ("WF03", "Average caseload per social worker", "Workforce", "average", "SIB", 17, 2.5, 17, 20),
    ("WF04", "Average caseload per newly qualified social worker", "Workforce", "average", "SIB", 13, 2, 14, 16),
    ("WF05", "Social worker turnover (rolling 12 months)", "Workforce", "percentage", "SIB", 15, 4, 14, 20),
    ("WF06", "Supervision held within timescales", "Workforce", "percentage", "BIB", 80, 9, 90, 75),
    ("QA01", "Audited cases rated good or outstanding", "Quality Assurance", "percentage", "BIB", 45, 10, 60, 40),
    ("QA02", "Audited cases rated inadequate", "Quality Assurance", "percentage", "SIB", 10, 4, 5, 15),
    ("QA03", "Case audits completed in the month", "Quality Assurance", "count", None, 40, 10, None, None),
    ("QA04", "Complaints responded to within 20 working days", "Quality Assurance", "percentage", "BIB", 75, 10, 85,
     70),
    ("ED01", "EHC plans issued within 20 weeks", "Education", "percentage", "BIB", 55, 15, 65, 45),
    ("ED02", "Children missing education", "Education", "count", None, 120, 25, None, None),
    ("ED03", "Persistent absence of looked after children", "Education", "percentage", "SIB", 14, 4, 12, 18),
    ("ED04", "Average attainment 8 score of looked after children", "Education", "points", "BIB", 20, 3, 22, 18),
]  # fmt: skip

# Budget lines per council: (code, name, parent, typical net budget £000, volatility).
BUDGET_LINES = [
    ("SAF", "Safeguarding and Family Support", "DIR", None, None),
    ("EDU", "Education and Inclusion", "DIR", None, None),
    ("LAC", "Looked After Children placements", "SAF", 14000, 0.08),
    ("FLD", "Fieldwork teams", "SAF", 6000, 0.03),
    ("EHS", "Early Help", "SAF", 2500, 0.03),
    ("CLS", "Care Leavers", "SAF", 1800, 0.05),
    ("ADS", "Adoption and Special Guardianship", "SAF", 2200, 0.04),
    ("SEN", "SEND Transport", "EDU", 3000, 0.09),
    ("EDP", "Educational Psychology", "EDU", 900, 0.04),
    ("SCI", "School Improvement", "EDU", 700, 0.03),
    ("COM", "Commissioning", "EDU", 1500, 0.03),
    ("MGT", "Directorate Management", "DIR", 800, 0.02),
]
WORKFORCE = [  # measure, typical value, spread (per 100 FTE of council size)
    ("fte", 320, 10), ("headcount", 350, 10), ("permanent_cost", 1100, 40), ("agency_fte", 40, 8),
    ("agency_cost", 260, 40), ("absence_days_per_fte", 0.9, 0.2), ("turnover_rate", 15, 3),
]  # fmt: skip
# The synthetic councils' staffing measures: each council gets these rows in workforce_measures.csv
# (measure codes belong to a council). code: (name, unit, polarity or "" for a neutral measure, description)
WORKFORCE_MEASURES = {
    "fte": ("FTE", "fte", "", "Full-time equivalent staff in post (directly employed)"),
    "headcount": ("Headcount", "count", "", "Staff in post (directly employed)"),
    "permanent_cost": ("Permanent costs (£k)", "gbp_thousands", "", "Monthly cost of directly employed staff, £000"),
    "agency_fte": ("Agency FTE", "fte", "SIB", "Full-time equivalent agency staff"),
    "agency_cost": ("Agency cost (£k)", "gbp_thousands", "SIB", "Monthly cost of agency staff, £000"),
    "absence_days_per_fte": ("Absence - days lost per FTE", "days", "SIB", "Days lost to sickness per FTE, 12 months"),
    "turnover_rate": ("Turnover (annualised)", "percentage", "SIB", "Annualised staff turnover (FTE based), percent"),
}  # fmt: skip
RISKS = [
    ("Placement sufficiency", "IF: there are too few local placements THEN: children are placed far from home"),
    ("Social worker recruitment", "IF: vacancies stay high THEN: caseloads rise and practice suffers"),
    ("High needs budget", "IF: demand for EHC plans keeps growing THEN: the high needs block overspends"),
    ("Early help demand", "IF: early help cannot meet demand THEN: more families need statutory services"),
    ("Data quality", "IF: case records are late or incomplete THEN: decisions rest on wrong information"),
    ("Inspection readiness", "IF: improvement actions slip THEN: the next inspection judges services inadequate"),
]
BUDGET_HEADER = ["organisation_code", "report_month", "service_code", "service_name", "gross_budget", "net_budget",
                 "forecast_outturn", "variance", "previous_variance", "movement", "notes"]  # fmt: skip
RISKS_HEADER = ["organisation_code", "reported_in", "risk_reference", "risk_title", "risk_description",
                "score_before_controls", "score_after_controls", "controls", "owner_role", "date_opened",
                "notes"]  # fmt: skip
PROGRAMME_HEADER = ["organisation_code", "reported_in", "project_name", "project_rag", "plan_month", "activity",
                    "activity_type", "notes"]  # fmt: skip
COMMENTARY_HEADER = ["organisation_code", "subject_kind", "subject_code", "period", "author_role", "commentary"]
# Synthetic commentary: (subject kind, subject code or None for an indicator chosen per pack, author role, text).
# The wording says it is synthetic; it holds commas, quotes, a line break, £ and % as real commentary does.
COMMENTARY = [
    ("section", "scorecard", "Head of Performance",
     "Synthetic commentary (not a real council): {green} of {total} indicators are Green this month, "
     "{red} are Red."),
    ("section", "budget", "Head of Finance",
     'Synthetic commentary: the forecast variance is £{variance}k, {share}% of net budget;\n"placements" '
     "remain the main pressure."),
    ("indicator", None, "Head of Service",
     "Synthetic commentary: {title} is being reviewed, with actions agreed at the performance board."),
]  # fmt: skip
PROJECTS = ["Family Hubs", "Sufficiency Strategy", "Practice Model", "SEND Improvement"]
PHASES = ["Discovery", "Design", "Build", "Test", "Launch", "Review"]


@dataclass(frozen=True)
class SynthSummary:
    out: Path
    councils: int
    months: int
    history_files: int
    new_month_files: int
    rows: dict[str, int]
    new_month: str
    national_files: int = 0


def _month_list(count: int, last: date) -> list[date]:
    out = []
    year, month = last.year, last.month
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _fy_start(d: date) -> date:
    return date(d.year if d.month >= 4 else d.year - 1, 4, 1)


def _label(d: date) -> str:
    return d.strftime("%Y-%m")


def council_codes(councils: int) -> list[str]:
    return [f"S{n:03d}" for n in range(1, councils + 1)]


class _Writer:
    def __init__(self, path: Path, header: list[str]):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.fh = path.open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.fh, lineterminator="\n")
        self.csv.writerow(header)
        self.rows = 0

    def row(self, values: list) -> None:
        self.csv.writerow(values)
        self.rows += 1

    def close(self) -> int:
        """Close the file; a file with no rows is removed rather than landed."""
        self.fh.close()
        if self.rows == 0:
            self.path.unlink()
        return self.rows


def _close(writer: _Writer, rows: dict[str, int], extract: str) -> int:
    written = writer.close()
    rows[extract] += written
    return 1 if written else 0


def _fmt(value: float, unit: str) -> str:
    if unit == "percentage":
        return f"{min(100.0, max(0.0, value)):.1f}%"
    if unit in ("count",):
        return str(max(0, round(value)))
    if unit in ("days", "rate_per_10000"):
        return f"{max(0.0, value):.0f}"
    return f"{max(0.0, value):.1f}"


# The catalogue's indicators that measure a national definition (seeds/reference/national_indicators.csv).
CATALOGUE_NATIONAL = {
    "FD03": "rereferrals_within_12_months_pct",
    "FD06": "referrals_rate_per_10000",
    "AS01": "assessments_within_45_days_pct",
    "CN04": "cin_rate_per_10000",
    "CP06": "cpp_second_or_subsequent_pct",
    "CP07": "cpp_rate_per_10000",
    "LA02": "cla_rate_per_10000",
    "CL01": "care_leavers_eet_19_21_pct",
    "CL02": "care_leavers_suitable_accommodation_19_21_pct",
    "WF01": "sw_vacancy_rate_pct",
    "WF02": "sw_agency_rate_pct",
    "WF03": "sw_average_caseload",
}
# ONS codes of the regions named in seeds/reference/authorities.csv.
REGION_CODES = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}
NATIONAL_YEARS = 10
NEIGHBOURS = 10
# Typical value and spread of each national definition in the synthetic files (others: by unit).
NATIONAL_TYPICAL = {
    "cla_rate_per_10000": (70, 18),
    "cin_rate_per_10000": (330, 60),
    "cpp_rate_per_10000": (43, 12),
    "referrals_rate_per_10000": (540, 110),
    "rereferrals_within_12_months_pct": (21, 4),
    "assessments_within_45_days_pct": (84, 7),
    "cpp_second_or_subsequent_pct": (22, 5),
    "care_leavers_eet_19_21_pct": (55, 7),
    "care_leavers_suitable_accommodation_19_21_pct": (88, 5),
    "sw_vacancy_rate_pct": (17, 5),
    "sw_agency_rate_pct": (16, 6),
    "sw_average_caseload": (16.5, 2.5),
}
UNIT_TYPICAL = {"rate_per_10000": (100, 25), "percentage": (60, 10)}
GEOGRAPHY_HEADER = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name",
                    "region_code", "region_name", "new_la_code", "la_name", "characteristic"]  # fmt: skip
META_HEADER = ["col_name", "col_type", "label", "indicator_grouping", "indicator_unit", "indicator_dp",
               "filter_hint", "filter_grouping_column"]  # fmt: skip
POPULATION_COLUMN = "child_pop"


@dataclass(frozen=True)
class Authority:
    gss_code: str
    name: str
    region: str
    start: date | None
    end: date | None
    is_current: bool

    def exists_at(self, day: date) -> bool:
        """An authority exists in a period ending on `day` if it started by then and had not ended before."""
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


def authorities() -> list[Authority]:
    """The authorities of seeds/reference/authorities.csv, sorted by GSS code."""
    with (PROJECT_DIR / "seeds" / "reference" / "authorities.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))

    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text.strip() else None

    out = [
        Authority(r["gss_code"], r["name"], r["region"], day(r["start_date"]), day(r["end_date"]),
                  r["is_current"].strip().lower() == "true")
        for r in rows
    ]  # fmt: skip
    return sorted(out, key=lambda a: a.gss_code)


def council_gss_codes(councils: int) -> list[str]:
    """The GSS code each synthetic council is given: council i the i-th current authority by gss_code (blank
    beyond the number of current authorities)."""
    current = [a.gss_code for a in authorities() if a.is_current]
    return [current[i] if i < len(current) else "" for i in range(councils)]


def _write_seeds(out: Path, orgs: list[str], first_month: date, last_month: date) -> None:
    seeds = out / "seeds"
    if seeds.exists():
        shutil.rmtree(seeds)
    shutil.copytree(PROJECT_DIR / "seeds", seeds)
    ref = seeds / "reference"

    def append(name: str, rows: list[list]) -> None:
        with (ref / f"{name}.csv").open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)

    # budget_unit blank: synthetic councils print their budgets in £000; each has a current authority's GSS code
    councils = [[o, f"Synthetic council {o[1:]}", "synthetic", gss, "", "Synthetic data", ""]
                for o, gss in zip(orgs, council_gss_codes(len(orgs)), strict=True)]  # fmt: skip
    append("organisations", councils)
    # Indicator codes belong to a council: every synthetic council defines the catalogue's indicators.
    with (ref / "national_indicators.csv").open(encoding="utf-8", newline="") as fh:
        national = {r["national_code"] for r in csv.DictReader(fh)}
    # sort_order: the catalogue's order, 10 apart, as a pack prints it
    order = {c[0]: str(10 * i) for i, c in enumerate(CATALOGUE, start=1)}
    append("indicators", [[c[0], org, c[1], c[2], c[3], "monthly", c[4] or "", "true" if c[4] is None else "false",
                           "", CATALOGUE_NATIONAL.get(c[0], "") if CATALOGUE_NATIONAL.get(c[0]) in national else "",
                           "Synthetic", order[c[0]]] for org in orgs for c in CATALOGUE])  # fmt: skip
    # Targets: one rule for the first half of the period, a tighter one from the middle financial year.
    first_fy, last_fy = _fy_start(first_month), _fy_start(last_month)
    middle = date(first_fy.year + (last_fy.year - first_fy.year + 1) // 2, 4, 1)
    targets = []
    for org in orgs:
        for code, _title, _area, unit, polarity, _base, _spread, target, amber in CATALOGUE:
            if polarity is None:
                continue
            step = 1 if unit == "percentage" else 0
            periods = [(first_fy, date(middle.year, 3, 31), 0), (middle, None, step)]
            if middle <= first_fy:
                periods = [(first_fy, None, 0)]
            for start, end, tighten in periods:
                green = target + tighten if polarity == "BIB" else target - tighten
                fy = f"{start.year}/{str(start.year + 1)[-2:]}"
                targets.append([org, code, fy, start.isoformat(), end.isoformat() if end else "", green,
                                _fmt(green, unit), "value", green, "true", amber, "false", "",
                                "Synthetic"])  # fmt: skip
    append("indicator_targets", targets)
    hierarchy = []
    for org in orgs:
        hierarchy.append([org, "DIR", "Children's Services", "", "directorate", 100, "true"])
        for i, (code, name, parent, net, _vol) in enumerate(BUDGET_LINES):
            level = "subtotal" if net is None else "line"
            hierarchy.append([org, code, name, parent, level, 10 + i, "" if level == "line" else "true"])
    append("service_hierarchy", hierarchy)
    # Staffing measures belong to a council: every synthetic council defines the ones its files carry.
    with (ref / "workforce_measures.csv").open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    measures = []
    for org in orgs:
        for order, (code, _base, _spread) in enumerate(WORKFORCE, start=1):
            name, unit, polarity, description = WORKFORCE_MEASURES[code]
            row = {"organisation_code": org, "measure_code": code, "measure_name": name, "unit": unit,
                   "polarity": polarity, "sort_order": order, "description": description}  # fmt: skip
            measures.append([row.get(column, "") for column in header])
    append("workforce_measures", measures)


@dataclass(frozen=True)
class NationalColumn:
    """A column of the synthetic national files: what it holds for which national definition."""

    name: str
    national_code: str
    role: str  # value, numerator or denominator
    unit: str  # the national definition's unit
    label: str
    indicator_unit: str
    dp: int


def national_columns() -> list[NationalColumn]:
    """The synthetic national files' indicator columns, from seeds/reference/national_indicators.csv: a
    percentage's value, numerator and denominator; a rate's value, count and the child population (one
    column shared by every rate); anything else its value only."""
    with (PROJECT_DIR / "seeds" / "reference" / "national_indicators.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        code, unit, title = r["national_code"], r["unit"], r["national_title"]
        if unit == "rate_per_10000":
            stem = code.removesuffix("_per_10000").removesuffix("_rate")
            out += [
                NationalColumn(f"{stem}_rate", code, "value", unit, title, "", 0),
                NationalColumn(f"{stem}_count", code, "numerator", unit, f"{title}: number", "", 0),
                NationalColumn(POPULATION_COLUMN, code, "denominator", unit, "Children aged under 18", "", 0),
            ]
        elif unit == "percentage":
            stem = code.removesuffix("_pct")
            out += [
                NationalColumn(f"{stem}_pct", code, "value", unit, title, "%", 1),
                NationalColumn(f"{stem}_num", code, "numerator", unit, f"{title}: numerator", "", 0),
                NationalColumn(f"{stem}_den", code, "denominator", unit, f"{title}: denominator", "", 0),
            ]
        else:
            out.append(NationalColumn(code, code, "value", unit, title, "", 1))
    return out


def _last_reporting_year(last_month: date) -> int:
    """The last year ending 31 March within the synthetic months."""
    return last_month.year if last_month.month >= 3 else last_month.year - 1


def _population(seed: int, gss: str, year: int) -> int:
    """A synthetic authority's child population in a year: its own size, growing slowly."""
    rng = random.Random(f"{seed}:pop:{gss}")
    base, growth = 20_000 + 280_000 * rng.random() ** 2, rng.gauss(0.004, 0.004)
    return round(base * (1 + growth) ** (year - 2000))


def _true_values(seed: int, gss: str, code: str, unit: str, year: int, years: list[int]) -> float:
    base, spread = NATIONAL_TYPICAL.get(code, UNIT_TYPICAL.get(unit, (10, 2)))
    rng = random.Random(f"{seed}:national:{gss}:{code}")
    level, trend = base + rng.gauss(0, spread), rng.gauss(0, spread / 30)
    noise = random.Random(f"{seed}:national:{gss}:{code}:{year}").gauss(0, spread / 5)
    return level + trend * years.index(year) + noise


def _counts(seed: int, authority: Authority, code: str, unit: str, year: int, years: list[int]) -> tuple:
    """An authority's figures for a definition in a year: (numerator, denominator) or (value,)."""
    value = _true_values(seed, authority.gss_code, code, unit, year, years)
    population = _population(seed, authority.gss_code, year)
    if unit == "rate_per_10000":
        return (round(max(0.0, value) * population / 10_000), population)
    if unit == "percentage":
        share = random.Random(f"{seed}:share:{authority.gss_code}:{code}").uniform(80, 400)
        denominator = max(5, round(population / 10_000 * share))
        return (round(denominator * min(100.0, max(0.0, value)) / 100), denominator)
    return (round(max(1.0, value), 1),)


def _printed(figures: tuple, unit: str) -> dict[str, str]:
    """What a row prints for a definition: value, numerator, denominator."""
    if len(figures) == 1:
        return {"value": f"{figures[0]:.1f}"}
    numerator, denominator = figures
    if unit == "rate_per_10000":
        value = f"{numerator * 10_000 / denominator:.0f}" if denominator else "x"
    else:
        value = f"{numerator * 100 / denominator:.1f}" if denominator else "x"
    return {"value": value, "numerator": str(numerator), "denominator": str(denominator)}


def _write_national(out: Path, seed: int, last_month: date) -> tuple[int, int]:
    """The national files (one per reporting year), the neighbours and the column mapping: (files, raw rows)."""
    folder, ref = out / "landing" / "national", out / "seeds" / "reference"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    last = _last_reporting_year(last_month)
    years = list(range(last - NATIONAL_YEARS + 1, last + 1))
    columns = national_columns()
    definitions = list(dict.fromkeys((c.national_code, c.unit) for c in columns))
    names = list(dict.fromkeys(c.name for c in columns))
    everyone = authorities()
    rows = 0
    for year in years:
        stem = f"national_statistics_synthetic_{year}"
        with (folder / f"{stem}.meta.csv").open("w", encoding="utf-8", newline="") as fh:
            meta = csv.writer(fh, lineterminator="\n")
            meta.writerow(META_HEADER)
            meta.writerow(["characteristic", "Filter", "Characteristic", "", "", "", "Total only", ""])
            for name in names:
                c = next(c for c in columns if c.name == name)
                meta.writerow([name, "Indicator", c.label, "Synthetic", c.indicator_unit, c.dp, "", ""])
        existing = [a for a in everyone if a.exists_at(date(year, 3, 31))]
        # figures per authority: {code: figures}; England and each region are the sums of their authorities
        figures = {a.gss_code: {code: _counts(seed, a, code, unit, year, years) for code, unit in definitions}
                   for a in existing}  # fmt: skip
        with (folder / f"{stem}.csv").open("w", encoding="utf-8", newline="") as fh:
            data = csv.writer(fh, lineterminator="\n")
            data.writerow(GEOGRAPHY_HEADER + names)
            head = [str(year), "Reporting year"]
            areas = [("National", ["E92000001", "England", "", "", "", ""], existing)]
            for region, code in sorted(REGION_CODES.items(), key=lambda r: r[1]):
                members = [a for a in existing if a.region == region]
                areas.append(("Regional", ["E92000001", "England", code, region, "", ""], members))
            for a in existing:
                geography = ["E92000001", "England", REGION_CODES[a.region], a.region, a.gss_code, a.name]
                areas.append(("Local authority", geography, [a]))
            for level, geography, members in areas:
                cells: dict[str, str] = {}
                for code, unit in definitions:
                    parts = [figures[a.gss_code][code] for a in members]
                    if len(parts[0]) == 1:
                        total = (sum(p[0] for p in parts) / len(parts),)
                    else:
                        total = (sum(p[0] for p in parts), sum(p[1] for p in parts))
                    printed = _printed(total, unit)
                    roll = random.Random(f"{seed}:symbol:{geography[4]}:{code}:{year}").random()
                    if level == "Local authority" and roll < 0.03:
                        printed = dict.fromkeys(printed, "c" if roll < 0.02 else "x")
                    for c in columns:
                        if c.national_code == code and c.name != POPULATION_COLUMN:
                            cells[c.name] = printed[c.role]
                    if unit == "rate_per_10000":
                        cells[POPULATION_COLUMN] = str(total[1])
                data.writerow([*head, level, *geography, "Total", *(cells[n] for n in names)])
                rows += len(names)
    with (ref / "national_statistics_columns.csv").open("w", encoding="utf-8", newline="") as fh:
        mapping = csv.writer(fh, lineterminator="\n")
        mapping.writerow(["indicator_column", "filters", "national_code", "role", "period_end_month", "notes"])
        mapping.writerows([c.name, "characteristic=Total", c.national_code, c.role, "", "Synthetic"] for c in columns)
    _write_neighbours(ref, seed, everyone, years[0])
    return len(years), rows


def _write_neighbours(ref: Path, seed: int, everyone: list[Authority], model_year: int) -> None:
    """Synthetic statistical neighbours: each current authority's nearest by synthetic child population."""
    current = [a.gss_code for a in everyone if a.is_current]
    size = {gss: _population(seed, gss, model_year) for gss in current}
    with (ref / "statistical_neighbours.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["gss_code", "neighbour_gss_code", "neighbour_rank", "model_year", "source"])
        for gss in current:
            nearest = sorted((g for g in current if g != gss), key=lambda g: (abs(size[g] - size[gss]), g))
            writer.writerows([gss, g, rank, model_year, "synthetic"]
                             for rank, g in enumerate(nearest[:NEIGHBOURS], start=1))  # fmt: skip


def generate(
    out: Path, councils: int = 153, months: int = 120, seed: int = 2026, last_month: date = date(2026, 3, 1)
) -> SynthSummary:
    """Write the synthetic seeds and landing files under `out`; the same arguments give the same files."""
    out = Path(out)
    orgs = council_codes(councils)
    all_months = _month_list(months, last_month)
    history_months, new_month = all_months[:-1], all_months[-1]
    _write_seeds(out, orgs, all_months[0], all_months[-1])
    national_files, national_rows = _write_national(out, seed, last_month)
    history, latest = out / "landing" / "history", out / "landing" / "new_month"
    for folder in (history, latest):
        if folder.exists():
            shutil.rmtree(folder)
    rows = {"indicator_values": 0, "workforce": 0, "budget_outturn": 0, "risks": 0, "programme": 0,
            "commentary": 0, "national_statistics": national_rows}  # fmt: skip
    files = {"history": 0, "new": 0}
    iv_header = ["organisation_code", "indicator_code", "period", "value", "reported_rag", "polarity_as_printed",
                 "target_as_printed", "rag_methodology_as_printed", "reported_in", "notes"]  # fmt: skip
    for org in orgs:
        rng = random.Random(f"{seed}:{org}")
        size = 0.4 + 2.2 * rng.random()  # council size relative to an average council
        for part, months_here, folder in (("history", history_months, history), ("new", [new_month], latest)):
            suffix = "" if part == "history" else f"_{_label(new_month)}"
            # Monthly figures: the history is one back-history file per council, reported in the
            # last history month; the new month is that month's pack.
            reported_in = _label(months_here[-1])
            # --- indicator values
            w = _Writer(folder / f"indicator_values_{org}{suffix}.csv", iv_header)
            for code, _title, _area, unit, polarity, base, spread, _target, _amber in CATALOGUE:
                irng = random.Random(f"{seed}:{org}:{code}")
                level = base * (size if unit == "count" else 1) + irng.gauss(0, spread)
                trend = irng.gauss(0, spread / 40)
                for m in months_here:
                    t = all_months.index(m)
                    mrng = random.Random(f"{seed}:{org}:{code}:{t}")
                    roll = mrng.random()
                    if roll < 0.01:
                        continue  # a missing month
                    value = level + trend * t + spread * 0.3 * math.sin(t / 2) + mrng.gauss(0, spread / 3)
                    if unit == "count":
                        value = max(value, 0)
                    text = "-" if roll > 0.995 else _fmt(value, unit)
                    w.row([org, code, _label(m), text, "", polarity or "", "", "", reported_in, ""])
                    # A restatement: the new month's pack re-reports last month with a corrected figure.
                    if part == "new" and mrng.random() < 0.05:
                        prev = all_months[t - 1]
                        w.row([org, code, _label(prev), _fmt(value * 0.97 + 1, unit), "", polarity or "", "", "",
                               _label(m), "Restated"])  # fmt: skip
            files[part] += _close(w, rows, "indicator_values")
            # --- workforce
            w = _Writer(folder / f"workforce_{org}{suffix}.csv",
                        ["organisation_code", "period", "measure_code", "value", "reported_in", "notes"])  # fmt: skip
            for measure, base, spread in WORKFORCE:
                scaled = measure not in ("absence_days_per_fte", "turnover_rate")
                for m in months_here:
                    t = all_months.index(m)
                    mrng = random.Random(f"{seed}:{org}:{measure}:{t}")
                    value = base * (size if scaled else 1) + mrng.gauss(0, spread) + (t / 24 if scaled else 0)
                    text = f"{max(value, 0):.0f}" if measure == "headcount" else f"{max(value, 0):.1f}"
                    w.row([org, _label(m), measure, text, reported_in, ""])
            files[part] += _close(w, rows, "workforce")
            # --- budget outturn: one report (file) per month; variance builds through the financial year
            for m in months_here:
                w = _Writer(folder / f"budget_outturn_{org}_{_label(m)}.csv", BUDGET_HEADER)
                fy, month_no = _fy_start(m), (m.month - 4) % 12 + 1
                for code, name, _parent, net, vol in BUDGET_LINES:
                    if net is None:
                        continue
                    yrng = random.Random(f"{seed}:{org}:{code}:{fy.year}")
                    budget = round(net * size * (1 + yrng.gauss(0, 0.05)))
                    drift = yrng.gauss(0.01, vol)

                    def variance_at(n: int, budget=budget, drift=drift, key=f"{seed}:{org}:{code}:{fy.year}", vol=vol):
                        noise = random.Random(f"{key}:{n}").gauss(0, vol / 8)
                        return round(budget * (drift * n / 12 + noise))

                    variance = variance_at(month_no)
                    previous = variance_at(month_no - 1) if month_no > 1 else None
                    w.row([org, _label(m), code, name, "", budget, budget + variance, variance,
                           "" if previous is None else previous,
                           "" if previous is None else variance - previous, ""])  # fmt: skip
                files[part] += _close(w, rows, "budget_outturn")
            # --- risks: the register each quarter end, one file per register
            for m in months_here:
                if m.month not in (3, 6, 9, 12):
                    continue
                t = all_months.index(m)
                w = _Writer(folder / f"risks_{org}_{_label(m)}.csv", RISKS_HEADER)
                for r, (title, description) in enumerate(RISKS):
                    rrng = random.Random(f"{seed}:{org}:risk{r}:{t}")
                    before = rrng.randint(2, 5) * rrng.randint(3, 5)  # likelihood x impact
                    after = max(1, before - rrng.randint(2, 8))
                    w.row([org, _label(m), f"CR.{r + 1:03d}", title, description, before, after,
                           "Monitored monthly by the directorate leadership team", "Director", _label(all_months[0]),
                           ""])  # fmt: skip
                files[part] += _close(w, rows, "risks")
            # --- programme: each April's report plans the year's milestones
            for m in months_here:
                if m.month != 4:
                    continue
                w = _Writer(folder / f"programme_{org}_{_label(m)}.csv", PROGRAMME_HEADER)
                for p, project in enumerate(PROJECTS):
                    rag = random.Random(f"{seed}:{org}:{project}:{m.year}").choice(["Green", "Green", "Amber", "Red"])
                    for k in range(0, 12, 2):
                        plan = date(m.year + (m.month + k - 1) // 12, (m.month + k - 1) % 12 + 1, 1)
                        w.row([org, _label(m), project, rag, _label(plan),
                               f"{PHASES[(k // 2 + p) % len(PHASES)]} ({project})", "phase", ""])  # fmt: skip
                files[part] += _close(w, rows, "programme")
            # --- commentary: the quarter-end packs carry a few paragraphs, one file per pack
            for m in months_here:
                if m.month not in (3, 6, 9, 12):
                    continue
                t = all_months.index(m)
                crng = random.Random(f"{seed}:{org}:commentary:{t}")
                green, indicator = crng.randint(20, 40), crng.choice(CATALOGUE)
                words = {"green": green, "total": green + crng.randint(10, 20), "red": crng.randint(2, 9),
                         "variance": crng.randint(-400, 900), "share": crng.randint(1, 6),
                         "title": indicator[1].lower()}  # fmt: skip
                w = _Writer(folder / f"commentary_{org}_{_label(m)}.csv", COMMENTARY_HEADER)
                for kind, code, role, text in COMMENTARY:
                    w.row([org, kind, code or indicator[0], _label(m), role, text.format(**words)])
                files[part] += _close(w, rows, "commentary")
    return SynthSummary(out, councils, months, files["history"], files["new"], rows, _label(new_month), national_files)
