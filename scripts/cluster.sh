#!/usr/bin/env bash
# The production layout on one machine, on loopback: nginx (TLS, static files) in front of two
# gunicorn app servers, two task workers and a scheduler, PostgreSQL and Redis as shared state.
#
#   scripts/cluster.sh start     # https://127.0.0.1:8443 (self-signed) and http://127.0.0.1:8080
#   scripts/cluster.sh status
#   scripts/cluster.sh stop
#   scripts/cluster.sh revive            # start again whichever process of the layout has died
#   scripts/cluster.sh restart-postgres  # the cluster's own PostgreSQL server (fault drills)
#   scripts/cluster.sh postgres-start    # that server alone (the benchmarks' large databases)
#   scripts/cluster.sh postgres-stop
#   scripts/cluster.sh manage ARGS...    # a management command with the cluster's settings
#
# Used by the load and fault benchmarks (bench/load.py); docs/deploy.md explains the same layout
# on real servers. PostgreSQL is a server of the cluster's own (port 5433, data in
# var/cluster/postgres, run as the postgres user), so a fault drill can restart it without
# touching other databases on the machine; KENES_CLUSTER_POSTGRES_URL points at another server
# instead (restart-postgres then refuses).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=$ROOT/var/cluster
PY=$ROOT/.venv/bin/python
PG_PORT=5433
PG_DATA=$DIR/postgres
PG_OWN=${KENES_CLUSTER_POSTGRES_URL:+no}
PG_URL=${KENES_CLUSTER_POSTGRES_URL:-postgres://postgres@127.0.0.1:$PG_PORT/kenes_cluster}
REDIS_URL=${KENES_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/1}
APP_PORTS=(8101 8102)
PROCESSES=(app1 app2 worker1 worker2 scheduler)
mkdir -p "$DIR"

environment() {
  [ -f "$DIR/secret" ] || $PY -c "import secrets; print(secrets.token_urlsafe(64))" > "$DIR/secret"
  export KENES_ENV=production
  export KENES_SECRET_KEY; KENES_SECRET_KEY=$(cat "$DIR/secret")
  export KENES_ALLOWED_HOSTS=127.0.0.1,localhost
  export KENES_CSRF_TRUSTED_ORIGINS=https://127.0.0.1:8443,https://localhost:8443
  export KENES_DATABASE_URL=$PG_URL
  export KENES_CACHE_URL=$REDIS_URL
  export KENES_STATIC_ROOT=$DIR/static
  export KENES_MEDIA_ROOT=$DIR/media
  export KENES_EMAIL_BACKEND=file
  export KENES_VAR_DIR=$DIR
  export KENES_SITE_URL=https://127.0.0.1:8443
}

running() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

start_process() {  # name, command...
  local name=$1; shift
  if running "$name"; then echo "$name already running"; return; fi
  nohup "$@" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

# Memory as docs/deploy.md recommends for a database server: shared_buffers a quarter of RAM (at most
# 8 GB), effective_cache_size three quarters. The benchmarks' million-row databases live here too.
pg_options() {
  local total_mb; total_mb=$(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo)
  local shared=$((total_mb / 4)); [ "$shared" -gt 8192 ] && shared=8192
  echo "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=200" \
    "-c shared_buffers=${shared}MB -c effective_cache_size=$((total_mb * 3 / 4))MB -c maintenance_work_mem=512MB"
}

as_postgres() { runuser -u postgres -- "$@"; }

postgres_start() {
  [ "$PG_OWN" = "no" ] && return
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL is needed: apt-get install postgresql" >&2; exit 1; }
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA" && chown postgres: "$PG_DATA" && chmod 700 "$PG_DATA"
    as_postgres "$bin/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale C.UTF-8 >"$DIR/postgres-init.log"
  fi
  if ! as_postgres "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/postgres.log" -w start \
      -o "$(pg_options)" >/dev/null
  fi
}

postgres_stop() {
  [ "$PG_OWN" = "no" ] && return
  [ -f "$PG_DATA/postmaster.pid" ] && as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
}

postgres_restart() {
  [ "$PG_OWN" = "no" ] && { echo "KENES_CLUSTER_POSTGRES_URL names another server: not restarting it" >&2; exit 1; }
  as_postgres "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/postgres.log" -m fast -w restart \
    -o "$(pg_options)" >/dev/null
}

prepare() {
  $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname="postgres", autocommit=True) as c:
    if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        c.execute(f'CREATE DATABASE "{name}"')
PYEOF
  $PY manage.py migrate --noinput -v0
  $PY manage.py load_reference >/dev/null
  $PY manage.py demo --scale national >/dev/null
  $PY manage.py collectstatic --noinput -v0
  if [ ! -f "$DIR/tls.key" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$DIR/tls.key" -out "$DIR/tls.crt" 2>/dev/null
  fi
  mkdir -p "$DIR/bench-static"
  sed -e "s#@DIR@#$DIR#g" -e "s#@APP1@#${APP_PORTS[0]}#g" -e "s#@APP2@#${APP_PORTS[1]}#g" \
    "$ROOT/deploy/nginx.conf.template" >"$DIR/nginx.conf"
}

start_processes() {  # whichever of the layout's processes is not running
  for index in 0 1; do
    port=${APP_PORTS[$index]}
    start_process "app$((index + 1))" "$ROOT/.venv/bin/gunicorn" kenes.wsgi:application \
      --bind "127.0.0.1:$port" --workers 2 --threads 4 --timeout 30 --graceful-timeout 10 --keep-alive 75 \
      --access-logfile - --chdir "$ROOT/src"
  done
  start_process worker1 $PY manage.py db_worker --queue-name default --no-reload --worker-id cluster-worker-1
  start_process worker2 $PY manage.py db_worker --queue-name default --no-reload --worker-id cluster-worker-2
  start_process scheduler $PY manage.py scheduler
  for port in "${APP_PORTS[@]}"; do  # nginx would mark a server that is still booting as down
    for _ in $(seq 1 60); do
      curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      sleep 0.5
    done
  done
}

start() {
  command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 1; }
  environment
  postgres_start
  prepare
  start_processes
  running nginx || nginx -c "$DIR/nginx.conf" -p "$DIR"
  for _ in $(seq 1 30); do
    curl -fsk https://127.0.0.1:8443/healthz >/dev/null 2>&1 && break
    sleep 1
  done
  status
}

stop() {
  [ -f "$DIR/nginx.pid" ] && nginx -c "$DIR/nginx.conf" -p "$DIR" -s quit 2>/dev/null || true
  for name in "${PROCESSES[@]}"; do
    if running "$name"; then kill -TERM "$(cat "$DIR/$name.pid")"; fi
  done
  for name in "${PROCESSES[@]}"; do
    for _ in $(seq 1 20); do running "$name" || break; sleep 0.5; done
    # A worker finishes its task before it exits; after 10 s it is killed, and the task's lease
    # expires so that the next start runs it again (kenes/core/taskqueue.py).
    if running "$name"; then kill -KILL "$(cat "$DIR/$name.pid")"; fi
    rm -f "$DIR/$name.pid"
  done
  for _ in $(seq 1 20); do [ -f "$DIR/nginx.pid" ] || break; sleep 0.25; done
  postgres_stop
  echo "cluster stopped"
}

revive() {
  environment
  start_processes
  status
}

status() {
  for name in "${PROCESSES[@]}"; do
    if running "$name"; then echo "$name: running (pid $(cat "$DIR/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if curl -fsk https://127.0.0.1:8443/healthz >/dev/null 2>&1; then echo "nginx: https://127.0.0.1:8443 healthy"; else echo "nginx: not answering"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  revive) revive ;;
  restart-postgres) postgres_restart ;;
  postgres-start) postgres_start; echo "postgres://postgres@127.0.0.1:$PG_PORT" ;;
  postgres-stop) postgres_stop ;;
  manage) shift; environment; exec $PY manage.py "$@" ;;
  *) echo "usage: $0 start|stop|status|revive|restart-postgres|postgres-start|postgres-stop|manage ARGS..." >&2; exit 2 ;;
esac
