"""Command line: `scorecard load PATH...`, `scorecard load-sample`, `scorecard init`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from scorecard.loader import ExtractError, ensure_raw_tables, load_paths, load_sample
from scorecard.settings import warehouse_path


def _report(results) -> None:
    for r in results:
        extra = f" ({'; '.join(r.messages)})" if r.messages else ""
        print(f"{r.status:8} {r.extract:17} {r.rows:6} rows  {r.file.name}{extra}")
    loaded = sum(r.status == "loaded" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    print(f"{loaded} loaded, {skipped} skipped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scorecard", description=__doc__)
    parser.add_argument("--database", type=Path, help="DuckDB file (default: $SCORECARD_DUCKDB_PATH)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create the raw schema and tables if missing")
    load = sub.add_parser("load", help="load extract files or folders of them")
    load.add_argument("paths", nargs="+", type=Path)
    sub.add_parser("load-sample", help="load the bundled sample extracts")
    args = parser.parse_args(argv)
    database = args.database or warehouse_path()
    try:
        if args.command == "init":
            database.parent.mkdir(parents=True, exist_ok=True)
            with duckdb.connect(str(database)) as con:
                ensure_raw_tables(con)
            print(f"raw tables ready in {database}")
        elif args.command == "load":
            _report(load_paths(args.paths, database))
        elif args.command == "load-sample":
            _report(load_sample(database))
    except ExtractError as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
