#!/usr/bin/env bash
# Serve Kenes on http://127.0.0.1:8000 with its background worker; Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${KENES_HOST:-127.0.0.1}
PORT=${KENES_PORT:-8000}

$PY manage.py db_worker --queue-name default >var/worker.log 2>&1 &
WORKER=$!
$PY manage.py scheduler >var/scheduler.log 2>&1 &
SCHEDULER=$!
trap 'kill $WORKER $SCHEDULER 2>/dev/null || true' EXIT INT TERM

echo
echo "Kenes is starting on http://$HOST:$PORT (worker pid $WORKER, scheduler pid $SCHEDULER; logs in var/)."
echo "Mail is written to var/mail/ (set KENES_EMAIL_BACKEND=smtp to send it)."
$PY manage.py demo --logins | sed -n '/Demo logins/,$p'
echo
$PY manage.py runserver "$HOST:$PORT"
