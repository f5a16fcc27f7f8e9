#!/usr/bin/python3
"""Split by role, measured (issue 11): the gateway's cached path through an all-in-one process vs through a
`--profile gateway` process whose key manager is another process (remote validation, "ws-client"), side by
side in one run over one PostgreSQL database and one nginx backend; then the revocation delay (revoke at the
key manager -> the gateway refuses the token) over N revocations, p50/p99.

    . build-test/test-dbs/env     # tests/support/dbservers.sh start ... (PostgreSQL)
    /usr/bin/python3 bench/cluster/bench.py --bin build/apps/gatehouse/gatehouse [--seconds 5] [--rounds 2] [--revocations 100]

Needs wrk and nginx (Debian: wrk nginx-light). Each gatehouse process gets --workers 1; wrk -t1 -c32."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))

import requests  # noqa: E402

import ghtest  # noqa: E402
import gwdata  # noqa: E402
import test_split  # noqa: E402
from km_flows import basic  # noqa: E402

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def nginx(port):
    work = tempfile.mkdtemp(prefix="gh-bench-cluster-nginx-")
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 1;
pid %(w)s/nginx.pid;
error_log %(w)s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(w)s; proxy_temp_path %(w)s; fastcgi_temp_path %(w)s; uwsgi_temp_path %(w)s; scgi_temp_path %(w)s;
    server { listen 127.0.0.1:%(p)d; location / { default_type application/json; return 200 '{"ok":true}'; } }
}
""" % {"w": work, "p": port})
    subprocess.run(["nginx", "-c", conf], check=True)
    return work


PIN = []  # ["taskset", "-c", "1"] with --pin


def pin(pid, cpu):
    """Every thread of pid onto one CPU (taskset -a): the two gateways share CPU 0, wrk and nginx CPU 1."""
    subprocess.run(["taskset", "-a", "-p", "-c", str(cpu), str(pid)], check=True, capture_output=True)


