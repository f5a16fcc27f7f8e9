#!/bin/sh
# Start throw-away databases, run every test under ctest, stop the databases even when tests fail.
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
state="$(cd "$build" && pwd)/test-dbs"
here=$(cd "$(dirname "$0")" && pwd)
trap 'sh "$here/dbservers.sh" stop "$state"' EXIT INT TERM
sh "$here/dbservers.sh" start "$state" || exit 1
# npm's openid-client and jose for the key manager's black-box test (versions pinned by package-lock.json)
npm ci --prefix "$here/../e2e/node" --no-audit --no-fund --loglevel=error || exit 1
export GH_TEST_REQUIRE_NODE=1
. "$state/env"
# Under `make test` a missing database is a failure, not a skip.
export GH_TEST_REQUIRE_DBS=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$here/../sanitizers/lsan.supp
ctest --test-dir "$build" --output-on-failure -j 2 --timeout 600
