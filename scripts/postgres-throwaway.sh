#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1 for `make build-postgres` and the PostgreSQL test stage.
#
#   scripts/postgres-throwaway.sh start   # install Debian's postgresql if missing, start, print the settings
#   scripts/postgres-throwaway.sh stop    # stop it and remove its data folder
#
# Does nothing when PGHOST is set: then the warehouse is on that server, with the settings the
# environment gives (PGPORT, PGUSER, PGDATABASE; the password from PGPASSWORD, ~/.pgpass or a
# service file, never from this repository). The throwaway cluster trusts local connections on
# 127.0.0.1 only and lives in a temporary folder; nothing in it is meant to be kept.
set -euo pipefail

PORT="${SCORECARD_PG_PORT:-55432}"
DATA="${SCORECARD_PG_DATA:-/tmp/scorecard-pg-$PORT}"
DB="${SCORECARD_PG_DATABASE:-scorecard}"
OWNER="${SCORECARD_PG_OWNER:-scorecard}"

if [ -n "${PGHOST:-}" ]; then
    echo "postgres-throwaway: PGHOST=$PGHOST is set; using that server, starting nothing"
    exit 0
fi

bin_dir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1
}

# Run a server program as the postgres user when this is root (initdb and postgres refuse root).
as_server_user() {
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-start}" in
start)
    if [ -z "$(bin_dir)" ]; then
        echo "postgres-throwaway: installing Debian's postgresql"
        if [ "$(id -u)" = "0" ]; then APT=(apt-get); else APT=(sudo apt-get); fi
        "${APT[@]}" update -qq && DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq postgresql >/dev/null
    fi
    BIN="$(bin_dir)"
    if [ -z "$BIN" ]; then
        echo "postgres-throwaway: no PostgreSQL server binaries under /usr/lib/postgresql after installing" >&2
        exit 1
    fi
    if ! [ -f "$DATA/PG_VERSION" ]; then
        mkdir -p "$DATA"
        [ "$(id -u)" = "0" ] && chown postgres: "$DATA"
        as_server_user "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_server_user "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        as_server_user "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w start \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c full_page_writes=off" >/dev/null
    fi
    PSQL=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
    if [ "$("${PSQL[@]}" -c "select 1 from pg_roles where rolname = '$OWNER'")" != "1" ]; then
        "${PSQL[@]}" -c "create role $OWNER login createrole"
    fi
    if [ "$("${PSQL[@]}" -c "select 1 from pg_database where datname = '$DB'")" != "1" ]; then
        "${PSQL[@]}" -c "create database $DB owner $OWNER"
    fi
    echo "postgres-throwaway: PostgreSQL $("${PSQL[@]}" -c 'show server_version') on 127.0.0.1:$PORT, database $DB, owner $OWNER, data in $DATA"
    ;;
stop)
    BIN="$(bin_dir)"
    if [ -n "$BIN" ] && [ -f "$DATA/PG_VERSION" ]; then
        as_server_user "$BIN/pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DATA"
    echo "postgres-throwaway: stopped and removed $DATA"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
