#!/usr/bin/env bash
# The whole province topology on one machine, on loopback, under CLUSTER_DIR:
#
#   nginx (TLS :HTTPS_PORT, :HTTP_PORT redirects) -> gunicorn node 1, node 2
#   -> pgbouncer (transaction mode) -> PostgreSQL primary, streaming replica
#   Redis (cache, scan buffer, Celery broker); Celery workers by queue
#   (scans, labels, celery+imports+reports) and beat.
#
#   deploy/cluster.sh start     (make cluster)
#   deploy/cluster.sh stop      (make cluster-stop: stops all, removes CLUSTER_DIR)
#
# Debian's packages: postgresql-15, pgbouncer, nginx(-light), redis-server.
# Every port below can be set in the environment; none is a system default.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

dir="$(realpath -m "${CLUSTER_DIR:-.cluster}")"
python="${CLUSTER_PYTHON:-$root/.venv/bin/python}"
bin="$(dirname "$python")"
PRIMARY_PORT="${PRIMARY_PORT:-55432}"
REPLICA_PORT="${REPLICA_PORT:-55433}"
PGBOUNCER_PORT="${PGBOUNCER_PORT:-56432}"
REDIS_PORT="${REDIS_PORT:-56379}"
NODE1_PORT="${NODE1_PORT:-58001}"
NODE2_PORT="${NODE2_PORT:-58002}"
HTTP_PORT="${HTTP_PORT:-58080}"
HTTPS_PORT="${HTTPS_PORT:-58443}"

step() { echo "$(date +%T) cluster: $*"; }

write_env() {
  # Secrets made once per cluster; everything else follows the ports.
  if [ ! -f "$dir/secrets.env" ]; then
    "$python" - >"$dir/secrets.env" <<'PY'
import base64, os, secrets
print(f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"SUYUAN_ID_NUMBER_KEYS={base64.urlsafe_b64encode(os.urandom(32)).decode()}")
print(f"SUYUAN_ID_NUMBER_INDEX_KEY={secrets.token_urlsafe(32)}")
print(f"SUYUAN_SERIAL_KEY={secrets.token_urlsafe(32)}")
PY
    chmod 600 "$dir/secrets.env"
  fi
  cat >"$dir/cluster.env" <<ENV
DJANGO_SETTINGS_MODULE=config.settings
DJANGO_DEBUG=0
DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
DJANGO_CSRF_TRUSTED_ORIGINS=https://127.0.0.1:$HTTPS_PORT,https://localhost:$HTTPS_PORT
DATABASE_URL=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/suyuan
DATABASE_POOLED=1
DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:$PGBOUNCER_PORT/suyuan_replica
DATABASE_REPLICA_POOLED=1
CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0
SUYUAN_CACHE_URL=redis://127.0.0.1:$REDIS_PORT/1
SUYUAN_SCAN_WRITE_MODE=buffered
SUYUAN_SCAN_FLUSH_SECONDS=${SUYUAN_SCAN_FLUSH_SECONDS:-2}
SUYUAN_PUBLIC_BASE_URL=https://127.0.0.1:$HTTPS_PORT
SUYUAN_NUM_PROXIES=1
SUYUAN_MEDIA_ACCEL_REDIRECT=/_protected/
SUYUAN_VAR_DIR=$dir/var
SUYUAN_STATIC_ROOT=$dir/static
SUYUAN_MEDIA_ROOT=$dir/media
PROMETHEUS_MULTIPROC_DIR=$dir/prometheus
WEB_WORKERS=${WEB_WORKERS:-2}
ENV
}

load_env() {
  set -a
  # shellcheck disable=SC1091
  . "$dir/secrets.env"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  set +a
}

