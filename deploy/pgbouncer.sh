#!/usr/bin/env bash
# pgbouncer in transaction mode on this machine (deploy/pgbouncer.ini).
#
#   deploy/pgbouncer.sh start DIR LISTEN_PORT PRIMARY_PORT [REPLICA_PORT DBNAME]
#   deploy/pgbouncer.sh stop DIR
#
# With REPLICA_PORT and DBNAME, DBNAME_replica leads to the replica.
# pgbouncer does not run as root: as root it runs as the postgres user.
# POOL_SIZE (default 20) is the server connections per database and user.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command="$1"
dir="$(realpath -m "$2")"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$command" in
  start)
    listen_port="$3"
    primary_port="$4"
    replica_alias=""
    if [ $# -ge 6 ]; then
      replica_alias="$6_replica = host=127.0.0.1 port=$5 dbname=$6"
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    sed -e "s|@LISTEN_PORT@|$listen_port|" -e "s|@PRIMARY_PORT@|$primary_port|" \
      -e "s|@REPLICA_ALIAS@|$replica_alias|" -e "s|@DIR@|$dir|g" \
      -e "s|@POOL_SIZE@|${POOL_SIZE:-20}|" \
      "$here/pgbouncer.ini" | as_postgres tee "$dir/pgbouncer.ini" >/dev/null
    echo '"postgres" ""' | as_postgres tee "$dir/userlist.txt" >/dev/null
    as_postgres pgbouncer -d "$dir/pgbouncer.ini"
    for _ in $(seq 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$listen_port") 2>/dev/null && exit 0
      sleep 0.1
    done
    echo "pgbouncer did not start (see $dir/pgbouncer.log)" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pgbouncer.pid" ]; then
      kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
      for _ in $(seq 50); do [ -f "$dir/pgbouncer.pid" ] || break; sleep 0.1; done
    fi
    ;;
  *)
    echo "usage: $0 start DIR LISTEN_PORT PRIMARY_PORT [REPLICA_PORT DBNAME] | stop DIR" >&2
    exit 2
    ;;
esac
