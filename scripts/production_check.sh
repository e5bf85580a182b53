#!/usr/bin/env bash
# The README's production steps, for real: with DEBUG off, a SECRET_KEY, ALLOWED_HOSTS, a
# PostgreSQL database of its own (created if missing) and a temporary STATIC_ROOT, run
# `migrate` and `collectstatic --noinput`, start the Procfile's web process (gunicorn with
# deploy/gunicorn.conf.py) on a free local port, and check over HTTP, as the TLS proxy in
# front of it would ask (from 127.0.0.1, in TRUSTED_PROXIES, with X-Forwarded-Proto: https),
# that the pages and a hashed static file answer 200 with their security headers
# (Content-Security-Policy, HSTS, Permissions-Policy); that /healthz answers 200 over plain
# HTTP, as a load balancer asks; that plain HTTP is otherwise redirected to HTTPS, and a
# forged X-Forwarded-Proto from an untrusted address is not believed; and that the request
# log has a line per request with its duration and without the query string. Stops gunicorn
# whatever happens; exits non-zero on any failure.
#
#   make production-check            # or: scripts/production_check.sh
#
# PRODUCTION_CHECK_DATABASE_URL  the database to use (default: governance_production_check
#                                on the local PostgreSQL); its migrations are applied.
# REDIS_URL                      used when set, as in production; unset: eager tasks.
# VENV                           the virtualenv with requirements.txt (default: .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
DATABASE_URL="${PRODUCTION_CHECK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/governance_production_check}"
for tool in "$PY" "$VENV/bin/gunicorn"; do
  [ -x "$tool" ] || { echo "production check: $tool not found (run make install)" >&2; exit 1; }
done
command -v curl >/dev/null || { echo "production check: curl is not installed" >&2; exit 1; }

work=$(mktemp -d -t production-check-XXXXXX)
gunicorn_pid=""
stop() {
  status=$?
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill "$gunicorn_pid"
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -s "$work/gunicorn.log" ]; then
    echo "--- gunicorn log ---" >&2
    tail -n 50 "$work/gunicorn.log" >&2
  fi
  rm -rf "$work"
  if [ "$status" -ne 0 ]; then echo "production check: FAILED" >&2; fi
  exit "$status"
}
trap stop EXIT
trap 'exit 130' INT TERM

# Exactly what the README asks a deployer to set; nothing from a developer's shell or .env
# (the real environment wins over .env, so every variable .env might set is given here).
export DJANGO_SETTINGS_MODULE=governance.settings
export DEBUG=false
export SECRET_KEY="production-check-$(date +%s)-not-a-real-secret-key-0123456789abcdef"
export ALLOWED_HOSTS=127.0.0.1,localhost
export CSRF_TRUSTED_ORIGINS=
export DATABASE_URL
export REDIS_URL="${REDIS_URL:-}"
export STATIC_ROOT="$work/static"
export MEDIA_ROOT="$work/media"
export SECURE_COOKIES=true
# gunicorn is reached only through the proxy on this machine (README: --bind 127.0.0.1).
export TRUSTED_PROXIES=127.0.0.1
# The production defaults: redirect to HTTPS, HSTS for a year (nothing from a shell or .env).
export SECURE_SSL_REDIRECT=true
export SECURE_HSTS_SECONDS=31536000
export SECURE_HSTS_INCLUDE_SUBDOMAINS=true
export SECURE_HSTS_PRELOAD=false
export EMAIL_URL=consolemail://
export SMS_BACKEND=meetings.sms.ConsoleBackend
# Production's log lines: JSON (the default with DEBUG off), whatever a .env says.
export LOG_FORMAT=

echo "production check: database $DATABASE_URL"
"$PY" - <<'PYTHON'
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"production check: created database {name}")
PYTHON

"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
[ -s "$STATIC_ROOT/staticfiles.json" ] || { echo "production check: no staticfiles.json" >&2; exit 1; }
echo "production check: collectstatic wrote $(find "$STATIC_ROOT" -type f | wc -l) files and staticfiles.json"

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The Procfile's web line as it stands (gunicorn with deploy/gunicorn.conf.py), from the
# virtualenv, on the free port; two workers on CI's two cores.
read -ra web <<<"$(sed -n 's/^web: *//p' Procfile)"
[ "${web[0]:-}" = gunicorn ] || { echo "production check: the Procfile's web line is not gunicorn" >&2; exit 1; }
echo "production check: starting the Procfile's web: ${web[*]}"
GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS=2 "$VENV/bin/${web[0]}" "${web[@]:1}" \
  >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 60); do
  curl -s -o /dev/null "$base/healthz" && break
  kill -0 "$gunicorn_pid" 2>/dev/null || { echo "production check: gunicorn exited" >&2; exit 1; }
  sleep 0.5
