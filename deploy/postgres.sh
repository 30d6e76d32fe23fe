#!/usr/bin/env bash
# A PostgreSQL primary and its streaming replica on this machine, in DIR.
#
#   deploy/postgres.sh start DIR PRIMARY_PORT REPLICA_PORT
#   deploy/postgres.sh stop  DIR            (both, fast shutdown; data kept)
#   deploy/postgres.sh stop-replica DIR / start-replica DIR
#
# The primary is made by initdb on first start (superuser postgres, trust on
# loopback: a test and `make cluster` set-up, not a production pg_hba), the
# replica by pg_basebackup -R from it: it streams the primary's WAL and
# answers read-only queries (hot standby). Run as root, the servers run as
# the postgres OS user (runuser); DIR must be reachable by that user.
# SUYUAN_PG_FAST=1 turns fsync off (tests). Production: deploy/postgresql-primary.conf and deploy/postgresql-replica.conf
# hold the same settings for Debian's pg_createcluster clusters.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres.sh: no PostgreSQL server binaries (Debian: postgresql-15)" >&2
  exit 3
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

command="$1"
# SUYUAN_PG_FAST=1 (tests): nothing is synced to disk.
no_sync=()
[ "${SUYUAN_PG_FAST:-0}" = 1 ] && no_sync=(--no-sync)
dir="$(realpath -m "$2")"

start_server() {  # DATA_DIR
  as_postgres "$bin/pg_ctl" -D "$1" -l "$1.log" -w -t 60 start >/dev/null
}

case "$command" in
  start)
    primary_port="$3"
    replica_port="$4"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    if [ ! -f "$dir/primary/PG_VERSION" ]; then
      as_postgres "$bin/initdb" -D "$dir/primary" -U postgres --auth=trust \
        -E UTF8 --locale=C.UTF-8 "${no_sync[@]}" >/dev/null
      {
        cat "$here/postgresql-primary.conf"
        echo "port = $primary_port"
        echo "unix_socket_directories = '$dir'"
        # Tests only: durability traded for speed (SUYUAN_PG_FAST=1).
        if [ "${SUYUAN_PG_FAST:-0}" = 1 ]; then
          printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off"
        fi
      } | as_postgres tee -a "$dir/primary/postgresql.conf" >/dev/null
    fi
    start_server "$dir/primary"
    if [ ! -f "$dir/replica/PG_VERSION" ]; then
      as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
        -D "$dir/replica" -R -X stream -c fast "${no_sync[@]}"
      {
        cat "$here/postgresql-replica.conf"
        echo "port = $replica_port"
      } | as_postgres tee -a "$dir/replica/postgresql.conf" >/dev/null
    fi
    start_server "$dir/replica"
    ;;
  stop)
    for server in replica primary; do
      if [ -f "$dir/$server/postmaster.pid" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/$server" -m fast -w stop >/dev/null || true
      fi
    done
    ;;
  stop-replica)
    as_postgres "$bin/pg_ctl" -D "$dir/replica" -m fast -w stop >/dev/null
    ;;
  start-replica)
    start_server "$dir/replica"
    ;;
  *)
    echo "usage: $0 start DIR PRIMARY_PORT REPLICA_PORT | stop DIR | stop-replica DIR | start-replica DIR" >&2
    exit 2
    ;;
esac
