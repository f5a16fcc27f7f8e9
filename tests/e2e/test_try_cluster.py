"""conf/examples/try-cluster.sh, as docs/deployment.md tells an operator to use it: the larger example layout (a key
manager, two gateways, a portal node, each its own process on the example's offsets 1, 0, 2, 3) started on this
machine over a PostgreSQL or MariaDB database, then stopped. Checks that every node answers /health with 200, that
keys generated on the portal node (which runs a key manager for its portals, with the key material the script
copies from the key manager) authenticate at the key manager through a gateway's /token, and that the token is
accepted by both gateways for an API published on the portal node."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import requests

import ghtest
from km_flows import basic

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ADMIN = ("admin", "admin")
PUB = "/api/am/publisher/v0.14"
STORE = "/api/am/store/v0.14"
OFFSETS = {"key-manager": 1, "gateway-1": 0, "gateway-2": 2, "portal": 3}
SCRIPT = os.path.join(ghtest.SRC, "conf", "examples", "try-cluster.sh")


class TryClusterTest(ghtest.PerDatabase, unittest.TestCase):
    kinds = ("postgresql", "mysql")

    def script(self, *args):
        return subprocess.run(["sh", SCRIPT] + list(args), env=self.env, capture_output=True, text=True, timeout=300)

    def run_for(self, kind, base_url):
        url = ghtest.fresh_database(kind, base_url, "gh_try_cluster")
        user, pw = ghtest._creds()
        run_dir = tempfile.mkdtemp(prefix="gh-try-cluster-")
        self.env = dict(os.environ, GATEHOUSE=os.path.abspath(ghtest.BIN), RUN_DIR=run_dir, GH_AM_DB_URL=url,
                        GH_UM_DB_URL=url, GH_DB_USER=user, GH_DB_PASSWORD=pw)
        try:
            r = self.script("start", kind)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            for node, off in OFFSETS.items():
                port = (8280 if node.startswith("gateway") else 9763) + off  # a gateway has no management ports
                h = requests.get("http://localhost:%d/health" % port, timeout=10)
                self.assertEqual(h.status_code, 200, "%s: %s" % (node, h.text))
            self.keys_through_the_cluster()
        finally:
            r = self.script("stop")
            logs = {}
            for node in OFFSETS:
                with open(os.path.join(run_dir, node + ".log")) as f:
                    logs[node] = f.read()
            shutil.rmtree(run_dir, ignore_errors=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for node in OFFSETS:
            self.assertIn("%s (pid" % node, r.stdout)
            self.assertNotIn("Sanitizer", logs[node], logs[node][-3000:])

    def keys_through_the_cluster(self):
        portal = "http://localhost:%d" % (9763 + OFFSETS["portal"])
        backend = {"url": "http://127.0.0.1:%d/" % (9763 + OFFSETS["key-manager"])}  # any 200: the key manager's
        api = requests.post(portal + PUB + "/apis", auth=ADMIN, timeout=30, json={
            "name": "tryApi", "context": "/tryApi", "version": "v1",
            "apiDefinition": json.dumps({"swagger": "2.0", "info": {"title": "tryApi", "version": "v1"},
                                         "paths": {"/health": {"get": {"x-auth-type": "Application & Application User",
                                                                       "x-throttling-tier": "Unlimited",
                                                                       "responses": {"200": {"description": "ok"}}}}}}),
            "endpointConfig": json.dumps({"production_endpoints": backend, "sandbox_endpoints": backend,
                                          "endpoint_type": "http"}),
            "tiers": ["Unlimited"], "visibility": "PUBLIC", "transport": ["http", "https"]})
        self.assertEqual(api.status_code, 201, api.text)
        api_id = api.json()["id"]
        r = requests.post(portal + PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % api_id, auth=ADMIN,
                          timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        r = requests.post(portal + STORE + "/applications", auth=ADMIN, timeout=30,
                          json={"name": "tryApp", "throttlingTier": "Unlimited"})
        self.assertEqual(r.status_code, 201, r.text)
        app = r.json()["applicationId"]
        r = requests.post(portal + STORE + "/subscriptions", auth=ADMIN, timeout=30,
                          json={"applicationId": app, "apiIdentifier": api_id, "tier": "Unlimited"})
        self.assertEqual(r.status_code, 201, r.text)
        r = requests.post(portal + STORE + "/applications/generate-keys?applicationId=" + app, auth=ADMIN, timeout=30,
                          json={"keyType": "PRODUCTION", "validityTime": "3600", "accessAllowDomains": ["ALL"],
                                "supportedGrantTypes": ["client_credentials"]})
        self.assertEqual(r.status_code, 200, r.text)
        ck, cs = r.json()["consumerKey"], r.json()["consumerSecret"]
        for gw in ("gateway-1", "gateway-2"):
            base = "http://localhost:%d" % (8280 + OFFSETS[gw])
            r = requests.post(base + "/token", headers=dict(FORM, Authorization=basic(ck, cs)), timeout=30,
                              data={"grant_type": "client_credentials"})
            self.assertEqual(r.status_code, 200, "%s: %s" % (gw, r.text))
            tok = r.json()["access_token"]
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline:
                r = requests.get(base + "/tryApi/v1/health", headers={"Authorization": "Bearer " + tok}, timeout=30)
                if r.status_code == 200:
                    break
                time.sleep(0.1)
            self.assertEqual(r.status_code, 200, "%s: %s" % (gw, r.text))


if __name__ == "__main__":
    ghtest.main()
