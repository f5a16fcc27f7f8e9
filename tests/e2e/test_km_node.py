"""Key manager with npm's openid-client 6 and jose (tests/e2e/node/km.test.mjs run by node's test runner):
discovery, client_credentials, introspection, revocation, invalid_client and an ID token verified through the
JWKS. Needs `npm ci --prefix tests/e2e/node` first (skips with that hint when node_modules is missing)."""
import os
import shutil
import subprocess
import unittest

import ghtest
import km_flows

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")


class KmNodeTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        if shutil.which("node") is None or not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "openid-client")):
            if os.environ.get("GH_TEST_REQUIRE_NODE") == "1":
                self.fail("node or tests/e2e/node/node_modules missing: run npm ci --prefix tests/e2e/node")
            self.skipTest("run npm ci --prefix tests/e2e/node first")
        km = km_flows.KmServer(kind, base_url, dbname="gh_km_node")
        try:
            r = km.register("node-app", ["client_credentials", "password"])
            self.assertEqual(r.status_code, 201, r.text)
            env = dict(os.environ, GH_KM_BASE=km.base, GH_KM_CLIENT_ID=r.json()["client_id"],
                       GH_KM_CLIENT_SECRET=r.json()["client_secret"])
            p = subprocess.run(["node", "--test", "km.test.mjs"], cwd=NODE_DIR, env=env, capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr + km.srv.output()[-2000:])
            self.assertIn("# fail 0", p.stdout)
        finally:
            km.stop()



if __name__ == "__main__":
    ghtest.main()
