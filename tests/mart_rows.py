"""Every mart's rows, normalised, to compare two builds of the same data on different engines.

Used by tests/test_postgres.py and tests/test_spark.py: decimals by value, doubles to 17
significant characters, dates as ISO text, and the timestamps of when a row was loaded or built
left out (they differ between two loads by design).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

TIME_COLUMNS = ("_at",)  # loaded_at, built_at, last_loaded_at ...: when, not what

Marts = dict[str, tuple[list[str], list[tuple]]]


def normal(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else "NaN"
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")[:17]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def marts(query) -> Marts:
    """Every table of schema marts but build_info: its columns and its rows, normalised and sorted.

    `query(sql, params)` runs a query with `?` placeholders on one engine and returns its rows.
    """
    out = {}
    tables = [t for (t,) in query("select table_name from information_schema.tables where table_schema = 'marts'")]
    for table in sorted(t for t in tables if t != "build_info"):
        columns = [c for (c,) in query(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
            "order by ordinal_position", [table])]  # fmt: skip
        kept = [c for c in columns if not c.endswith(TIME_COLUMNS)]
        rows = query(f"select {', '.join(kept)} from marts.{table}")
        out[table] = (columns, sorted((tuple(normal(v) for v in row) for row in rows), key=repr))
    return out


def assert_identical(expected: Marts, actual: Marts, engine: str) -> None:
    """The same marts, columns and rows on `engine` as in `expected` (DuckDB's)."""
    assert sorted(expected) == sorted(actual)
    for table in expected:
        assert expected[table][0] == actual[table][0], f"{table}: columns differ"
        d, p = expected[table][1], actual[table][1]
        assert len(d) == len(p), f"{table}: {len(d)} rows on DuckDB, {len(p)} on {engine}"
        different = [(a, b) for a, b in zip(d, p, strict=True) if a != b]
        assert not different, f"{table}: {len(different)} rows differ, first: {different[0]}"
