#!/usr/bin/env bash
# The production layout on one machine, on loopback: nginx (TLS, static files) in front of two
# gunicorn app servers, two task workers and a scheduler, PostgreSQL and Redis as shared state.
#
#   scripts/cluster.sh start     # https://127.0.0.1:8443 (self-signed) and http://127.0.0.1:8080
#   scripts/cluster.sh status
#   scripts/cluster.sh stop
#
# Used by the load and fault benchmarks; docs/deploy.md explains the same layout on real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR=$ROOT/var/cluster
PY=$ROOT/.venv/bin/python
PG_URL=${KENES_CLUSTER_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/kenes_cluster}
REDIS_URL=${KENES_CLUSTER_REDIS_URL:-redis://127.0.0.1:6379/1}
APP_PORTS=(8101 8102)
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
  sed -e "s#@DIR@#$DIR#g" -e "s#@APP1@#${APP_PORTS[0]}#g" -e "s#@APP2@#${APP_PORTS[1]}#g" \
    "$ROOT/deploy/nginx.conf.template" >"$DIR/nginx.conf"
}

start() {
  command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx-light" >&2; exit 1; }
  environment
  prepare
  for index in 0 1; do
    port=${APP_PORTS[$index]}
    start_process "app$((index + 1))" "$ROOT/.venv/bin/gunicorn" kenes.wsgi:application \
      --bind "127.0.0.1:$port" --workers 2 --threads 4 --timeout 30 --graceful-timeout 10 \
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
  nginx -c "$DIR/nginx.conf" -p "$DIR"
  for _ in $(seq 1 30); do
    curl -fsk https://127.0.0.1:8443/healthz >/dev/null 2>&1 && break
    sleep 1
  done
  status
}

stop() {
  [ -f "$DIR/nginx.pid" ] && nginx -c "$DIR/nginx.conf" -p "$DIR" -s quit 2>/dev/null || true
  for name in scheduler worker1 worker2 app1 app2; do
    if running "$name"; then kill -TERM "$(cat "$DIR/$name.pid")"; fi
  done
  for name in scheduler worker1 worker2 app1 app2; do
    for _ in $(seq 1 20); do running "$name" || break; sleep 0.5; done
    rm -f "$DIR/$name.pid"
  done
  echo "cluster stopped"
}

status() {
  for name in app1 app2 worker1 worker2 scheduler; do
    if running "$name"; then echo "$name: running (pid $(cat "$DIR/$name.pid"))"; else echo "$name: stopped"; fi
  done
  if curl -fsk https://127.0.0.1:8443/healthz >/dev/null 2>&1; then echo "nginx: https://127.0.0.1:8443 healthy"; else echo "nginx: not answering"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
