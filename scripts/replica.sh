#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL, for the read-replica tests (governance/db_router.py)
# and CI: a second cluster made with `pg_basebackup -R` from the running server into a folder
# of its own, on its own port, following the primary by streaming replication.
#
#   scripts/replica.sh start     make it if it is missing, start it, wait until it streams
#   scripts/replica.sh stop      stop it (its files stay, so the next start takes a second)
#   scripts/replica.sh status    prints streaming, running (not streaming), stopped or absent;
#                                exits 0 only when it streams
#   scripts/replica.sh destroy   stop it and delete its files
#
# PRIMARY_HOST, PRIMARY_PORT, PRIMARY_USER   the server to copy (127.0.0.1, 5432, postgres)
# REPLICA_PORT                               the replica's port (5433)
# REPLICA_DIR                                its files (/tmp/governance-replica-<port>)
#
# The primary needs wal_level replica (PostgreSQL's default) and max_wal_senders above 0:
# changing those needs a restart, which this script never does; it says so and fails. It also
# needs to accept replication connections from 127.0.0.1: when it does not, a line for them
# is added to its pg_hba.conf with the authentication its `host all all 127.0.0.1/32` line
# already has, and the configuration is reloaded. Run as root, the server runs as the
# postgres user (PostgreSQL refuses root). No replication slot: a replica stopped for long
# cannot catch up once the primary has recycled its WAL, so `start` then makes it anew.
set -euo pipefail

PRIMARY_HOST="${PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
PRIMARY_USER="${PRIMARY_USER:-postgres}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
REPLICA_DIR="${REPLICA_DIR:-/tmp/governance-replica-$REPLICA_PORT}"
STREAM_WAIT="${REPLICA_STREAM_WAIT:-60}"

say() { echo "replica: $*" >&2; }
fail() { say "$*"; exit 1; }

primary_dsn="host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER dbname=postgres"
replica_dsn="host=127.0.0.1 port=$REPLICA_PORT user=$PRIMARY_USER dbname=postgres"

# The server's own binaries: a replica must run the primary's major version.
find_bin() {
  local version major
  command -v psql >/dev/null || fail "psql is not installed"
  version=$(psql "$primary_dsn" -XtAc "SHOW server_version_num" 2>/dev/null) \
    || fail "the primary at $PRIMARY_HOST:$PRIMARY_PORT does not answer (user $PRIMARY_USER)"
  major=$((version / 10000))
  PG_BIN="/usr/lib/postgresql/$major/bin"
  if [ ! -x "$PG_BIN/pg_ctl" ]; then
    PG_BIN="$(pg_config --bindir 2>/dev/null || true)"
    [ -x "$PG_BIN/pg_ctl" ] || fail "pg_ctl of PostgreSQL $major not found (/usr/lib/postgresql/$major/bin)"
  fi
}

# PostgreSQL will not run as root: as root, run its programs as the postgres user. The lock's
# descriptor stays here: a server that inherited it would hold the lock as long as it runs.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || fail "running as root and there is no postgres user to run the server"
    runuser -u postgres -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

primary() { psql "$primary_dsn" -XtAc "$1"; }
on_replica() { psql "$replica_dsn" -XtAc "$1" 2>/dev/null; }

