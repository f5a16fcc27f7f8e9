"""Key-manager throughput: client_credentials grants/s and introspections/s on SQLite and PostgreSQL, with wrk
on loopback, side by side with Debian's glewlwyd when it is installed (bench/keymanager/glewlwyd.py).

    /usr/bin/python3 bench/keymanager/bench.py [--bin build-km-rel/apps/gatehouse/gatehouse] [--seconds 10]

PostgreSQL is measured when GH_TEST_PG_URL is set (tests/support/dbservers.sh start writes it). Every request
loop is bounded (wrk -d) and goes to 127.0.0.1 only."""
import argparse
import base64
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))


def wrk(url, script, env, seconds, conns=32, threads=2):
    p = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency", "-s",
                        os.path.join(HERE, script), url], capture_output=True, text=True, env=dict(os.environ, **env),
                       timeout=seconds + 60)
    out = p.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    return {"rps": rps, "errors": int(non2xx.group(1)) if non2xx else 0, "p50": p50.group(1) if p50 else "?"}


def gatehouse(kind, base_url, seconds):
    import ghtest
    import km_flows
    km = km_flows.KmServer(kind, base_url, dbname="gh_km_bench")
    try:
        r = km.register("bench-app", ["client_credentials"])
        app = r.json()
        auth = km_flows.basic(app["client_id"], app["client_secret"])
        tok = subprocess.run(["curl", "-s", "-X", "POST", "-H", "Authorization: " + auth, "-d",
                              "grant_type=client_credentials", km.base + "/oauth2/token"], capture_output=True,
                             text=True).stdout
        token = json.loads(tok)["access_token"]
        admin = "Basic " + base64.b64encode(b"admin:admin").decode()
        wrk(km.base + "/oauth2/token", "cc.lua", {"AUTH": auth}, 2)  # warm-up
        cc = wrk(km.base + "/oauth2/token", "cc.lua", {"AUTH": auth}, seconds)
        intro = wrk(km.base + "/oauth2/introspect", "introspect.lua", {"AUTH": admin, "TOKEN": token}, seconds)
        rows = km.sql("SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")[0][0]
        return {"client_credentials": cc, "introspection": intro, "token_rows": int(rows)}
    finally:
        km.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build-km-rel", "apps", "gatehouse", "gatehouse"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--no-glewlwyd", action="store_true")
    a = ap.parse_args()
    os.environ["GH_BIN"] = os.path.abspath(a.bin)
    results = {"gatehouse": {"sqlite": gatehouse("sqlite", None, a.seconds)}}
    if os.environ.get("GH_TEST_PG_URL"):
        results["gatehouse"]["postgresql"] = gatehouse("postgresql", os.environ["GH_TEST_PG_URL"], a.seconds)
    if not a.no_glewlwyd:
        import glewlwyd
        results["glewlwyd"] = glewlwyd.run(a.seconds, wrk)
    print(json.dumps(results, indent=2))
    g = results.get("glewlwyd") or {}
    for db, r in results["gatehouse"].items():
        line = "gatehouse %-10s client_credentials %8.0f/s (p50 %s, non-2xx %d)   introspection %8.0f/s (p50 %s, non-2xx %d)" % (
            db, r["client_credentials"]["rps"], r["client_credentials"]["p50"], r["client_credentials"]["errors"],
            r["introspection"]["rps"], r["introspection"]["p50"], r["introspection"]["errors"])
        print(line)
        if g.get("client_credentials"):
            print("  ratio vs glewlwyd (sqlite): client_credentials x%.1f, introspection x%.1f" % (
                r["client_credentials"]["rps"] / max(g["client_credentials"]["rps"], 1),
                r["introspection"]["rps"] / max(g["introspection"]["rps"], 1) if g.get("introspection") else 0))
    if g.get("error"):
        print("glewlwyd: " + g["error"])


if __name__ == "__main__":
    main()
