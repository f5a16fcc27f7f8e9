#!/bin/sh
# Throw-away PostgreSQL and MariaDB servers for the test suite, on their own ports and data folders.
#   tests/support/dbservers.sh start STATE_DIR   -> prints `export GH_TEST_PG_URL=...` lines to STATE_DIR/env
#   tests/support/dbservers.sh stop  STATE_DIR
#   tests/support/dbservers.sh down|up STATE_DIR postgresql|mysql
#       stop one server / start it again on the same data folder, socket, port and options (outage tests; the
#       ports come from GH_TEST_PG_PORT / GH_TEST_MY_PORT as for start)
# Ports default to 25432 (PostgreSQL) and 23306 (MariaDB); override with GH_TEST_PG_PORT / GH_TEST_MY_PORT.
set -eu
cmd=${1:?usage: dbservers.sh start|stop STATE_DIR}
state=${2:?usage: dbservers.sh start|stop STATE_DIR}
pg_port=${GH_TEST_PG_PORT:-25432}
my_port=${GH_TEST_MY_PORT:-23306}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# The servers' command lines, in one place: start uses them after initialising, up to restart after down.
pg_up() {
    as_pg "$pg_bin/pg_ctl" -D "$state/pg" -l "$state/pg/server.log" -w \
        -o "-p $pg_port -k $state/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200" \
        start >/dev/null
}

pg_down() {
    as_pg "$pg_bin/pg_ctl" -D "$state/pg" -m fast -w stop >/dev/null
}

my_up() {
    setsid mariadbd --no-defaults --datadir="$state/my" $( [ "$(id -u)" = 0 ] && echo --user=mysql) \
        --socket="$state/mysock/mysqld.sock" --port="$my_port" --bind-address=127.0.0.1 --skip-name-resolve \
        --pid-file="$state/mysock/mysqld.pid" --innodb-flush-log-at-trx-commit=0 --max-connections=300 \
        --log-error="$state/my/error.log" </dev/null >/dev/null 2>&1 &
    i=0
    until mariadb-admin --no-defaults --socket="$state/mysock/mysqld.sock" ping >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 150 ] || { echo "mariadb did not start; see $state/my/error.log" >&2; exit 1; }
        sleep 0.2
    done
}

# a clean shutdown, waited for: the next my_up must not find the old server on the data folder
my_down() {
    pid=$(cat "$state/mysock/mysqld.pid")
    mariadb-admin --no-defaults --socket="$state/mysock/mysqld.sock" shutdown >/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 300 ] || { echo "mariadb $pid did not stop" >&2; exit 1; }
        sleep 0.1
    done
}

start() {
    mkdir -p "$state"
    state=$(cd "$state" && pwd)
    rm -rf "$state/pg" "$state/my" "$state/pgsock" "$state/mysock"
    mkdir -p "$state/pg" "$state/pgsock" "$state/my" "$state/mysock"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$state/pg" "$state/pgsock"
        chown mysql:mysql "$state/my" "$state/mysock"
        chmod 755 "$state"
    fi
    # PostgreSQL: the application role owns its database (PostgreSQL 15 no longer lets PUBLIC create in public).
    as_pg "$pg_bin/initdb" -D "$state/pg" -U postgres -A trust >"$state/pg-initdb.log" 2>&1
    pg_up
    as_pg psql -h 127.0.0.1 -p "$pg_port" -U postgres -q -c "CREATE ROLE gatehouse LOGIN CREATEDB PASSWORD 'gatehouse'" \
        -c "CREATE DATABASE gatehouse OWNER gatehouse" -c "CREATE DATABASE gatehouse2 OWNER gatehouse" >/dev/null
    # MariaDB: --no-defaults must come first or /etc/mysql settings leak in.
    mariadb-install-db --no-defaults --datadir="$state/my" ${MY_USER_OPT:-$( [ "$(id -u)" = 0 ] && echo --user=mysql)} \
        --auth-root-authentication-method=socket >"$state/my-install.log" 2>&1
    my_up
    mariadb --no-defaults --socket="$state/mysock/mysqld.sock" -e "
        CREATE DATABASE gatehouse CHARACTER SET utf8mb4; CREATE DATABASE gatehouse2 CHARACTER SET utf8mb4;
        CREATE USER 'gatehouse'@'localhost' IDENTIFIED BY 'gatehouse';
        CREATE USER 'gatehouse'@'127.0.0.1' IDENTIFIED BY 'gatehouse';
        GRANT ALL ON *.* TO 'gatehouse'@'localhost'; GRANT ALL ON *.* TO 'gatehouse'@'127.0.0.1';"
    cat >"$state/env" <<ENV
export GH_TEST_PG_URL='jdbc:postgresql://127.0.0.1:$pg_port/gatehouse'
export GH_TEST_PG_URL2='jdbc:postgresql://127.0.0.1:$pg_port/gatehouse2'
export GH_TEST_MYSQL_URL='jdbc:mysql://127.0.0.1:$my_port/gatehouse'
export GH_TEST_MYSQL_URL2='jdbc:mysql://127.0.0.1:$my_port/gatehouse2'
export GH_TEST_DB_USER=gatehouse
export GH_TEST_DB_PASSWORD=gatehouse
export GH_TEST_DB_STATE='$state'
export GH_TEST_PG_CTL='$pg_bin/pg_ctl'
export GH_TEST_MY_SOCKET='$state/mysock/mysqld.sock'
ENV
    echo "test databases up: PostgreSQL on $pg_port, MariaDB on $my_port ($state)"
}

stop() {
    [ -d "$state" ] || return 0
    state=$(cd "$state" && pwd)
    if [ -f "$state/pg/postmaster.pid" ]; then
        as_pg "$pg_bin/pg_ctl" -D "$state/pg" -m immediate stop >/dev/null 2>&1 || true
    fi
    if [ -S "$state/mysock/mysqld.sock" ]; then
        mariadb-admin --no-defaults --socket="$state/mysock/mysqld.sock" shutdown >/dev/null 2>&1 || true
    fi
    if [ -f "$state/mysock/mysqld.pid" ]; then
        kill "$(cat "$state/mysock/mysqld.pid")" 2>/dev/null || true
    fi
    echo "test databases stopped"
}

one() {
    state=$(cd "$state" && pwd)
    case "$cmd:${3:-}" in
    down:postgresql) pg_down ;;
    up:postgresql) pg_up ;;
    down:mysql) my_down ;;
    up:mysql) my_up ;;
    *) echo "usage: dbservers.sh down|up STATE_DIR postgresql|mysql" >&2; exit 2 ;;
    esac
}

case "$cmd" in
start) start ;;
stop) stop ;;
down | up) one "$@" ;;
*) echo "usage: dbservers.sh start|stop|down|up STATE_DIR [postgresql|mysql]" >&2; exit 2 ;;
esac
