#!/usr/bin/python3
"""Bench set-up against a running all-in-one gatehouse on SQLite: an API /bench/v1 in front of BACKEND, an
application subscribed (Unlimited), a password-grant token from the gateway's /token. Prints the token.
    setup.py CONF_HOME OFFSET BACKEND_URL"""
import os
import sys
import time

import requests

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "e2e"))
import ghtest  # noqa: E402
import gwdata  # noqa: E402
from km_flows import basic  # noqa: E402


class Db:
    def __init__(self, path):
        self.path = path

    def sql(self, q):
        return ghtest.sql(None, q, self.path)


def main():
    home, off, backend = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = Db(os.path.join(home, "repository", "database", "WSO2AM_DB.db"))
    mgt = "http://127.0.0.1:%d" % (9763 + off)
    gw = "http://127.0.0.1:%d" % (8280 + off)
    r = requests.post(mgt + "/api/identity/oauth2/dcr/v1.1/register", auth=("admin", "admin"), timeout=30,
                      json={"client_name": "benchApp", "grant_types": ["password", "client_credentials"]})
    r.raise_for_status()
    c = r.json()
    api = gwdata.api(db, "bench", "v1", "bench", backend)
    app = gwdata.application(db, "benchApp")
    gwdata.keys(db, app, c["client_id"])
    gwdata.subscribe(db, app, api)
    r = requests.post(gw + "/token", data={"grant_type": "password", "username": "admin", "password": "admin"},
                      headers={"Authorization": basic(c["client_id"], c["client_secret"])}, timeout=30)
    r.raise_for_status()
    tok = r.json()["access_token"]
    for _ in range(100):
        if requests.get(gw + "/bench/v1/", headers={"Authorization": "Bearer " + tok}, timeout=10).status_code == 200:
            print(tok)
            return
        time.sleep(0.2)
    sys.exit("the API did not come up")


if __name__ == "__main__":
    main()
