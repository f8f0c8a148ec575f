"""Command line: `scorecard monthly`, `load PATH...`, `retract`, `loads`, `check-reference`, `publish`, `init` ...

Ordinary mistakes (a missing path, a busy warehouse, a full disk, a build that
did not pass) end with one line on stderr and a non-zero exit code, never a
traceback. Exit codes: 0 done; 1 something was refused or failed (see the
lines printed); 2 the command line was wrong; 3 the warehouse was busy.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from scorecard.loader import (
    LoadError,
    LoadResult,
    connect_for_writing,
    ensure_raw_tables,
    load_paths,
    load_sample,
    loads,
    retract,
)
from scorecard.postgres import POSTGRES_ERRORS, PostgresError
from scorecard.publish import NotPublishable
from scorecard.settings import postgres_where, spark_raw_dir, warehouse_path, warehouse_target

EXIT_BUSY = 3


def _progress(i: int, total: int, path: Path) -> None:
    if total < 2 or not sys.stderr.isatty():
        return
    width = 30
    done = int(width * i / total)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] {i}/{total} {path.name[:40]:40}")
    if i == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def report(results: list[LoadResult], out=None) -> int:
    """Print one line per file, the problems of refused files, and a summary; return the exit code."""
    out = out or sys.stdout
    for r in results:
        extra = f" ({'; '.join(r.messages)})" if r.messages else ""
        print(f"{r.status:8} {r.extract:17} {r.rows:7} rows  {r.file.name}{extra}", file=out)
        for problem in r.problems:
            print(f"         - {problem}", file=out)
        if r.report:
            print(f"         rejects report: {r.report}", file=out)
    statuses = ("loaded", "valid", "skipped", "rejected", "missing", "ignored")
    counts = {s: sum(r.status == s for r in results) for s in statuses}
    extra = "".join(
        f", {counts[s]} {label}"
        for s, label in (("valid", "valid (dry run)"), ("missing", "not found"), ("ignored", "ignored"))
        if counts[s]
    )
    if not any(r.status not in ("ignored", "missing") for r in results):
        print("no extract files found (.csv, .xlsx) in the paths given: nothing to load", file=out)
    print(f"{counts['loaded']} loaded, {counts['rejected']} rejected, {counts['skipped']} skipped{extra}", file=out)
    return 1 if counts["rejected"] or counts["missing"] else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scorecard", description=__doc__)
    parser.add_argument("--database", type=Path, help="DuckDB file (default: $SCORECARD_DUCKDB_PATH)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the raw schema and tables if missing")
    load = sub.add_parser("load", help="check and load extract files, or the extract files in folders")
    load.add_argument("paths", nargs="+", type=Path)
    load.add_argument("--dry-run", action="store_true", help="check only: load nothing, move nothing")
    load.add_argument("--quarantine", type=Path, help="folder for refused files (default: landing/quarantine)")
    sub.add_parser("load-sample", help="load the bundled sample extracts")
    monthly = sub.add_parser(
        "monthly",
        help="the monthly routine: check the reference data, load the landing folder (or PATHS), dbt build, publish",
    )
    monthly.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the landing folder)")
    retract = sub.add_parser("retract", help="retract a loaded file (history is kept; builds leave its rows out)")
    retract.add_argument("file", help="the file's name, or its SHA-256 (or the first 8+ characters of it)")
    retract.add_argument("--reason", required=True, help="why, kept with the retraction")
    sub.add_parser("loads", help="list loaded files (newest first) with their SHA-256 and any retraction")
    sub.add_parser("check-reference", help="check the reference seeds before dbt reads them")
    sub.add_parser("write-sources", help="regenerate the dbt sources file from the extract contracts")
    sub.add_parser("publish", help="publish the working warehouse atomically for readers (after a passing build)")
    grant = sub.add_parser("grant", help="PostgreSQL: a login role per council that sees only its own rows in marts")
    grant.add_argument("organisation_codes", nargs="+", metavar="COUNCIL", help="organisation code(s), e.g. HRF")
    sub.add_parser(
        "report-sources",
        help="run the reports' source queries against the published warehouse (DuckDB, or PostgreSQL's marts as "
        "the reports role) into the files the site is built from",
    )
    bench = sub.add_parser("bench-load", help="print load speed for a large wide workbook and a large CSV")
    bench.add_argument("--rows", type=int, default=200_000, help="rows in the large CSV")
    bench.add_argument("--indicators", type=int, default=2_000, help="indicator rows in the wide workbook")
    bench.add_argument("--months", type=int, default=24, help="month columns in the wide workbook")
    synth = sub.add_parser("synth", help="write a deterministic synthetic national dataset as seeds and landing files")
    synth.add_argument("--councils", type=int, default=153, help="number of councils (default 153)")
    synth.add_argument("--months", type=int, default=120, help="months of history, ending March 2026 (default 120)")
    synth.add_argument("--seed", type=int, default=2026, help="random seed: the same seed writes the same files")
    synth.add_argument("--out", type=Path, default=Path("warehouse/synth"), help="output folder, inside the project")
    scale = sub.add_parser("bench", help="print full, DuckDB-alone and incremental build figures at several sizes")
    scale.add_argument("--councils", type=int, nargs="+", default=[1, 10, 153], help="sizes (default 1 10 153)")
    scale.add_argument("--months", type=int, default=120)
    scale.add_argument("--seed", type=int, default=2026)
    pack = sub.add_parser("pack", help="print the monthly pack of one council and month to PDF (needs `make reports`)")
    pack.add_argument("--council", required=True, help="council code, e.g. HRF")
    pack.add_argument("--month", required=True, help="yyyy-mm, e.g. 2017-05")
    pack.add_argument("--out", type=Path, help="PDF path (default: warehouse/published/packs/<COUNCIL>_<yyyy-mm>.pdf)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except LoadError as exc:
        print(f"scorecard {args.command}: {exc}", file=sys.stderr)
        return EXIT_BUSY if "in use by another process" in str(exc) else 1
    except NotPublishable as exc:
        print(f"scorecard {args.command}: not published: {exc}", file=sys.stderr)
        return 1
    except PostgresError as exc:
        print(f"scorecard {args.command}: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError, duckdb.Error, *POSTGRES_ERRORS) as exc:
        print(f"scorecard {args.command}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
              file=sys.stderr)  # fmt: skip
        return 1


# What the Spark target (docs/spark.md) has no counterpart for yet: each refused in one line, nothing done.
NOT_ON_SPARK = {
    "publish": "readers query the tables dbt builds in schema marts",
    "monthly": "load with `scorecard load`, then `dbt build --select source:extracts+`",
    "pack": "the reports read DuckDB or PostgreSQL",
    "report-sources": "the reports read DuckDB or PostgreSQL",
}


def _run(args) -> int:
    database = args.database or warehouse_path()
    if warehouse_target() == "spark" and args.command in NOT_ON_SPARK:
        print(f"scorecard {args.command}: not on Spark (SCORECARD_TARGET=spark): {NOT_ON_SPARK[args.command]} "
              "(docs/spark.md)", file=sys.stderr)  # fmt: skip
        return 2
    if args.command == "synth":
        from scorecard.synth import generate

        summary = generate(args.out, councils=args.councils, months=args.months, seed=args.seed)
        print(f"wrote {summary.history_files} history files and {summary.new_month_files} files for "
              f"{summary.new_month} under {summary.out / 'landing'}; seeds under {summary.out / 'seeds'}")  # fmt: skip
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in summary.rows.items()))
        print(f"build with: SCORECARD_SEED_DIR={summary.out / 'seeds'} SCORECARD_REFERENCE_DIR="
              f"{summary.out / 'seeds' / 'reference'} SCORECARD_INCLUDE_SAMPLE=false")  # fmt: skip
        return 0
    if args.command == "pack":
        from scorecard.pack import PackError, render

        try:
            made = render(args.council, args.month, out=args.out)
        except PackError as exc:
            print(f"scorecard pack: {exc}", file=sys.stderr)
            return 1
        pages = f", {made.pages} pages" if made.pages else ""
        print(f"pack of {made.council_name} ({made.council}) for {made.month_label}: {made.pdf}{pages}")
        return 0
    if args.command == "report-sources":
        from scorecard.report_sources import ReportSourcesError
        from scorecard.report_sources import run as run_sources

        try:
            run_sources()
        except ReportSourcesError as exc:
            print(f"scorecard report-sources: {exc}", file=sys.stderr)
            return 1
        return 0
    if args.command == "bench":
        from scorecard.scale_bench import run as run_bench

        run_bench(args.councils, months=args.months, seed=args.seed)
        return 0
    if args.command == "init":
        if warehouse_target() == "postgres":
            with connect_for_writing(database) as con:
                ensure_raw_tables(con)
            print(f"raw tables ready in PostgreSQL ({postgres_where()})")
            return 0
        if warehouse_target() == "spark":
            with connect_for_writing(database):
                pass
            print(f"raw folder ready for Spark: {spark_raw_dir()} (dbt registers its tables at the start of each run)")
            return 0
        database.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(database)) as con:
            ensure_raw_tables(con)
        print(f"raw tables ready in {database}")
        return 0
    if args.command == "grant":
        from scorecard.postgres import grant

        if warehouse_target() != "postgres":
            print("scorecard grant: roles are for the PostgreSQL warehouse (SCORECARD_TARGET=postgres); "
                  "on DuckDB give each council its own published file", file=sys.stderr)  # fmt: skip
            return 2
        for code in args.organisation_codes:
            print(f"{code}: role {grant(code)} (sees only {code}'s rows in marts; set its password or "
                  "authentication on the server)")  # fmt: skip
        return 0
    if args.command == "load":
        results = load_paths(
            args.paths,
            database,
            dry_run=args.dry_run,
            quarantine=args.quarantine,
            raise_on_reject=False,
            progress=_progress,
        )
        return report(results)
    if args.command == "write-sources":
        from scorecard.contracts import sources_yaml
        from scorecard.settings import PROJECT_DIR

        target = PROJECT_DIR / "models" / "staging" / "extracts" / "_extracts__sources.yml"
        target.write_text(sources_yaml(), encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if args.command == "publish":
        from scorecard.routine import publish_build

        print(publish_build(database))
        return 0
    if args.command == "retract":
        done = retract(args.file, args.reason, database)
        state = "was already retracted" if done.already else "retracted"
        print(f"{done.source_file} ({done.file_sha256[:12]}, {done.extract}, {done.row_count} rows) {state}; "
              "the next build leaves its rows out (`scorecard monthly` or `dbt build --full-refresh`)")  # fmt: skip
        return 0
    if args.command == "loads":
        rows = loads(database)
        for loaded_at, extract, name, sha, count, reason in rows:
            note = f"  RETRACTED: {reason}" if reason else ""
            print(f"{loaded_at:%Y-%m-%d %H:%M}  {sha[:12]}  {extract:17} {count:7} rows  {name}{note}")
        if not rows:
            print("nothing loaded yet (sample rows are not listed)")
        return 0
    if args.command == "check-reference":
        from scorecard.reference_check import main as check_reference

        return check_reference()
    if args.command == "monthly":
        from scorecard.routine import monthly

        return monthly(args.paths, database)
    if args.command == "load-sample":
        return report(load_sample(database))
    if args.command == "bench-load":
        from scorecard.bench import run

        run(rows=args.rows, indicators=args.indicators, months=args.months)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
