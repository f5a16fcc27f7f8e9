#!/bin/sh
# Start throw-away PostgreSQL and MariaDB (own ports and folder), run db_bench for all three drivers, print a
# table, stop the servers.   bench/db/run.sh [BUILD_DIR] [SECONDS]
# Use a build without sanitizers for meaningful figures (e.g. cmake -DCMAKE_BUILD_TYPE=Release).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
secs=${2:-3}
bench="$build/bench/db_bench"
state=${GH_BENCH_STATE:-/tmp/gh-db-bench}
[ -x "$bench" ] || { echo "no $bench: build the db_bench target first" >&2; exit 1; }
export GH_TEST_PG_PORT=${GH_BENCH_PG_PORT:-26442} GH_TEST_MY_PORT=${GH_BENCH_MY_PORT:-24316}
trap 'sh "$root/tests/support/dbservers.sh" stop "$state" >/dev/null; rm -rf "$state/sqlite"' EXIT INT TERM
sh "$root/tests/support/dbservers.sh" start "$state" >/dev/null
. "$state/env"
mkdir -p "$state/sqlite"
printf '%-11s %12s %12s %10s %10s\n' driver 'insert/s' 'pk-read/s' 'ins µs' 'read µs'
"$bench" --driver sqlite --url "jdbc:sqlite:$state/sqlite/bench.db" --seconds "$secs"
"$bench" --driver postgresql --url "$GH_TEST_PG_URL" --user "$GH_TEST_DB_USER" --password "$GH_TEST_DB_PASSWORD" \
    --seconds "$secs"
"$bench" --driver mysql --url "$GH_TEST_MYSQL_URL" --user "$GH_TEST_DB_USER" --password "$GH_TEST_DB_PASSWORD" \
    --seconds "$secs"