done
echo "production check: gunicorn (pid $gunicorn_pid) on $base"

failed=0
# get PATH [curl options...]: the status code; the body in $work/body, headers in $work/headers
get() {
  local path=$1
  shift
  curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@" "$base$path" || true
}
header() {  # header NAME: its value in the last answer (empty when missing)
  grep -i "^$1:" "$work/headers" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//' || true
}
expect_header() {  # expect_header NAME PATTERN: the last answer carries it, matching PATTERN
  local value
  value=$(header "$1")
  if [ -z "$value" ] || ! grep -qE -- "$2" <<<"$value"; then
    echo "    missing or wrong $1: '$value' (expected /$2/)" >&2
    failed=1
  fi
}
check() {  # check PATH: GET it through the proxy (HTTPS) and expect 200 and the headers
  local code
  code=$(get "$1" -H "X-Forwarded-Proto: https")
  echo "  $code  GET $1 (through the proxy, https)"
  [ "$code" = 200 ] || failed=1
  expect_header Strict-Transport-Security "max-age=31536000"
}
check_page() {  # check_page PATH: check, and the page's own security headers
  check "$1"
  expect_header Content-Security-Policy "default-src 'self'"
  expect_header Content-Security-Policy "script-src 'self'(;|$)"
  expect_header Content-Security-Policy "frame-ancestors 'none'"
  expect_header Permissions-Policy "camera=\(\)"
}

check_page /
home=$(cat "$work/body")
check_page /appeals/new/
check_page /admin/login/
check /healthz

# A load balancer asks over plain HTTP, with no proxy header: /healthz answers all the same.
code=$(get /healthz)
echo "  $code  GET /healthz (plain HTTP)"
[ "$code" = 200 ] || failed=1
grep -q '"db": *"ok"' "$work/body" || { echo "  /healthz did not say the database is ok" >&2; failed=1; }
# Any other page over plain HTTP is sent to HTTPS.
code=$(get /appeals/new/)
echo "  $code  GET /appeals/new/ (plain HTTP): $(header Location)"
[ "$code" = 301 ] && header Location | grep -q '^https://' || failed=1
# X-Forwarded-Proto is believed from TRUSTED_PROXIES only: sent from another address (this
# machine's own other one, when it has one) it is dropped, and the page redirects.
other=$(hostname -I 2>/dev/null | awk '{print $1}' || true)
if [ -n "$other" ] && [ "$other" != 127.0.0.1 ]; then
  code=$(get /appeals/new/ --interface "$other" -H "X-Forwarded-Proto: https")
  echo "  $code  GET /appeals/new/ from $other with a forged X-Forwarded-Proto"
  [ "$code" = 301 ] || failed=1
fi

bootstrap=$(grep -oE '/static/vendor/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css' <<<"$home" | head -n1 || true)
if [ -z "$bootstrap" ]; then
  echo "  the home page names no hashed Bootstrap CSS" >&2
  failed=1
else
  check "$bootstrap"
fi

# The site's JSON line per request (LOG_FORMAT defaults to json with DEBUG off; gunicorn's
# access log is then off): its route, status and duration, never the path's query string.
get "/appeals/new/?q=13900000000" -H "X-Forwarded-Proto: https" >/dev/null
request_line='"logger": "governance.requests".*"route": "appeals/new/".*"status": 200.*"duration_ms": [0-9.]+'
for _ in $(seq 1 20); do
  grep -qE "$request_line" "$work/gunicorn.log" && break
  sleep 0.25
done
if ! grep -qE "$request_line" "$work/gunicorn.log"; then
  echo "  no JSON request line with its route and duration for GET /appeals/new/" >&2
  failed=1
elif grep -q 13900000000 "$work/gunicorn.log"; then
  echo "  the logs hold a query string" >&2
  failed=1
elif grep -qE '"GET /appeals/new/' "$work/gunicorn.log"; then
  echo "  gunicorn's access log is on beside the JSON request lines" >&2
  failed=1
else
  echo "  request log: $(grep -m1 -E "$request_line" "$work/gunicorn.log")"
fi

if [ "$failed" -ne 0 ]; then exit 1; fi
echo "production check: OK"
