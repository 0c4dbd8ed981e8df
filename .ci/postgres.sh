#!/usr/bin/env bash
# A scratch PostgreSQL server for the tests: `.ci/postgres.sh start DIR` initialises a
# cluster in DIR (initdb), starts it on a socket in DIR and on loopback port
# ${FLASHPLAN_PG_PORT:-the first free one from 55432}, creates the database `flashplan` and prints the variables the
# tests read (FLASHPLAN_TEST_POSTGRES, FLASHPLAN_TEST_PGDATA, FLASHPLAN_TEST_PGCTL);
# `.ci/postgres.sh stop DIR` stops it. Debian's postgresql package provides the binaries
# (/usr/lib/postgresql/*/bin); as root the server runs as the `postgres` user, which
# initdb requires.
set -euo pipefail
action=${1:?usage: postgres.sh start|stop DIR}
dir=${2:?usage: postgres.sh start|stop DIR}
# The first port from 55432 on that nobody listens on (unless FLASHPLAN_PG_PORT says),
# so that a server already running on the machine is never in the way.
free_port() {
  local candidate
  for candidate in $(seq 55432 55531); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then echo "$candidate"; return; fi
  done
  echo "postgres.sh: no free port in 55432-55531" >&2
  return 1
}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "postgres.sh: no /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
start)
  port=${FLASHPLAN_PG_PORT:-$(free_port)}
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log"
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'flashplan'" | grep -q 1 ||
    as_owner "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qc "CREATE DATABASE flashplan" >/dev/null
  echo "export FLASHPLAN_TEST_POSTGRES='postgresql://postgres@127.0.0.1:$port/flashplan?sslmode=disable'"
  echo "export FLASHPLAN_TEST_PGDATA='$dir/data'"
  echo "export FLASHPLAN_TEST_PGCTL='$bin/pg_ctl'"
  ;;
stop)
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  ;;
*) echo "usage: postgres.sh start|stop DIR" >&2; exit 2 ;;
esac