start() {
  for tool in nginx pgbouncer redis-server openssl; do
    command -v "$tool" >/dev/null || { echo "cluster: $tool is not installed" >&2; exit 3; }
  done
  mkdir -p "$dir"/{run,log,var,static,media,nginx,redis}
  rm -rf "$dir/prometheus" && mkdir -p "$dir/prometheus"
  write_env
  load_env
  deploy/make-ca.sh "$dir/tls"

  step "PostgreSQL primary :$PRIMARY_PORT and replica :$REPLICA_PORT"
  deploy/postgres.sh start "$dir/postgres" "$PRIMARY_PORT" "$REPLICA_PORT"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'suyuan'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc "CREATE DATABASE suyuan"
  step "pgbouncer :$PGBOUNCER_PORT, Redis :$REDIS_PORT"
  deploy/pgbouncer.sh start "$dir/pgbouncer" "$PGBOUNCER_PORT" "$PRIMARY_PORT" \
    "$REPLICA_PORT" suyuan
  # The scan buffer lives here until flushed: append-only file, synced every second.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --dir "$dir/redis" --pidfile "$dir/run/redis.pid" --logfile "$dir/log/redis.log" \
    --save "" --appendonly yes --appendfsync everysec

  step "migrate, collectstatic, demo data"
  # Migrations straight to the primary (DDL needs no pool).
  "$python" manage.py collectstatic --noinput >"$dir/log/collectstatic.log" &
  collecting=$!
  DATABASE_URL="postgres://postgres@127.0.0.1:$PRIMARY_PORT/suyuan" \
    "$python" manage.py migrate --noinput >"$dir/log/migrate.log"
  wait "$collecting"
  step "demo data"
  if [ "${CLUSTER_SEED:-1}" = 1 ] && [ ! -f "$dir/var/seeded" ]; then
    "$python" manage.py seed_demo >"$dir/log/seed.log" && touch "$dir/var/seeded"
  fi

  step "gunicorn :$NODE1_PORT :$NODE2_PORT, Celery workers, beat, nginx :$HTTPS_PORT"
  for node in 1 2; do
    port_var="NODE${node}_PORT"
    "$bin/gunicorn" config.wsgi -c deploy/gunicorn.conf.py --daemon \
      --bind "127.0.0.1:${!port_var}" --pid "$dir/run/node$node.pid" \
      --access-logfile "$dir/log/node$node.access.log" \
      --error-logfile "$dir/log/node$node.log"
  done
  # Workers by queue: the scan flush never waits behind a print job.
  worker() {  # NAME QUEUES
    "$bin/celery" -A config worker --detach -Q "$2" -n "$1@%h" --concurrency 1 \
      --pidfile "$dir/run/worker-$1.pid" --logfile "$dir/log/worker-$1.log" \
      --loglevel INFO
  }
  worker scans scans
  worker labels labels
  worker other celery,imports,reports
  "$bin/celery" -A config beat --detach --pidfile "$dir/run/beat.pid" \
    --logfile "$dir/log/beat.log" --schedule "$dir/var/celerybeat-schedule"

  sed -e "s|@DIR@|$dir|g" -e "s|@NODE1_PORT@|$NODE1_PORT|" -e "s|@NODE2_PORT@|$NODE2_PORT|" \
    -e "s|@HTTP_PORT@|$HTTP_PORT|" -e "s|@HTTPS_PORT@|$HTTPS_PORT|g" \
    -e "s|@STATIC_ROOT@|$dir/static|" -e "s|@MEDIA_ROOT@|$dir/media|" \
    deploy/nginx.conf >"$dir/nginx/nginx.conf"
  nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -e "$dir/nginx/error.log"

  for _ in $(seq 120); do
    if curl -sf --cacert "$dir/tls/ca.crt" "https://127.0.0.1:$HTTPS_PORT/readyz" >/dev/null; then
      echo "cluster ready: https://127.0.0.1:$HTTPS_PORT/ (CA: $dir/tls/ca.crt)"
      return 0
    fi
    sleep 0.5
  done
  echo "cluster: /readyz did not answer 200; logs in $dir/log" >&2
  exit 1
}

stop() {
  [ -d "$dir" ] || return 0
  step "stopping"
  if [ -f "$dir/nginx/nginx.pid" ]; then
    nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx" -e "$dir/nginx/error.log" -s quit || true
  fi
  # Everything is removed next: quick shutdowns (gunicorn and Celery on
  # QUIT; a task cut short is redelivered by its late ack, were the broker
  # kept). The pids are read first: the processes remove their pid files.
  # Redis (the broker) last, so the workers can leave cleanly.
  pids=()
  for pidfile in "$dir"/run/*.pid; do
    [ -f "$pidfile" ] && [ "$pidfile" != "$dir/run/redis.pid" ] || continue
    pid="$(cat "$pidfile")"
    pids+=("$pid")
    signal=QUIT
    [ "$pidfile" = "$dir/run/beat.pid" ] && signal=TERM
    kill -s "$signal" "$pid" 2>/dev/null || true
  done
  for _ in $(seq 100); do
    alive=()
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
    [ -f "$dir/nginx/nginx.pid" ] && alive+=("$(cat "$dir/nginx/nginx.pid")")
    [ ${#alive[@]} = 0 ] && break
    sleep 0.2
  done
  # Whatever did not leave in 20 s (a worker stuck reconnecting) is killed.
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -s KILL "$pid" 2>/dev/null || true
  done
  if [ -f "$dir/run/redis.pid" ]; then
    redis="$(cat "$dir/run/redis.pid")"
    kill "$redis" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$redis" 2>/dev/null || break; sleep 0.2; done
  fi
  step "pgbouncer, PostgreSQL"
  deploy/pgbouncer.sh stop "$dir/pgbouncer" || true
  deploy/postgres.sh stop "$dir/postgres" || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
