#!/usr/bin/env bash
# Starts or stops a throwaway Postgres 15 server for the test suite.
#   scripts/pg-test-server.sh start <dir> <port>   prints the admin connection URL
#   scripts/pg-test-server.sh stop <dir>
# initdb and pg_ctl refuse to run as root, so as root they run as the postgres user.
set -euo pipefail
cmd=$1
dir=$2
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$bin/pg_ctl" ]; then
  echo "Postgres 15 server binaries not found in $bin (apt-get install postgresql-15, or set PG_BIN)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$cmd" in
  start)
    port=$3
    rm -rf "$dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U atlas --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/data -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://atlas@127.0.0.1:$port/postgres"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop <dir> [port]" >&2; exit 2 ;;
esac