running() { [ -f "$REPLICA_DIR/PG_VERSION" ] && as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" status >/dev/null 2>&1; }
streaming() { [ "$(on_replica "SELECT status FROM pg_stat_wal_receiver" || true)" = streaming ]; }

check_primary() {
  local level senders
  level=$(primary "SHOW wal_level")
  senders=$(primary "SHOW max_wal_senders")
  [ "$level" = replica ] || [ "$level" = logical ] \
    || fail "the primary has wal_level=$level; streaming needs replica (set it and restart the primary)"
  [ "$senders" -gt 0 ] || fail "the primary has max_wal_senders=0 (set it above 0 and restart the primary)"
}

replication_allowed() {
  psql "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PRIMARY_USER replication=true" \
    -XtAc "IDENTIFY_SYSTEM" >/dev/null 2>&1
}

# The authentication the primary already asks of local TCP connections, for its replication line.
local_method() {
  primary "SELECT auth_method FROM pg_hba_file_rules
           WHERE type = 'host' AND 'all' = ANY(database) AND 'all' = ANY(user_name)
             AND address = '127.0.0.1' AND error IS NULL
           ORDER BY line_number LIMIT 1"
}

allow_replication() {
  replication_allowed && return 0
  local hba method
  hba=$(primary "SHOW hba_file")
  method=$(local_method)
  [ -n "$method" ] || fail "the primary refuses replication from 127.0.0.1 and has no 'host all all 127.0.0.1/32' line to copy; add a 'host replication ...' line to $hba"
  [ -w "$hba" ] || fail "the primary refuses replication from 127.0.0.1 and $hba is not writable here; add: host replication all 127.0.0.1/32 $method"
  say "adding 'host replication all 127.0.0.1/32 $method' to $hba and reloading"
  printf '\n# Added by scripts/replica.sh: the streaming replica of the tests (127.0.0.1 only).\nhost replication all 127.0.0.1/32 %s\n' "$method" >>"$hba"
  primary "SELECT pg_reload_conf()" >/dev/null
  for _ in $(seq 1 20); do replication_allowed && return 0; sleep 0.5; done
  fail "the primary still refuses replication connections after the reload (see $hba)"
}

make_replica() {
  local method setting value
  check_primary
  allow_replication
  method=$(local_method)
  rm -rf "$REPLICA_DIR"
  if [ "$(id -u)" = 0 ]; then install -d -o postgres -g postgres -m 700 "$REPLICA_DIR"; else install -d -m 700 "$REPLICA_DIR"; fi
  say "copying the primary ($PRIMARY_HOST:$PRIMARY_PORT) into $REPLICA_DIR"
  as_owner "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
    -D "$REPLICA_DIR" -R -X stream -c fast --no-password \
    || { rm -rf "$REPLICA_DIR"; fail "pg_basebackup failed"; }
  {
    echo "# Written by scripts/replica.sh: a hot standby of $PRIMARY_HOST:$PRIMARY_PORT."
    echo "port = $REPLICA_PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$REPLICA_DIR'"
    echo "hot_standby = on"
    echo "cluster_name = 'governance_replica'"
    echo "shared_buffers = 32MB"
    echo "ssl = off"
    # a standby must allow at least what the primary does, or it refuses to start
    for setting in max_connections max_worker_processes max_wal_senders \
      max_prepared_transactions max_locks_per_transaction; do
      value=$(primary "SHOW $setting")
      echo "$setting = $value"
    done
  } | as_owner tee "$REPLICA_DIR/postgresql.conf" >/dev/null
  printf 'local all all %s\nhost all all 127.0.0.1/32 %s\n' \
    "$( [ "$method" = trust ] && echo trust || echo peer )" "$method" \
    | as_owner tee "$REPLICA_DIR/pg_hba.conf" >/dev/null
  as_owner touch "$REPLICA_DIR/pg_ident.conf"
}

start_server() {
  as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -l "$REPLICA_DIR/server.log" -w -t 60 start </dev/null >/dev/null 2>&1 \
    || { tail -n 20 "$REPLICA_DIR/server.log" >&2 || true; return 1; }
}

wait_streaming() {
  for _ in $(seq 1 "$((STREAM_WAIT * 2))"); do
    streaming && return 0
    sleep 0.5
  done
  return 1
}

stop_server() {
  if running; then as_owner "$PG_BIN/pg_ctl" -D "$REPLICA_DIR" -m fast -w -t 60 stop >/dev/null; fi
}

start() {
  if running && streaming; then say "streaming on port $REPLICA_PORT"; return 0; fi
  if [ ! -f "$REPLICA_DIR/standby.signal" ]; then make_replica; fi
  if ! running; then start_server || { say "it did not start: making it anew"; stop_server; make_replica; start_server || fail "it did not start (see $REPLICA_DIR/server.log)"; }; fi
  if ! wait_streaming; then
    # e.g. stopped so long that the primary recycled the WAL it needs
    say "not streaming after ${STREAM_WAIT}s: making it anew"
    stop_server
    make_replica
    start_server || fail "it did not start (see $REPLICA_DIR/server.log)"
    wait_streaming || fail "it does not stream from the primary (see $REPLICA_DIR/server.log)"
  fi
  say "streaming on port $REPLICA_PORT ($REPLICA_DIR)"
}

status() {
  if [ ! -f "$REPLICA_DIR/PG_VERSION" ]; then echo absent; return 3; fi
  if ! running; then echo stopped; return 3; fi
  if streaming; then echo streaming; return 0; fi
  echo "running (not streaming)"
  return 1
}

command="${1:-}"
case "$command" in
  start | stop | status | destroy) ;;
  *) echo "usage: $0 start|stop|status|destroy" >&2; exit 2 ;;
esac
find_bin
exec 9>"$REPLICA_DIR.lock"
flock 9
case "$command" in
  start) start ;;
  stop) stop_server; say "stopped" ;;
  status) status ;;
  destroy) stop_server; rm -rf "$REPLICA_DIR"; say "deleted $REPLICA_DIR" ;;
esac
