# Source this file, then call `pg_start` and `pg_stop` (put pg_stop in an EXIT trap).
# A private PostgreSQL 15 cluster on a unix socket in a temp dir: no TCP, no password, gone after.
# initdb refuses to run as root, so as root the cluster runs as the `postgres` system user.

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

_pg_as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL 15 server binaries not found in $PG_BIN" >&2; return 1; }
  PG_TMP="$(mktemp -d /tmp/portal-pg.XXXXXX)"
  [ "$(id -u)" = "0" ] && chown postgres:postgres "$PG_TMP"
  _pg_as_owner "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; return 1; }
  _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w start \
    -o "-c listen_addresses='' -k $PG_TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
    || { cat "$PG_TMP/server.log" >&2; return 1; }
  for name in "$@"; do
    _pg_as_owner "$PG_BIN/createdb" -h "$PG_TMP" -U postgres "$name"
  done
  export PG_TMP
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on socket dir $PG_TMP"
}

pg_url() {
  echo "postgresql+psycopg://postgres@/$1?host=$PG_TMP"
}

pg_stop() {
  if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
    _pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
  fi
}
