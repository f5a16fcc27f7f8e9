"""Portals listing and search with 10,000 APIs and 10,000 applications in the database: requests/s and p99 of the
Store's API list (anonymous, first page) and the Publisher's search (bearer token, `query=name:...`), on SQLite and
PostgreSQL, with wrk on loopback.

    /usr/bin/python3 bench/portals/bench.py [--bin build/apps/gatehouse/gatehouse] [--seconds 10] [--apis 10000]

PostgreSQL is measured when GH_TEST_PG_URL is set (tests/support/dbservers.sh start writes it). The rows are
seeded with SQL in one transaction (the REST path is covered by tests/e2e/test_portals.py); every request loop is
bounded (wrk -d) and goes to 127.0.0.1 only."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))


CONNS = 16


def wrk(url, seconds, headers=(), conns=None, threads=2, script=None):
    conns = conns or CONNS
    cmd = ["wrk", "-t%d" % threads, "-c%d" % conns, "-d%ds" % seconds, "--latency"]
    if script:
        cmd += ["-s", os.path.join(HERE, script)]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p = {k: re.search(r"^\s+%s%%\s+(\S+)" % k, out, re.M) for k in ("50", "99")}
    return {"rps": rps, "errors": int(non2xx.group(1)) if non2xx else 0,
            "p50": p["50"].group(1) if p["50"] else "?", "p99": p["99"].group(1) if p["99"] else "?"}


def seed_sql(n_apis, n_apps):
    """One transaction: n_apis published APIs (with GH_API rows and one resource each), 100 subscribers owning
    n_apps applications. Portable over SQLite and PostgreSQL (|| concatenation)."""
    out = ["BEGIN;"]
    for i in range(n_apis):
        out.append("INSERT INTO AM_API (API_PROVIDER, API_NAME, API_VERSION, CONTEXT, CONTEXT_TEMPLATE, CREATED_BY, "
                   "CREATED_TIME) VALUES ('admin', 'api%05d', 'v1', '/ctx%05d/v1', '/ctx%05d/{version}', 'admin', "
                   "CURRENT_TIMESTAMP);" % (i, i, i))
    out.append("INSERT INTO GH_API (API_ID, UUID, STATUS, DESCRIPTION, VISIBILITY, TAGS, TRANSPORTS, TIERS, "
               "PRODUCTION_URL) SELECT API_ID, 'bench-' || API_ID, 'PUBLISHED', 'API number ' || API_NAME, 'PUBLIC', "
               "'bench', 'http,https', 'Unlimited', 'http://127.0.0.1:9/' FROM AM_API WHERE API_NAME LIKE 'api%';")
    out.append("INSERT INTO AM_API_URL_MAPPING (API_ID, HTTP_METHOD, AUTH_SCHEME, URL_PATTERN, THROTTLING_TIER) "
               "SELECT API_ID, 'GET', 'Any', '/*', 'Unlimited' FROM AM_API WHERE API_NAME LIKE 'api%';")
    for s in range(100):
        out.append("INSERT INTO AM_SUBSCRIBER (USER_ID, TENANT_ID, DATE_SUBSCRIBED) VALUES ('user%03d', -1234, "
                   "CURRENT_TIMESTAMP);" % s)
    for i in range(n_apps):
        out.append("INSERT INTO AM_APPLICATION (NAME, SUBSCRIBER_ID, APPLICATION_TIER, UUID, TOKEN_TYPE, "
                   "CREATED_TIME) SELECT 'app%05d', SUBSCRIBER_ID, 'Unlimited', 'bench-app-%05d', 'OAUTH', "
                   "CURRENT_TIMESTAMP FROM AM_SUBSCRIBER WHERE USER_ID = 'user%03d';" % (i, i, i % 100))
    out.append("COMMIT;")
    return "\n".join(out)


def run_sql_file(km, path):
    if km.url is None:
        subprocess.run(["sqlite3", km.sqlite_path], stdin=open(path), check=True, capture_output=True)
    else:
        import ghtest
        kind, host, port, db = ghtest._parse_jdbc(km.url)
        user, pw = ghtest._creds()
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port or "5432", "-U", user,
                        "-d", db, "-f", path], check=True, capture_output=True, env=dict(os.environ, PGPASSWORD=pw))


def measure(kind, base_url, seconds, n_apis, n_apps):
    import km_flows
    km = km_flows.KmServer(kind, base_url, dbname="gh_portals_bench")
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
            f.write(seed_sql(n_apis, n_apps))
        run_sql_file(km, f.name)
        os.unlink(f.name)
        if kind == "postgresql":
            km.sql("ANALYZE")
        r = requests.post(km.base + "/client-registration/v0.14/register", auth=("admin", "admin"), timeout=30,
                          json={"clientName": "bench", "owner": "admin", "grantType": "password", "saasApp": True,
                                "callbackUrl": ""})
        c = r.json()
        tok = requests.post(km.base + "/oauth2/token", auth=(c["clientId"], c["clientSecret"]), timeout=30,
                            data={"grant_type": "password", "username": "admin", "password": "admin",
                                  "scope": "apim:api_view"}).json()["access_token"]
        store = km.base + "/api/am/store/v0.14/apis?limit=25"
        search = km.base + "/api/am/publisher/v0.14/apis?query=name:api012&limit=25"
        check = requests.get(store, timeout=30).json()
        assert check["pagination"]["total"] == n_apis, check["pagination"]
        check = requests.get(search, headers={"Authorization": "Bearer " + tok}, timeout=30).json()
        assert check["pagination"]["total"] == (100 if n_apis >= 1300 else check["pagination"]["total"]), check
        apps = int(km.sql("SELECT COUNT(*) FROM AM_APPLICATION")[0][0])
        wrk(store, 2)  # warm-up
        res = {"store_list": wrk(store, seconds),
               "publisher_search": wrk(search, seconds, headers=["Authorization: Bearer " + tok]),
               "store_random_page_uncached": wrk(km.base, seconds, script="random_page.lua"),
               # latency without queueing: one connection, one request at a time
               "store_list_1conn": wrk(store, seconds, conns=1, threads=1),
               "publisher_search_1conn": wrk(search, seconds, headers=["Authorization: Bearer " + tok], conns=1,
                                             threads=1),
               "apis": n_apis, "applications": apps}
        return res
    finally:
        km.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "..", "build", "apps", "gatehouse", "gatehouse"))
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--apis", type=int, default=10000)
    ap.add_argument("--apps", type=int, default=10000)
    ap.add_argument("--conns", type=int, default=16)
    a = ap.parse_args()
    global CONNS
    CONNS = a.conns
    os.environ["GH_BIN"] = os.path.abspath(a.bin)
    results = {"sqlite": measure("sqlite", None, a.seconds, a.apis, a.apps)}
    if os.environ.get("GH_TEST_PG_URL"):
        results["postgresql"] = measure("postgresql", os.environ["GH_TEST_PG_URL"], a.seconds, a.apis, a.apps)
    print(json.dumps(results, indent=2))
    print()
    print("| database | what | requests/s | p50 | p99 | non-2xx |")
    print("|---|---|---|---|---|---|")
    for db, r in results.items():
        for k in ("store_list", "publisher_search", "store_random_page_uncached", "store_list_1conn",
                  "publisher_search_1conn"):
            print("| %s | %s | %.0f | %s | %s | %d |" % (db, k, r[k]["rps"], r[k]["p50"], r[k]["p99"], r[k]["errors"]))


if __name__ == "__main__":
    main()
