"""Gateway end to end (the WSO2 tutorial "pass end-user attributes to the backend"): an API /contextName v1 in
front of gatehouse-echo, application userJwt subscribed, a password-grant token from the gateway's /token,
and the call: one X-JWT-Assertion with WSO2's claims and the user's, verified by PyJWT and npm's jose through
/oauth2/jwks. Then the faults: no token 900902, unknown and revoked tokens 900901 (the revoked one on the very
next call), not subscribed and blocked subscription 403, a 5-per-minute tier's sixth call 429 with Retry-After,
a spoofed X-JWT-Assertion never reaching the backend, a blocked API 503 700700, an unknown path 404, the
backend down 503 101503. On SQLite, PostgreSQL and MariaDB."""
import json
import os
import socket
import subprocess
import time
import unittest

import jwt
import requests

import ghtest
import gwdata
import km_flows
from km_flows import basic

ECHO = os.path.join(ghtest.SRC, "apps", "gatehouse-echo", "gatehouse-echo")
NODE_DIR = os.path.join(ghtest.SRC, "tests", "e2e", "node")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
D = "http://wso2.org/claims/"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


JWT_ON = [("api-manager.xml", r"<EnableJWTGeneration>false</EnableJWTGeneration>",
           "<EnableJWTGeneration>true</EnableJWTGeneration>"),
          ("api-manager.xml", r"<!--ClaimsRetrieverImplClass>(.*?)</ClaimsRetrieverImplClass-->",
           r"<ClaimsRetrieverImplClass>\1</ClaimsRetrieverImplClass>")]


class GatewayTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        self.echo_port = free_port()
        km = km_flows.KmServer(kind, base_url, dbname="gh_gw_e2e", edits=JWT_ON)
        self.km = km
        jwks = km.base + "/oauth2/jwks"
        self.echo = subprocess.Popen([ECHO, "--port", str(self.echo_port), "--jwks", jwks],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            self.echo.stdout.readline()
            self.gw = km.srv.url(8280, "")
            self.setup_data()
            with self.subTest("tutorial"):
                self.tutorial()
            with self.subTest("faults"):
                self.faults()
            with self.subTest("throttle"):
                self.throttle()
            with self.subTest("lifecycle"):
                self.lifecycle()
            with self.subTest("backend_down"):
                self.backend_down()
            with self.subTest("metrics"):
                self.assertEqual(requests.get(km.base + "/metrics", timeout=10).status_code, 401)
                self.assertEqual(requests.get(km.base + "/metrics", auth=("alice", "Alice-pass-123"),
                                              timeout=10).status_code, 403)
                self.assertEqual(requests.get(km.base + "/metrics", auth=("admin", "wrong"), timeout=10).status_code,
                                 401)
                self.assertEqual(requests.get(self.gw + "/metrics", auth=km_flows.ADMIN, timeout=10).status_code, 404)
                r = requests.get(km.base + "/metrics", auth=km_flows.ADMIN, timeout=10)
                self.assertEqual(r.status_code, 200, r.text)
                self.assertIn("gatehouse_gateway_requests_total", r.text)
                self.assertIn('code="900902"', r.text)
        finally:
            self.echo.terminate()
            self.echo.wait()
            self.echo.stdout.close()
            rc = km.srv.stop()
            out = km.srv.output()
            if os.environ.get("GW_DEBUG"):
                print(out[-6000:])
            km.stop()
        self.assertNotIn(self.tok0, out, "a token reached the log")
        self.assertEqual(rc, 0, out[-3000:])  # a clean stop: no libh2o timer left on a loop

    # --- data --------------------------------------------------------------------------------------------

    def client(self, name):
        r = self.km.register(name, ["password", "client_credentials", "refresh_token"])
        self.assertEqual(r.status_code, 201, r.text)
        return r.json()

    def get_token(self, c, user="alice", password="Alice-pass-123"):
        r = requests.post(self.gw + "/token", headers=dict(FORM, Authorization=basic(c["client_id"], c["client_secret"])),
                          data={"grant_type": "password", "username": user, "password": password}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["access_token"]

    def setup_data(self):
        km = self.km
        rc, out, err = ghtest.run_cli("--conf", km.conf.dir, "user", "add", "alice", "--password", "Alice-pass-123",
                                      "--role", "Internal/subscriber",
                                      "--claim", D + "emailaddress=alice@example.com",
                                      "--claim", D + "givenname=Alice")
        self.assertEqual(rc, 0, err)
        backend = "http://localhost:%d/" % self.echo_port
        # the policy before the API: the wait below sees the API, and one reload must carry both
        gwdata.subscription_policy(km, "FivePerMin", 5)
        gwdata.subscription_policy(km, "SpikyTier", 1000, spike=3)  # 1000 a minute, but at most 3 in any minute
        self.api_id = gwdata.api(km, "contextName", "v1", "contextName", backend)
        self.c_ok, self.c_nosub, self.c_blocked, self.c_slow, self.c_spiky = (
            self.client(n) for n in ("userJwt", "noSub", "blockedApp", "slowApp", "spikyApp"))
        for name, c, status, tier in (("userJwt", self.c_ok, "UNBLOCKED", "Unlimited"),
                                      ("noSub", self.c_nosub, None, None),
                                      ("blockedApp", self.c_blocked, "BLOCKED", "Unlimited"),
                                      ("slowApp", self.c_slow, "UNBLOCKED", "FivePerMin"),
                                      ("spikyApp", self.c_spiky, "UNBLOCKED", "SpikyTier")):
            app = gwdata.application(km, name)
            gwdata.keys(km, app, c["client_id"])
            if status:
                gwdata.subscribe(km, app, self.api_id, tier=tier, status=status)
        self.down_id = gwdata.api(km, "down", "v1", "down", "http://localhost:%d/" % free_port())
        app = gwdata.application(km, "downApp")
        self.c_down = self.client("downApp")
        gwdata.keys(km, app, self.c_down["client_id"])
        gwdata.subscribe(km, app, self.down_id)
        # the gateway reloads its API table every few seconds: wait for the API to appear
        deadline = time.time() + 15
        while time.time() < deadline:
            if requests.get(self.gw + "/contextName/v1/x", timeout=10).status_code != 404:
                return
            time.sleep(0.3)
        self.fail("the API did not appear on the gateway")

    # --- pieces ------------------------------------------------------------------------------------------

    def call(self, path="/contextName/v1/hello?x=1", token=None, headers=None, method="GET"):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        return requests.request(method, self.gw + path, headers=h, timeout=30)

    def tutorial(self):
        self.tok0 = tok = self.get_token(self.c_ok)
        r = self.call(token=tok, headers={"X-JWT-Assertion": "spoofed.by.client"})
        self.assertEqual(r.status_code, 200, r.text)
        echo = r.json()
        self.assertEqual((echo["method"], echo["path"], echo["query"]), ("GET", "/hello", "x=1"))
        self.assertEqual(echo["jwt_assertion_count"], 1, echo["headers"])
        self.assertNotIn("spoofed", json.dumps(echo["headers"]))
        self.assertNotIn("authorization", echo["headers"])
        self.assertTrue(echo["jwt"]["verified"], echo["jwt"])
        c = echo["jwt"]["claims"]
        self.assertEqual(c["iss"], "wso2.org/products/am")
        self.assertEqual(c[D + "subscriber"], "admin")
        self.assertEqual(c[D + "applicationname"], "userJwt")
        self.assertEqual(c[D + "tier"], "Unlimited")
        self.assertEqual(c[D + "apicontext"], "/contextName/v1")
        self.assertEqual(c[D + "version"], "v1")
        self.assertEqual(c[D + "keytype"], "PRODUCTION")
        self.assertEqual(c[D + "usertype"], "APPLICATION_USER")
        self.assertEqual(c[D + "enduser"], "alice@carbon.super")
        self.assertEqual(c[D + "emailaddress"], "alice@example.com")
        self.assertIn("Internal/subscriber", c[D + "role"])
        self.assertGreater(c["exp"], time.time())
        # PyJWT through the JWKS
        raw = echo["jwt"]["raw"]
        jwk_client = jwt.PyJWKClient(self.km.base + "/oauth2/jwks")
        key = jwk_client.get_signing_key_from_jwt(raw)
        claims = jwt.decode(raw, key.key, algorithms=["RS256"], options={"verify_aud": False})
        self.assertEqual(claims[D + "applicationname"], "userJwt")
        # npm jose through the JWKS
        script = ("import * as jose from 'jose';"
                  "const JWKS = jose.createRemoteJWKSet(new URL(process.argv[1]));"
                  "const {payload} = await jose.jwtVerify(process.argv[2], JWKS);"
                  "console.log(payload['http://wso2.org/claims/applicationname']);")
        self.assertTrue(os.path.isdir(os.path.join(NODE_DIR, "node_modules", "jose")),
                        "npm ci --prefix tests/e2e/node (make test does it)")
        p = subprocess.run(["node", "--input-type=module", "-e", script, self.km.base + "/oauth2/jwks", raw],
                           cwd=NODE_DIR, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "userJwt")
        # the default version answers without the version
        r = self.call(path="/contextName/hello", token=tok)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["jwt"]["claims"][D + "apicontext"], "/contextName/v1")
        # POST with a body
        r = self.call(token=tok, method="POST", headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status_code, 200, r.text)

    def assert_fault(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.json()["fault"]["code"], code, r.text)
        self.assertIsNotNone(r.headers.get("Content-Length"))

    def faults(self):
        r = self.call()
        self.assert_fault(r, 401, 900902)
        self.assertIn("OAuth2 realm", r.headers.get("WWW-Authenticate", ""))
        self.assert_fault(self.call(token="not-a-token"), 401, 900901)
        self.assert_fault(self.call(token=self.get_token(self.c_nosub)), 403, 900908)
        self.assert_fault(self.call(token=self.get_token(self.c_blocked)), 403, 900907)
        # XML when asked
        r = self.call(headers={"Accept": "application/xml"})
        self.assertEqual(r.status_code, 401)
        self.assertIn("<ams:code>900902</ams:code>", r.text)
        # unknown path
        r = self.call(path="/nothing/here")
        self.assert_fault(r, 404, 404)
        # revoked: cached on the previous call, refused on the very next
        tok = self.get_token(self.c_ok)
        self.assertEqual(self.call(token=tok).status_code, 200)
        c = self.c_ok
        r = requests.post(self.gw + "/revoke", headers=dict(FORM, Authorization=basic(c["client_id"], c["client_secret"])),
                          data={"token": tok}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assert_fault(self.call(token=tok), 401, 900901)

    def throttle(self):
        tok = self.get_token(self.c_slow)
        for i in range(5):
            self.assertEqual(self.call(token=tok).status_code, 200, i)
        r = self.call(token=tok)
        self.assert_fault(r, 429, 900804)
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        # burst control: a tier of 1000 a minute with a spike arrest of 3 a minute refuses the fourth call (900807)
        tok = self.get_token(self.c_spiky)
        if time.time() % 60 > 50:  # the window is the wall clock's minute: do not straddle it
            time.sleep(61 - time.time() % 60)
        for i in range(3):
            self.assertEqual(self.call(token=tok).status_code, 200, i)
        r = self.call(token=tok)
        self.assert_fault(r, 429, 900807)
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.assertEqual(self.call(token=self.get_token(self.c_ok)).status_code, 200)  # another subscription

    def lifecycle(self):
        tok = self.get_token(self.c_ok)
        gwdata.set_api_status(self.km, self.api_id, "BLOCKED")
        deadline = time.time() + 15
        while time.time() < deadline and self.call(token=tok).status_code == 200:
            time.sleep(0.3)
        self.assert_fault(self.call(token=tok), 503, 700700)
        gwdata.set_api_status(self.km, self.api_id, "PUBLISHED")
        deadline = time.time() + 15
        while time.time() < deadline and self.call(token=tok).status_code != 200:
            time.sleep(0.3)
        self.assertEqual(self.call(token=tok).status_code, 200)

    def backend_down(self):
        tok = self.get_token(self.c_down)
        self.assert_fault(self.call(path="/down/v1/x", token=tok), 503, 101503)


if __name__ == "__main__":
    ghtest.main()
