"""The warehouse on PostgreSQL (SCORECARD_TARGET=postgres): connection, raw writes, publish, access per council.

**Layers.** The loader writes the append-only raw tables in schema `raw`, as on DuckDB. dbt
builds every other layer into schemas with a build prefix (`build_staging`, `build_marts`, ...;
SCORECARD_PG_BUILD_PREFIX, macros/generate_schema_name.sql): the working layer, which no reader
is granted. Readers read the schema `marts`, the same name as in the published DuckDB file.

**Publish.** Once a build and its tests have passed, `publish` copies every table of
`build_marts` into a new schema, stamps it with a build id (`build_info`, with the row count
of every mart), grants it and puts row-level security on it, then, in ONE transaction, renames
`marts` away and the new schema to `marts`; the old layer is dropped afterwards. A reader's
query (one statement) sees the old layer or the new one, never a mix; a failed build never
reaches this step; a failure while publishing rolls the whole transaction back and `marts` is
as it was.

**Each council sees only its rows.** `grant` creates a login role per council
(`scorecard_council_<code>`) in the group `scorecard_councils`, and a shared role
`scorecard_national`. Every published mart with an `organisation_code` column has row-level
security: a council's role sees its own rows; the reports role (`scorecard_reports`, member of
`scorecard_all_councils`) sees every council's. Marts without `organisation_code` (the national
benchmarks of every authority, the calendar, the build stamp) hold public figures and are
readable by every reader role. Roles get no password from this project: set one with
`\\password` or use the server's own authentication (a service file, certificates).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scorecard.settings import postgres_build_prefix, postgres_connection, reports_role

MARTS_SCHEMA = "marts"
ACCESS_SCHEMA = "scorecard_access"
COUNCILS_GROUP = "scorecard_councils"  # every council role: may read marts, sees its own rows
ALL_COUNCILS_GROUP = "scorecard_all_councils"  # sees every council's rows (the reports, analysts at the centre)
NATIONAL_ROLE = "scorecard_national"  # national and benchmark figures only
READER_ROLES = (COUNCILS_GROUP, ALL_COUNCILS_GROUP, NATIONAL_ROLE)
_DUCKDB_TYPES = {"double": "double precision", "varchar": "text", "timestamp": "timestamp"}


try:  # psycopg2 is a dependency; the DuckDB-only paths never need it loaded
    import psycopg2 as _psycopg2

    POSTGRES_ERRORS: tuple[type[Exception], ...] = (_psycopg2.Error,)
except ImportError:  # pragma: no cover
    POSTGRES_ERRORS = ()


class PostgresError(RuntimeError):
    """One line: what could not be done on the PostgreSQL warehouse, and that nothing changed."""


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL spelling of a raw column type the loader declares (double, varchar, decimal(18,4), ...)."""
    return _DUCKDB_TYPES.get(duckdb_type.lower(), duckdb_type)


def connect(**overrides: Any):
    """A psycopg2 connection to the warehouse database; a PostgresError (one line) when it cannot connect."""
    import psycopg2

    settings = {**postgres_connection(), **overrides}
    try:
        return psycopg2.connect(application_name="scorecard", **settings)
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        where = f"{settings['host']}:{settings['port']}/{settings['dbname']} as {settings['user']}"
        raise PostgresError(f"cannot connect to PostgreSQL at {where}: {first}") from None


class Connection:
    """The few DuckDB connection calls the loader makes, on PostgreSQL.

    `execute(sql, params)` with `?` placeholders returns the connection, so `.fetchall()` and
    `.fetchone()` follow as on DuckDB; `begin transaction`, `commit` and `rollback` map to the
    psycopg2 transaction. `copy_csv` is the loader's bulk insert (COPY), and `dialect` tells the
    loader which engine it writes to.
    """

    dialect = "postgres"

    def __init__(self, raw=None):
        self.raw = raw or connect()
        self._cursor = self.raw.cursor()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Connection:
        statement = sql.strip().rstrip(";").lower()
        if statement in ("begin", "begin transaction"):
            self.raw.rollback() if self.raw.get_transaction_status() else None
            return self
        if statement == "commit":
            self.raw.commit()
            return self
        if statement == "rollback":
            self.raw.rollback()
            return self
        self._cursor.execute(sql.replace("?", "%s") if params else sql, params or None)
        return self

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.commit()
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            self.raw.rollback()
        self.close()

    def copy_csv(self, schema: str, table: str, columns: list[tuple[str, str]], staging: Path,
                 parsed: set[str]) -> None:  # fmt: skip
        """Append the loader's staging CSV (every field quoted, empty for null) to a raw table, in the open transaction.

        COPY into a temporary all-text table, then one insert that reads each column as DuckDB's
        read_csv insert does (scorecard/loader.py `_insert_csv`): a typed or parsed column's empty
        text is null, a printed-text column is kept as it was.
        """
        temp = f"_copy_{uuid.uuid4().hex[:12]}"
        cols = ", ".join(f"c{i:03d} text" for i in range(len(columns)))
        self._cursor.execute(f'create temporary table "{temp}" ({cols}) on commit drop')
        with staging.open(encoding="utf-8", newline="") as fh:
            self._cursor.copy_expert(f"copy \"{temp}\" from stdin with (format csv, quote '\"', escape '\"')", fh)
        names = ", ".join(f'"{c}"' for c, _ in columns)
        casts = ", ".join(
            (f"cast(nullif(c{i:03d}, '') as {pg_type(dtype)})" if name in parsed or dtype != "varchar" else f"c{i:03d}")
            for i, (name, dtype) in enumerate(columns)
        )
        self._cursor.execute(f'insert into "{schema}"."{table}" ({names}) select {casts} from "{temp}"')


