"""The WSO2 tutorial end to end through the real REST APIs only (no SQL fixture): a REST client registered at
/client-registration/v0.14/register, a password-grant token with the publisher scopes, /contextName v1 created
from Swagger in front of a running gatehouse-echo and published; a SCIM user in Internal/subscriber with an
e-mail creates application userJwt, subscribes, generates PRODUCTION keys, gets a password-grant token at the
gateway's /token and calls /contextName/v1/...: the echo sees exactly one X-JWT-Assertion carrying WSO2's claims
and the user's, verified with PyJWT through /oauth2/jwks.

Then the portals' change events reaching the gateway without a restart: a blocked API answers 503 700700 within a
second (and again 200 once re-published), a subscription blocked by the publisher 403 on the next call, a new
API published answers within a second, a refreshed token, a regenerated consumer secret and a deleted application
make the old token fail on the next call. On SQLite, PostgreSQL and MariaDB."""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import unittest

import jwt
import requests

import ghtest
import km_flows
from km_flows import ADMIN, basic

ECHO = os.path.join(ghtest.SRC, "apps", "gatehouse-echo", "gatehouse-echo")
PUB = "/api/am/publisher/v0.14"
STORE = "/api/am/store/v0.14"
PUB_SCOPES = "apim:api_view apim:api_create apim:api_publish apim:subscription_view apim:subscription_block"
D = "http://wso2.org/claims/"
USER, PASSWORD, EMAIL = "tutorialuser", "Tutorial-Pass-1", "tutorialuser@example.com"
# the backend JWT on, signed SHA256withRSA (what the gateway tests configure)
EDITS = [("api-manager.xml", r"<EnableJWTGeneration>false</EnableJWTGeneration>",
          "<EnableJWTGeneration>true</EnableJWTGeneration>"),
         ("api-manager.xml", r"<SignatureAlgorithm>[^<]*</SignatureAlgorithm>",
          "<SignatureAlgorithm>SHA256withRSA</SignatureAlgorithm>"),
         ("api-manager.xml", r"<!--ClaimsRetrieverImplClass>(.*?)</ClaimsRetrieverImplClass-->",
          r"<ClaimsRetrieverImplClass>\1</ClaimsRetrieverImplClass>")]


def swagger(title):
    any_op = {"x-auth-type": "Application & Application User", "x-throttling-tier": "Unlimited",
              "responses": {"200": {"description": "the echo"}}}
    return json.dumps({"swagger": "2.0", "info": {"title": title, "version": "v1"},
                       "paths": {"/*": {"get": any_op, "post": any_op}}})


def within(seconds, fn, want):
    """Polls fn() until want(result) holds or `seconds` pass; returns (result, elapsed)."""
    t0 = time.monotonic()
    while True:
        r = fn()
        if want(r) or time.monotonic() - t0 > seconds:
            return r, time.monotonic() - t0
        time.sleep(0.05)


