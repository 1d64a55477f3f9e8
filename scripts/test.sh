#!/usr/bin/env bash
# The whole pytest suite on SQLite, then on PostgreSQL. Under CI=true a missing PostgreSQL or a
# missing browser is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
DATABASES=${KENES_TEST_DATABASES:-sqlite postgres}
PG_URL=${KENES_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/kenes}
export KENES_ENV=test
status=0

postgres_up() {
  $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
try:
    psycopg.connect(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password,
                    dbname="postgres", connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL is not reachable at {url.hostname}:{url.port}: {error}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

for database in $DATABASES; do
  case "$database" in
    sqlite)
      echo "== pytest on SQLite"
      KENES_DATABASE_URL="sqlite:///$PWD/var/test-unused.sqlite3" $PY -m pytest -p no:cacheprovider "$@" || status=1
      ;;
    postgres)
      if ! postgres_up; then
        if [ "${CI:-}" = "true" ]; then
          echo "CI=true: PostgreSQL is required." >&2
          status=1
          continue
        fi
        echo "PostgreSQL is not running here: skipping the PostgreSQL run (it is required under CI=true)." >&2
        continue
      fi
      echo "== pytest on PostgreSQL"
      KENES_DATABASE_URL="$PG_URL" $PY -m pytest -p no:cacheprovider --create-db "$@" || status=1
      ;;
  esac
done
exit $status
