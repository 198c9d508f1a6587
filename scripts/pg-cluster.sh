#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# pg-cluster.sh — a private PostgreSQL 15 cluster for the tests of the
# PostgreSQL engine (src/store/pg/), under a folder of the build.
#
#   pg-cluster.sh start DIR [--replica]   start it (idempotent); prints the
#                                         DSN, also written to DIR/dsn; with
#                                         --replica a streaming replica on
#                                         another port too (DIR/replica-dsn)
#   pg-cluster.sh stop DIR [--wipe]       stop it (and the replica); --wipe
#                                         removes its data as well
#   pg-cluster.sh status DIR              exit 0 when it answers
#   pg-cluster.sh newdb DIR [PREFIX]      creates a fresh database with a
#                                         unique name; prints its DSN
#
# The server listens on 127.0.0.1 only, on a free port, with trust
# authentication from 127.0.0.1 and no Unix socket; fsync is off (a test
# cluster: a crash of the machine may lose it, a crash or restart of the
# server loses nothing committed). initdb and pg_ctl refuse to run as root:
# as root they run as the `postgres` user (runuser) on a folder it owns.
# Any failure exits non-zero with the reason and the server's log: tests
# that need the cluster fail, they do not skip.
set -euo pipefail

PGBIN=${CXM_PGBIN:-/usr/lib/postgresql/15/bin}

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

usage() {
  echo "usage: pg-cluster.sh start|stop|status|newdb DIR [--replica|--wipe|PREFIX]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
primary=$dir/primary
replica=$dir/replica

# as_pg CMD…: runs CMD as the owner of the cluster (postgres when root).
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || die "no postgres user: install postgresql-15 (scripts/install-deps.sh)"
  as_pg() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

[ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found: install postgresql-15 (scripts/install-deps.sh)"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_of() { # the port a data directory is set to listen on
  sed -n 's/^port = \([0-9]*\).*/\1/p' "$1/cxmeter.conf" 2>/dev/null | tail -n1
}

is_up() { # DATADIR
  [ -f "$1/PG_VERSION" ] && as_pg "$PGBIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

answers() { # PORT
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U postgres -d postgres
}

# Writes the settings of a data directory: its port and what a test
# cluster needs (included from postgresql.conf).
configure() { # DATADIR PORT
  as_pg tee "$1/cxmeter.conf" >/dev/null <<EOF
# written by scripts/pg-cluster.sh
listen_addresses = '127.0.0.1'
port = $2
unix_socket_directories = ''
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 200
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 5
hot_standby = on
logging_collector = off
EOF
  grep -q "^include_if_exists = 'cxmeter.conf'" "$1/postgresql.conf" ||
    echo "include_if_exists = 'cxmeter.conf'" | as_pg tee -a "$1/postgresql.conf" >/dev/null
}

# Starts the server of a data directory on its port, or on a new free port
# when its own is taken; waits until it answers.
start_dir() { # DATADIR LOG
  local d=$1 log=$2 port
  port=$(port_of "$d")
  if is_up "$d"; then
    answers "$port" || die "the server of $d runs but does not answer on 127.0.0.1:$port"
    return 0
  fi
  if [ -z "$port" ] || ! python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null; then
    port=$(free_port)
    configure "$d" "$port"
  fi
  if ! as_pg "$PGBIN/pg_ctl" -D "$d" -l "$log" -w -t 60 start >/dev/null; then
    cat "$log" >&2 || true
    die "cannot start the server of $d"
  fi
  answers "$port" || {
    cat "$log" >&2 || true
    die "the server of $d does not answer on 127.0.0.1:$port"
  }
}

start_primary() {
  if [ ! -f "$primary/PG_VERSION" ]; then
    rm -rf "$primary"
    mkdir -p "$dir/log" "$primary"
    chown "$owner" "$dir/log" "$primary"
    chmod 700 "$primary"
    as_pg "$PGBIN/initdb" -D "$primary" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/log/initdb.log" 2>&1 || {
      cat "$dir/log/initdb.log" >&2
      die "initdb failed"
    }
    as_pg tee "$primary/pg_hba.conf" >/dev/null <<EOF
# written by scripts/pg-cluster.sh: trust from 127.0.0.1 only
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
EOF
    configure "$primary" "$(free_port)"
  fi
  mkdir -p "$dir/log"
  chown "$owner" "$dir/log"
  start_dir "$primary" "$dir/log/primary.log"
  echo "postgresql://postgres@127.0.0.1:$(port_of "$primary")/postgres" >"$dir/dsn"
}

start_replica() {
  local pport
  pport=$(port_of "$primary")
  if [ ! -f "$replica/PG_VERSION" ]; then
    rm -rf "$replica"
    mkdir -p "$replica"
    chown "$owner" "$replica"
    chmod 700 "$replica"
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres \
      -D "$replica" -R -X stream -c fast >"$dir/log/basebackup.log" 2>&1 || {
      cat "$dir/log/basebackup.log" >&2
      die "pg_basebackup failed"
    }
    configure "$replica" "$(free_port)"
  fi
  # The primary may have moved to another port since the copy was taken.
  as_pg sed -i "s/port=[0-9]*/port=$pport/" "$replica/postgresql.auto.conf"
  start_dir "$replica" "$dir/log/replica.log"
  echo "postgresql://postgres@127.0.0.1:$(port_of "$replica")/postgres" >"$dir/replica-dsn"
}

case $cmd in
start)
  want_replica=false
  for a in "$@"; do
    case $a in
    --replica) want_replica=true ;;
    *) usage ;;
    esac
  done
  start_primary
  $want_replica && start_replica
  cat "$dir/dsn"
  ;;
stop)
  wipe=false
  for a in "$@"; do
    case $a in
    --wipe) wipe=true ;;
    *) usage ;;
    esac
  done
  for d in "$replica" "$primary"; do
    if is_up "$d"; then
      as_pg "$PGBIN/pg_ctl" -D "$d" -m fast -w stop >/dev/null
    fi
  done
  if $wipe; then
    rm -rf "$replica" "$primary" "$dir/dsn" "$dir/replica-dsn" "$dir/log"
  fi
  ;;
status)
  [ $# -eq 0 ] || usage
  is_up "$primary" && answers "$(port_of "$primary")" || {
    echo "pg-cluster: not running" >&2
    exit 1
  }
  cat "$dir/dsn"
  if is_up "$replica"; then cat "$dir/replica-dsn"; fi
  ;;
newdb)
  [ $# -le 1 ] || usage
  prefix=${1:-cxm}
  [[ $prefix =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database prefix: $prefix"
  [ -f "$dir/dsn" ] && is_up "$primary" || die "the cluster under $dir is not running (pg-cluster.sh start $dir)"
  port=$(port_of "$primary")
  name=${prefix}_$$_${RANDOM}${RANDOM}
  name=${name:0:63}
  "$PGBIN/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
    -d postgres -c "CREATE DATABASE $name" >/dev/null ||
    die "cannot create database $name"
  echo "postgresql://postgres@127.0.0.1:$port/$name"
  ;;
*) usage ;;
esac