class TutorialTest(ghtest.PerDatabase, unittest.TestCase):
    def run_for(self, kind, base_url):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.echo_port = s.getsockname()[1]
        self.km = km_flows.KmServer(kind, base_url, dbname="gh_tutorial_e2e", edits=EDITS)
        self.base = self.km.base
        self.gw = self.km.srv.url(8280, "")
        self.echo = subprocess.Popen([ECHO, "--port", str(self.echo_port), "--jwks", self.base + "/oauth2/jwks"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = ""
        try:
            self.echo.stdout.readline()  # listening
            self.tutorial()
            self.events()
        finally:
            self.echo.terminate()
            self.echo.wait()
            self.echo.stdout.close()
            out = self.km.srv.output()
            if os.environ.get("GW_DEBUG"):
                print(out[-6000:])
            self.km.stop()
        self.assertNotIn(self.token, out, "a token reached the log")

    # --- helpers -----------------------------------------------------------------------------------------------

    def rest(self, method, path, token, body=None):
        h = {"Authorization": "Bearer " + token}
        if body is not None:
            h["Content-Type"] = "application/json"
        return requests.request(method, self.base + path, headers=h, timeout=60,
                                data=json.dumps(body) if body is not None else None)

    def ok(self, r, status=200):
        self.assertEqual(r.status_code, status, "%s %s: %s" % (r.request.method, r.request.url, r.text))
        return r.json() if r.text else None

    def password_token(self, url, client, user, password, scope=None):
        data = {"grant_type": "password", "username": user, "password": password}
        if scope:
            data["scope"] = scope
        r = requests.post(url, headers={"Authorization": basic(*client)}, data=data, timeout=30)
        return self.ok(r)

    def call(self, path="/contextName/v1/hello?x=1", token=None):
        return requests.get(self.gw + path, headers={"Authorization": "Bearer " + (token or self.token)}, timeout=30)

    def create_and_publish(self, name, context):
        api = self.ok(self.rest("POST", PUB + "/apis", self.pub, {
            "name": name, "context": context, "version": "v1", "apiDefinition": swagger(name),
            "endpointConfig": json.dumps({"production_endpoints": {"url": "http://127.0.0.1:%d/" % self.echo_port},
                                          "sandbox_endpoints": {"url": "http://127.0.0.1:%d/" % self.echo_port},
                                          "endpoint_type": "http"}),
            "tiers": ["Unlimited"], "visibility": "PUBLIC", "transport": ["http", "https"],
            "isDefaultVersion": True}), 201)
        self.assertEqual(api["status"], "CREATED")
        r = self.ok(self.rest("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=Publish" % api["id"], self.pub))
        return api["id"], r

    def fault(self, r, status, code):
        self.assertEqual(r.status_code, status, r.text)
        self.assertEqual(r.json()["fault"]["code"], code, r.text)

    # --- the tutorial ------------------------------------------------------------------------------------------

    def tutorial(self):
        r = requests.post(self.base + "/client-registration/v0.14/register", auth=ADMIN, timeout=30,
                          json={"callbackUrl": "www.google.lk", "clientName": "rest_api_publisher", "owner": "admin",
                                "grantType": "password refresh_token", "saasApp": True})
        reg = self.ok(r)
        self.rest_client = (reg["clientId"], reg["clientSecret"])
        tok = self.password_token(self.base + "/oauth2/token", self.rest_client, "admin", "admin", PUB_SCOPES)
        self.assertTrue(set(PUB_SCOPES.split()) <= set(tok["scope"].split()), tok["scope"])
        self.pub = tok["access_token"]
        self.api_id, lc = self.create_and_publish("contextName", "/contextName")
        api = self.ok(self.rest("GET", PUB + "/apis/" + self.api_id, self.pub))
        self.assertEqual(api["status"], "PUBLISHED")

        # the subscriber, through SCIM, with an e-mail, in Internal/subscriber
        r = requests.post(self.base + "/scim2/Users", auth=ADMIN, timeout=30,
                          headers={"Content-Type": "application/scim+json"},
                          json={"userName": USER, "password": PASSWORD, "emails": [{"value": EMAIL}]})
        uid = self.ok(r, 201)["id"]
        gid = base64.urlsafe_b64encode(b"Internal/subscriber").decode().rstrip("=")
        r = requests.patch(self.base + "/scim2/Groups/" + gid, auth=ADMIN, timeout=30,
                           headers={"Content-Type": "application/scim+json"},
                           json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                 "Operations": [{"op": "add", "path": "members", "value": [{"value": uid}]}]})
        self.ok(r)
        sub_tok = self.password_token(self.base + "/oauth2/token", self.rest_client, USER, PASSWORD, "apim:subscribe")
        self.sub = sub_tok["access_token"]

        # application userJwt, subscription, PRODUCTION keys
        self.app = self.ok(self.rest("POST", STORE + "/applications", self.sub, {
            "name": "userJwt", "throttlingTier": "Unlimited", "description": "tutorial", "tokenType": "JWT"}), 201)
        s = self.ok(self.rest("POST", STORE + "/subscriptions", self.sub, {
            "applicationId": self.app["applicationId"], "apiIdentifier": self.api_id, "tier": "Unlimited"}), 201)
        self.sub_id = s["subscriptionId"]
        keys = self.ok(self.rest("POST", STORE + "/applications/generate-keys?applicationId=" +
                                 self.app["applicationId"], self.sub, {
                                     "keyType": "PRODUCTION", "validityTime": "3600", "accessAllowDomains": ["ALL"],
                                     "supportedGrantTypes": ["password", "client_credentials", "refresh_token"]}))
        self.keys = (keys["consumerKey"], keys["consumerSecret"])

        # a password-grant token at the gateway's /token, and the call through the gateway
        self.token = self.password_token(self.gw + "/token", self.keys, USER, PASSWORD)["access_token"]
        r = requests.get(self.gw + "/contextName/v1/hello?x=1", timeout=30,
                         headers={"Authorization": "Bearer " + self.token, "X-JWT-Assertion": "spoofed.by.client"})
        echo = self.ok(r)
        self.assertEqual((echo["method"], echo["path"], echo["query"]), ("GET", "/hello", "x=1"))
        self.assertEqual(echo["jwt_assertion_count"], 1, echo["headers"])
        self.assertNotIn("spoofed", json.dumps(echo["headers"]))
        self.assertTrue(echo["jwt"].get("verified"), echo["jwt"])
        raw = echo["jwt"]["raw"]
        key = jwt.PyJWKClient(self.base + "/oauth2/jwks").get_signing_key_from_jwt(raw)
        self.assertEqual(jwt.get_unverified_header(raw)["alg"], "RS256")
        c = jwt.decode(raw, key.key, algorithms=["RS256"], options={"verify_aud": False})
        self.assertEqual(c["iss"], "wso2.org/products/am")
        self.assertEqual(c[D + "subscriber"], USER)
        self.assertEqual(c[D + "applicationname"], "userJwt")
        self.assertEqual(c[D + "applicationtier"], "Unlimited")
        self.assertEqual(c[D + "tier"], "Unlimited")
        self.assertEqual(c[D + "apicontext"], "/contextName/v1")
        self.assertEqual(c[D + "version"], "v1")
        self.assertEqual(c[D + "keytype"], "PRODUCTION")
        self.assertEqual(c[D + "enduser"], USER + "@carbon.super")
        self.assertEqual(c[D + "emailaddress"], EMAIL)
        self.assertIn("Internal/subscriber", c[D + "role"])
        self.assertGreater(c["exp"], time.time())

    # --- change events from the portals to the gateway ---------------------------------------------------------

    def report(self, what, seconds):
        sys.stderr.write("  [%s] %s after %.0f ms\n" % (self.km.kind, what, seconds * 1000))

    def lifecycle(self, action):
        return self.ok(self.rest("POST", PUB + "/apis/change-lifecycle?apiId=%s&action=%s" % (self.api_id, action),
                                 self.pub))

    def events(self):
        # Block: 503 700700 within a second; Re-Publish: back
        self.lifecycle("Block")
        r, dt = within(1.0, self.call, lambda r: r.status_code == 503)
        self.fault(r, 503, 700700)
        self.report("Block -> 503", dt)
        self.lifecycle("Re-Publish")
        r, dt = within(1.0, self.call, lambda r: r.status_code == 200)
        self.assertEqual(r.status_code, 200, r.text)

        # the publisher blocks the subscription: the next call is refused
        r = self.rest("POST", PUB + "/subscriptions/block-subscription?subscriptionId=%s&blockState=BLOCKED"
                      % self.sub_id, self.pub)
        self.assertEqual(self.ok(r)["status"], "BLOCKED")
        self.fault(self.call(), 403, 900907)
        r = self.rest("POST", PUB + "/subscriptions/unblock-subscription?subscriptionId=" + self.sub_id, self.pub)
        self.assertEqual(self.ok(r)["status"], "UNBLOCKED")
        self.assertEqual(self.call().status_code, 200)

        # a new API published answers within a second, without a restart
        new_id, _ = self.create_and_publish("newApi", "/newApi")
        self.ok(self.rest("POST", STORE + "/subscriptions", self.sub, {
            "applicationId": self.app["applicationId"], "apiIdentifier": new_id, "tier": "Unlimited"}), 201)
        r, dt = within(1.0, lambda: self.call("/newApi/v1/x"), lambda r: r.status_code == 200)
        self.assertEqual(r.status_code, 200, r.text)
        self.report("new API -> 200", dt)
        self.assertEqual(r.json()["jwt"]["claims"][D + "apicontext"], "/newApi/v1")

        # a refreshed token: the old access token stops at the gateway on the next call (its validation was cached)
        t = self.password_token(self.gw + "/token", self.keys, USER, PASSWORD)
        self.assertEqual(self.call(token=t["access_token"]).status_code, 200)
        r = requests.post(self.gw + "/token", headers={"Authorization": basic(*self.keys)}, timeout=30,
                          data={"grant_type": "refresh_token", "refresh_token": t["refresh_token"]})
        t2 = self.ok(r)
        self.fault(self.call(token=t["access_token"]), 401, 900901)
        self.assertEqual(self.call(token=t2["access_token"]).status_code, 200)

        # a regenerated consumer secret revokes the application's tokens (WSO2 IS does)
        r = self.rest("POST", STORE + "/applications/regenerate-consumersecret", self.sub,
                      {"consumerKey": self.keys[0]})
        self.keys = (self.keys[0], self.ok(r)["consumerSecret"])
        self.fault(self.call(), 401, 900901)
        tok = self.password_token(self.gw + "/token", self.keys, USER, PASSWORD)["access_token"]
        self.assertEqual(self.call(token=tok).status_code, 200)

        # a deleted application: its token fails on the next call
        r = self.rest("DELETE", STORE + "/applications/" + self.app["applicationId"], self.sub)
        self.assertEqual(r.status_code, 200, r.text)
        self.fault(self.call(token=tok), 401, 900901)


if __name__ == "__main__":
    ghtest.main()