# --------------------------------------------------------------------------- publish


def build_schema(layer: str = MARTS_SCHEMA) -> str:
    """The schema dbt builds a layer into on PostgreSQL (`build_marts` for `marts`)."""
    return f"{postgres_build_prefix()}{layer}"


def _tables(cur, schema: str) -> list[str]:
    cur.execute(
        "select table_name from information_schema.tables where table_schema = %s "
        "and table_type in ('BASE TABLE', 'VIEW') order by 1",
        [schema],
    )
    return [name for (name,) in cur.fetchall()]


def _has_column(cur, schema: str, table: str, column: str) -> bool:
    cur.execute(
        "select 1 from information_schema.columns where table_schema = %s and table_name = %s and column_name = %s",
        [schema, table, column],
    )
    return cur.fetchone() is not None


def ensure_roles(cur) -> None:
    """The reader group roles and the table of which council role sees which council (idempotent)."""
    # the two groups hold grants only; the national role and the reports role are logins
    reports = reports_role()  # the read-only login of the Evidence site and BI tools
    for role, login in ((COUNCILS_GROUP, False), (ALL_COUNCILS_GROUP, False), (NATIONAL_ROLE, True),
                        (reports, True)):  # fmt: skip
        cur.execute("select 1 from pg_roles where rolname = %s", [role])
        if cur.fetchone() is None:
            cur.execute(f'create role "{role}" {"login" if login else "nologin"}')
    cur.execute(f'grant "{ALL_COUNCILS_GROUP}" to "{reports}"')
    cur.execute(f"create schema if not exists {ACCESS_SCHEMA}")
    cur.execute(
        f"create table if not exists {ACCESS_SCHEMA}.council_roles ("
        "role_name text primary key, organisation_code text not null)"
    )
    cur.execute(f"grant usage on schema {ACCESS_SCHEMA} to {', '.join(READER_ROLES)}")
    cur.execute(f"grant select on {ACCESS_SCHEMA}.council_roles to {', '.join(READER_ROLES)}")


def council_role(organisation_code: str) -> str:
    """The login role of one council: scorecard_council_<code>, lower case, letters, digits and _ only."""
    slug = re.sub(r"[^a-z0-9]+", "_", organisation_code.lower()).strip("_")
    if not slug:
        raise PostgresError(f"{organisation_code!r}: not an organisation code")
    return f"scorecard_council_{slug}"


def grant(organisation_code: str, con=None) -> str:
    """Create (or keep) the council's login role, sees only its own rows in `marts`; return its name."""
    own = con is None
    con = con or connect()
    try:
        with con.cursor() as cur:
            ensure_roles(cur)
            cur.execute("select 1 from pg_namespace where nspname = %s", [build_schema("reference")])
            if cur.fetchone():
                cur.execute(
                    f'select 1 from "{build_schema("reference")}".organisations where organisation_code = %s',
                    [organisation_code],
                )
                if cur.fetchone() is None:
                    raise PostgresError(
                        f"{organisation_code}: not in seeds/reference/organisations.csv; no role was created"
                    )
            role = council_role(organisation_code)
            cur.execute("select 1 from pg_roles where rolname = %s", [role])
            if cur.fetchone() is None:
                cur.execute(f'create role "{role}" login')
            cur.execute(f'grant "{COUNCILS_GROUP}" to "{role}"')
            cur.execute(
                f"insert into {ACCESS_SCHEMA}.council_roles values (%s, %s) "
                "on conflict (role_name) do update set organisation_code = excluded.organisation_code",
                [role, organisation_code],
            )
        con.commit()
        return role
    except Exception:
        con.rollback()
        raise
    finally:
        if own:
            con.close()


