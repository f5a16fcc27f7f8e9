#!/bin/sh
# Start the larger example layout (one key manager, two gateways, one portal node) on this machine, each node
# its own gatehouse process on its own port offset, for trying a split deployment without containers.
#
#   conf/examples/try-cluster.sh start [postgresql|mysql]   copy the example confs to $RUN_DIR and start them
#   conf/examples/try-cluster.sh stop                       stop the processes this script started
#   conf/examples/try-cluster.sh status
#
# The databases must exist (docs/deployment.md shows the commands); the first node creates the tables.
# Environment: GATEHOUSE (binary; default build/apps/gatehouse/gatehouse), RUN_DIR (default
# /tmp/gatehouse-cluster), GH_BIND (listen address, default 127.0.0.1), and to point the copies at other databases than the examples' localhost ones:
# GH_AM_DB_URL, GH_UM_DB_URL (JDBC URLs), GH_DB_USER, GH_DB_PASSWORD.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
GATEHOUSE=${GATEHOUSE:-build/apps/gatehouse/gatehouse}
RUN_DIR=${RUN_DIR:-/tmp/gatehouse-cluster}
NODES="key-manager gateway-1 gateway-2 portal"

die() { echo "try-cluster: $*" >&2; exit 1; }

# replace the text of <tag> inside the <datasource> named $2 of file $1 (the examples' layout: one value a line)
set_ds() {
    file=$1 name=$2 tag=$3 value=$4
    [ -n "$value" ] || return 0
    awk -v name="$name" -v tag="$tag" -v value="$value" '
        index($0, "<name>" name "</name>") { inds = 1 }
        inds && index($0, "<" tag ">") { sub("<" tag ">[^<]*</" tag ">", "<" tag ">" value "</" tag ">"); }
        index($0, "</datasource>") { inds = 0 }
        { print }' "$file" > "$file.tmp" && mv "$file.tmp" "$file"
}

wait_ready() {
    log=$1 pid=$2 i=0
    while [ $i -lt 600 ]; do
        grep -q "server: ready" "$log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { tail -20 "$log" >&2; die "the node of $log exited"; }
        sleep 0.1
        i=$((i + 1))
    done
    die "no 'ready' in $log after 60 s"
}

start() {
    db=${1:-postgresql}
    src="$HERE/cluster-$db"
    [ -d "$src" ] || die "no example $src"
    [ -x "$GATEHOUSE" ] || die "no binary at $GATEHOUSE (set GATEHOUSE)"
    GATEHOUSE=$(cd "$(dirname "$GATEHOUSE")" && pwd)/$(basename "$GATEHOUSE")
    for n in $NODES; do
        [ ! -f "$RUN_DIR/$n.pid" ] || ! kill -0 "$(cat "$RUN_DIR/$n.pid")" 2>/dev/null || die "$n is running (stop first)"
    done
    mkdir -p "$RUN_DIR"
    for n in $NODES; do
        conf="$RUN_DIR/$n/repository/conf"
        if [ ! -d "$conf" ]; then # keep a previous run's conf: its certificates and keys stay the same
            mkdir -p "$RUN_DIR/$n/repository"
            cp -R "$src/$n" "$conf"
        fi
        ds="$conf/datasources/master-datasources.xml"
        set_ds "$ds" WSO2AM_DB url "${GH_AM_DB_URL:-}"
        set_ds "$ds" WSO2_CARBON_DB url "${GH_UM_DB_URL:-}"
        for name in WSO2AM_DB WSO2_CARBON_DB; do
            set_ds "$ds" $name username "${GH_DB_USER:-}"
            set_ds "$ds" $name password "${GH_DB_PASSWORD:-}"
        done
    done
    for n in $NODES; do
        conf="$RUN_DIR/$n/repository/conf"
        "$GATEHOUSE" --conf "$conf" --profile "$(cat "$conf/PROFILE")" --bind "${GH_BIND:-127.0.0.1}" \
            > "$RUN_DIR/$n.log" 2>&1 &
        echo $! > "$RUN_DIR/$n.pid"
        wait_ready "$RUN_DIR/$n.log" "$(cat "$RUN_DIR/$n.pid")"
        if [ "$n" = key-manager ]; then
            # WSO2's "import the key manager's certificate into client-truststore": the other nodes trust it
            for o in $NODES; do
                [ "$o" = key-manager ] && continue
                mkdir -p "$RUN_DIR/$o/repository/conf/security"
                cp "$conf/security/gatehouse-cert.pem" "$RUN_DIR/$o/repository/conf/security/client-truststore.pem"
                # the portal node runs a key manager for its portals: the deployment's key material
                if [ "$o" = portal ] && [ ! -f "$RUN_DIR/$o/repository/conf/security/gatehouse-secret.key" ]; then
                    cp -R "$conf/security/gatehouse-secret.key" "$conf/security/oauth-keys" \
                        "$RUN_DIR/$o/repository/conf/security/"
                fi
            done
        fi
        echo "$n: pid $(cat "$RUN_DIR/$n.pid"), $(grep -o 'server: [a-z]*: https[^ ]* http[^ ]*' "$RUN_DIR/$n.log" | tr '\n' ' ')"
    done
    echo "logs in $RUN_DIR/*.log; stop with: $0 stop"
}

stop() {
    for n in portal gateway-2 gateway-1 key-manager; do
        f="$RUN_DIR/$n.pid"
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid"
            i=0
            while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
            echo "$n (pid $pid) stopped"
        fi
        rm -f "$f"
    done
}

status() {
    for n in $NODES; do
        f="$RUN_DIR/$n.pid"
        if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then echo "$n: running (pid $(cat "$f"))"; else echo "$n: stopped"; fi
    done
}

case "${1:-}" in
start) start "${2:-postgresql}" ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start [postgresql|mysql] | stop | status" >&2; exit 2 ;;
esac
