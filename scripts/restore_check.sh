#!/usr/bin/env bash
# Does a backup restore into a working site? Restores a dump made with `pg_dump -Fc` into a
# fresh database, then, with the production settings (DEBUG off) pointed at it: checks that
# every migration of this code is applied (`manage.py migrate --check`), runs `manage.py
# check --database default`, counts a few tables, starts gunicorn (deploy/gunicorn.conf.py)
# on a free local port and asks /healthz, expecting 200 and the database "ok". Then drops
# the database, unless --keep. Exits non-zero on any failure. docs/operations.md, "Backup and
# restore", is the runbook around it.
#
#   scripts/restore_check.sh [--keep] [--migrate] [--owner ROLE] DUMP [DATABASE]
#   make restore-check DUMP=governance.dump [RESTORE_DB=name] [KEEP=1] [MIGRATE=1] [OWNER=role]
#
# DATABASE   the new database's name (default governance_restore_<date>_<time>); it must not
#            exist: this script never restores over, or drops, a database it did not create.
# --keep     keep the restored database (to look at it, or to promote it by hand).
# --migrate  apply this code's migrations first (a dump older than the code); without it
#            unapplied migrations fail the check and are listed.
# --owner    the role that owns the new database and everything restored into it (the
#            site's own role, so that a kept copy can be used as it is); default: the
#            connecting role.
# RESTORE_CHECK_SERVER  the PostgreSQL server, as a URL without a database (default
#            postgres://postgres@127.0.0.1:5432); the role must be allowed to create databases.
# VENV       the virtualenv with requirements.txt (default: .venv).
#
# Nothing goes out from the restored copy: no Redis (tasks would run in-process, none is
# started), mail to the console, texts to the console.
set -euo pipefail
cd "$(dirname "$0")/.."

keep=0
migrate=0
owner=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1; shift ;;
    --migrate) migrate=1; shift ;;
    --owner)
      [ $# -ge 2 ] || { echo "restore check: --owner needs a role" >&2; exit 2; }
      owner=$2; shift 2 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "restore check: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || {
  echo "usage: $0 [--keep] [--migrate] [--owner ROLE] DUMP [DATABASE]" >&2; exit 2; }
dump=$1
name=${2:-governance_restore_$(date +%Y%m%d_%H%M%S)}
[[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || {
  echo "restore check: '$name' is not a plain database name (a-z, 0-9, _)" >&2; exit 2; }
[ -z "$owner" ] || [[ "$owner" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || {
  echo "restore check: '$owner' is not a plain role name" >&2; exit 2; }
[ -r "$dump" ] || { echo "restore check: cannot read $dump" >&2; exit 2; }

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
SERVER="${RESTORE_CHECK_SERVER:-postgres://postgres@127.0.0.1:5432}"
SERVER="${SERVER%/}"
for tool in "$PY" "$VENV/bin/gunicorn"; do
  [ -x "$tool" ] || { echo "restore check: $tool not found (run make install)" >&2; exit 1; }
done
for tool in pg_restore psql curl; do
  command -v "$tool" >/dev/null || { echo "restore check: $tool is not installed" >&2; exit 1; }
done
pg_restore --list "$dump" >/dev/null 2>&1 || {
  echo "restore check: $dump is not a pg_dump archive (make it with pg_dump -Fc)" >&2; exit 1; }

work=$(mktemp -d -t restore-check-XXXXXX)
gunicorn_pid=""
created=0
sql() { psql "$SERVER/postgres" -X -q -v ON_ERROR_STOP=1 -tA -c "$1"; }
stop() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid"
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/gunicorn.log" ]; then
    echo "--- gunicorn log ---" >&2
    tail -n 30 "$work/gunicorn.log" >&2
  fi
  if [ "$created" = 1 ]; then
    if [ "$keep" = 1 ]; then
      echo "restore check: kept database $name ($SERVER/$name)"
    else
      sql "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" && echo "restore check: dropped $name"
    fi
  fi
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then echo "restore check: FAILED" >&2; fi
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

if [ -n "$(sql "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
  echo "restore check: database $name exists already; name a new one" >&2
  exit 1
fi
sql "CREATE DATABASE \"$name\"${owner:+ OWNER \"$owner\"}"
created=1
start=$(date +%s)
echo "restore check: restoring $dump ($(du -h "$dump" | cut -f1)) into $name"
# The dump's owner and grants belong to the server it came from; here everything belongs to
# the --owner role, or to the connecting one.
pg_restore --no-owner --no-privileges ${owner:+--role="$owner"} --exit-on-error --jobs 2 \
  -d "$SERVER/$name" "$dump"
echo "restore check: restored in $(($(date +%s) - start)) s"

# The production settings, pointed at the copy; nothing from a developer's shell or .env.
export DJANGO_SETTINGS_MODULE=governance.settings
export DEBUG=false
export SECRET_KEY="restore-check-$(date +%s)-not-a-real-secret-key-0123456789abcdef"
export SECRET_KEY_FALLBACKS=
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=
export TRUSTED_PROXIES=127.0.0.1
export DATABASE_URL="$SERVER/$name"
export REDIS_URL=
export EMAIL_URL=consolemail://
export SMS_BACKEND=meetings.sms.ConsoleBackend
export STATIC_ROOT="$work/static"
export MEDIA_ROOT="$work/media"

if [ "$migrate" = 1 ]; then
  "$PY" manage.py migrate --noinput
fi
if ! "$PY" manage.py migrate --check --noinput >/dev/null; then
  echo "restore check: the dump lacks migrations of this code:" >&2
  "$PY" manage.py showmigrations --plan | grep -F '[ ]' >&2 || true
  echo "restore check: restore it with the code it was made with, or pass --migrate" >&2
  exit 1
fi
echo "restore check: every migration applied"
"$PY" manage.py check --database default
"$PY" manage.py shell -v 0 -c '
from django.contrib.auth import get_user_model
from branches.models import Estate
from meetings.models import Appeal, Notification
counts = {
    "users": get_user_model().objects.count(),
    "estates": Estate.objects.count(),
    "appeals": Appeal.objects.count(),
    "messages": Notification.objects.count(),
}
print("restore check: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
'

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=1 "$VENV/bin/gunicorn" \
  governance.wsgi:application -c deploy/gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
code=000
for _ in $(seq 1 60); do
  code=$(curl -s -o "$work/healthz" -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
  [ "$code" != 000 ] && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "restore check: gunicorn exited" >&2; exit 1; }
  sleep 0.5
done
echo "restore check: GET /healthz: $code $(head -c 300 "$work/healthz")"
[ "$code" = 200 ] || exit 1
# {"db": "ok"}; a richer /healthz may name it "database" and give it a state of its own.
"$PY" - "$work/healthz" <<'PYTHON'
import json
import sys

health = json.load(open(sys.argv[1]))
db = health.get("db", health.get("database"))
if isinstance(db, dict):
    db = db.get("state", db.get("status"))
if db != "ok":
    sys.exit(f"restore check: /healthz does not say the database is ok: {health}")
PYTHON
echo "restore check: OK ($(($(date +%s) - start)) s)"