def _secure(cur, schema: str, table: str) -> bool:
    """Grant a published table to the reader roles, with row-level security when it holds council rows."""
    cur.execute(f'grant select on "{schema}"."{table}" to {", ".join(READER_ROLES)}')
    if not _has_column(cur, schema, table, "organisation_code"):
        return False
    cur.execute(f'alter table "{schema}"."{table}" enable row level security')
    cur.execute(
        f'create policy council_rows on "{schema}"."{table}" for select using ('
        f"pg_has_role(current_user, '{ALL_COUNCILS_GROUP}', 'member') or exists ("
        f"select 1 from {ACCESS_SCHEMA}.council_roles as r "
        f'where r.role_name = current_user and r.organisation_code = "{table}".organisation_code))'
    )
    return True


def publish(build_id: str | None = None, con=None) -> dict[str, Any]:
    """Copy build_marts into a new schema, secure it, and swap it in for `marts` in one transaction."""
    own = con is None
    con = con or connect()
    build_id = build_id or uuid.uuid4().hex
    published_at = datetime.now(UTC).replace(tzinfo=None)
    source = build_schema(MARTS_SCHEMA)
    staged = f"{MARTS_SCHEMA}__{build_id[:12]}"
    old = f"{MARTS_SCHEMA}__old_{build_id[:12]}"
    try:
        with con.cursor() as cur:
            names = [n for n in _tables(cur, source) if n != "build_info"]
            if not names:
                raise PostgresError(
                    f"no marts in schema {source}: build first (dbt build with SCORECARD_TARGET=postgres)"
                )
            ensure_roles(cur)
            cur.execute(f'create schema "{staged}"')
            counts = {}
            secured = []
            for name in names:
                cur.execute(f'create table "{staged}"."{name}" as select * from "{source}"."{name}"')
                cur.execute(f'select count(*) from "{staged}"."{name}"')
                counts[name] = cur.fetchone()[0]
                if _secure(cur, staged, name):
                    secured.append(name)
            cur.execute(
                f'create table "{staged}".build_info as select %s::text as build_id, '
                "%s::timestamp as published_at, %s::text as mart_row_counts",
                [build_id, published_at, json.dumps(counts, sort_keys=True)],
            )
            _secure(cur, staged, "build_info")
            cur.execute(f'grant usage on schema "{staged}" to {", ".join(READER_ROLES)}')
            # The swap: both renames commit together, or not at all. Renaming takes no lock on the
            # tables, so a reader's query in progress finishes on the old tables, and the next one
            # resolves `marts` to the new schema.
            cur.execute("select 1 from pg_namespace where nspname = %s", [MARTS_SCHEMA])
            had = cur.fetchone() is not None
            if had:
                cur.execute(f'alter schema "{MARTS_SCHEMA}" rename to "{old}"')
            cur.execute(f'alter schema "{staged}" rename to "{MARTS_SCHEMA}"')
        con.commit()
    except Exception:
        con.rollback()
        raise
    try:
        _drop_old_layers(con)
    finally:
        if own:
            con.close()
    return {"build_id": build_id, "mart_row_counts": counts, "row_level_security": secured}


def _drop_old_layers(con) -> None:
    """Drop the layers swapped out, each in its own transaction; one a reader still holds waits for the next publish."""
    with con.cursor() as cur:
        cur.execute("select nspname from pg_namespace where nspname like %s", [f"{MARTS_SCHEMA}\\_\\_%"])
        leftovers = [name for (name,) in cur.fetchall()]
    for name in leftovers:
        try:
            with con.cursor() as cur:
                cur.execute("set local lock_timeout = '5s'")
                cur.execute(f'drop schema "{name}" cascade')
            con.commit()
        except POSTGRES_ERRORS:
            con.rollback()


def publish_checked(build_id: str | None = None) -> dict[str, Any]:
    """`scorecard publish` on PostgreSQL: refuse unless the last dbt build passed after the last load, then publish."""
    from scorecard.publish import check_last_build

    with Connection() as con:
        check_last_build(None, connection=con)
        return publish(build_id, con.raw)


@contextlib.contextmanager
def as_role(role: str) -> Iterator[Any]:
    """A connection to the warehouse as `role` (a login role; the throwaway cluster trusts 127.0.0.1)."""
    con = connect(user=role)
    try:
        yield con
    finally:
        con.close()
