#!/bin/sh
# The gateway against nginx, run by hand (not in make test). A fast static backend (nginx `return 200`), then:
# wrk straight at it, through nginx `proxy_pass` (keep-alive upstream), and through the gateway with a cached
# token and every check and the backend JWT on; plain HTTP/1.1 and HTTPS. Then p50/p99 at about half of the
# gateway's peak rate (wrk with a per-connection delay), and cached-traffic throughput while a burst of 1,000
# unknown tokens is validated.   bench/gateway/run.sh [BUILD_DIR] [SECONDS]
# Needs wrk, nginx (Debian nginx-light), sqlite3, /usr/bin/python3 with requests.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
secs=${2:-10}
bin="$build/apps/gatehouse/gatehouse"
work=$(mktemp -d /tmp/gh-bench-gw.XXXXXX)
off=${GH_BENCH_OFFSET:-710}
be=${GH_BENCH_BACKEND_PORT:-18981}
px=${GH_BENCH_PROXY_PORT:-18982}
pxs=${GH_BENCH_PROXY_TLS_PORT:-18983}
conns=${GH_BENCH_CONNS:-50}
[ -x "$bin" ] || { echo "no $bin: build first (make)" >&2; exit 1; }
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx" >&2; exit 1; }
cleanup() {
    set +e # every step runs, whatever the one before returned
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
    [ -n "${gh_pid:-}" ] && kill "$gh_pid" 2>/dev/null && wait "$gh_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
mkdir -p "$work/repository"
cp -r "$root/conf" "$work/repository/conf"
rm -rf "$work/repository/conf/security"
c="$work/repository/conf"
sed -i "s#<Offset>[0-9]*</Offset>#<Offset>$off</Offset>#" "$c/carbon.xml"
sed -i "s#<EnableJWTGeneration>false#<EnableJWTGeneration>true#" "$c/api-manager.xml"
sed -i "s#<!--ClaimsRetrieverImplClass>\(.*\)</ClaimsRetrieverImplClass-->#<ClaimsRetrieverImplClass>\1</ClaimsRetrieverImplClass>#" "$c/api-manager.xml"
"$bin" --conf "$c" --profile all --workers 2 --bind 127.0.0.1 --log-level warn 2>"$work/gatehouse.log" &
gh_pid=$!
gw=$((8280 + off)); gws=$((8243 + off))
i=0
until curl -s -o /dev/null "http://127.0.0.1:$gw/health"; do
    i=$((i + 1)); [ $i -lt 300 ] || { cat "$work/gatehouse.log"; exit 1; }; sleep 0.1
done
cat >"$work/nginx.conf" <<NGX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
    upstream be { server 127.0.0.1:$be; keepalive 64; }
    server { listen 127.0.0.1:$be; location / { default_type application/json; return 200 '{"ok":true}'; } }
    server {
        listen 127.0.0.1:$px; listen 127.0.0.1:$pxs ssl;
        ssl_certificate $c/security/gatehouse-cert.pem; ssl_certificate_key $c/security/gatehouse-key.pem;
        location / { proxy_pass http://be; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
NGX
nginx -c "$work/nginx.conf"
sleep 0.5
tok=$(/usr/bin/python3 "$here/setup.py" "$work" "$off" "http://localhost:$be/")
auth="Authorization: Bearer $tok"
rps() { wrk -t1 -c"$conns" -d"${secs}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
echo "== peak throughput (wrk -t1 -c$conns, ${secs}s each)"
d=$(rps "http://127.0.0.1:$be/bench/v1/x")
n=$(rps "http://127.0.0.1:$px/bench/v1/x")
g=$(rps -H "$auth" "http://127.0.0.1:$gw/bench/v1/x")
ns=$(rps "https://127.0.0.1:$pxs/bench/v1/x")
gs=$(rps -H "$auth" "https://127.0.0.1:$gws/bench/v1/x")
printf '%-44s %10s\n' "backend direct (nginx return 200)" "$d" "nginx proxy_pass, HTTP/1.1" "$n" \
    "gateway, HTTP/1.1 (token, checks, JWT)" "$g" "nginx proxy_pass, HTTPS" "$ns" "gateway, HTTPS" "$gs"
awk -v d="$d" -v n="$n" -v g="$g" -v ns="$ns" -v gs="$gs" 'BEGIN {
    printf "ratios: gateway/nginx-proxy HTTP %.2f, HTTPS %.2f; gateway/backend-direct %.2f; nginx-proxy/backend %.2f\n",
        g / n, gs / ns, g / d, n / d }'
# half load: each connection waits `delay` ms between calls, so conns*1000/delay ~ half the gateway's peak
half=$(awk -v g="$g" 'BEGIN { printf "%d", g / 2 }')
lc=$(awk -v h="$half" 'BEGIN { c = int(h * 2 / 1000); if (c < 1) c = 1; print c }')
printf 'function delay() return 2 end\n' >"$work/delay.lua"
lat() { wrk -t1 -c"$lc" -d"${secs}s" --latency -s "$work/delay.lua" "$@" |
        awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Requests\/sec/ {r=$2} END {print r, p50, p99}'; }
echo "== latency at about half the gateway's peak ($half req/s: $lc connections, 2 ms apart)"
printf '%-28s %10s %10s %10s\n' "" "req/s" "p50" "p99"
printf '%-28s %10s %10s %10s\n' "backend direct" $(lat "http://127.0.0.1:$be/bench/v1/x")
printf '%-28s %10s %10s %10s\n' "nginx proxy_pass" $(lat "http://127.0.0.1:$px/bench/v1/x")
printf '%-28s %10s %10s %10s\n' "gateway" $(lat -H "$auth" "http://127.0.0.1:$gw/bench/v1/x")
echo "== cached traffic while 1,000 unknown tokens are validated"
base=$(rps -H "$auth" "http://127.0.0.1:$gw/bench/v1/x")
/usr/bin/python3 "$here/burst.py" "http://127.0.0.1:$gw/bench/v1/x" 1000 100 >"$work/burst.out" 2>&1 &
bp=$!
during=$(rps -H "$auth" "http://127.0.0.1:$gw/bench/v1/x")
wait $bp || true
cat "$work/burst.out"
awk -v a="$base" -v b="$during" 'BEGIN { printf "cached req/s: %s alone, %s during the burst (%.0f%%)\n", a, b, 100 * b / a }'