def wrk(url, token, secs):
    out = subprocess.run(PIN + ["wrk", "-t1", "-c32", "-d%ds" % secs, "-H", "Authorization: Bearer " + token, url],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="build/apps/gatehouse/gatehouse")
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--revocations", type=int, default=100)
    ap.add_argument("--db", choices=("postgresql", "mysql"), default="postgresql")
    ap.add_argument("--pin", action="store_true", help="both gateways on CPU 0, wrk and nginx on CPU 1 (less noise)")
    a = ap.parse_args()
    ghtest.BIN = os.path.abspath(a.bin)
    var = "GH_TEST_PG_URL" if a.db == "postgresql" else "GH_TEST_MYSQL_URL"
    base = os.environ.get(var)
    if not base:
        sys.exit("%s is not set: start tests/support/dbservers.sh and source its env" % var)
    url = ghtest.fresh_database(a.db, base, "gh_bench_cluster")
    o_aio, o_km, o_gw = test_split.offsets(3)
    km_url = "https://localhost:%d/services/" % (9443 + o_km)
    aio = test_split.Node(a.db, url, o_aio, "all")
    km = test_split.Node(a.db, url, o_km, "key-manager")
    gw = test_split.Node(a.db, url, o_gw, "gateway", test_split.key_validator(km_url))
    nginx_port = test_split.free_port()
    work = nginx(nginx_port)
    nodes = (aio, km, gw)
    try:
        km.start()
        test_split.share_keys(km, aio)  # one deployment: the same client-secret key and signing keys
        aio.start()
        with open(os.path.join(km.conf.dir, "security", "gatehouse-cert.pem")) as f:
            gw.conf.write("security/client-truststore.pem", f.read())
        db = test_split.Db(url)
        r = requests.post(aio.url(9763, "/api/identity/oauth2/dcr/v1.1/register"),
                          json={"client_name": "bench", "grant_types": ["client_credentials"]}, auth=("admin", "admin"))
        r.raise_for_status()
        c = r.json()
        api = gwdata.api(db, "bench", "v1", "bench", "http://127.0.0.1:%d/" % nginx_port)
        app = gwdata.application(db, "bench")
        gwdata.keys(db, app, c["client_id"])
        gwdata.subscribe(db, app, api)
        gw.start(8280)
        deadline = time.time() + 15  # the all-in-one reloads its API table every few seconds
        while requests.get(aio.url(8280, "/bench/v1/x")).status_code == 404 and time.time() < deadline:
            time.sleep(0.2)
        cred = {"headers": dict(FORM, Authorization=basic(c["client_id"], c["client_secret"])), "timeout": 30}
        tok = requests.post(aio.url(9763, "/oauth2/token"), data={"grant_type": "client_credentials"},
                            **cred).json()["access_token"]
        targets = (("all-in-one (in-process key manager)", aio.url(8280, "/bench/v1/x")),
                   ("--profile gateway, remote key manager", gw.url(8280, "/bench/v1/x")))
        for _, u in targets:
            r = requests.get(u, headers={"Authorization": "Bearer " + tok})
            assert r.status_code == 200, (u, r.status_code, r.text)
        if a.pin:
            PIN[:] = ["taskset", "-c", "1"]
            pin(aio.srv.proc.pid, 0)
            pin(gw.srv.proc.pid, 0)
            with open(os.path.join(work, "nginx.pid")) as f:
                master = f.read().strip()
            for pid in [master] + subprocess.run(["pgrep", "-P", master], capture_output=True, text=True).stdout.split():
                pin(int(pid), 1)
        res = {name: [] for name, _ in targets}
        ratios = []
        for i in range(a.rounds):
            # ABBA order: whatever drifts on a shared machine during a round pair hits both sides alike
            order = targets if i % 2 == 0 else targets[::-1]
            got = {name: wrk(u, tok, a.seconds) for name, u in order}
            for name, _ in targets:
                res[name].append(got[name])
            ratios.append(got[targets[1][0]] / got[targets[0][0]])
        print("cached path, GET through the gateway to nginx, wrk -t1 -c32 -d%ds, %d rounds in ABBA order"
              % (a.seconds, a.rounds))
        for name, xs in res.items():
            print("  %-40s %s  median %.0f req/s" % (name, " ".join("%.0f" % x for x in xs), statistics.median(xs)))
        names = [n for n, _ in targets]
        print("  ratio split/all-in-one: %.3f of the medians; per round pair %s, median %.3f"
              % (statistics.median(res[names[1]]) / statistics.median(res[names[0]]),
                 " ".join("%.2f" % x for x in ratios), statistics.median(ratios)))

        # revocation delay: revoke at the key manager, poll the split gateway until it refuses
        s = requests.Session()
        delays = []
        for i in range(a.revocations):
            r = s.post(km.url(9763, "/oauth2/token"), data={"grant_type": "client_credentials"}, **cred)
            if r.status_code != 200:
                raise RuntimeError("token: %d %s" % (r.status_code, r.text))
            t = r.json()["access_token"]
            assert s.get(gw.url(8280, "/bench/v1/x"), headers={"Authorization": "Bearer " + t}).status_code == 200
            s.post(km.url(9763, "/oauth2/revoke"), data={"token": t}, **cred).raise_for_status()
            t0 = time.monotonic()
            while s.get(gw.url(8280, "/bench/v1/x"), headers={"Authorization": "Bearer " + t}).status_code == 200:
                if time.monotonic() - t0 > 10:
                    raise RuntimeError("revocation %d not seen after 10 s" % i)
                time.sleep(0.005)
            delays.append((time.monotonic() - t0) * 1000)
        print("revocation at the key manager -> refused by the gateway, %d revocations (%s): "
              "p50 %.0f ms, p99 %.0f ms, max %.0f ms" % (len(delays), "PostgreSQL, LISTEN/NOTIFY" if a.db == "postgresql"
                                                         else "MariaDB, read every %s ms" % os.environ.get(
                                                             "GH_CLUSTER_POLL_MS", "200"), pct(delays, 50), pct(delays, 99), max(delays)))
    finally:
        for n in nodes:
            n.cleanup()
        pidf = os.path.join(work, "nginx.pid")
        if os.path.exists(pidf):
            with open(pidf) as f:
                os.kill(int(f.read().strip()), 15)


if __name__ == "__main__":
    main()
