"""Gateway checks beyond the tutorial: resource scopes (900910), Application_User resources refusing
application tokens (900905), auth type None without a token, https-only APIs refusing plain HTTP, CORS
preflight without a token and CORS headers from the API's own configuration, sandbox keys routed to the
sandbox endpoint, PROD_ONLY_BLOCKED blocking production keys only, an HTTPS backend, a backend timeout
(504 / 101504), and a JWT with SignatureAlgorithm NONE. On SQLite, PostgreSQL and MariaDB."""
import json
import os
import subprocess
import time
import unittest

import requests

import ghtest
import gwdata
import km_flows
from km_flows import basic
from test_gateway import ECHO, FORM, D, free_port

EDITS = [("api-manager.xml", r"<EnableJWTGeneration>false</EnableJWTGeneration>",
          "<EnableJWTGeneration>true</EnableJWTGeneration>"),
         ("api-manager.xml", r"<SignatureAlgorithm>SHA256withRSA</SignatureAlgorithm>",
          "<SignatureAlgorithm>NONE</SignatureAlgorithm>")]

CORS = json.dumps({"corsConfigurationEnabled": True, "accessControlAllowOrigins": ["https://app.example"],
                   "accessControlAllowMethods": ["GET", "POST"], "accessControlAllowHeaders": ["authorization"],
                   "accessControlAllowCredentials": True})


class GatewayChecksTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        km = km_flows.KmServer(kind, base_url, dbname="gh_gw_checks", edits=EDITS)
        self.km = km
        self.procs = []
        try:
            sec = os.path.join(km.conf.dir, "security")
            self.p_echo = self.echo()
            self.p_tls = self.echo("--tls", "--cert", os.path.join(sec, "gatehouse-cert.pem"),
                                   "--key", os.path.join(sec, "gatehouse-key.pem"))
            self.p_slow = self.echo("--delay", "3")
            self.gw = km.srv.url(8280, "")
            self.gws = km.srv.url(8243, "")
            self.ctx = ghtest.tls_context(km.conf)
            self.setup_data()
            for name in ("scopes", "user_type", "none_auth", "transport", "cors", "sandbox", "https_backend",
                         "timeout", "unsigned_jwt"):
                with self.subTest(name):
                    getattr(self, name)()
        finally:
            for p in self.procs:
                p.terminate()
                p.wait()
                p.stdout.close()
            km.stop()

    def echo(self, *args):
        port = free_port()
        p = subprocess.Popen([ECHO, "--port", str(port)] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        p.stdout.readline()
        return port

    def client(self, name):
        r = self.km.register(name, ["password", "client_credentials"])
        self.assertEqual(r.status_code, 201, r.text)
        return r.json()

    def tok(self, c, grant="password", scope=None):
        data = {"grant_type": grant}
        if grant == "password":
            data.update(username="admin", password="admin")
        if scope:
            data["scope"] = scope
        r = requests.post(self.gw + "/token", headers=dict(FORM, Authorization=basic(c["client_id"], c["client_secret"])),
                          data=data, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["access_token"]

    def setup_data(self):
        km = self.km
        res = (("GET", "/scoped", "Any", "Unlimited"), ("GET", "/user", "Application_User", "Unlimited"),
               ("GET", "/open", "None", "Unlimited"), ("GET", "/*", "Any", "Unlimited"))
        self.checks = gwdata.api(km, "checks", "v1", "checks", "http://localhost:%d/prod" % self.p_echo,
                                 sandbox_url="http://localhost:%d/sandbox" % self.p_echo, resources=res, cors=CORS)
        gwdata.resource_scope(km, "/checks/v1", "/scoped", "GET", "read_x")
        self.secure = gwdata.api(km, "secure", "v1", "secure", "http://localhost:%d/" % self.p_echo, transports="https")
        self.tls = gwdata.api(km, "tls", "v1", "tls", "https://localhost:%d/" % self.p_tls)
        self.slow = gwdata.api(km, "slow", "v1", "slow", "http://localhost:%d/" % self.p_slow,
                               endpoint_config=json.dumps({"production_endpoints": {
                                   "url": "http://localhost:%d/" % self.p_slow, "config": {"actionDuration": 1000}}}))
        self.c = self.client("checksApp")
        self.c_sb = self.client("checksSandbox")
        app = gwdata.application(km, "checksApp")
        gwdata.keys(km, app, self.c["client_id"])
        gwdata.keys(km, app, self.c_sb["client_id"], "SANDBOX")
        self.app = app
        for api in (self.checks, self.secure, self.tls, self.slow):
            gwdata.subscribe(km, app, api)
        deadline = time.time() + 15
        while time.time() < deadline:
            if requests.get(self.gw + "/slow/v1/x", timeout=10).status_code == 401:
                return
            time.sleep(0.3)
        self.fail("the APIs did not appear on the gateway")

    def get(self, path, token=None, headers=None, method="GET", base=None):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        return requests.request(method, (base or self.gw) + path, headers=h, timeout=30,
                                verify=os.path.join(self.km.conf.dir, "security", "gatehouse-cert.pem"))

    def fault(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.json()["fault"]["code"], code, r.text)

    def scopes(self):
        self.fault(self.get("/checks/v1/scoped", self.tok(self.c)), 403, 900910)
        r = self.get("/checks/v1/scoped", self.tok(self.c, scope="read_x"))
        self.assertEqual(r.status_code, 200, r.text)

    def user_type(self):
        self.fault(self.get("/checks/v1/user", self.tok(self.c, grant="client_credentials")), 401, 900905)
        self.assertEqual(self.get("/checks/v1/user", self.tok(self.c)).status_code, 200)

    def none_auth(self):
        r = self.get("/checks/v1/open")
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["path"], "/prod/open")
        self.fault(self.get("/checks/v1/other"), 401, 900902)

    def transport(self):
        t = self.tok(self.c)
        r = self.get("/secure/v1/x", t)
        self.fault(r, 403, 403)
        r = self.get("/secure/v1/x", t, base=self.gws)
        self.assertEqual(r.status_code, 200, r.text)

    def cors(self):
        r = self.get("/checks/v1/x", method="OPTIONS",
                     headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "https://app.example")
        self.assertEqual(r.headers.get("Access-Control-Allow-Credentials"), "true")
        self.assertIn("POST", r.headers.get("Access-Control-Allow-Methods", ""))
        r = self.get("/checks/v1/x", method="OPTIONS",
                     headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))
        r = self.get("/checks/v1/x", self.tok(self.c), headers={"Origin": "https://app.example"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "https://app.example")

    def sandbox(self):
        r = self.get("/checks/v1/x", self.tok(self.c_sb))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["path"], "/sandbox/x")
        self.assertEqual(r.json()["jwt"]["claims"][D + "keytype"], "SANDBOX")
        gwdata.set_subscription_status(self.km, self.app, self.checks, "PROD_ONLY_BLOCKED")
        # fresh tokens: the cached verdicts of the old ones stand until TokenCacheExpiry or an event
        self.fault(self.get("/checks/v1/x", self.tok(self.c)), 403, 900907)
        self.assertEqual(self.get("/checks/v1/x", self.tok(self.c_sb)).status_code, 200)
        gwdata.set_subscription_status(self.km, self.app, self.checks, "UNBLOCKED")

    def https_backend(self):
        r = self.get("/tls/v1/hello", self.tok(self.c))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["path"], "/hello")

    def timeout(self):
        t0 = time.time()
        self.fault(self.get("/slow/v1/x", self.tok(self.c)), 504, 101504)
        self.assertLess(time.time() - t0, 2.9)

    def unsigned_jwt(self):
        r = self.get("/checks/v1/x", self.tok(self.c))
        j = r.json()["jwt"]
        self.assertEqual(j["header"]["alg"], "none")
        self.assertTrue(j["raw"].endswith("."))
        self.assertEqual(j["claims"][D + "applicationname"], "checksApp")


if __name__ == "__main__":
    ghtest.main()
