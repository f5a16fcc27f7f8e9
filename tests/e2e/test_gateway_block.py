"""Blocking conditions (Admin v0.14 /throttling/blacklist) enforced by the gateway: each type (IP, API,
APPLICATION, USER) created through the real Admin REST API with a bearer token holding apim:bl_manage refuses a
call with 403 / 900805 "Message blocked" within 2 s, leaves an unrelated IP, API, application or user alone, and
lets calls through again within 2 s of its deletion; on PostgreSQL and MariaDB also at a second process's gateway
(the change event carried by the cluster relay through the shared database). IP conditions match the TCP peer: X-Forwarded-For counts only
from a trusted proxy (ThrottlingConfigurations/BlockCondition/TrustedProxies); IP and API conditions refuse a call
before its token is looked at. A condition stored with ENABLED 'FALSE' is not enforced. On SQLite, PostgreSQL and
MariaDB."""
import http.client
import json
import subprocess
import time
import unittest
import xml.etree.ElementTree as ET

import requests

import ghtest
import gwdata
import km_flows
from km_flows import ADMIN, basic
from test_gateway import ECHO, FORM, free_port

ADMIN_API = "/api/am/admin/v0.14"
BL = ADMIN_API + "/throttling/blacklist"
PEER, BLOCKED_PEER, PROXY = "127.0.0.1", "127.0.0.2", "127.0.0.3"
EDITS = [("api-manager.xml", r"<!--TrustedProxies>10.0.0.0/8</TrustedProxies-->",
          "<TrustedProxies>%s</TrustedProxies>" % PROXY)]
WITHIN = 2.0  # seconds from the Admin API's answer to the gateway's


class GatewayBlockTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        km = km_flows.KmServer(kind, base_url, dbname="gh_gw_block", edits=EDITS)
        self.km = km
        self.figures = []
        echo = None
        try:
            port = free_port()
            echo = subprocess.Popen([ECHO, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            echo.stdout.readline()
            self.gw_port = km.srv.port(8280)
            self.setup_data("http://localhost:%d/" % port)
            for name in ("ip", "api", "application", "user", "disabled"):
                with self.subTest(name):
                    getattr(self, name)()
            if kind != "sqlite":
                with self.subTest("other_process"):
                    self.other_process(kind)
            print("%s: condition -> gateway (s): %s" % (kind, ", ".join("%s %.2f" % f for f in self.figures)))
        finally:
            if echo is not None:
                echo.terminate()
                echo.wait()
                echo.stdout.close()
            rc = km.srv.stop()
            out = km.srv.output()
            km.stop()
        self.assertEqual(rc, 0, out[-3000:])

    # --- data ----------------------------------------------------------------------------------------------------

    def client(self, name):
        r = self.km.register(name, ["password", "client_credentials"])
        self.assertEqual(r.status_code, 201, r.text)
        return r.json()

    def token(self, c, user="admin", password="admin"):
        r = requests.post("http://localhost:%d/token" % self.gw_port, timeout=30,
                          headers=dict(FORM, Authorization=basic(c["client_id"], c["client_secret"])),
                          data={"grant_type": "password", "username": user, "password": password})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["access_token"]

    def setup_data(self, backend):
        km = self.km
        # the administrator's token for the Admin REST API, with the blacklist scopes (as the Admin console gets it)
        r = requests.post(km.base + "/client-registration/v0.14/register", auth=ADMIN, timeout=30,
                          json={"callbackUrl": "www.google.lk", "clientName": "rest_api_admin", "owner": "admin",
                                "grantType": "password refresh_token", "saasApp": True})
        self.assertEqual(r.status_code, 200, r.text)
        r = requests.post(km.base + "/oauth2/token", auth=(r.json()["clientId"], r.json()["clientSecret"]),
                          data={"grant_type": "password", "username": "admin", "password": "admin",
                                "scope": "apim:bl_view apim:bl_manage"}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("apim:bl_manage", r.json()["scope"].split())
        self.admin = {"Authorization": "Bearer " + r.json()["access_token"]}
        # alice, a second user
        r = requests.post(km.base + "/scim2/Users", auth=ADMIN, timeout=30,
                          headers={"Content-Type": "application/scim+json"},
                          json={"userName": "alice", "password": "Alice-Pass-123",
                                "emails": [{"value": "alice@example.com"}]})
        self.assertEqual(r.status_code, 201, r.text)
        # two APIs, two applications of admin's, both subscribed to both
        self.blk = gwdata.api(km, "blk", "v1", "blk", backend)
        self.free = gwdata.api(km, "free", "v1", "free", backend)
        self.c_a, self.c_b = self.client("blockA"), self.client("blockB")
        for name, c in (("blockApp", self.c_a), ("otherApp", self.c_b)):
            app = gwdata.application(km, name)
            gwdata.keys(km, app, c["client_id"])
            for api in (self.blk, self.free):
                gwdata.subscribe(km, app, api)
        self.tok_a = self.token(self.c_a)
        self.tok_b = self.token(self.c_b)
        self.tok_alice = self.token(self.c_b, "alice", "Alice-Pass-123")
        deadline = time.time() + 15
        while time.time() < deadline:
            if self.call("/free/v1/x", self.tok_a)[0] == 200 and self.call("/blk/v1/x", self.tok_a)[0] == 200:
                return
            time.sleep(0.2)
        self.fail("the APIs did not appear on the gateway")

    # --- calls ---------------------------------------------------------------------------------------------------

    def call(self, path, token=None, source=PEER, headers=None, port=None):
        """GET through the gateway from the loopback address `source`; (status, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", port or self.gw_port, timeout=30, source_address=(source, 0))
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        try:
            conn.request("GET", path, headers=h)
            r = conn.getresponse()
            return r.status, r.read().decode()
        finally:
            conn.close()

    def blocked(self, res):
        return res[0] == 403 and json.loads(res[1]).get("fault", {}).get("code") == 900805

    def assert_blocked(self, res):
        self.assertEqual(res[0], 403, res[1])
        self.assertEqual(json.loads(res[1]), {"fault": {"code": 900805, "message": "Message blocked", "description":
                                                        "You have been blocked from accessing the resource"}})

    def assert_passes(self, res):
        self.assertEqual(res[0], 200, res[1])

    def within(self, what, fn, want):
        """Poll fn() until want(result); fail past WITHIN seconds; record the time it took."""
        t0 = time.monotonic()
        while True:
            res = fn()
            if want(res):
                self.figures.append((what, time.monotonic() - t0))
                return res
            if time.monotonic() - t0 > WITHIN:
                self.fail("%s: not in effect after %.1f s: %r" % (what, WITHIN, res))
            time.sleep(0.05)

    def add(self, ctype, value):
        r = requests.post(self.km.base + BL, headers=dict(self.admin, **{"Content-Type": "application/json"}),
                          data=json.dumps({"conditionType": ctype, "conditionValue": value}), timeout=30)
        self.assertEqual(r.status_code, 201, r.text)
        return r.json()["conditionId"]

    def delete(self, cid):
        r = requests.delete(self.km.base + BL + "/" + cid, headers=self.admin, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)

    # --- the conditions ------------------------------------------------------------------------------------------

    def ip(self):
        path = "/blk/v1/x"
        self.assert_passes(self.call(path, self.tok_a, BLOCKED_PEER))
        cid = self.add("IP", BLOCKED_PEER)
        self.within("IP", lambda: self.call(path, self.tok_a, BLOCKED_PEER), self.blocked)
        self.assert_blocked(self.call("/free/v1/x", self.tok_b, BLOCKED_PEER))  # every API, every application
        # refused before the token is looked at: none, or a bad one, is 900805 too
        self.assert_blocked(self.call(path, None, BLOCKED_PEER))
        self.assert_blocked(self.call(path, "not-a-token", BLOCKED_PEER))
        # WSO2's throttling fault in XML
        st, body = self.call(path, self.tok_a, BLOCKED_PEER, {"Accept": "application/xml"})
        self.assertEqual(st, 403, body)
        ns = {"amt": "http://wso2.org/apimanager/throttling"}
        root = ET.fromstring(body)
        self.assertEqual(root.tag, "{http://wso2.org/apimanager/throttling}fault")
        self.assertEqual(root.findtext("amt:code", namespaces=ns), "900805")
        self.assertEqual(root.findtext("amt:message", namespaces=ns), "Message blocked")
        # another address passes; a header cannot dodge the block or impose it
        self.assert_passes(self.call(path, self.tok_a, PEER))
        self.assert_blocked(self.call(path, self.tok_a, BLOCKED_PEER, {"X-Forwarded-For": PEER}))
        self.assert_blocked(self.call(path, self.tok_a, BLOCKED_PEER, {"X-Real-IP": PEER, "Forwarded": "for=" + PEER}))
        self.assert_passes(self.call(path, self.tok_a, PEER, {"X-Forwarded-For": BLOCKED_PEER}))
        # through the trusted proxy: the address it forwarded for, not what the client wrote before it
        self.assert_blocked(self.call(path, self.tok_a, PROXY, {"X-Forwarded-For": BLOCKED_PEER}))
        self.assert_blocked(self.call(path, self.tok_a, PROXY, {"X-Forwarded-For": PEER + ", " + BLOCKED_PEER}))
        self.assert_passes(self.call(path, self.tok_a, PROXY, {"X-Forwarded-For": BLOCKED_PEER + ", " + PEER}))
        self.assert_passes(self.call(path, self.tok_a, PROXY))
        # counted as refusals of this API with WSO2's code
        m = requests.get(self.km.base + "/metrics", auth=ADMIN, timeout=10)
        self.assertEqual(m.status_code, 200, m.text)
        self.assertRegex(m.text, r'gatehouse_gateway_requests_total\{api="blk:v1",status="403",code="900805"\} [1-9]')
        self.delete(cid)
        self.within("IP deleted", lambda: self.call(path, self.tok_a, BLOCKED_PEER), lambda r: r[0] == 200)

    def misses(self):
        m = requests.get(self.km.base + "/metrics", auth=ADMIN, timeout=10)
        self.assertEqual(m.status_code, 200, m.text)
        for line in m.text.splitlines():
            if line.startswith('gatehouse_gateway_token_cache_total{result="miss"}'):
                return int(float(line.split()[-1]))
        self.fail("no token cache miss counter in /metrics")

    def api(self):
        misses = self.misses()
        cid = self.add("API", "/blk/v1")
        self.within("API", lambda: self.call("/blk/v1/x", self.tok_a), self.blocked)
        self.assert_blocked(self.call("/blk/x", self.tok_a))        # its default-version path as well
        self.assert_blocked(self.call("/blk/v1/x", None))          # before authentication
        self.assert_passes(self.call("/free/v1/x", self.tok_a))    # another API
        self.assert_passes(self.call("/free/x", self.tok_a))       # (tokens cached before: see below)
        self.delete(cid)
        self.within("API deleted", lambda: self.call("/blk/v1/x", self.tok_a), lambda r: r[0] == 200)
        self.assert_passes(self.call("/blk/x", self.tok_a))
        # a blocking condition leaves the token cache alone: no call above went back to the key manager
        self.assertEqual(self.misses(), misses)

    def application(self):
        # a value the gateway could never match is refused by the Admin API
        for bad in ("blockApp", ":blockApp", "admin:"):
            r = requests.post(self.km.base + BL, headers=dict(self.admin, **{"Content-Type": "application/json"}),
                              data=json.dumps({"conditionType": "APPLICATION", "conditionValue": bad}), timeout=30)
            self.assertEqual(r.status_code, 400, r.text)
            self.assertIn("conditionValue", [e["code"] for e in r.json()["error"]], r.text)
        cid = self.add("APPLICATION", "admin:blockApp")
        self.within("APPLICATION", lambda: self.call("/free/v1/x", self.tok_a), self.blocked)
        self.assert_blocked(self.call("/blk/v1/x", self.tok_a))
        self.assert_passes(self.call("/free/v1/x", self.tok_b))    # the owner's other application
        # an unknown token is still an invalid credential: the application is only known after validation
        st, body = self.call("/free/v1/x", "not-a-token")
        self.assertEqual(st, 401, body)
        self.delete(cid)
        self.within("APPLICATION deleted", lambda: self.call("/free/v1/x", self.tok_a), lambda r: r[0] == 200)

    def user(self):
        cid = self.add("USER", "alice")
        self.within("USER", lambda: self.call("/free/v1/x", self.tok_alice), self.blocked)
        self.assert_blocked(self.call("/blk/v1/x", self.tok_alice))
        self.assert_passes(self.call("/free/v1/x", self.tok_b))    # admin, same application
        self.delete(cid)
        self.within("USER deleted", lambda: self.call("/free/v1/x", self.tok_alice), lambda r: r[0] == 200)
        # as WSO2 stores it: tenant-qualified
        cid = self.add("USER", "alice@carbon.super")
        self.within("USER@tenant", lambda: self.call("/free/v1/x", self.tok_alice), self.blocked)
        self.delete(cid)
        self.within("USER@tenant deleted", lambda: self.call("/free/v1/x", self.tok_alice), lambda r: r[0] == 200)

    def disabled(self):
        # a condition switched off (WSO2's ENABLED 'FALSE') is not enforced
        self.km.sql("INSERT INTO AM_BLOCK_CONDITIONS (TYPE, VALUE, ENABLED, DOMAIN, UUID) VALUES "
                    "('USER', 'admin@carbon.super', 'FALSE', 'carbon.super', 'disabled-admin')")
        cid = self.add("IP", BLOCKED_PEER)  # its event reloads the conditions, the disabled one with them
        self.within("IP (with a disabled one)", lambda: self.call("/free/v1/x", self.tok_a, BLOCKED_PEER), self.blocked)
        self.assert_passes(self.call("/free/v1/x", self.tok_a))
        self.delete(cid)
        self.km.sql("DELETE FROM AM_BLOCK_CONDITIONS WHERE UUID = 'disabled-admin'")
        self.within("IP deleted", lambda: self.call("/free/v1/x", self.tok_a, BLOCKED_PEER), lambda r: r[0] == 200)

    def other_process(self, kind):
        """A second all-in-one process on the same database: the Admin API's change reaches its gateway through
        the cluster relay (GH_EVENT), not through its own 5 s reload."""
        conf = ghtest.ConfTree(offset=ghtest.free_offset())
        srv = None
        try:
            ghtest.point_all_datasources(conf, kind, self.km.url)
            srv = ghtest.Server(conf)
            srv.wait_ready(8280)
            port = srv.port(8280)
            call = lambda: self.call("/free/v1/x", self.tok_a, port=port)  # noqa: E731
            self.within("second process up", call, lambda r: r[0] == 200)
            cid = self.add("APPLICATION", "admin:blockApp")
            self.within("APPLICATION, other process", call, self.blocked)
            self.assert_passes(self.call("/free/v1/x", self.tok_b, port=port))
            self.delete(cid)
            self.within("APPLICATION deleted, other process", call, lambda r: r[0] == 200)
        finally:
            rc = srv.stop() if srv is not None else 0
            out = srv.output() if srv is not None else ""
            conf.cleanup()
        self.assertEqual(rc, 0, out[-3000:])


if __name__ == "__main__":
    ghtest.main()
