#!/bin/sh
# The HTTP runtime's own cost: GET /health on the gateway port (answered from memory on the event loop) side by
# side with nginx returning the same body, in one run, same client (wrk -t1 -c50), same machine. Prints req/s
# and the ratio. Needs wrk and nginx (Debian: wrk nginx-light).   bench/runtime/run.sh [BUILD_DIR] [SECONDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
secs=${2:-5}
bin="$build/apps/gatehouse/gatehouse"
work=$(mktemp -d /tmp/gh-bench-runtime.XXXXXX)
off=${GH_BENCH_OFFSET:-700}
nginx_port=${GH_BENCH_NGINX_PORT:-18980}
[ -x "$bin" ] || { echo "no $bin: build first (make)" >&2; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx" >&2; exit 1; }
cleanup() {
    [ -n "${gh_pid:-}" ] && kill "$gh_pid" 2>/dev/null && wait "$gh_pid" 2>/dev/null
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$work/repository"
cp -r "$root/conf" "$work/repository/conf"
rm -rf "$work/repository/conf/security"
sed -i "s#<Offset>[0-9]*</Offset>#<Offset>$off</Offset>#" "$work/repository/conf/carbon.xml"
"$bin" --conf "$work/repository/conf" --profile gateway --workers 2 --bind 127.0.0.1 --log-level warn \
    2>"$work/gatehouse.log" &
gh_pid=$!
gw=$((8280 + off))
i=0
until curl -s -o /dev/null "http://127.0.0.1:$gw/health"; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$work/gatehouse.log"; exit 1; }; sleep 0.1
done
body=$(curl -s "http://127.0.0.1:$gw/health")
cat >"$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
    server { listen 127.0.0.1:$nginx_port; location / { default_type application/json; return 200 '$body'; } }
}
NGX
nginx -c "$work/nginx.conf"
sleep 0.5
run() { wrk -t1 -c50 -d"${secs}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
g=$(run "http://127.0.0.1:$gw/health")
n=$(run "http://127.0.0.1:$nginx_port/")
g2=$(run "http://127.0.0.1:$gw/health")
n2=$(run "http://127.0.0.1:$nginx_port/")
printf '%-28s %12s %12s\n' "" "round 1" "round 2"
printf '%-28s %12s %12s\n' "gatehouse GET /health" "$g" "$g2"
printf '%-28s %12s %12s\n' "nginx return 200 (same body)" "$n" "$n2"
awk -v a="$g" -v b="$n" -v c="$g2" -v d="$n2" 'BEGIN { printf "ratio gatehouse/nginx: %.2f (mean of both rounds)\n", (a/b + c/d) / 2 }'
